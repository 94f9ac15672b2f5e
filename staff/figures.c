/* The analyst's figures (docs/figures.md): aggregate counts only, read from
 * the metadata of the journal, the cases, the investigations and the
 * deadlines. Nothing is decrypted here: these handlers never touch
 * c->case_sk. A count of 1 or 2 is shown as "<3", on the page and in the
 * CSV, because in a small organisation a small number can point at a
 * person. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/db.h"
#include "base/html.h"
#include "staff/staff.h"
#include "workflow/calendar.h"
#include "base/schema.h"

/* One row per (month, channel, category, state) of the appeals registered
 * in the period (Almaty months). The case row carries the journal's
 * registered_at and channel (migration 0012); one month at a time, its
 * bounds converted once, from the covering index cases_figures (migration
 * 0030) without visiting the table: about 150 ms for a year over 1,000,000
 * cases, where joining the journal and converting every row's time took
 * 1.4 s (docs/figures.md, "Cost"). The months are counted from integers
 * so that the planner knows how many there are (a series of timestamps is
 * guessed at 1,000 rows, which made the plan look costly enough to be
 * JIT-compiled: 50-100 ms more). */
static const char sql_appeals[] =
    "SELECT to_char(m.month, 'YYYY-MM') AS month, a.channel, a.category, a.state, a.appeals "
    "FROM (SELECT $1::date + n * interval '1 month' AS month FROM generate_series(0, "
    "((extract(year FROM $2::date) - extract(year FROM $1::date)) * 12 "
    "+ extract(month FROM $2::date) - extract(month FROM $1::date))::integer) AS n) m "
    "CROSS JOIN LATERAL ("
    "SELECT c.channel, c.category, c.state, count(*) AS appeals FROM hotline.cases c "
    "WHERE c.registered_at >= (m.month AT TIME ZONE " SQL_ZONE ") "
    "AND c.registered_at < ((m.month + interval '1 month') AT TIME ZONE " SQL_ZONE ") "
    "GROUP BY 1, 2, 3) a";

/* Corruption reports (triaged so, self-reports included) registered in the
 * period: the director informed (hotline.director_informed_at, the one
 * definition the deadline, the board and the status page use) by the day
 * after the day of registration (004 p.10.6), or later; one not informed
 * yet counts as late once that day has passed, and not at all before.
 * One Almaty day of registration D at a time: informed by the day after
 * is informed before the midnight that starts D + 2, and "that day has
 * passed" is today > D + 1; the bounds are computed once a day (OFFSET 0
 * keeps them out of the per-row expressions), the rows read from the
 * partial index cases_figures_routing (migration 0030): about 45 ms for a
 * year over 1,000,000 cases instead of 700. Days counted from integers,
 * as the months above. */
static const char sql_routing[] =
    "SELECT coalesce(sum(r.on_time), 0) AS on_time, coalesce(sum(r.late), 0) AS late "
    "FROM (SELECT day AT TIME ZONE " SQL_ZONE " AS starts, "
    "(day + interval '1 day') AT TIME ZONE " SQL_ZONE " AS ends, "
    "(day + interval '2 days') AT TIME ZONE " SQL_ZONE " AS due, "
    "(to_timestamp($3::bigint) AT TIME ZONE " SQL_ZONE ")::date > day::date + 1 AS passed "
    "FROM (SELECT ($1::date + n)::timestamp AS day FROM generate_series(0, "
    "($2::date + interval '1 month')::date - $1::date - 1) AS n) s "
    "OFFSET 0) d CROSS JOIN LATERAL ("
    "SELECT count(*) FILTER (WHERE hotline.director_informed_at(c) < d.due) AS on_time, "
    "count(*) FILTER (WHERE hotline.director_informed_at(c) >= d.due "
    "OR (hotline.director_informed_at(c) IS NULL AND d.passed)) AS late "
    "FROM hotline.cases c WHERE c.triage = 'corruption' "
    "AND c.registered_at >= d.starts AND c.registered_at < d.ends) r";

