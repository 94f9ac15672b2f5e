/* The director's and the alternate recipient's pages: the queue of reports
 * awaiting their decision (/staff/decisions) with the deadline of the day
 * after registration (004 p.10.6), the running investigations they may
 * extend; acknowledging, deciding, the printable cover letter of a decision
 * to forward, the extension with the written consent, and the order of a
 * service investigation. The director's queue never holds a case that
 * names the director; the alternate's holds exactly those. */
#include "staff/decisions.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/db.h"
#include "base/log.h"
#include "crypto/seal.h"
#include "crypto/secret.h"
#include "staff/caseaction.h"
#include "staff/casefile.h"
#include "staff/casepage.h"
#include "staff/coverletter.h"
#include "staff/pager.h"
#include "workflow/calendar.h"
#include "workflow/investigation.h"
#include "workflow/procedure.h"
#include "base/schema.h"

#define DECIDERS (ROLE_BIT(ROLE_DIRECTOR) | ROLE_BIT(ROLE_ALTERNATE))

/* Four lists, each 50 a page by its own keyset (the next page's link
 * carries its last row's key in its own parameters, and the other lists
 * start over), each with its count stopped at PAGER_COUNT_CAP + 1. In
 * every statement $1 is true for the alternate's queue (director-named
 * cases only).
 *
 * The reports awaiting a decision, by registration (case id): their
 * deadline, the director's notice, falls on the day after registration
 * (004 p.10.6), so the oldest, overdue ones, come first, as the order by
 * due date did; an index per director_named (migrations/0029) gives the
 * page without reading the rest. The page's cases are chosen before their
 * deadlines are joined: joined with the page, PostgreSQL merged with the
 * whole deadlines index to find the director's notices, 24 ms over the
 * bench's fill against 0.6 ms for the 51 probes. $2 today, $3 the case after which the
 * page starts, $4 how many rows. */
static const char sql_queue[] =
    "SELECT j.reg_no, to_char(j.registered_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD') "
    "AS registered, p.state, p.category, coalesce(to_char(d.due_date, 'YYYY-MM-DD'), '') "
    "AS due, d.met_at IS NOT NULL AS met, "
    "(p.overdue OR coalesce(d.due_date < $2::date, false)) AS late, p.id AS key_id "
    "FROM (SELECT c.id, c.journal_id, c.state, c.category, c.overdue FROM hotline.cases c "
    "WHERE c.state IN ('to_director', 'acknowledged') AND c.director_named = $1::boolean "
    "AND ($3::bigint IS NULL OR c.id > $3::bigint) ORDER BY c.id LIMIT $4) p "
    "JOIN hotline.journal j ON j.id = p.journal_id "
    "LEFT JOIN hotline.deadlines d ON d.case_id = p.id AND d.kind = 'director_notice' "
    "ORDER BY p.id";
static const char sql_queue_count[] =
    "SELECT count(*) AS n FROM (SELECT 1 FROM hotline.cases c "
    "WHERE c.state IN ('to_director', 'acknowledged') AND c.director_named = $1::boolean "
    "LIMIT $2) x";
/* Whether an investigation's case is in the user's queue. The pages ask
 * EXISTS, which PostgreSQL runs either way round: per investigation in the
 * order of an index for the director, from the few director-named cases'
 * index (migrations/0029) for the alternate. The director's counts are
 * not asked so (split_count): per investigation, the flag costs a probe
 * of cases each. */
#define NAMED_EXISTS                                                                               \
	"EXISTS (SELECT 1 FROM hotline.cases c WHERE c.id = i.case_id "                            \
	"AND c.director_named = $1::boolean) "
#define RUNNING "i.state IN ('ordered', 'in_progress', 'conclusion_drafted') "
#define TO_RULE "i.state IN ('submitted', 'decided', 'measures_adopted') "
/* The running investigations the decider may extend, by due date.
 * $2-$3 the key after which the page starts, $4 how many rows. */
