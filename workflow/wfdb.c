#include "workflow/wfdb.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/db.h"
#include "workflow/calendar.h"

static void set_text(struct wf_error *e, enum wf_code code, const char *fmt, va_list ap)
{
	e->code = code;
	vsnprintf(e->text, sizeof(e->text), fmt, ap);
	e->has_detail = false;
}

bool wf_fail(struct wf_error *e, enum wf_code code, const char *fmt, ...)
{
	if (!e)
		return false;
	va_list ap;
	va_start(ap, fmt);
	set_text(e, code, fmt, ap);
	va_end(ap);
	return false;
}

bool wf_missing(struct wf_error *e, enum msg which, const char *fmt, ...)
{
	if (!e)
		return false;
	va_list ap;
	va_start(ap, fmt);
	set_text(e, WF_MISSING, fmt, ap);
	va_end(ap);
	return wf_explain(e, which, WF_VALUE_TEXT, NULL, WF_VALUE_TEXT, NULL);
}

bool wf_explain(struct wf_error *e, enum msg text, enum wf_value k0, const char *v0,
		enum wf_value k1, const char *v1)
{
	if (!e)
		return false;
	struct wf_detail *d = &e->detail;
	d->text = text;
	d->nvalues = 0;
	const char *v[2] = {v0, v1};
	enum wf_value k[2] = {k0, k1};
	for (int i = 0; i < 2 && v[i]; i++) {
		d->kind[i] = k[i];
		snprintf(d->value[i], sizeof(d->value[i]), "%s", v[i]);
		d->nvalues = i + 1;
	}
	e->has_detail = true;
	return false;
}

PGresult *wfdb_exec(PGconn *pg, const char *sql_text, int nparams, const char *const *values,
		    struct wf_error *e)
{
	struct db_error err;
	PGresult *res = db_query(pg, sql_text, nparams, values, NULL, NULL, &err);
	if (res)
		return res;
	/* The primary message only: the detail line may quote a row's values. */
	char buf[256];
	snprintf(buf, sizeof(buf), "%.255s", err.message[0] ? err.message : PQerrorMessage(pg));
	buf[strcspn(buf, "\n")] = '\0';
	wf_fail(e, WF_DB, "the database refused: %s", buf);
	return NULL;
}

bool wfdb_run(PGconn *pg, const char *sql_text, int nparams, const char *const *values,
	      struct wf_error *e)
{
	PGresult *res = wfdb_exec(pg, sql_text, nparams, values, e);
	PQclear(res);
	return res != NULL;
}

bool wfdb_begin(PGconn *pg)
{
	static const char sql_begin[] = "BEGIN";
	return wfdb_run(pg, sql_begin, 0, NULL, NULL);
}

bool wfdb_commit(PGconn *pg)
{
	static const char sql_commit[] = "COMMIT";
	return wfdb_run(pg, sql_commit, 0, NULL, NULL);
}

void wfdb_rollback(PGconn *pg)
{
	static const char sql_rollback[] = "ROLLBACK";
	PQclear(db_query(pg, sql_rollback, 0, NULL, NULL, NULL, NULL));
}

struct calendar *wfdb_calendar(PGconn *pg, struct wf_error *e)
{
	static const char sql_days[] =
	    "SELECT to_char(day, 'YYYY-MM-DD') AS day_iso, kind, note FROM hotline.calendar_days "
	    "ORDER BY day";
	PGresult *res = wfdb_exec(pg, sql_days, 0, NULL, e);
	if (!res)
		return NULL;
	struct calendar *cal = calendar_new();
	if (!cal)
		wf_fail(e, WF_DB, "out of memory");
	int day = db_col(res, "day_iso"), kind = db_col(res, "kind"), note = db_col(res, "note");
	for (int i = 0; cal && i < PQntuples(res); i++) {
		if (!calendar_load_row(cal, PQgetvalue(res, i, day), PQgetvalue(res, i, kind),
				       PQgetvalue(res, i, note))) {
			wf_fail(e, WF_DB, "calendar row %s is not understood",
				PQgetvalue(res, i, day));
			calendar_free(cal);
			cal = NULL;
		}
	}
	PQclear(res);
	return cal;
}

char *wfdb_setting(PGconn *pg, const char *key)
{
	static const char sql_setting[] = "SELECT hotline.setting($1) AS value";
	const char *v[1] = {key};
	PGresult *res = wfdb_exec(pg, sql_setting, 1, v, NULL);
	char *value = NULL;
	int col = res ? db_col(res, "value") : 0;
	if (res && PQntuples(res) == 1 && !PQgetisnull(res, 0, col))
		value = strdup(PQgetvalue(res, 0, col));
	PQclear(res);
	return value;
}

bool wfdb_case_note(PGconn *pg, const char *case_id, const char *login, const unsigned char *body,
		    size_t blen, char note_id[24], struct db_error *err)
{
	static const char sql_note[] =
	    "INSERT INTO hotline.case_notes (case_id, author_login, body) VALUES ($1, $2, $3) "
	    "RETURNING id";
	const char *v[3] = {case_id, login, (const char *)body};
	int lengths[3] = {0, 0, (int)blen}, formats[3] = {0, 0, 1};
	PGresult *res = db_query(pg, sql_note, 3, v, lengths, formats, err);
	bool ok = res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
	if (ok)
		snprintf(note_id, 24, "%s", PQgetvalue(res, 0, db_col(res, "id")));
	PQclear(res);
	return ok;
}

bool wfdb_case_event(PGconn *pg, const char *case_id, const char *kind, const char *detail,
		     struct wf_error *e)
{
	static const char sql_event[] = "SELECT hotline.case_event($1, $2, $3::jsonb)";
	const char *v[3] = {case_id, kind, detail ? detail : "{}"};
	return wfdb_run(pg, sql_event, 3, v, e);
}

bool wfdb_notify(PGconn *pg, const char *case_id, const char *kind, const char *const *recipients,
		 int nrecipients, const struct notice *n, int *queued, struct wf_error *e)
{
	static const char sql_outbox[] =
	    "SELECT hotline.outbox_queue($1, ARRAY[$2::text], $3, $4, $5::bigint)";
	int count = 0;
	for (int i = 0; i < nrecipients; i++) {
		if (!recipients[i] || !*recipients[i])
			continue;
		const char *v[5] = {kind, recipients[i], n->subject.data, n->body.data, case_id};
		if (!wfdb_run(pg, sql_outbox, 5, v, e))
			return false;
		count++;
	}
	if (queued)
		*queued = count;
	return true;
}
