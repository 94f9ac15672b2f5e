/* The audit log page: see auditlog.h. */
#include "staff/auditlog.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts/auditchain.h"
#include "base/db.h"
#include "base/html.h"
#include "base/log.h"
#include "base/schema.h"
#include "staff/board.h"
#include "staff/casefile.h"
#include "staff/casepage.h"
#include "staff/pager.h"
#include "workflow/calendar.h"

/* The actions the log holds, in words; the filter offers them in this
 * order. The writers: staff_audit() callers, web/server.c (refusals),
 * the account functions of migrations/0020 and 0024, hotlinectl
 * (ctl/ctldb.c: the same names, done by "os:NAME"). */
struct action_words {
	const char *action;
	enum msg text;
};
static const struct action_words actions[] = {
    {"login", M_AUDIT_A_LOGIN},
    {"login.failed", M_AUDIT_A_LOGIN_FAILED},
    {"logout", M_AUDIT_A_LOGOUT},
    {"access.denied", M_AUDIT_A_ACCESS_DENIED},
    {"csrf.refused", M_AUDIT_A_CSRF_REFUSED},
    {"case.view", M_AUDIT_A_CASE_VIEW},
    {"case.file", M_AUDIT_A_CASE_FILE},
    {"case.triage", M_AUDIT_A_CASE_TRIAGE},
    {"case.forwarded", M_AUDIT_A_CASE_FORWARDED},
    {"case.reply", M_AUDIT_A_CASE_REPLY},
    {"case.note", M_AUDIT_A_CASE_NOTE},
    {"case.director_named", M_AUDIT_A_CASE_DIRECTOR_NAMED},
    {"case.relate", M_AUDIT_A_CASE_RELATE},
    {"case.ack", M_AUDIT_A_CASE_ACK},
    {"case.decide", M_AUDIT_A_CASE_DECIDE},
    {"case.declare_interest", M_AUDIT_A_CASE_DECLARE_INTEREST},
    {"case.cover_letter", M_AUDIT_A_CASE_COVER_LETTER},
    {"case.reply_letter", M_AUDIT_A_CASE_REPLY_LETTER},
    {"case.seal", M_AUDIT_A_CASE_SEAL},
    {"investigation.order", M_AUDIT_A_INV_ORDER},
    {"investigation.extend", M_AUDIT_A_INV_EXTEND},
    {"investigation.decide", M_AUDIT_A_INV_DECIDE},
    {"investigation.measures", M_AUDIT_A_INV_MEASURES},
    {"investigation.close", M_AUDIT_A_INV_CLOSE},
    {"call.register", M_AUDIT_A_CALL_REGISTER},
    {"appeal.register", M_AUDIT_A_APPEAL_REGISTER},
    {"reveal.request", M_AUDIT_A_REVEAL_REQUEST},
    {"reveal.approve", M_AUDIT_A_REVEAL_APPROVE},
    {"reveal.reject", M_AUDIT_A_REVEAL_REJECT},
    {"reveal.release", M_AUDIT_A_REVEAL_RELEASE},
    {"account.activate", M_AUDIT_A_ACCOUNT_ACTIVATE},
    {"account.activate.failed", M_AUDIT_A_ACCOUNT_ACTIVATE_FAILED},
    {"account.password", M_AUDIT_A_ACCOUNT_PASSWORD},
    {"account.password.failed", M_AUDIT_A_ACCOUNT_PASSWORD_FAILED},
    {"account.totp", M_AUDIT_A_ACCOUNT_TOTP},
    {"admin.users.view", M_AUDIT_A_ADMIN_USERS_VIEW},
    {"admin.user.view", M_AUDIT_A_ADMIN_USER_VIEW},
    {"admin.user.add", M_AUDIT_A_USER_ADD},
    {"admin.user.reset", M_AUDIT_A_USER_RESET},
    {"admin.user.roles", M_AUDIT_A_USER_ROLES},
    {"admin.user.disable", M_AUDIT_A_USER_DISABLE},
    {"admin.user.enable", M_AUDIT_A_USER_ENABLE},
    {"grant.request", M_AUDIT_A_GRANT_REQUEST},
    {"grant.confirm", M_AUDIT_A_GRANT_CONFIRM},
    {"grant.confirm.refused", M_AUDIT_A_GRANT_CONFIRM_REFUSED},
    {"figures.view", M_AUDIT_A_FIGURES_VIEW},
    {"figures.export", M_AUDIT_A_FIGURES_EXPORT},
    {"settings.set", M_AUDIT_A_SETTINGS_SET},
    {"admin.settings.set", M_AUDIT_A_SETTINGS_SET},
    {"admin.settings.clear", M_AUDIT_A_SETTINGS_CLEAR},
    {"admin.logo.set", M_AUDIT_A_LOGO_SET},
    {"admin.logo.clear", M_AUDIT_A_LOGO_CLEAR},
    {"case.material", M_AUDIT_A_CASE_MATERIAL},
    {"case.conclusion_print", M_AUDIT_A_CASE_CONCLUSION_PRINT},
    {"investigation.material", M_AUDIT_A_INV_MATERIAL},
    {"audit.view", M_AUDIT_A_AUDIT_VIEW},
};
#define NACTIONS (sizeof(actions) / sizeof(actions[0]))