static const char sql_running[] =
    "SELECT j.reg_no, p.order_no, to_char(p.due_date, 'YYYY-MM-DD') AS due, p.state, "
    "p.extended, p.id AS key_id FROM (SELECT i.id, i.case_id, i.order_no, i.due_date, i.state, "
    "i.extended FROM hotline.investigations i WHERE " RUNNING "AND " NAMED_EXISTS
    "AND ($2::date IS NULL OR (i.due_date, i.id) > ($2::date, $3::bigint)) "
    "ORDER BY i.due_date, i.id LIMIT $4) p JOIN hotline.cases c ON c.id = p.case_id "
    "JOIN hotline.journal j ON j.id = c.journal_id ORDER BY p.due_date, p.id";
/* The alternate's running investigations are counted from the few
 * director-named cases; the director's are all the running ones but
 * those ($2: the cap plus the alternate's count), read from the index
 * alone: per investigation, the flag would cost a probe each. */
static const char sql_running_named[] =
    "SELECT count(*) AS n FROM (SELECT 1 FROM hotline.investigations i WHERE " RUNNING
    "AND " NAMED_EXISTS "LIMIT $2) x";
static const char sql_running_all[] =
    "SELECT count(*) AS n FROM (SELECT 1 FROM hotline.investigations i WHERE " RUNNING
    "LIMIT $1) x";
/* Conclusions the commission submitted, and decided ones whose measures or
 * close are still to be recorded: management's part (004 p.7.11), by
 * submission, walked in the order of an index (migrations/0031): without
 * it PostgreSQL hashed every case to sort them, 280 ms over 1,000,000.
 * $2 the investigation after which the page starts (its key is read from
 * it), $3 how many rows. */
static const char sql_to_rule[] =
    "SELECT j.reg_no, p.state, p.id AS key_id FROM (SELECT i.id, i.case_id, i.state, "
    "coalesce(i.submitted_at, '-infinity') AS at FROM hotline.investigations i "
    "WHERE " TO_RULE "AND " NAMED_EXISTS "AND ($2::bigint IS NULL OR "
    "(coalesce(i.submitted_at, '-infinity'), i.id) > (SELECT coalesce(a.submitted_at, "
    "'-infinity'), a.id FROM hotline.investigations a WHERE a.id = $2::bigint)) "
    "ORDER BY coalesce(i.submitted_at, '-infinity'), i.id LIMIT $3) p "
    "JOIN hotline.cases c ON c.id = p.case_id JOIN hotline.journal j ON j.id = c.journal_id "
    "ORDER BY p.at, p.id";
/* Counted as the running ones are (split_count): the alternate's from the
 * few director-named cases, the director's as all of them (the index of
 * migrations/0031 alone) but those. Reading the flag per investigation
 * cost a probe of cases each: 10,018 probes, about 90 ms over the
 * bench's fill. */
static const char sql_to_rule_named[] =
    "SELECT count(*) AS n FROM (SELECT 1 FROM hotline.investigations i WHERE " TO_RULE
    "AND " NAMED_EXISTS "LIMIT $2) x";
static const char sql_to_rule_all[] =
    "SELECT count(*) AS n FROM (SELECT 1 FROM hotline.investigations i WHERE " TO_RULE
    "LIMIT $1) x";
/* Cases the decider sent to investigation without an order yet, by case
 * id. $2 the case after which the page starts, $3 how many rows. */
#define ORDER_WHERE                                                                                \
	"c.state = 'investigation' AND c.director_named = $1::boolean "                            \
	"AND NOT EXISTS (SELECT 1 FROM hotline.investigations i WHERE i.case_id = c.id) "
static const char sql_to_order[] =
    "SELECT j.reg_no, p.id AS key_id FROM (SELECT c.id FROM hotline.cases c WHERE " ORDER_WHERE
    "AND ($2::bigint IS NULL OR c.id > $2::bigint) ORDER BY c.id LIMIT $3) p "
    "JOIN hotline.cases c ON c.id = p.id JOIN hotline.journal j ON j.id = c.journal_id "
    "ORDER BY p.id";
static const char sql_to_order_count[] =
    "SELECT count(*) AS n FROM (SELECT 1 FROM hotline.cases c WHERE " ORDER_WHERE "LIMIT $2) x";

/* Which queue the user's roles give: the director's rule wins. */
static const char *alternate_queue(const struct staff_ctx *c)
{
	return (c->user->roles & ROLE_BIT(ROLE_DIRECTOR)) ? "false" : "true";
}