/* Investigations ordered in the period against their deadline (its due
 * date moved by a consented extension); $3: now, seconds since the epoch.
 * The deadlines from the partial index deadlines_investigation (migration
 * 0030) rather than a scan of every deadline: 20 ms instead of 110 over
 * 1,000,000 cases. */
static const char sql_investigations[] =
    "SELECT count(*) FILTER (WHERE d.met_at IS NOT NULL AND d.met_at < d.due_at) AS on_time, "
    "count(*) FILTER (WHERE d.met_at IS NOT NULL AND d.met_at >= d.due_at) AS late, "
    "count(*) FILTER (WHERE d.met_at IS NULL AND d.due_at <= to_timestamp($3::bigint)) "
    "AS open_overdue, "
    "count(*) FILTER (WHERE d.met_at IS NULL AND d.due_at > to_timestamp($3::bigint)) "
    "AS still_open, "
    "count(*) FILTER (WHERE i.extended) AS extended "
    "FROM hotline.investigations i JOIN hotline.deadlines d "
    "ON d.case_id = i.case_id AND d.kind = 'investigation' "
    "WHERE i.order_date >= $1::date AND i.order_date < ($2::date + interval '1 month')";

static const char sql_overdue_now[] = "SELECT count(*) AS overdue FROM hotline.deadlines "
				      "WHERE met_at IS NULL "
				      "AND due_at <= to_timestamp($1::bigint)";

#define MAX_MONTHS 36

static const char *const channels[] = {"web", "email", "phone", "written", "in_person"};
static const enum msg channel_msgs[] = {M_FIG_CH_WEB, M_FIG_CH_EMAIL, M_FIG_CH_PHONE,
					M_FIG_CH_WRITTEN, M_FIG_CH_IN_PERSON};
#define NCH 5
static const char *const categories[] = {"corruption", "conflict_of_interest", "gift",
					 "unlawful_order", "other"};
static const enum msg category_msgs[] = {M_CAT_CORRUPTION, M_CAT_CONFLICT, M_CAT_GIFT,
					 M_CAT_UNLAWFUL_ORDER, M_CAT_OTHER};
#define NCAT 5
static const char *const states[] = {"registered", "to_director",    "acknowledged",
				     "referred",   "not_considered", "urgent",
				     "forwarded",  "investigation",  "closed"};
static const enum msg state_msgs[] = {
    M_STATE_REGISTERED, M_STATE_TO_DIRECTOR,	M_STATE_ACKNOWLEDGED,
    M_STATE_REFERRED,	M_STATE_NOT_CONSIDERED, M_STATE_URGENT,
    M_STATE_FORWARDED,	M_STATE_INVESTIGATION,	M_STATE_CLOSED};
#define NST 9

struct figures {
	int first, nmonths; /* month index: year * 12 + month - 1 */
	bool bad_period;
	long channel[MAX_MONTHS][NCH];
	long category[MAX_MONTHS][NCAT];
	long state[MAX_MONTHS][NST];
	long route_on_time, route_late;
	long inv_on_time, inv_late, inv_open_overdue, inv_open, inv_extended;
	long overdue_now;
};

static int find(const char *const *set, int n, const char *v)
{
	for (int i = 0; i < n; i++) {
		if (strcmp(set[i], v) == 0)
			return i;
	}
	return -1;
}

/* "YYYY-MM" (years 2000-2199) to a month index; -1 when not one. */
static int month_parse(const char *s)
{
	int y, m;
	if (!cal_month_parse(s, &y, &m) || y < 2000 || y > 2199)
		return -1;
	return y * 12 + m - 1;
}

static void month_text(int mi, char out[16])
{
	snprintf(out, 16, "%04u-%02u", (unsigned)mi / 12 % 10000, (unsigned)mi % 12 + 1);
}

