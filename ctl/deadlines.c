#include "ctl/deadlines.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl/ctldb.h"
#include "workflow/calendar.h"

static const char sql_add[] =
	"INSERT INTO hotline.deadlines (case_id, kind, due_date, due_at, ref_id, basis) "
	"VALUES ($1, $2, $3::date, to_timestamp($4::bigint), $5, $6)";

static bool add(PGconn *pg, const char *case_id, const char *kind, struct cal_date due,
		const char *ref_id, const char *basis, char out[11])
{
	char date[11], at[24];
	cal_date_format(due, date);
	snprintf(at, sizeof(at), "%lld",
		 (long long)calendar_epoch(cal_date_add_days(due, 1), 0, 0));
	const char *v[6] = {case_id, kind, date, at, ref_id, basis};
	if (out)
		memcpy(out, date, 11);
	return ctldb_run(pg, sql_add, 6, v);
}

static bool parse(const char *s, struct cal_date *d)
{
	if (!cal_date_parse(s, d)) {
		fprintf(stderr, "hotlinectl: %s is not a date (YYYY-MM-DD)\n", s);
		return false;
	}
	return true;
}

bool deadlines_add_director_notice(PGconn *pg, const struct calendar *cal, const char *case_id,
				   const char *reg_date, char due[11])
{
	(void)cal;
	struct cal_date d;
	return parse(reg_date, &d) &&
	       add(pg, case_id, "director_notice", cal_date_add_days(d, 1), NULL, "calendar_days",
		   due);
}

bool deadlines_add_urgent(PGconn *pg, const struct calendar *cal, const char *case_id,
			  char due[11])
{
	(void)cal;
	return add(pg, case_id, "urgent_forward", calendar_local_date((int64_t)time(NULL)), NULL,
		   "calendar_days", due);
}

int deadlines_recompute(PGconn *pg, const struct calendar *cal)
{
	/* The start date of each working-day deadline: the order date of the
	 * investigation, the day of the material request. */
	static const char sql_open[] =
		"SELECT d.id, d.kind, to_char(d.due_date, 'YYYY-MM-DD'), "
		"to_char(coalesce(i.order_date, m.requested_on), 'YYYY-MM-DD'), j.reg_no, "
		"i.id, m.id FROM hotline.deadlines d JOIN hotline.cases c ON c.id = d.case_id "
		"JOIN hotline.journal j ON j.id = c.journal_id "
		"LEFT JOIN hotline.investigations i ON d.kind = 'investigation' AND i.case_id = d.case_id "
		"LEFT JOIN hotline.material_requests m ON d.kind = 'material_request' AND m.id = d.ref_id "
		"WHERE d.met_at IS NULL AND d.basis = 'working_days' ORDER BY d.id";
	static const char sql_update[] =
		"UPDATE hotline.deadlines SET due_date = $2::date, due_at = to_timestamp($3::bigint) "
		"WHERE id = $1";
	static const char sql_inv[] = "UPDATE hotline.investigations SET due_date = $2::date WHERE id = $1";
	static const char sql_mat[] =
		"UPDATE hotline.material_requests SET due_date = $2::date WHERE id = $1";
	PGresult *res = ctldb_exec(pg, sql_open, 0, NULL);
	if (!res)
		return -1;
	int moved = 0;
	for (int i = 0; i < PQntuples(res); i++) {
		struct cal_date start, due;
		if (PQgetisnull(res, i, 3) || !cal_date_parse(PQgetvalue(res, i, 3), &start))
			continue;
		int n = strcmp(PQgetvalue(res, i, 1), "investigation") == 0 ? 10 : 1;
		due = calendar_add_working_days(cal, start, n);
		char date[11], at[24];
		cal_date_format(due, date);
		if (strcmp(date, PQgetvalue(res, i, 2)) == 0)
			continue;
		snprintf(at, sizeof(at), "%lld",
			 (long long)calendar_epoch(cal_date_add_days(due, 1), 0, 0));
		const char *v[3] = {PQgetvalue(res, i, 0), date, at};
		bool inv = !PQgetisnull(res, i, 5);
		const char *w[2] = {inv ? PQgetvalue(res, i, 5) : PQgetvalue(res, i, 6), date};
		if (!ctldb_run(pg, sql_update, 3, v) || !ctldb_run(pg, inv ? sql_inv : sql_mat, 2, w)) {
			PQclear(res);
			return -1;
		}
		printf("case %s: %s deadline moved from %s to %s\n", PQgetvalue(res, i, 4),
		       PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), date);
		moved++;
	}
	PQclear(res);
	return moved;
}