/* hotlinectl's names for what the staff pages call admin.user.* */
static const struct action_words ctl_actions[] = {
    {"user.add", M_AUDIT_A_USER_ADD},
    {"user.reset", M_AUDIT_A_USER_RESET},
    {"user.roles", M_AUDIT_A_USER_ROLES},
    {"user.disable", M_AUDIT_A_USER_DISABLE},
    {"user.enable", M_AUDIT_A_USER_ENABLE},
    {"user.totp", M_AUDIT_A_ACCOUNT_TOTP},
    {"calendar.set", M_AUDIT_A_CALENDAR},
    {"calendar.unset", M_AUDIT_A_CALENDAR},
    {"grant.bootstrap", M_AUDIT_A_GRANT_CONFIRM},
};

/* An action the tables do not name, by its kind. */
static const struct action_words kinds[] = {
    {"case.", M_AUDIT_A_CASE_OTHER},	 {"investigation.", M_AUDIT_A_INV_OTHER},
    {"reveal.", M_AUDIT_A_REVEAL_OTHER}, {"account.", M_AUDIT_A_ACCOUNT_OTHER},
    {"admin.", M_AUDIT_A_ADMIN_OTHER},	 {"user.", M_AUDIT_A_ADMIN_OTHER},
    {"role.", M_AUDIT_A_ADMIN_OTHER},	 {"grant.", M_AUDIT_A_ADMIN_OTHER},
};

enum msg auditlog_action_text(const char *action)
{
	for (size_t i = 0; i < NACTIONS; i++)
		if (strcmp(action, actions[i].action) == 0)
			return actions[i].text;
	for (size_t i = 0; i < sizeof(ctl_actions) / sizeof(ctl_actions[0]); i++)
		if (strcmp(action, ctl_actions[i].action) == 0)
			return ctl_actions[i].text;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strncmp(action, kinds[i].action, strlen(kinds[i].action)) == 0)
			return kinds[i].text;
	return M_AUDIT_A_OTHER;
}

/* One statement for every combination of filters: an absent filter is a
 * NULL parameter, folded away in the plan of the unnamed statement, so
 * each filter meets its index of migrations/0036 in id order. The case is
 * the object's leading registration number (the index's expression). $1
 * action, $2 login, $3 case number, $4-$5 dates (Asia/Almaty), $6 the id
 * the page starts below, $7 how many rows. */