static void case_link(struct staff_ctx *c, const char *reg_no)
{
	staff_html(c, "<a class=\"reg-no\" href=\"/staff/case/");
	staff_esc(c, reg_no);
	staff_html(c, "\">");
	staff_esc(c, reg_no);
	staff_html(c, "</a>");
}

/* The queue page's data, read before any of it is written: the reports
 * awaiting a decision (res), the running investigations (run), those to
 * order (ord) and to rule on (rule), each one page with its count and
 * whether a page follows. queue_free() releases it. */
struct queue_view {
	char today[11];
	struct calendar *cal;
	PGresult *res, *run, *ord, *rule;
	long n_res, n_run, n_ord, n_rule;	     /* the counts */
	int rows_res, rows_run, rows_ord, rows_rule; /* rows shown */
	bool paged;				     /* the page is not the first of each list */
};

static void queue_free(struct queue_view *q)
{
	PQclear(q->res);
	PQclear(q->run);
	PQclear(q->ord);
	PQclear(q->rule);
	calendar_free(q->cal);
}

/* A capped count: the first column of res's one row, -1 on an error. */
static long count_of(PGresult *res)
{
	long n = res && PQntuples(res) == 1 ? strtol(PQgetvalue(res, 0, db_col(res, "n")), NULL, 10)
					    : -1;
	PQclear(res);
	return n;
}

/* The rows shown of a page asked with one more than PAGER_ROWS. */
static int shown(const PGresult *res)
{
	int n = PQntuples(res);
	return n > PAGER_ROWS ? PAGER_ROWS : n;
}

/* The request's key parameter NAME when it is digits (or a date, for
 * date_ok), else NULL: a key that is not one starts the list over. */
static const char *key_arg(struct staff_ctx *c, const char *name, bool date)
{
	const char *v = staff_arg(c, name);
	return (date ? pager_date_ok(v) : pager_id_ok(v)) ? v : NULL;
}

/* How many investigations of a list (sql_named counting the
 * director-named ones, sql_all all of them) are in the user's queue, -1 on
 * an error. */
static long split_count(struct staff_ctx *c, bool named, const char *cap, const char *sql_named,
			const char *sql_all)
{
	const char *k[2] = {"true", named ? cap : NULL};
	long alternate = count_of(casefile_query(c, sql_named, 2, k));
	if (named || alternate < 0)
		return alternate;
	char limit[24];
	snprintf(limit, sizeof(limit), "%ld", strtol(cap, NULL, 10) + alternate);
	const char *a[1] = {limit};
	long all = count_of(casefile_query(c, sql_all, 1, a));
	return all < 0 ? -1 : all - alternate;
}

/* False (all released) on a database error. */
static bool queue_load(struct staff_ctx *c, struct queue_view *q)
{
	memset(q, 0, sizeof(*q));
	casefile_today(c, q->today);
	q->cal = wfdb_calendar(c->db, NULL);
	const char *alt = alternate_queue(c);
	char limit[16], cap[16];
	snprintf(limit, sizeof(limit), "%d", PAGER_ROWS + 1);
	snprintf(cap, sizeof(cap), "%d", PAGER_COUNT_CAP + 1);
	const char *after = key_arg(c, "after", false), *run_due = key_arg(c, "run_due", true),
		   *run_id = key_arg(c, "run_id", false),
		   *order_after = key_arg(c, "order_after", false),
		   *rule_after = key_arg(c, "rule_after", false);
	if (!run_due || !run_id)
		run_due = run_id = NULL;
	q->paged = after || run_due || order_after || rule_after;
	const char *v[4] = {alt, q->today, after, limit};
	const char *w[4] = {alt, run_due, run_id, limit};
	const char *o[3] = {alt, order_after, limit};
	const char *r[3] = {alt, rule_after, limit};
	const char *k[2] = {alt, cap};
	q->res = q->cal ? casefile_query(c, sql_queue, 4, v) : NULL;
	q->run = q->res ? casefile_query(c, sql_running, 4, w) : NULL;
	q->ord = q->run ? casefile_query(c, sql_to_order, 3, o) : NULL;
	q->rule = q->ord ? casefile_query(c, sql_to_rule, 3, r) : NULL;
	if (q->rule) {
		q->n_res = count_of(casefile_query(c, sql_queue_count, 2, k));
		bool named = strcmp(alt, "true") == 0;
		q->n_run = split_count(c, named, cap, sql_running_named, sql_running_all);
		q->n_ord = count_of(casefile_query(c, sql_to_order_count, 2, k));
		q->n_rule = split_count(c, named, cap, sql_to_rule_named, sql_to_rule_all);
	}
	if (!q->rule || q->n_res < 0 || q->n_run < 0 || q->n_ord < 0 || q->n_rule < 0) {
		queue_free(q);
		return false;
	}
	q->rows_res = shown(q->res);
	q->rows_run = shown(q->run);
	q->rows_ord = shown(q->ord);
	q->rows_rule = shown(q->rule);
	return true;
}

