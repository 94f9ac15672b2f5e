#include "workflow/scanner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/schema.h"
#include "workflow/calendar.h"
#include "workflow/deadline.h"
#include "workflow/notice.h"
#include "workflow/recipient.h"
#include "workflow/wfdb.h"

struct scanner {
	struct event_base *base;
	struct db *db;
	struct event *timer;
	unsigned interval;
	long long clock_offset;
	int reminders[8];
	int nreminders;
	bool running;
	struct timeval started;
	char cursor_date[11]; /* where the last page of deadlines ahead ended */
	long long cursor_id;
	bool more_fresh; /* the last page of registrations to announce was full */
};

static const char sql_calendar[] =
    "SELECT to_char(day, 'YYYY-MM-DD') AS day, kind, note FROM hotline.calendar_days";
/* A case that ended (hotline.case_ended(), migrations/0027) gets no
 * reminder and no escalation, but for the reply a named reporter is still
 * owed after a referral or a forwarding: its deadlines are voided when it
 * ends (workflow/deadline.c deadline_end_case); the state test also keeps
 * out any row that escaped that. Overdue first, at once; then the
 * deadlines ahead, a page per scan from where the last scan stopped, so
 * every one is looked at within a few scans however many there are, and no
 * scan holds the loop for long. */
#define SCAN_COLUMNS                                                                               \
	"SELECT d.id, d.kind, to_char(d.due_date, 'YYYY-MM-DD') AS due_date, "                     \
	"extract(epoch FROM d.due_at)::bigint AS due_at, c.id AS case_id, j.reg_no, "              \
	"c.director_named, "                                                                       \
	"coalesce((SELECT string_agg(n.kind, ',') FROM hotline.deadline_notices n "                \
	"WHERE n.deadline_id = d.id), '') AS sent, "                                               \
	"to_char(d.created_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD') AS created, d.announced, "  \
	"d.basis, c.state <> 'registered' AS triaged "                                             \
	"FROM hotline.deadlines d JOIN hotline.cases c ON c.id = d.case_id "                       \
	"JOIN hotline.journal j ON j.id = c.journal_id WHERE d.met_at IS NULL "                    \
	"AND (NOT hotline.case_ended(c.state) OR (d.kind = 'reply' AND c.state <> 'closed')) "
#define SCAN_PAGE 2000
static const char sql_overdue_rows[] =
    SCAN_COLUMNS "AND d.due_at <= to_timestamp($1::bigint) AND NOT EXISTS (SELECT 1 FROM "
		 "hotline.deadline_notices n WHERE n.deadline_id = d.id AND n.kind = 'overdue') "
		 "ORDER BY d.due_date, d.id LIMIT 2000";
static const char sql_upcoming_rows[] =
    SCAN_COLUMNS "AND d.due_at > to_timestamp($1::bigint) AND d.due_date <= $2::date "
		 "AND (d.due_date, d.id) > ($3::date, $4::bigint) "
		 "ORDER BY d.due_date, d.id LIMIT 2000";
/* Triage deadlines registration opened (migrations/0010) that no scan has
 * announced yet, oldest first: each gets the compliance manager's notice
 * of a new appeal and, for a named appeal, its reply deadline. A page of
 * ANNOUNCE_PAGE, and while pages come full the next scan ANNOUNCE_PAUSE_S
 * later instead of a whole interval: after a flood no appeal waits
 * minutes to be announced (250 a second instead of 2,000 a minute), the
 * pause leaves the cores to the registrations still pouring in (make
 * bench's stale-plan scenario fell to 0.73 of its pace while scans ran
 * back to back), and one scan's notices (about 2 KB each, all in one
 * pipeline) keep libpq's buffers near 1 MB instead of the 4 MB 2,000
 * notices took (make bench, peak RSS). */
#define ANNOUNCE_PAGE 500
#define ANNOUNCE_PAUSE_S 2
/* hotline.deadlines_unannounced (migrations/0038): the rows below, each
 * case and journal row looked up by key whatever the statistics say */
static const char sql_unannounced_rows[] =
    "SELECT id, case_id, reg_no, channel, to_char(due_date, 'YYYY-MM-DD') AS due_date, triaged, "
    "anonymous, to_char(registered_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD') AS registered "
    "FROM hotline.deadlines_unannounced(500) ORDER BY id";
