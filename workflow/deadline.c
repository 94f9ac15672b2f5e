#include "workflow/deadline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sql_add[] =
    "INSERT INTO hotline.deadlines (case_id, kind, due_date, due_at, ref_id, basis) "
    "VALUES ($1, $2, $3::date, to_timestamp($4::bigint), $5, $6)";

void deadline_due_at(struct cal_date last_day, char at[24])
{
	snprintf(at, 24, "%lld", (long long)calendar_epoch(cal_date_add_days(last_day, 1), 0, 0));
}

bool deadline_add(PGconn *pg, const char *case_id, const char *kind, struct cal_date due,
		  const char *ref_id, const char *basis, char out[11], struct wf_error *e)
{
	char date[11], at[24];
	cal_date_format(due, date);
	deadline_due_at(due, at);
	const char *v[6] = {case_id, kind, date, at, ref_id, basis};
	if (out)
		memcpy(out, date, 11);
	return wfdb_run(pg, sql_add, 6, v, e);
}

static bool parse(const char *s, struct cal_date *d, struct wf_error *e)
{
	if (!s || !cal_date_parse(s, d))
		return wf_fail(e, WF_BAD_DATE, "%s is not a date (YYYY-MM-DD)", s ? s : "(none)");
	return true;
}

bool deadline_add_investigation(PGconn *pg, const struct calendar *cal, const char *case_id,
				const char *order_date, char due[11], struct wf_error *e)
{
	struct cal_date d;
	return parse(order_date, &d, e) &&
	       deadline_add(pg, case_id, "investigation", deadline_investigation_due(cal, d), NULL,
			    "working_days", due, e);
}

bool deadline_add_material(PGconn *pg, const struct calendar *cal, const char *case_id,
			   const char *request_id, const char *requested_on, char due[11],
			   struct wf_error *e)
{
	struct cal_date d;
	return parse(requested_on, &d, e) &&
	       deadline_add(pg, case_id, "material_request", deadline_material_due(cal, d),
			    request_id, "working_days", due, e);
}

bool deadline_move(PGconn *pg, const char *case_id, const char *kind, const char *new_due,
		   struct wf_error *e)
{
	static const char sql_move[] =
	    "UPDATE hotline.deadlines SET due_date = $3::date, due_at = to_timestamp($4::bigint), "
	    "basis = 'fixed' WHERE case_id = $1 AND kind = $2 AND met_at IS NULL";
	struct cal_date d;
	if (!parse(new_due, &d, e))
		return false;
	char at[24];
	deadline_due_at(d, at);
	const char *v[4] = {case_id, kind, new_due, at};
	return wfdb_run(pg, sql_move, 4, v, e);
}

bool deadline_meet(PGconn *pg, const char *case_id, const char *kind, const char *ref,
		   struct wf_error *e)
{
	static const char sql_meet[] =
	    "UPDATE hotline.deadlines SET met_at = now() WHERE case_id = $1 AND kind = $2 "
	    "AND coalesce(ref_id, 0) = coalesce($3::bigint, 0) AND met_at IS NULL";
	const char *p[3] = {case_id, kind, ref};
	return wfdb_run(pg, sql_meet, 3, p, e);
}

int deadline_reply_days(const char *setting)
{
	char *end = NULL;
	long n = setting && *setting ? strtol(setting, &end, 10) : 0;
	return end && !*end && n >= 1 && n <= 60 ? (int)n : DEADLINE_REPLY_DEFAULT_DAYS;
}

struct cal_date deadline_reply_due(const struct calendar *cal, struct cal_date registered,
				   const char *setting)
{
	return calendar_add_working_days(cal, registered, deadline_reply_days(setting));
}

bool deadline_void(PGconn *pg, const char *case_id, const char *kind, struct wf_error *e)
{
	static const char sql_void[] =
	    "UPDATE hotline.deadlines SET met_at = now(), voided = true WHERE case_id = $1 "
	    "AND met_at IS NULL AND ($2::text IS NULL OR kind = $2)";
	const char *p[2] = {case_id, kind};
	return wfdb_run(pg, sql_void, 2, p, e);
}