/* A list's count and links: the first page's (when any list is paged)
 * and the next page's after its last row, keyed by key_params. */
static void queue_pages(struct staff_ctx *c, const struct queue_view *q, const char *id,
			const PGresult *res, const char *next_query)
{
	char next[256];
	snprintf(next, sizeof(next), "/staff/decisions?%s", next_query ? next_query : "");
	pager_nav(c, id, q->paged ? "/staff/decisions" : NULL,
		  PQntuples(res) > PAGER_ROWS && next_query ? next : NULL);
}

static void queue_put(struct staff_ctx *c, const struct queue_view *q)
{
	const PGresult *res = q->res, *run = q->run, *ord = q->ord, *rule = q->rule;
	const struct calendar *cal = q->cal;
	const char *today = q->today;
	staff_page_begin(c, i18n(c->lang, M_QUEUE_TITLE));
	casepage_stylesheet(c);
	staff_html(c, "<h1>");
	staff_text(c, M_QUEUE_TITLE);
	staff_html(c, "</h1>\n<p class=\"hint\">");
	staff_text(c, (c->user->roles & ROLE_BIT(ROLE_DIRECTOR)) ? M_QUEUE_HINT_DIRECTOR
								 : M_QUEUE_HINT_ALTERNATE);
	staff_html(c, "</p>\n");
	casepage_section(c, "awaiting", M_QUEUE_AWAITING);
	int n = q->rows_res;
	if (q->n_res > 0)
		pager_count(c, "queue-count", M_QUEUE_COUNT, q->n_res);
	if (n == 0) {
		staff_html(c, "<p id=\"queue-empty\">");
		staff_text(c, M_QUEUE_EMPTY);
		staff_html(c, "</p>\n");
	} else {
		staff_html(c, "<ul class=\"cards\" id=\"queue\">\n");
	}
	int q_reg_no = db_col(res, "reg_no"), q_due = db_col(res, "due");
	int q_late = db_col(res, "late");
	int q_state = db_col(res, "state"), q_category = db_col(res, "category");
	int q_registered = db_col(res, "registered");
	for (int i = 0; i < n; i++) {
		const char *reg_no = PQgetvalue(res, i, q_reg_no), *due = PQgetvalue(res, i, q_due);
		bool late = strcmp(PQgetvalue(res, i, q_late), "t") == 0;
		bool acked = strcmp(PQgetvalue(res, i, q_state), "acknowledged") == 0;
		staff_html(c, "<li class=\"card%s\" data-reg-no=\"", late ? " overdue" : "");
		staff_esc(c, reg_no);
		staff_html(c, "\">");
		case_link(c, reg_no);
		staff_html(c, " &middot; ");
		/* the queue's own reader is the decider (director or alternate):
		 * "awaiting your decision", not "with the director" */
		staff_text(c, acked ? M_QUEUE_ST_ACKED : M_QUEUE_ST_AWAITING);
		staff_html(c, "<br>");
		staff_text(c, casefile_category_text(PQgetvalue(res, i, q_category)));
		staff_html(c, " &middot; ");
		staff_text(c, M_CASE_REGISTERED);
		staff_html(c, " ");
		staff_date(c, PQgetvalue(res, i, q_registered));
		if (*due) {
			staff_html(c, "<br>");
			staff_text(c, M_QUEUE_DUE);
			staff_html(c, ": <time datetime=\"%s\">", due);
			staff_date(c, due);
			staff_html(c, "</time> ");
			char text[128];
			int left = casefile_days_left(cal, today, due);
			if (acked)
				snprintf(text, sizeof(text), "%s", i18n(c->lang, M_QUEUE_ACKED));
			else
				snprintf(text, sizeof(text),
					 i18n(c->lang, left < 0 ? M_CASE_OVERDUE_BY
								: M_CASE_WORKING_DAYS_LEFT),
					 left < 0 ? -left : left);
			staff_html(c, "<span class=\"%s\">(", late && !acked ? "late" : "left");
			staff_esc(c, text);
			staff_html(c, ")</span>");
		}
		/* no "acknowledge" here: one acknowledges a report one has read,
		 * on its case page (ack() checks it was opened) */
		staff_html(c, " <a class=\"button\" href=\"/staff/case/");
		staff_esc(c, reg_no);
		staff_html(c, "#decide\">");
		staff_text(c, M_QUEUE_OPEN);
		staff_html(c, "</a></li>\n");
	}
	if (n > 0)
		staff_html(c, "</ul>\n");
	char key[128];
	if (n > 0)
		snprintf(key, sizeof(key), "after=%s",
			 PQgetvalue(res, n - 1, db_col(res, "key_id")));
	queue_pages(c, q, "queue", res, n > 0 ? key : NULL);
	staff_html(c, "</section>\n");
	if (q->rows_ord > 0) {
		casepage_section(c, "to-order", M_ORDER_TITLE);
		pager_count(c, "to-order-count", M_QUEUE_LIST_COUNT, q->n_ord);
		staff_html(c, "<ul>\n");
		int o_reg_no = db_col(ord, "reg_no");
		for (int i = 0; i < q->rows_ord; i++) {
			staff_html(c, "<li>");
			case_link(c, PQgetvalue(ord, i, o_reg_no));
			staff_html(c, "</li>\n");
		}
		staff_html(c, "</ul>\n");
		snprintf(key, sizeof(key), "order_after=%s",
			 PQgetvalue(ord, q->rows_ord - 1, db_col(ord, "key_id")));
		queue_pages(c, q, "to-order", ord, key);
		staff_html(c, "</section>\n");
	}
	if (q->rows_rule > 0) {
		casepage_section(c, "to-rule", M_QUEUE_TO_RULE);
		pager_count(c, "to-rule-count", M_QUEUE_LIST_COUNT, q->n_rule);
		staff_html(c, "<ul id=\"rulings\">\n");
		int r_reg_no = db_col(rule, "reg_no"), r_state = db_col(rule, "state");
		for (int i = 0; i < q->rows_rule; i++) {
			staff_html(c, "<li>");
			case_link(c, PQgetvalue(rule, i, r_reg_no));
			staff_html(c, " &middot; ");
			staff_text(c, casefile_inv_state_text(PQgetvalue(rule, i, r_state)));
			staff_html(c, " <a class=\"button\" href=\"/staff/case/");
			staff_esc(c, PQgetvalue(rule, i, r_reg_no));
			staff_html(c, "#ruling\">");
			staff_text(c, M_QUEUE_OPEN);
			staff_html(c, "</a></li>\n");
		}
		staff_html(c, "</ul>\n");
		snprintf(key, sizeof(key), "rule_after=%s",
			 PQgetvalue(rule, q->rows_rule - 1, db_col(rule, "key_id")));
		queue_pages(c, q, "to-rule", rule, key);
		staff_html(c, "</section>\n");
	}
	casepage_section(c, "running", M_QUEUE_RUNNING);
	if (q->n_run > 0)
		pager_count(c, "running-count", M_QUEUE_LIST_COUNT, q->n_run);
	if (q->rows_run == 0) {
		staff_html(c, "<p>");
		staff_text(c, M_CASE_NO_INVESTIGATION);
		staff_html(c, "</p>\n");
	} else {
		staff_html(c, "<ul>\n");
	}
	int u_reg_no = db_col(run, "reg_no"), u_order_no = db_col(run, "order_no");
	int u_due = db_col(run, "due"), u_extended = db_col(run, "extended");
	for (int i = 0; i < q->rows_run; i++) {
		const char *due = PQgetvalue(run, i, u_due);
		staff_html(c, "<li>");
		case_link(c, PQgetvalue(run, i, u_reg_no));
		staff_html(c, " &middot; ");
		staff_text(c, M_CASE_ORDER);
		staff_html(c, " ");
		staff_esc(c, PQgetvalue(run, i, u_order_no));
		staff_html(c, " &middot; ");
		staff_text(c, M_CASE_DUE);
		staff_html(c, " <time datetime=\"%s\">", due);
		staff_date(c, due);
		staff_html(c, "</time> ");
		char text[128];
		int left = casefile_days_left(cal, today, due);
		snprintf(text, sizeof(text),
			 i18n(c->lang, left < 0 ? M_CASE_OVERDUE_BY : M_CASE_WORKING_DAYS_LEFT),
			 left < 0 ? -left : left);
		staff_html(c, "(");
		staff_esc(c, text);
		bool extended = strcmp(PQgetvalue(run, i, u_extended), "t") == 0;
		staff_markup(c, extended ? ") &#8635; <a href=\"/staff/case/"
					 : ") <a href=\"/staff/case/");
		staff_esc(c, PQgetvalue(run, i, u_reg_no));
		staff_html(c, "#extend\">");
		staff_text(c, M_EXT_TITLE);
		staff_html(c, "</a></li>\n");
	}
	if (q->rows_run > 0) {
		staff_html(c, "</ul>\n");
		int last = q->rows_run - 1;
		snprintf(key, sizeof(key), "run_due=%s&run_id=%s", PQgetvalue(run, last, u_due),
			 PQgetvalue(run, last, db_col(run, "key_id")));
	}
	queue_pages(c, q, "running", run, q->rows_run > 0 ? key : NULL);
	staff_html(c, "</section>\n");
	staff_page_end(c);
}