static const char sql_announced[] = "UPDATE hotline.deadlines SET announced = true WHERE id = $1";
static const char sql_reply_deadline[] =
    "INSERT INTO hotline.deadlines (case_id, kind, due_date, due_at, basis) "
    "SELECT id, 'reply', $2::date, to_timestamp($3::bigint), 'working_days' "
    "FROM hotline.cases WHERE id = $1 AND state <> 'closed' "
    "ON CONFLICT DO NOTHING";
static const char sql_begin[] = "BEGIN";
static const char sql_commit[] = "COMMIT";
static const char sql_notice[] =
    "WITH n AS (INSERT INTO hotline.deadline_notices (deadline_id, kind) SELECT $1::bigint, "
    "$2::text "
    "WHERE EXISTS (SELECT 1 FROM hotline.deadlines WHERE id = $1::bigint AND met_at IS NULL) "
    "ON CONFLICT DO NOTHING RETURNING deadline_id) "
    "SELECT hotline.outbox_queue($3, $7::text[], $4, $5, $6::bigint) FROM n";
static const char sql_mark[] =
    "INSERT INTO hotline.deadline_notices (deadline_id, kind) VALUES ($1, $2) "
    "ON CONFLICT DO NOTHING";
static const char sql_overdue[] = "UPDATE hotline.cases SET overdue = true WHERE id = $1";

/* The rows of hotline.settings with their columns found once. */
struct settings {
	const PGresult *res;
	int key, value;
};

static const char *setting(const struct settings *set, const char *key)
{
	for (int i = 0; set->res && i < PQntuples(set->res); i++) {
		if (strcmp(PQgetvalue(set->res, i, set->key), key) == 0)
			return PQgetvalue(set->res, i, set->value);
	}
	return "";
}

/* The columns of a page of deadlines (SCAN_COLUMNS), found once a page. */
struct due_cols {
	int id, kind, due_date, due_at, case_id, reg_no, director_named, sent, created, announced,
	    basis, triaged;
};

static struct due_cols due_cols(const PGresult *due)
{
	return (struct due_cols){
	    .id = db_col(due, "id"),
	    .kind = db_col(due, "kind"),
	    .due_date = db_col(due, "due_date"),
	    .due_at = db_col(due, "due_at"),
	    .case_id = db_col(due, "case_id"),
	    .reg_no = db_col(due, "reg_no"),
	    .director_named = db_col(due, "director_named"),
	    .sent = db_col(due, "sent"),
	    .created = db_col(due, "created"),
	    .announced = db_col(due, "announced"),
	    .basis = db_col(due, "basis"),
	    .triaged = db_col(due, "triaged"),
	};
}

/* The columns of sql_unannounced_rows, found once. */
struct fresh_cols {
	int id, case_id, reg_no, channel, due_date, triaged, anonymous, registered;
};

static struct fresh_cols fresh_cols(const PGresult *reg)
{
	return (struct fresh_cols){
	    .id = db_col(reg, "id"),
	    .case_id = db_col(reg, "case_id"),
	    .reg_no = db_col(reg, "reg_no"),
	    .channel = db_col(reg, "channel"),
	    .due_date = db_col(reg, "due_date"),
	    .triaged = db_col(reg, "triaged"),
	    .anonymous = db_col(reg, "anonymous"),
	    .registered = db_col(reg, "registered"),
	};
}

/* "{\"a\",\"b\"}" for unnest($7::text[]) */
static void pg_array(struct buf *b, const char *const *items, int n)
{
	buf_puts(b, "{");
	for (int i = 0; i < n; i++) {
		buf_puts(b, i ? ",\"" : "\"");
		for (const char *c = items[i]; c && *c; c++) {
			if (*c == '"' || *c == '\\')
				buf_add(b, "\\", 1);
			buf_add(b, c, 1);
		}
		buf_puts(b, "\"");
	}
	buf_puts(b, "}");
}

static double elapsed_ms(const struct timeval *t0)
{
	struct timeval now;
	gettimeofday(&now, NULL);
	return (double)(now.tv_sec - t0->tv_sec) * 1000.0 +
	       (double)(now.tv_usec - t0->tv_usec) / 1000.0;
}

static void notices_done(struct db_job *job, void *arg)
{
	struct scanner *s = arg;
	s->running = false;
	if (s->more_fresh && db_job_ok(job)) {
		struct timeval soon = {ANNOUNCE_PAUSE_S, 0};
		evtimer_add(s->timer, &soon);
	}
	if (!db_job_ok(job))
		log_warning(
		    "deadline scan: queueing notices failed (SQLSTATE %s); next scan retries",
		    db_job_sqlstate(job));
	else
		log_info("deadline scan: notices queued in %.1f ms", elapsed_ms(&s->started));
}