bool deadline_end_case(PGconn *pg, const char *case_id, bool closed, struct wf_error *e)
{
	/* a reply a named reporter is owed (004 L196) outlives a referral or
	 * a forwarding: the reporter is still to be told; only the close ends
	 * it with the rest */
	static const char sql_void_all[] =
	    "UPDATE hotline.deadlines SET met_at = now(), voided = true WHERE case_id = $1 "
	    "AND met_at IS NULL AND ($2::boolean OR kind <> 'reply')";
	static const char sql_flag[] = "UPDATE hotline.cases SET overdue = false WHERE id = $1";
	/* the scanner's reminders and escalations (workflow/scanner.c) still
	 * waiting to be sent are about a duty that no longer runs */
	static const char sql_withdraw[] =
	    "UPDATE hotline.outbox SET withdrawn_at = now() WHERE case_id = $1 "
	    "AND sent_at IS NULL AND withdrawn_at IS NULL AND kind IN ('reminder', 'overdue')";
	const char *p[2] = {case_id, closed ? "true" : "false"};
	return wfdb_run(pg, sql_void_all, 2, p, e) && wfdb_run(pg, sql_flag, 1, p, e) &&
	       wfdb_run(pg, sql_withdraw, 1, p, e);
}

int deadline_days_left(const struct calendar *cal, const char *due, int64_t now)
{
	struct cal_date d;
	if (!cal_date_parse(due, &d))
		return 0;
	struct cal_date today = calendar_local_date(now);
	if (cal_date_compare(today, d) <= 0)
		return calendar_working_days_between(cal, today, d);
	return -calendar_working_days_between(cal, d, today);
}

struct cal_date deadline_director_notice_due(struct cal_date registered)
{
	return cal_date_add_days(registered, 1);
}

struct cal_date deadline_urgent_forward_due(struct cal_date triaged)
{
	return triaged;
}

struct cal_date deadline_investigation_due(const struct calendar *cal, struct cal_date ordered)
{
	return calendar_add_working_days(cal, ordered, 10);
}

struct cal_date deadline_material_due(const struct calendar *cal, struct cal_date requested)
{
	return calendar_add_working_days(cal, requested, 1);
}

bool deadline_overdue(int64_t now, int64_t due_at)
{
	return now >= due_at;
}

int deadline_days_to(const struct calendar *cal, struct cal_date today, struct cal_date last,
		     bool calendar_days)
{
	if (cal_date_compare(today, last) >= 0)
		return 0;
	return calendar_days ? cal_date_days_between(today, last)
			     : calendar_working_days_between(cal, today, last);
}

void deadline_reminder_mark(int point, char mark[24])
{
	snprintf(mark, 24, "reminder:%d", point);
}

bool deadline_marked(const char *marks, const char *mark)
{
	size_t k = strlen(mark);
	for (const char *p = marks; *p;) {
		size_t n = strcspn(p, ",");
		if (n == k && strncmp(p, mark, k) == 0)
			return true;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

void deadline_plan_reminders(const struct calendar *cal, const int *points, int npoints,
			     struct cal_date today, struct cal_date last, struct cal_date created,
			     bool calendar_days, const char *sent, struct deadline_reminders *out)
{
	out->left = deadline_days_to(cal, today, last, calendar_days);
	out->mail = -1;
	out->mark = 0;
	/* the nearest reminder point not yet sent */
	for (int r = 0; r < npoints; r++) {
		char mark[24];
		deadline_reminder_mark(points[r], mark);
		struct cal_date point = calendar_days
					    ? cal_date_add_days(last, -points[r])
					    : calendar_add_working_days(cal, last, -points[r]);
		bool before_creation = points[r] > 0 && cal_date_compare(point, created) < 0;
		if (out->left <= points[r] && !deadline_marked(sent, mark) && !before_creation &&
		    (out->mail < 0 || points[r] < points[out->mail]))
			out->mail = r;
	}
	if (out->mail < 0)
		return;
	/* the farther ones that passed meanwhile */
	for (int r = 0; r < npoints; r++) {
		char mark[24];
		deadline_reminder_mark(points[r], mark);
		if (r != out->mail && out->left <= points[r] && !deadline_marked(sent, mark))
			out->mark |= 1u << r;
	}
}

unsigned deadline_points_reached(const int *points, int npoints, int left)
{
	unsigned reached = 0;
	for (int r = 0; r < npoints; r++) {
		if (left <= points[r])
			reached |= 1u << r;
	}
	return reached;
}