static void queue(struct staff_ctx *c)
{
	struct queue_view q;
	if (!queue_load(c, &q)) {
		casefile_db_error(c);
		return;
	}
	queue_put(c, &q);
	queue_free(&q);
}

/* Whether this person opened the case page since their last login (its
 * view audited as case.view): acknowledging says "I have read it". Both
 * lookups walk the audit log's (user_id, id) index backwards from the
 * newest row. */
static const char sql_viewed[] =
    "SELECT EXISTS (SELECT 1 FROM hotline.audit_log a WHERE a.user_id = $1::bigint "
    "AND a.action = 'case.view' AND a.object = $2 AND a.id > coalesce((SELECT max(l.id) "
    "FROM hotline.audit_log l WHERE l.user_id = $1::bigint AND l.action = 'login'), 0)) "
    "AS viewed";

static bool case_viewed(struct staff_ctx *c, const char *reg_no, bool *viewed)
{
	char uid[24];
	snprintf(uid, sizeof(uid), "%lld", c->user->id);
	const char *p[2] = {uid, reg_no};
	PGresult *res = casefile_query(c, sql_viewed, 2, p);
	if (!res)
		return false;
	*viewed = strcmp(PQgetvalue(res, 0, db_col(res, "viewed")), "t") == 0;
	PQclear(res);
	return true;
}