#define AUDIT_FILTERS(action, login, reg_no, from, to)                                             \
	"(" action "::text IS NULL OR a.action = " action ") "                                     \
	"AND (" login "::text IS NULL OR a.login = " login ") "                                    \
	"AND (" reg_no "::text IS NULL OR substring(a.object FROM '^[0-9]{4}-[0-9]+') = " reg_no   \
	") "                                                                                       \
	"AND (" from "::date IS NULL OR a.at >= (" from "::date::timestamp AT TIME ZONE " SQL_ZONE \
	")) "                                                                                      \
	"AND (" to "::date IS NULL OR a.at < ((" to                                                \
	"::date + 1)::timestamp AT TIME ZONE " SQL_ZONE ")) "
static const char sql_rows[] =
    "SELECT a.id, to_char(a.at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD HH24:MI') AS at, "
    "to_char(a.at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD\"T\"HH24:MI:SS') AS at_iso, "
    "a.login, a.action, a.object FROM hotline.audit_log a WHERE " AUDIT_FILTERS(
	"$1", "$2", "$3", "$4", "$5") "AND ($6::bigint IS NULL OR a.id < $6::bigint) "
				      "ORDER BY a.id DESC LIMIT $7";
/* How many rows the filters match, stopped at $6. */
static const char sql_count[] =
    "SELECT count(*) AS n FROM (SELECT 1 FROM hotline.audit_log a WHERE " AUDIT_FILTERS(
	"$1", "$2", "$3", "$4", "$5") "LIMIT $6) x";
/* The chain's check and the page read one snapshot: a row appended while
 * the chain is walked would otherwise read as a head that moved on. */
static const char sql_snapshot[] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
static const char sql_end[] = "COMMIT";
static const char sql_rollback[] = "ROLLBACK";

/* A login as accounts and hotlinectl ("os:NAME") write them. */
static bool login_ok(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n < 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._-:") == n;
}

/* A registration number, "2026-000123" (seven digits from the millionth). */
static bool reg_no_ok(const char *s)
{
	size_t n = strlen(s);
	return n >= 11 && n <= 12 && strspn(s, "0123456789") == 4 && s[4] == '-' &&
	       strspn(s + 5, "0123456789") == n - 5;
}

/* The chain is checked a stretch at a time. Walking it whole took 9 s
 * for 500,041 rows with hotlinectl on a loaded 2-core machine, more than
 * a staff request may wait (request_timeout is its statement_timeout), and
 * 100,000 rows a view still took 1.3-2.3 s, against the 200 ms a first
 * page of a staff list may take (issue 17; make bench's pages bench), so
 * each view of the page walks at most AUDIT_STRETCH rows on from where
 * the last view stopped, and a check that reaches the end (comparing the
 * head) starts over at the first row at the next view. A log of up to
 * AUDIT_STRETCH rows is thus checked whole at every view; a longer one
 * once every few views, the page saying how far this check has come and
 * what the last complete one found. A break ends the check at once, and
 * the next view starts over, so it is said again until mended. Kept in
 * the process, for all the workers: a restart starts over. */
#define AUDIT_STRETCH 10000
static struct {
	pthread_mutex_t lock;
	long long at_id;			 /* the next stretch starts after this row */
	unsigned char at_hash[AUDIT_HASH_BYTES]; /* that row's hash, checked */
	long long pass_rows;			 /* rows this check has read so far */
	long long pass_ms;			 /* and the time its walks took */
	bool full_done;				 /* a check reached the end, intact */
	long long full_rows;
	time_t full_at;
} chain_state = {.lock = PTHREAD_MUTEX_INITIALIZER};

struct audit_view {
	/* the filters ("" for none) and the key the page starts below */
	const char *action, *login, *reg_no, *from, *to, *after;
	bool bad_filter; /* a filter was left out: not valid */
	struct audit_chain chain;
	bool chain_checked; /* false: the query failed */
	long long chain_ms;
	long long pass_rows; /* rows the check has read, this stretch included */
	long long pass_ms;   /* the time its walks took, this one included */
	bool full_done;	     /* a complete check found it intact before */
	long long full_rows;
	time_t full_at;
	long count;
	PGresult *rows;
	int n;
	bool more;
};