/* The addresses of the people the rule names (workflow/recipient.h);
 * returns how many. */
static int addresses(enum notice_kind kind, const char *deadline_kind, bool director_named,
		     bool triaged, const struct settings *set, const char *out[RECIPIENT_MAX])
{
	enum recipient who[RECIPIENT_MAX];
	int n = recipient_list(kind, deadline_kind, director_named, triaged, who);
	for (int i = 0; i < n; i++)
		out[i] = setting(set, recipient_setting(who[i]));
	return n;
}

static void add_notice(struct db_job *job, const PGresult *due, const struct due_cols *col, int row,
		       const struct settings *set, enum notice_kind kind, const char *mark,
		       int left, bool calendar_days)
{
	const char *dkind = PQgetvalue(due, row, col->kind);
	bool named = strcmp(PQgetvalue(due, row, col->director_named), "t") == 0;
	bool triaged = strcmp(PQgetvalue(due, row, col->triaged), "t") == 0;
	struct notice_facts f = {
	    .reg_no = PQgetvalue(due, row, col->reg_no),
	    .deadline_kind = dkind,
	    .due_date = PQgetvalue(due, row, col->due_date),
	    .working_days_left = left,
	    .calendar_days = calendar_days,
	    .console_url = setting(set, "console_url"),
	    .organisation = setting(set, "organisation"),
	};
	struct notice n;
	notice_build(&n, kind, &f);
	const char *to[RECIPIENT_MAX];
	int nto = addresses(kind, dkind, named, triaged, set, to);
	struct buf arr;
	buf_init(&arr);
	pg_array(&arr, to, nto);
	const char *v[7] = {PQgetvalue(due, row, col->id),
			    mark,
			    kind == NOTICE_OVERDUE ? "overdue" : "reminder",
			    n.subject.data,
			    n.body.data,
			    PQgetvalue(due, row, col->case_id),
			    arr.data};
	db_job_add(job, sql_notice, 7, v, NULL, NULL);
	buf_reset(&arr);
	notice_free(&n);
}

/* Decides what one deadline needs now and adds it to out; returns the
 * number of mails queued. */
static int examine(struct scanner *s, struct db_job *out, const PGresult *due,
		   const struct due_cols *col, int i, const struct settings *set,
		   const struct calendar *cal, struct cal_date today, int64_t now)
{
	const char *sent = PQgetvalue(due, i, col->sent);
	int64_t due_at = strtoll(PQgetvalue(due, i, col->due_at), NULL, 10);
	/* announced in this same scan (announce()): its reminders and
	 * escalation start from the next one, so the new appeal's notice is
	 * the first mail about it */
	if (strcmp(PQgetvalue(due, i, col->announced), "f") == 0)
		return 0;
	if (deadline_overdue(now, due_at)) {
		add_notice(out, due, col, i, set, NOTICE_OVERDUE, "overdue", 0, false);
		const char *c[1] = {PQgetvalue(due, i, col->case_id)};
		db_job_add(out, sql_overdue, 1, c, NULL, NULL);
		return 1;
	}
	struct cal_date d, created;
	if (!cal_date_parse(PQgetvalue(due, i, col->due_date), &d))
		return 0;
	if (!cal_date_parse(PQgetvalue(due, i, col->created), &created))
		created = today;
	/* A duty counted in calendar days (the director's day, 004 p.10.6;
	 * triage; an urgent forward) is reminded in calendar days: its
	 * reminder "0" comes on its last day, a Saturday included. */
	bool calendar_days = strcmp(PQgetvalue(due, i, col->basis), "calendar_days") == 0;
	/* the nearest reminder point not yet sent; the farther ones that
	 * passed meanwhile are marked without a mail */
	struct deadline_reminders plan;
	deadline_plan_reminders(cal, s->reminders, s->nreminders, today, d, created, calendar_days,
				sent, &plan);
	if (plan.mail < 0)
		return 0;
	for (int r = 0; r < s->nreminders; r++) {
		char mark[24];
		deadline_reminder_mark(s->reminders[r], mark);
		if (r == plan.mail) {
			add_notice(out, due, col, i, set, NOTICE_REMINDER, mark, plan.left,
				   calendar_days);
		} else if (plan.mark & (1u << r)) {
			const char *v[2] = {PQgetvalue(due, i, col->id), mark};
			db_job_add(out, sql_mark, 2, v, NULL, NULL);
		}
	}
	return 1;
}