static void ack(struct staff_ctx *c)
{
	struct casefile k;
	struct procedure_outcome out;
	struct wf_error e = {0};
	bool viewed = false;
	if (!case_viewed(c, c->arg, &viewed)) {
		casefile_db_error(c);
		return;
	}
	if (!viewed) {
		/* refused before anything is read or written; the case page
		 * (which the caller may see, or it answers 404) says why */
		log_info("staff: acknowledgment of a case not opened in this session refused");
		casepage_show(c, c->arg, 409, i18n(c->lang, M_DEC_ACK_OPEN_FIRST));
		return;
	}
	if (!caseaction_begin(c, &k))
		return;
	if (!procedure_ack(c->db, k.reg_no, c->user->login, &out, &e)) {
		casefile_rollback(c);
		caseaction_refused(c, k.reg_no, &e);
		return;
	}
	if (!staff_audit(c, "case.ack", k.reg_no) || !casefile_commit(c)) {
		casefile_rollback(c);
		casefile_db_error(c);
		return;
	}
	staff_redirect(c, "/staff/decisions");
}

static void decide(struct staff_ctx *c)
{
	struct casefile k;
	struct procedure_outcome out;
	struct wf_error e = {0};
	enum director_decision d;
	if (!director_decision_parse(staff_arg(c, "decision"), &d)) {
		wf_fail(&e, WF_MISSING, "decision");
		caseaction_refused(c, c->arg, &e);
		return;
	}
	if (!caseaction_begin(c, &k))
		return;
	if (!procedure_decide(c->db, k.reg_no, d, staff_arg(c, "doc"), c->user->login, &out, &e)) {
		casefile_rollback(c);
		caseaction_refused(c, k.reg_no, &e);
		return;
	}
	caseaction_commit(c, &k, "case.decide",
			  d == DIRECTOR_FORWARD || d == DIRECTOR_FORWARD_AND_INVESTIGATE ? "content"
			  : d == DIRECTOR_NO_GROUNDS ? "timeline"
						     : "order");
}

