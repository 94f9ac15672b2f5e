#include "ctl/deadlines.h"

#include <stdio.h>
#include <string.h>

#include "base/db.h"
#include "base/schema.h"
#include "ctl/ctldb.h"
#include "workflow/calendar.h"
#include "workflow/deadline.h"

int deadlines_recompute(PGconn *pg, const struct calendar *cal)
{
	/* The start date of each working-day deadline: the order date of the
	 * investigation, the day of the material request, the day of
	 * registration for the reply to a named reporter (migrations/0010). */
	static const char sql_open[] =
	    "SELECT d.id, d.kind, to_char(d.due_date, 'YYYY-MM-DD') AS due_date, "
	    "to_char(coalesce(i.order_date, m.requested_on, CASE WHEN d.kind = 'reply' THEN "
	    "(j.registered_at AT TIME ZONE " SQL_ZONE ")::date END), 'YYYY-MM-DD') AS start_date, "
	    "j.reg_no, i.id AS investigation_id, m.id AS request_id, "
	    "hotline.setting('reply_working_days') AS reply_days "
	    "FROM hotline.deadlines d JOIN hotline.cases c ON c.id = d.case_id "
	    "JOIN hotline.journal j ON j.id = c.journal_id "
	    "LEFT JOIN hotline.investigations i ON d.kind = 'investigation' AND i.case_id = "
	    "d.case_id "
	    "LEFT JOIN hotline.material_requests m ON d.kind = 'material_request' AND m.id = "
	    "d.ref_id "
	    "WHERE d.met_at IS NULL AND d.basis = 'working_days' ORDER BY d.id";
	static const char sql_update[] =
	    "UPDATE hotline.deadlines SET due_date = $2::date, due_at = to_timestamp($3::bigint) "
	    "WHERE id = $1";
	static const char sql_inv[] =
	    "UPDATE hotline.investigations SET due_date = $2::date WHERE id = $1";
	static const char sql_mat[] =
	    "UPDATE hotline.material_requests SET due_date = $2::date WHERE id = $1";
	PGresult *res = ctldb_exec(pg, sql_open, 0, NULL);
	if (!res)
		return -1;
	int moved = 0;
	int c_id = db_col(res, "id"), c_kind = db_col(res, "kind"), c_due = db_col(res, "due_date");
	int c_start = db_col(res, "start_date"), c_reg_no = db_col(res, "reg_no");
	int c_inv = db_col(res, "investigation_id"), c_req = db_col(res, "request_id");
	int c_days = db_col(res, "reply_days");
	for (int i = 0; i < PQntuples(res); i++) {
		struct cal_date start, due;
		if (PQgetisnull(res, i, c_start) ||
		    !cal_date_parse(PQgetvalue(res, i, c_start), &start))
			continue;
		const char *kind = PQgetvalue(res, i, c_kind);
		int n = strcmp(kind, "investigation") == 0 ? 10 : 1;
		if (strcmp(kind, "reply") == 0)
			n = deadline_reply_days(
			    PQgetisnull(res, i, c_days) ? NULL : PQgetvalue(res, i, c_days));
		due = calendar_add_working_days(cal, start, n);
		char date[11], at[24];
		cal_date_format(due, date);
		if (strcmp(date, PQgetvalue(res, i, c_due)) == 0)
			continue;
		deadline_due_at(due, at);
		const char *v[3] = {PQgetvalue(res, i, c_id), date, at};
		bool inv = !PQgetisnull(res, i, c_inv), mat = !PQgetisnull(res, i, c_req);
		const char *w[2] = {inv ? PQgetvalue(res, i, c_inv) : PQgetvalue(res, i, c_req),
				    date};
		if (!ctldb_run(pg, sql_update, 3, v) ||
		    ((inv || mat) && !ctldb_run(pg, inv ? sql_inv : sql_mat, 2, w))) {
			PQclear(res);
			return -1;
		}
		printf("case %s: %s deadline moved from %s to %s\n", PQgetvalue(res, i, c_reg_no),
		       kind, PQgetvalue(res, i, c_due), date);
		moved++;
	}
	PQclear(res);
	return moved;
}