/* A registration the scans have not seen: the compliance manager's notice
 * of a new appeal (unless it was triaged already), and the reply deadline
 * of a named appeal, counted in working days from the day of registration
 * (004 L196, docs/procedure.md). Reminder points the appeal already
 * reached are marked without a mail: the notice names the due date.
 * Returns the number of mails queued. */
static int announce(struct scanner *s, struct db_job *out, const PGresult *reg,
		    const struct fresh_cols *col, int i, const struct settings *set,
		    const struct calendar *cal, struct cal_date today)
{
	const char *deadline_id = PQgetvalue(reg, i, col->id);
	const char *case_id = PQgetvalue(reg, i, col->case_id);
	bool triaged = strcmp(PQgetvalue(reg, i, col->triaged), "t") == 0;
	bool anonymous = strcmp(PQgetvalue(reg, i, col->anonymous), "t") == 0;
	int queued = 0;
	struct cal_date d, registered;
	if (!triaged && cal_date_parse(PQgetvalue(reg, i, col->due_date), &d)) {
		struct notice_facts f = {
		    .reg_no = PQgetvalue(reg, i, col->reg_no),
		    .deadline_kind = "triage",
		    .channel = PQgetvalue(reg, i, col->channel),
		    .due_date = PQgetvalue(reg, i, col->due_date),
		    .console_url = setting(set, "console_url"),
		    .organisation = setting(set, "organisation"),
		};
		struct notice n;
		notice_build(&n, NOTICE_REGISTERED, &f);
		/* the case is not triaged: nobody has read it */
		const char *to[RECIPIENT_MAX];
		int nto = addresses(NOTICE_REGISTERED, "triage", false, false, set, to);
		struct buf arr;
		buf_init(&arr);
		pg_array(&arr, to, nto);
		const char *v[7] = {deadline_id, "registered", "registered", n.subject.data,
				    n.body.data, case_id,      arr.data};
		db_job_add(out, sql_notice, 7, v, NULL, NULL);
		buf_reset(&arr);
		notice_free(&n);
		queued = 1;
		int left = deadline_days_to(cal, today, d, true); /* triage: calendar days */
		unsigned reached = deadline_points_reached(s->reminders, s->nreminders, left);
		for (int r = 0; r < s->nreminders; r++) {
			if (!(reached & (1u << r)))
				continue;
			char mark[24];
			deadline_reminder_mark(s->reminders[r], mark);
			const char *m[2] = {deadline_id, mark};
			db_job_add(out, sql_mark, 2, m, NULL, NULL);
		}
	}
	if (!anonymous && cal_date_parse(PQgetvalue(reg, i, col->registered), &registered)) {
		struct cal_date last =
		    deadline_reply_due(cal, registered, setting(set, "reply_working_days"));
		char date[CAL_DATE_SIZE], at[24];
		cal_date_format(last, date);
		deadline_due_at(last, at);
		const char *v[3] = {case_id, date, at};
		db_job_add(out, sql_reply_deadline, 3, v, NULL, NULL);
	}
	const char *a[1] = {deadline_id};
	db_job_add(out, sql_announced, 1, a, NULL, NULL);
	return queued;
}