static void extend(struct staff_ctx *c)
{
	struct casefile k;
	struct investigation v;
	struct wf_error e = {0};
	/* the consent is the logged-in director's (or alternate's): recorded
	 * as their account (004 p.7.5) */
	struct investigation_extension x = {.consent_doc = staff_arg(c, "consent_doc"),
					    .consent_date = staff_arg(c, "consent_date"),
					    .consenter = c->user->id,
					    .new_due = staff_arg(c, "new_due")};
	if (!caseaction_begin(c, &k))
		return;
	if (!investigation_load(c->db, k.reg_no, &v, &e) ||
	    !investigation_extend(c->db, &v, &x, staff_now(c), &e)) {
		casefile_rollback(c);
		caseaction_refused(c, k.reg_no, &e);
		return;
	}
	caseaction_commit(c, &k, "case.extend", "investigation");
}

/* The order of a service investigation (004 p.7.3): its number and date,
 * and the commission chosen among the staff accounts holding the
 * commission role; nobody named in the report or with a declared interest
 * (workflow/investigation.c checks). */
static void order(struct staff_ctx *c)
{
	static const char sql_member[] =
	    "SELECT display_name, id FROM hotline.staff_users WHERE login = $1 "
	    "AND 'commission' = ANY (roles) AND NOT disabled";
	struct casefile k;
	struct investigation v;
	struct wf_error e = {0};
	unsigned n = 0;
	const char *const *logins = staff_args(c, "member", &n);
	if (n == 0 || n > 16) {
		wf_fail(&e, WF_MISSING, "choose the commission's members (1 to 16)");
		caseaction_refused(c, c->arg, &e);
		return;
	}
	if (!caseaction_begin(c, &k))
		return;
	char names[16][128];
	long long ids[16];
	struct investigation_member members[16];
	for (unsigned i = 0; i < n; i++) {
		const char *p[1] = {logins[i]};
		PGresult *res = casefile_query(c, sql_member, 1, p);
		bool found = res && PQntuples(res) == 1;
		if (found) {
			snprintf(names[i], sizeof(names[i]), "%s",
				 PQgetvalue(res, 0, db_col(res, "display_name")));
			ids[i] = strtoll(PQgetvalue(res, 0, db_col(res, "id")), NULL, 10);
		}
		PQclear(res);
		if (!found) {
			casefile_rollback(c);
			wf_fail(&e, WF_MISSING, "%s holds no commission role", logins[i]);
			caseaction_refused(c, k.reg_no, &e);
			return;
		}
		members[i] = (struct investigation_member){
		    .name = names[i], .position = "", .staff_user_id = ids[i]};
	}
	struct investigation_order o = {.order_no = staff_arg(c, "order_no"),
					.order_date = staff_arg(c, "order_date"),
					.members = members,
					.nmembers = (int)n};
	char *text = casefile_report_text(c, &k);
	if (!text) {
		casefile_rollback(c);
		buf_wipe(&c->body);
		staff_error(c, 403, M_CASE_FILE_UNREADABLE_TITLE, M_CASE_NOT_SEALED);
		return;
	}
	char due[11];
	int queued = 0;
	/* the members' names are stored under the case's key (issue 14) */
	struct content_key *key = casefile_content_key(c, &k);
	o.key = key;
	bool ok = *o.order_no && investigation_load(c->db, k.reg_no, &v, &e) &&
		  investigation_order(c->db, &v, &o, text, staff_now(c), due, &queued, &e);
	content_key_free(key);
	if (!*o.order_no)
		wf_fail(&e, WF_MISSING, "the order's number");
	secret_wipe(text, strlen(text));
	free(text);
	if (!ok) {
		casefile_rollback(c);
		caseaction_refused(c, k.reg_no, &e);
		return;
	}
	caseaction_commit(c, &k, "case.order", "investigation");
}