/* The period from the query (from, to), else the last 12 months. */
static void period(const struct staff_ctx *c, struct figures *f)
{
	struct cal_date today = calendar_local_date(staff_now(c));
	int now = today.year * 12 + today.month - 1;
	const char *from = staff_arg(c, "from"), *to = staff_arg(c, "to");
	f->first = now - 11;
	f->nmonths = 12;
	if (!*from && !*to)
		return;
	int a = *from ? month_parse(from) : -1, b = *to ? month_parse(to) : now;
	if (!*from && b >= 0)
		a = b - 11;
	if (a < 0 || b < 0 || a > b || b - a + 1 > MAX_MONTHS) {
		f->bad_period = true;
		return;
	}
	f->first = a;
	f->nmonths = b - a + 1;
}

static PGresult *query(PGconn *db, const char *sql_text, int n, const char *const *v)
{
	PGresult *res = db_query(db, sql_text, n, v, NULL, NULL, NULL);
	if (res && PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		return NULL;
	}
	return res;
}

static long num(const PGresult *res, int row, int col)
{
	return atol(PQgetvalue(res, row, col));
}

/* The count in the column called name of a one-row result. */
static long count_of(const PGresult *res, const char *name)
{
	return num(res, 0, db_col(res, name));
}

/* Reads every figure; false when the database did not answer. */
static bool figures_load(struct staff_ctx *c, struct figures *f)
{
	char from[24], to[24], now[24];
	month_text(f->first, from);
	month_text(f->first + f->nmonths - 1, to);
	strcat(from, "-01");
	strcat(to, "-01");
	snprintf(now, sizeof(now), "%lld", (long long)staff_now(c));
	const char *v[3] = {from, to, now};

	PGresult *res = query(c->db, sql_appeals, 2, v);
	if (!res)
		return false;
	int col_month = db_col(res, "month"), col_channel = db_col(res, "channel"),
	    col_category = db_col(res, "category"), col_state = db_col(res, "state"),
	    col_appeals = db_col(res, "appeals");
	for (int i = 0; i < PQntuples(res); i++) {
		int m = month_parse(PQgetvalue(res, i, col_month)) - f->first;
		if (m < 0 || m >= f->nmonths)
			continue;
		long n = num(res, i, col_appeals);
		int ch = find(channels, NCH, PQgetvalue(res, i, col_channel));
		int cat = find(categories, NCAT, PQgetvalue(res, i, col_category));
		int st = find(states, NST, PQgetvalue(res, i, col_state));
		if (ch >= 0)
			f->channel[m][ch] += n;
		if (cat >= 0)
			f->category[m][cat] += n;
		if (st >= 0)
			f->state[m][st] += n;
	}
	PQclear(res);

	if (!(res = query(c->db, sql_routing, 3, v)))
		return false;
	f->route_on_time = count_of(res, "on_time");
	f->route_late = count_of(res, "late");
	PQclear(res);

	if (!(res = query(c->db, sql_investigations, 3, v)))
		return false;
	f->inv_on_time = count_of(res, "on_time");
	f->inv_late = count_of(res, "late");
	f->inv_open_overdue = count_of(res, "open_overdue");
	f->inv_open = count_of(res, "still_open");
	f->inv_extended = count_of(res, "extended");
	PQclear(res);

	const char *w[1] = {now};
	if (!(res = query(c->db, sql_overdue_now, 1, w)))
		return false;
	f->overdue_now = count_of(res, "overdue");
	PQclear(res);
	return true;
}

static bool small(long n)
{
	return n >= 1 && n <= 2;
}

/* A count as shown: "<3" for 1 and 2; escaped in the page, as it is in
 * the CSV. */
static void put_count(struct buf *b, long n, bool html)
{
	if (small(n) && html)
		html_escape_str(b, "<3");
	else if (small(n))
		buf_puts(b, "<3");
	else
		buf_printf(b, "%ld", n);
}

/* --- the page --- */

static void cell(struct staff_ctx *c, long n)
{
	staff_html(c, "<td class=\"num%s\">", small(n) ? " small" : "");
	put_count(&c->body, n, true);
	staff_html(c, "</td>");
}