static void scan_done(struct db_job *job, void *arg)
{
	struct scanner *s = arg;
	if (!db_job_ok(job)) {
		s->running = false;
		log_warning("deadline scan failed (SQLSTATE %s)", db_job_sqlstate(job));
		return;
	}
	struct timeval t0;
	gettimeofday(&t0, NULL);
	PGresult *days = db_job_result(job, 0), *settings = db_job_result(job, 1),
		 *late = db_job_result(job, 2), *ahead = db_job_result(job, 3),
		 *fresh = db_job_result(job, 4);
	const struct settings set_rows = {settings, db_col(settings, "key"),
					  db_col(settings, "value")};
	const struct settings *set = &set_rows;
	struct due_cols late_col = due_cols(late), ahead_col = due_cols(ahead);
	struct fresh_cols fresh_col = fresh_cols(fresh);
	struct calendar *cal = calendar_new();
	if (!cal)
		abort();
	int day = db_col(days, "day"), day_kind = db_col(days, "kind"), note = db_col(days, "note");
	for (int i = 0; i < PQntuples(days); i++) {
		if (!calendar_load_row(cal, PQgetvalue(days, i, day), PQgetvalue(days, i, day_kind),
				       PQgetvalue(days, i, note)))
			log_warning("deadline scan: calendar row %s not understood",
				    PQgetvalue(days, i, day));
	}
	int64_t now = (int64_t)time(NULL) + s->clock_offset;
	struct cal_date today = calendar_local_date(now);
	struct db_job *out = db_job_new(notices_done, s);
	db_job_add(out, sql_begin, 0, NULL, NULL, NULL);
	int queued = 0, nlate = PQntuples(late), nahead = PQntuples(ahead),
	    nfresh = PQntuples(fresh);
	for (int i = 0; i < nfresh; i++)
		queued += announce(s, out, fresh, &fresh_col, i, set, cal, today);
	for (int i = 0; i < nlate; i++)
		queued += examine(s, out, late, &late_col, i, set, cal, today, now);
	for (int i = 0; i < nahead; i++)
		queued += examine(s, out, ahead, &ahead_col, i, set, cal, today, now);
	s->more_fresh = nfresh == ANNOUNCE_PAGE;
	/* the next scan goes on after this page, or from the start */
	if (nahead == SCAN_PAGE) {
		snprintf(s->cursor_date, sizeof(s->cursor_date), "%s",
			 PQgetvalue(ahead, nahead - 1, ahead_col.due_date));
		s->cursor_id = strtoll(PQgetvalue(ahead, nahead - 1, ahead_col.id), NULL, 10);
	} else {
		s->cursor_date[0] = '\0';
		s->cursor_id = 0;
	}
	calendar_free(cal);
	log_msg(queued ? LOG_LEVEL_INFO : LOG_LEVEL_DEBUG,
		"deadline scan: %d registrations announced, %d overdue and %d ahead examined, "
		"%d notices, %.1f ms on the loop (%.1f ms since the scan began)",
		nfresh, nlate, nahead, queued, elapsed_ms(&t0), elapsed_ms(&s->started));
	if (db_job_count(out) == 1) {
		db_job_discard(out);
		s->running = false;
		return;
	}
	db_job_add(out, sql_commit, 0, NULL, NULL, NULL);
	db_submit(s->db, out);
}

static void scan(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct scanner *s = arg;
	struct timeval tv = {(time_t)s->interval, 0};
	evtimer_add(s->timer, &tv);
	if (s->running || !db_is_up(s->db))
		return;
	s->running = true;
	gettimeofday(&s->started, NULL);
	int maxr = 0;
	for (int r = 0; r < s->nreminders; r++)
		maxr = s->reminders[r] > maxr ? s->reminders[r] : maxr;
	/* a generous calendar-day bound; the exact working-day test is in C */
	int64_t now = (int64_t)time(NULL) + s->clock_offset;
	char horizon[11];
	cal_date_format(cal_date_add_days(calendar_local_date(now), maxr * 3 + 14), horizon);
	char now_text[24], after_id[24];
	snprintf(now_text, sizeof(now_text), "%lld", (long long)now);
	snprintf(after_id, sizeof(after_id), "%lld", s->cursor_id);
	const char *late[1] = {now_text};
	const char *ahead[4] = {now_text, horizon,
				s->cursor_date[0] ? s->cursor_date : "1970-01-01", after_id};
	struct db_job *job = db_job_new(scan_done, s);
	db_job_add(job, sql_calendar, 0, NULL, NULL, NULL);
	db_job_add(job, SQL_SETTINGS, 0, NULL, NULL, NULL);
	db_job_add(job, sql_overdue_rows, 1, late, NULL, NULL);
	db_job_add(job, sql_upcoming_rows, 4, ahead, NULL, NULL);
	db_job_add(job, sql_unannounced_rows, 0, NULL, NULL, NULL);
	db_submit(s->db, job);
}

void scanner_reload(struct scanner *s, const struct config *cfg)
{
	s->interval = cfg->deadline_scan_interval;
	s->clock_offset = cfg->clock_offset;
	int n = config_reminder_days(cfg->reminder_working_days, s->reminders);
	s->nreminders = n < 0 ? 0 : n;
}

struct scanner *scanner_start(struct event_base *base, struct db *db, const struct config *cfg)
{
	struct scanner *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->base = base;
	s->db = db;
	scanner_reload(s, cfg);
	s->timer = evtimer_new(base, scan, s);
	if (!s->timer) {
		free(s);
		return NULL;
	}
	struct timeval first = {1, 0};
	evtimer_add(s->timer, &first);
	return s;
}

void scanner_free(struct scanner *s)
{
	if (!s)
		return;
	if (s->timer)
		event_free(s->timer);
	free(s);
}