/* Management's steps on a submitted conclusion (004 p.7.11), from the
 * case page's "ruling" section: the decision with its document's number
 * and date, the measures' document, the close. Each is refused to anyone
 * but the director (or the alternate when the report names the director):
 * the route admits only those roles, caseaction_begin shows each only the
 * cases of their queue, and the decision is checked once more against the
 * account (investigation_check_decider). */
static void ruling_step(struct staff_ctx *c, const char *what)
{
	struct casefile k;
	struct investigation v;
	struct wf_error e = {0};
	if (!caseaction_begin(c, &k))
		return;
	bool ok = investigation_load(c->db, k.reg_no, &v, &e);
	if (ok && strcmp(what, "decide") == 0) {
		struct investigation_ruling r = {.decision = staff_arg(c, "decision"),
						 .doc = staff_arg(c, "doc"),
						 .date = staff_arg(c, "date"),
						 .by = c->user->id};
		ok = investigation_decide(c->db, &v, &r, staff_now(c), &e);
	} else if (ok && strcmp(what, "measures") == 0) {
		ok = investigation_check_decider(c->db, &v, c->user->id, NULL, &e) &&
		     investigation_measures(c->db, &v, staff_arg(c, "doc"), staff_arg(c, "date"),
					    staff_now(c), &e);
	} else if (ok) {
		ok = investigation_check_decider(c->db, &v, c->user->id, NULL, &e) &&
		     investigation_close(c->db, &v, &e);
	}
	if (!ok) {
		casefile_rollback(c);
		caseaction_refused(c, k.reg_no, &e);
		return;
	}
	char action[48];
	snprintf(action, sizeof(action), "investigation.%s", what);
	caseaction_commit(c, &k, action, "investigation");
}

static void inv_decide(struct staff_ctx *c)
{
	ruling_step(c, "decide");
}

static void inv_measures(struct staff_ctx *c)
{
	ruling_step(c, "measures");
}

static void inv_close(struct staff_ctx *c)
{
	ruling_step(c, "close");
}

/* The printable cover letter: a page of its own, to print on the
 * organisation's letterhead (004 p.10.7). */
static void cover_letter(struct staff_ctx *c)
{
	struct casefile k;
	struct wf_error e = {0};
	if (!casefile_open(c, c->arg, false, &k))
		return;
	if (!coverletter_write(c->db, k.reg_no, "/staff/case.css", &c->body, &e)) {
		casefile_rollback(c);
		buf_wipe(&c->body);
		caseaction_refused(c, k.reg_no, &e);
		return;
	}
	if (!staff_audit(c, "case.cover_letter", k.reg_no) || !casefile_commit(c)) {
		casefile_rollback(c);
		casefile_db_error(c);
	}
}

const struct staff_route staff_decision_routes[] = {
    {"GET", "/staff/decisions", DECIDERS, queue, "decisions"},
    {"POST", "/staff/decide-ack/*", DECIDERS, ack, "case.ack"},
    {"POST", "/staff/decide/*", DECIDERS, decide, "case.decide"},
    {"POST", "/staff/extend/*", DECIDERS, extend, "case.extend"},
    {"POST", "/staff/order/*", DECIDERS, order, "case.order"},
    {"POST", "/staff/inv-decide/*", DECIDERS, inv_decide, "investigation.decide"},
    {"POST", "/staff/inv-measures/*", DECIDERS, inv_measures, "investigation.measures"},
    {"POST", "/staff/inv-close/*", DECIDERS, inv_close, "investigation.close"},
    {"GET", "/staff/cover-letter/*", DECIDERS | ROLE_BIT(ROLE_COMPLIANCE), cover_letter,
     "case.cover_letter"},
    {NULL, NULL, 0, NULL, NULL},
};

const struct staff_menu staff_decision_menu[] = {
    {"/staff/decisions", M_QUEUE_TITLE},
    {NULL, 0},
};