static void month_table(struct staff_ctx *c, const struct figures *f, const char *id,
			enum msg title, const enum msg *heads, int ncols, const long *counts,
			int stride)
{
	staff_html(c, "<h2 id=\"%s-title\">", id);
	staff_text(c, title);
	staff_html(c,
		   "</h2>\n<div class=\"table-wrap\"><table class=\"figures\" id=\"%s\" "
		   "aria-labelledby=\"%s-title\">"
		   "\n<thead><tr><th scope=\"col\">",
		   id, id);
	staff_text(c, M_FIG_MONTH);
	staff_html(c, "</th>");
	for (int k = 0; k < ncols; k++) {
		staff_html(c, "<th scope=\"col\">");
		staff_text(c, heads[k]);
		staff_html(c, "</th>");
	}
	staff_html(c, "</tr></thead>\n<tbody>\n");
	for (int m = 0; m < f->nmonths; m++) {
		char mt[16], shown[24];
		int mi = f->first + m;
		month_text(mi, mt);
		html_month(shown, sizeof(shown), c->lang, mi / 12, mi % 12 + 1);
		/* the month as the reader writes it, YYYY-MM for scripts */
		staff_html(c, "<tr data-month=\"%s\"><th scope=\"row\">%s</th>", mt, shown);
		for (int k = 0; k < ncols; k++)
			cell(c, counts[m * stride + k]);
		staff_html(c, "</tr>\n");
	}
	staff_html(c, "</tbody>\n</table></div>\n");
}

static void row(struct staff_ctx *c, const char *id, enum msg label, long n)
{
	staff_html(c, "<tr id=\"%s\"><th scope=\"row\">", id);
	staff_text(c, label);
	staff_html(c, "</th>");
	cell(c, n);
	staff_html(c, "</tr>\n");
}

/* The figures of the period the request asks for, not loaded yet. */
static struct figures *figures_asked(struct staff_ctx *c)
{
	struct figures *f = calloc(1, sizeof(*f));
	if (!f)
		abort(); /* a fixed size: CONTRIBUTING.md, "Out of memory" */
	period(c, f);
	return f;
}

/* The months shown, as text. */
struct span {
	char from[16], to[16];
	char both[40]; /* "FROM..TO" */
};

/* Loads the figures and audits action on their span (set in *sp); false
 * after freeing f and answering the error. */
static bool figures_load_audited(struct staff_ctx *c, struct figures *f, const char *action,
				 struct span *sp)
{
	if (!figures_load(c, f)) {
		free(f);
		staff_error(c, 503, M_DESK_DB_TITLE, M_DESK_DB);
		return false;
	}
	month_text(f->first, sp->from);
	month_text(f->first + f->nmonths - 1, sp->to);
	snprintf(sp->both, sizeof(sp->both), "%s..%s", sp->from, sp->to);
	if (!staff_audit(c, action, sp->both)) {
		free(f);
		staff_error(c, 503, M_STAFF_AUDIT_FAILED_TITLE, M_STAFF_AUDIT_FAILED);
		return false;
	}
	return true;
}