static const char *or_null(const char *s)
{
	return *s ? s : NULL;
}

/* The filter's value when it is valid, else "" (and bad set). */
static const char *checked(const char *value, bool ok, bool *bad)
{
	if (!*value)
		return "";
	if (ok)
		return value;
	*bad = true;
	return "";
}

static void audit_filters(struct staff_ctx *c, struct audit_view *v)
{
	const char *action = staff_arg(c, "action");
	bool known = false;
	for (size_t i = 0; i < NACTIONS; i++)
		known = known || strcmp(action, actions[i].action) == 0;
	const char *after = staff_arg(c, "after");
	v->action = checked(action, known, &v->bad_filter);
	v->login = checked(staff_arg(c, "login"), login_ok(staff_arg(c, "login")), &v->bad_filter);
	v->reg_no = checked(staff_arg(c, "case"), reg_no_ok(staff_arg(c, "case")), &v->bad_filter);
	v->from =
	    checked(staff_arg(c, "from"), pager_date_ok(staff_arg(c, "from")), &v->bad_filter);
	v->to = checked(staff_arg(c, "to"), pager_date_ok(staff_arg(c, "to")), &v->bad_filter);
	v->after = pager_id_ok(after) ? after : "";
}

static long long ms_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (long long)(t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* The chain's check, the count and the page's rows, in one snapshot.
 * False on a database error. */
static bool audit_load(struct staff_ctx *c, struct audit_view *v)
{
	PGresult *res = db_query(c->db, sql_snapshot, 0, NULL, NULL, NULL, NULL);
	if (!res)
		return false;
	PQclear(res);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pthread_mutex_lock(&chain_state.lock);
	v->chain_checked = audit_chain_verify_from(c->db, chain_state.at_id, chain_state.at_hash,
						   AUDIT_STRETCH, &v->chain, NULL, NULL);
	if (v->chain_checked) {
		v->pass_rows = chain_state.pass_rows + v->chain.rows;
		v->pass_ms = chain_state.pass_ms + ms_since(&t0);
		if (v->chain.intact && v->chain.ended) {
			chain_state.full_done = true;
			chain_state.full_rows = v->pass_rows;
			chain_state.full_at = time(NULL);
		}
		if (!v->chain.intact || v->chain.ended) {
			/* the next view starts over at the first row */
			chain_state.at_id = 0;
			memset(chain_state.at_hash, 0, sizeof chain_state.at_hash);
			chain_state.pass_rows = 0;
			chain_state.pass_ms = 0;
		} else {
			chain_state.at_id = v->chain.last_id;
			memcpy(chain_state.at_hash, v->chain.last_hash, AUDIT_HASH_BYTES);
			chain_state.pass_rows = v->pass_rows;
			chain_state.pass_ms = v->pass_ms;
		}
	}
	v->full_done = chain_state.full_done;
	v->full_rows = chain_state.full_rows;
	v->full_at = chain_state.full_at;
	pthread_mutex_unlock(&chain_state.lock);
	v->chain_ms = ms_since(&t0);
	if (!v->chain_checked) {
		/* the page still shows the log, saying the check failed: a fresh
		 * snapshot, the failed statement having ended the first */
		log_error("staff: the audit chain could not be checked: %s", v->chain.why);
		PQclear(db_query(c->db, sql_rollback, 0, NULL, NULL, NULL, NULL));
		if (!(res = db_query(c->db, sql_snapshot, 0, NULL, NULL, NULL, NULL)))
			return false;
		PQclear(res);
	}
	char cap[16], limit[16];
	snprintf(cap, sizeof(cap), "%d", PAGER_COUNT_CAP + 1);
	snprintf(limit, sizeof(limit), "%d", PAGER_ROWS + 1);
	const char *p[7] = {or_null(v->action), or_null(v->login), or_null(v->reg_no),
			    or_null(v->from),	or_null(v->to),	   cap};
	res = db_query(c->db, sql_count, 6, p, NULL, NULL, NULL);
	if (!res)
		goto fail;
	v->count = strtol(PQgetvalue(res, 0, db_col(res, "n")), NULL, 10);
	PQclear(res);
	p[5] = or_null(v->after);
	p[6] = limit;
	if (!(v->rows = db_query(c->db, sql_rows, 7, p, NULL, NULL, NULL)))
		goto fail;
	int got = PQntuples(v->rows);
	v->more = got > PAGER_ROWS;
	v->n = v->more ? PAGER_ROWS : got;
	res = db_query(c->db, sql_end, 0, NULL, NULL, NULL, NULL);
	PQclear(res);
	return res != NULL;
fail:
	PQclear(db_query(c->db, sql_rollback, 0, NULL, NULL, NULL, NULL));
	return false;
}

/* The chain's verdict, at the top of the page (#audit-chain, class ok or
 * broken). */
static void put_chain(struct staff_ctx *c, const struct audit_view *v)
{
	const struct audit_chain *ch = &v->chain;
	char line[512];
	if (!v->chain_checked) {
		staff_html(
		    c, "<p id=\"audit-chain\" data-fresh class=\"chain broken\" role=\"alert\">");
		staff_text(c, M_AUDIT_CHAIN_FAILED);
		staff_html(c, "</p>\n");
		return;
	}
	if (ch->intact && !ch->ended) {
		snprintf(line, sizeof(line), i18n(c->lang, M_AUDIT_CHAIN_GOING), v->pass_rows,
			 ch->last_id, v->chain_ms);
		staff_html(c, "<div id=\"audit-chain\" data-fresh class=\"chain going\"><p>");
		staff_esc(c, line);
		if (v->full_done) {
			struct cal_time t = calendar_local_time((int64_t)v->full_at);
			char iso[32], when[64];
			snprintf(iso, sizeof(iso), "%04d-%02d-%02d %02d:%02d", t.date.year % 10000,
				 t.date.month % 100, t.date.day % 100, t.hour % 100,
				 t.minute % 100);
			staff_date_str(c, iso, when, sizeof(when));
			snprintf(line, sizeof(line), i18n(c->lang, M_AUDIT_CHAIN_LAST_FULL),
				 v->full_rows, when);
			staff_html(c, " ");
			staff_esc(c, line);
		}
		staff_html(c, "</p></div>\n<p class=\"hint\">");
		staff_text(c, M_AUDIT_CHAIN_NOTE);
		staff_html(c, "</p>\n");
		return;
	}
	if (ch->intact) {
		/* the time of the whole check, over the views it took */
		snprintf(line, sizeof(line), i18n(c->lang, M_AUDIT_CHAIN_OK), v->pass_rows,
			 v->pass_ms);
		staff_html(c, "<p id=\"audit-chain\" data-fresh class=\"chain ok\">&#10003; ");
		staff_esc(c, line);
		staff_html(c, "</p>\n<p class=\"hint\">");
		staff_text(c, M_AUDIT_CHAIN_NOTE);
		staff_html(c, "</p>\n");
		return;
	}
	staff_html(
	    c,
	    "<div id=\"audit-chain\" data-fresh class=\"chain broken\" role=\"alert\"><p><strong>");
	if (ch->broken) {
		snprintf(line, sizeof(line), i18n(c->lang, M_AUDIT_BROKEN_ROW), ch->broken);
		staff_esc(c, line);
		staff_html(c, "</strong> ");
		/* the walk's reasons, in the reader's words */
		if (strstr(ch->why, "link"))
			staff_text(c, M_AUDIT_WHY_LINK);
		else if (strstr(ch->why, "damaged"))
			staff_text(c, M_AUDIT_WHY_DAMAGED);
		else
			staff_text(c, M_AUDIT_WHY_HASH);
	} else {
		staff_text(c, M_AUDIT_BROKEN_HEAD);
		staff_html(c, "</strong>");
	}
	staff_html(c, "</p><p>");
	staff_text(c, M_AUDIT_BROKEN_ADVICE);
	staff_html(c, "</p></div>\n");
}

static void put_filters(struct staff_ctx *c, const struct audit_view *v)
{
	staff_html(c, "<form id=\"audit-filter\" class=\"filters\" method=\"get\" "
		      "action=\"/staff/audit\">\n<div><label for=\"f-action\">");
	staff_text(c, M_AUDIT_F_ACTION);
	staff_html(c, "</label>\n<select id=\"f-action\" name=\"action\"><option value=\"\">");
	staff_text(c, M_BOARD_ALL);
	staff_html(c, "</option>");
	for (size_t i = 0; i < NACTIONS; i++) {
		staff_html(c, "<option value=\"%s\"%s>", actions[i].action,
			   strcmp(v->action, actions[i].action) == 0 ? " selected" : "");
		staff_text(c, actions[i].text);
		staff_html(c, "</option>");
	}
	staff_html(c, "</select></div>\n");
	board_filter_input(c, "f", "login", M_AUDIT_F_LOGIN, "text", v->login,
			   " autocomplete=\"off\" spellcheck=\"false\" maxlength=\"63\"");
	board_filter_input(c, "f", "case", M_AUDIT_F_CASE, "text", v->reg_no,
			   " inputmode=\"numeric\" placeholder=\"2026-000123\" maxlength=\"12\"");
	board_filter_input(c, "f", "from", M_AUDIT_F_FROM, "date", v->from, "");
	board_filter_input(c, "f", "to", M_AUDIT_F_TO, "date", v->to, "");
	staff_html(c, "<div><button type=\"submit\" id=\"audit-search\">");
	staff_text(c, M_BOARD_FILTER);
	staff_html(c, "</button> <a href=\"/staff/audit\">");
	staff_text(c, M_BOARD_CLEAR);
	staff_html(c, "</a></div>\n</form>\n");
	if (v->bad_filter) {
		staff_html(c, "<p class=\"error\" id=\"audit-bad-filter\">");
		staff_text(c, M_AUDIT_BAD_FILTER);
		staff_html(c, "</p>\n");
	}
}

/* A link that filters by value (an account, a case). */
static void put_filter_link(struct staff_ctx *c, const char *name, const char *value)
{
	staff_html(c, "<a href=\"/staff/audit?%s=", name);
	staff_esc(c, value);
	staff_html(c, "\">");
	staff_esc(c, value);
	staff_html(c, "</a>");
}

static void put_row(struct staff_ctx *c, const PGresult *res, int i)
{
	const char *action = PQgetvalue(res, i, db_col(res, "action"));
	const char *login = PQgetvalue(res, i, db_col(res, "login"));
	const char *object = PQgetvalue(res, i, db_col(res, "object"));
	char when[96];
	staff_date_str(c, PQgetvalue(res, i, db_col(res, "at")), when, sizeof(when));
	staff_html(c, "<tr data-id=\"%s\" data-action=\"%s\"><td>",
		   PQgetvalue(res, i, db_col(res, "id")), action);
	staff_esc(c, PQgetvalue(res, i, db_col(res, "id")));
	staff_html(c, "</td><td><time datetime=\"%s\">", PQgetvalue(res, i, db_col(res, "at_iso")));
	staff_esc(c, when);
	staff_html(c, "</time></td><td>");
	if (*login && login_ok(login))
		put_filter_link(c, "login", login);
	else if (*login)
		staff_esc(c, login);
	else
		staff_text(c, M_AUDIT_NOBODY);
	staff_html(c, "</td><td>");
	enum msg words = auditlog_action_text(action);
	/* words of a kind only for an action without its own ("Another step
	 * of a case"): the row's data-action names it for whoever needs it */
	staff_text(c, words);
	staff_html(c, "</td><td>");
	char reg_no[16] = "";
	size_t lead = strspn(object, "0123456789");
	if (lead == 4 && object[4] == '-') {
		size_t digits = strspn(object + 5, "0123456789");
		if (digits >= 6 && digits <= 7)
			snprintf(reg_no, sizeof(reg_no), "%.*s", (int)(5 + digits), object);
	}
	if (*reg_no && strcmp(reg_no, object) == 0) {
		put_filter_link(c, "case", reg_no);
	} else if (*reg_no) {
		put_filter_link(c, "case", reg_no);
		staff_esc(c, object + strlen(reg_no));
	} else {
		staff_esc(c, object);
	}
	staff_html(c, "</td></tr>\n");
}

/* The first page's address with the filters, and the next page's below
 * the last row. Every value is checked (a known action, a login's
 * characters, digits and dashes, dates): nothing needs URL encoding. */
static void put_pages(struct staff_ctx *c, const struct audit_view *v)
{
	char first[384], next[416];
	snprintf(first, sizeof(first), "/staff/audit?action=%s&login=%s&case=%s&from=%s&to=%s",
		 v->action, v->login, v->reg_no, v->from, v->to);
	if (v->more)
		snprintf(next, sizeof(next), "%s&after=%s", first,
			 PQgetvalue(v->rows, v->n - 1, db_col(v->rows, "id")));
	pager_nav(c, "audit", *v->after ? first : NULL, v->more ? next : NULL);
}

static void audit_render(struct staff_ctx *c, const struct audit_view *v)
{
	staff_page_begin(c, i18n(c->lang, M_AUDIT_TITLE));
	casepage_stylesheet(c);
	staff_html(c, "<h1>");
	staff_text(c, M_AUDIT_TITLE);
	staff_html(c, "</h1>\n");
	put_chain(c, v);
	staff_html(c, "<p>");
	staff_text(c, M_AUDIT_INTRO);
	staff_html(c, "</p>\n");
	put_filters(c, v);
	/* the log grows with every view (this one is audited): what follows
	 * is made afresh each time (data-fresh, for the browser probes) */
	staff_html(c, "<div data-fresh>\n");
	pager_count(c, "audit-count", M_AUDIT_COUNT, v->count);
	if (v->n == 0) {
		staff_html(c, "<p id=\"audit-none\">");
		staff_text(c, M_AUDIT_NONE);
		staff_html(c, "</p>\n");
	} else {
		static const enum msg heads[] = {M_AUDIT_COL_ID, M_AUDIT_COL_WHEN, M_AUDIT_COL_WHO,
						 M_AUDIT_F_ACTION, M_AUDIT_COL_OBJECT};
		staff_html(c, "<div class=\"table-wrap\"><table id=\"audit\">\n<thead><tr>");
		for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
			staff_html(c, "<th>");
			staff_text(c, heads[i]);
			staff_html(c, "</th>");
		}
		staff_html(c, "</tr></thead>\n<tbody>\n");
		for (int i = 0; i < v->n; i++)
			put_row(c, v->rows, i);
		staff_html(c, "</tbody></table></div>\n");
	}
	put_pages(c, v);
	staff_html(c, "</div>\n");
	staff_page_end(c);
}

static void audit_page(struct staff_ctx *c)
{
	struct audit_view v = {0};
	audit_filters(c, &v);
	/* the reading is audited first: a page that cannot say so is not shown */
	if (!staff_audit(c, "audit.view", v.reg_no)) {
		casefile_db_error(c);
		return;
	}
	if (audit_load(c, &v))
		audit_render(c, &v);
	else
		casefile_db_error(c);
	PQclear(v.rows);
}

const struct staff_route staff_auditlog_routes[] = {
    {"GET", "/staff/audit", ROLE_BIT(ROLE_COMPLIANCE) | ROLE_BIT(ROLE_ADMIN), audit_page, "audit"},
    {NULL, NULL, 0, NULL, NULL},
};

const struct staff_menu staff_auditlog_menu[] = {
    {"/staff/audit", M_AUDIT_TITLE},
    {NULL, 0},
};