/* The page of the figures in f over the months of sp; no SQL. */
static void figures_render(struct staff_ctx *c, const struct figures *f, const struct span *sp)
{
	staff_page_begin(c, i18n(c->lang, M_FIG_TITLE));
	/* a stylesheet <link> is allowed in <body> */
	staff_html(c, "<link rel=\"stylesheet\" href=\"/staff/figures.css\">\n");
	staff_html(c, "<h1>");
	staff_text(c, M_FIG_TITLE);
	staff_html(c, "</h1>\n<p class=\"hint\" id=\"fig-intro\">");
	staff_text(c, M_FIG_INTRO);
	staff_html(c, "</p>\n<p class=\"notice\" id=\"fig-small\">");
	staff_text(c, M_FIG_SMALL);
	staff_html(c, "</p>\n");
	if (f->bad_period) {
		staff_html(c, "<p class=\"error\" id=\"error-period\">");
		staff_text(c, M_FIG_BAD_PERIOD);
		staff_html(c, "</p>\n");
	}
	/* the period: a GET form, no JavaScript */
	staff_html(c, "<form method=\"get\" action=\"/staff/figures\" id=\"period\">\n"
		      "<div><label for=\"from\">");
	staff_text(c, M_FIG_FROM);
	staff_html(
	    c,
	    "</label><input type=\"month\" id=\"from\" name=\"from\" value=\"%s\" "
	    "pattern=\"[0-9]{4}-[0-9]{2}\" placeholder=\"YYYY-MM\"></div>\n<div><label for=\"to\">",
	    sp->from);
	staff_text(c, M_FIG_TO);
	staff_html(c,
		   "</label><input type=\"month\" id=\"to\" name=\"to\" value=\"%s\" "
		   "pattern=\"[0-9]{4}-[0-9]{2}\" placeholder=\"YYYY-MM\"></div>\n<button>",
		   sp->to);
	staff_text(c, M_FIG_SHOW);
	staff_html(c,
		   "</button>\n</form>\n<p><a id=\"export\" "
		   "href=\"/staff/figures.csv?from=%s&amp;to=%s\">",
		   sp->from, sp->to);
	staff_text(c, M_FIG_EXPORT);
	staff_html(c, "</a></p>\n");

	month_table(c, f, "by-channel", M_FIG_BY_CHANNEL, channel_msgs, NCH, &f->channel[0][0],
		    NCH);
	month_table(c, f, "by-category", M_FIG_BY_CATEGORY, category_msgs, NCAT, &f->category[0][0],
		    NCAT);
	month_table(c, f, "by-state", M_FIG_BY_STATE, state_msgs, NST, &f->state[0][0], NST);

	staff_html(c, "<h2 id=\"routing-title\">");
	staff_text(c, M_FIG_ROUTING);
	staff_html(c, "</h2>\n<div class=\"table-wrap\"><table class=\"figures\" id=\"routing\" "
		      "aria-labelledby=\"routing-title\"><tbody>\n");
	row(c, "route-on-time", M_FIG_ON_TIME, f->route_on_time);
	row(c, "route-late", M_FIG_LATE, f->route_late);
	staff_html(c, "<tr id=\"route-share\"><th scope=\"row\">");
	staff_text(c, M_FIG_SHARE);
	long total = f->route_on_time + f->route_late;
	/* a share is shown only when neither count is hidden */
	if (total > 0 && !small(f->route_on_time) && !small(f->route_late))
		staff_html(c, "</th><td class=\"num\">%ld%%</td></tr>\n",
			   (f->route_on_time * 100 + total / 2) / total);
	else
		staff_html(c, "</th><td class=\"num\">—</td></tr>\n");
	staff_html(c, "</tbody></table></div>\n");

	staff_html(c, "<h2 id=\"inv-title\">");
	staff_text(c, M_FIG_INVEST);
	staff_html(
	    c, "</h2>\n<div class=\"table-wrap\"><table class=\"figures\" id=\"investigations\" "
	       "aria-labelledby=\"inv-title\"><tbody>\n");
	row(c, "inv-on-time", M_FIG_INV_DONE_ON_TIME, f->inv_on_time);
	row(c, "inv-late", M_FIG_INV_DONE_LATE, f->inv_late);
	row(c, "inv-open-overdue", M_FIG_INV_OPEN_OVERDUE, f->inv_open_overdue);
	row(c, "inv-open", M_FIG_INV_OPEN, f->inv_open);
	row(c, "inv-extended", M_FIG_INV_EXTENDED, f->inv_extended);
	staff_html(c, "</tbody></table></div>\n");

	staff_html(c, "<h2 id=\"overdue-title\">");
	staff_text(c, M_FIG_OVERDUE);
	staff_html(c, "</h2>\n<p class=\"hint\">");
	staff_text(c, M_FIG_OVERDUE_NOTE);
	staff_html(c, "</p>\n<p class=\"big-number\" id=\"overdue-now\">");
	put_count(&c->body, f->overdue_now, true);
	staff_html(c, "</p>\n");
	staff_page_end(c);
}

static void figures_get(struct staff_ctx *c)
{
	struct figures *f = figures_asked(c);
	struct span sp;
	if (!figures_load_audited(c, f, "figures.view", &sp))
		return;
	if (f->bad_period)
		c->status = 400;
	figures_render(c, f, &sp);
	free(f);
}

/* --- the CSV: section,month,item,count --- */

static void csv_rows(struct buf *b, const struct figures *f, const char *section,
		     const char *const *items, int n, const long *counts)
{
	for (int m = 0; m < f->nmonths; m++) {
		char mt[16];
		month_text(f->first + m, mt);
		for (int k = 0; k < n; k++) {
			buf_printf(b, "%s,%s,%s,", section, mt, items[k]);
			put_count(b, counts[m * n + k], false);
			buf_puts(b, "\r\n");
		}
	}
}

static void csv_line(struct buf *b, const char *section, const char *period, const char *item,
		     long n)
{
	buf_printf(b, "%s,%s,%s,", section, period, item);
	put_count(b, n, false);
	buf_puts(b, "\r\n");
}

static void figures_csv(struct staff_ctx *c)
{
	struct figures *f = figures_asked(c);
	if (f->bad_period) {
		free(f);
		staff_error(c, 400, M_FIG_TITLE, M_FIG_BAD_PERIOD);
		return;
	}
	struct span sp;
	if (!figures_load_audited(c, f, "figures.export", &sp))
		return;
	struct buf *b = &c->body;
	buf_puts(b, "section,period,item,count\r\n");
	csv_rows(b, f, "channel", channels, NCH, &f->channel[0][0]);
	csv_rows(b, f, "category", categories, NCAT, &f->category[0][0]);
	csv_rows(b, f, "state", states, NST, &f->state[0][0]);
	csv_line(b, "director_routing", sp.both, "on_time", f->route_on_time);
	csv_line(b, "director_routing", sp.both, "late", f->route_late);
	csv_line(b, "investigations", sp.both, "concluded_on_time", f->inv_on_time);
	csv_line(b, "investigations", sp.both, "concluded_late", f->inv_late);
	csv_line(b, "investigations", sp.both, "open_overdue", f->inv_open_overdue);
	csv_line(b, "investigations", sp.both, "open_in_term", f->inv_open);
	csv_line(b, "investigations", sp.both, "extended", f->inv_extended);
	csv_line(b, "deadlines", "now", "overdue", f->overdue_now);
	c->content_type = "text/csv; charset=utf-8";
	snprintf(c->download_name, sizeof(c->download_name), "figures-%s-%s.csv", sp.from, sp.to);
	free(f);
}

/* The wide tables scroll inside their .table-wrap (the shell's style); here:
 * months and counts on one line, counts aligned. */
static const char stylesheet[] =
    "table.figures th[scope=row],table.figures td.num{white-space:nowrap}\n"
    "table.figures td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    "table.figures thead th{min-width:5.5rem}\n"
    "table.figures td.small{font-style:italic}\n"
    "table.figures{width:auto;min-width:100%}\n"
    "#period{display:flex;flex-wrap:wrap;gap:0 1rem;align-items:flex-end}\n"
    "#period label{margin-bottom:.25rem}#period input{width:11rem}\n"
    "#overdue-now{font-size:2rem;font-weight:700;margin:.25rem 0}\n";

static void style_get(struct staff_ctx *c)
{
	c->content_type = "text/css; charset=utf-8";
	buf_puts(&c->body, stylesheet);
}

#define FIGURE_ROLES (ROLE_BIT(ROLE_ANALYST) | ROLE_BIT(ROLE_COMPLIANCE) | ROLE_BIT(ROLE_DIRECTOR))

const struct staff_route figures_routes[] = {
    {"GET", "/staff/figures", FIGURE_ROLES, figures_get, "figures.view"},
    {"GET", "/staff/figures.csv", FIGURE_ROLES, figures_csv, "figures.export"},
    {"GET", "/staff/figures.css", STAFF_PUBLIC, style_get, "figures.style"},
    {NULL, NULL, 0, NULL, NULL},
};

const struct staff_menu figures_menu[] = {
    {"/staff/figures", M_FIG_MENU},
    {NULL, 0},
};
