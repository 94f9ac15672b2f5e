/* The archive: see archive.h. */
#include "staff/archive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/db.h"
#include "staff/board.h"
#include "staff/casefile.h"
#include "staff/casepage.h"
#include "workflow/journal.h"
#include "base/schema.h"

#define ARCHIVE_PAGE 50

/* One statement for every combination of filters: an absent filter is a
 * NULL parameter, and PostgreSQL plans an unnamed statement with its
 * parameters' values, so "$2 IS NULL OR ..." folds away and each filter
 * meets its index in the archive's order (migrations/0012). The page
 * after a row is a keyset: (registered_at, id) below that row's, never
 * OFFSET, so page 20,000 costs what page 1 does. */
static const char sql_archive[] =
    "SELECT j.reg_no, to_char(c.registered_at AT TIME ZONE " SQL_ZONE ", "
    "'YYYY-MM-DD HH24:MI') AS registered, c.channel, c.category, c.state, c.director_named, "
    "hotline.case_unread_messages(c.id, c.messages_read_upto) AS unread "
    "FROM hotline.cases c JOIN hotline.journal j ON j.id = c.journal_id "
    "WHERE " CASEFILE_VISIBILITY_SQL("$1") " "
					   "AND ($2::text IS NULL OR c.state = $2) "
					   "AND ($3::text IS NULL OR c.channel = $3) "
					   "AND ($4::text IS NULL OR c.category = $4) "
					   "AND ($5::date IS NULL OR c.registered_at >= "
					   "($5::date::timestamp AT TIME ZONE " SQL_ZONE ")) "
					   "AND ($6::date IS NULL OR c.registered_at < (($6::date "
					   "+ 1)::timestamp AT TIME ZONE " SQL_ZONE ")) "
					   "AND ($7::text IS NULL OR j.reg_no = $7) "
					   "AND ($8::timestamptz IS NULL OR (c.registered_at, "
					   "c.id) < ($8::timestamptz, $9::bigint)) "
					   "ORDER BY c.registered_at DESC, c.id DESC LIMIT 51";
/* Where the page after a row starts: that row's key, if the user may see
 * it. */
static const char sql_cursor[] =
    "SELECT c.registered_at::text AS registered_at, c.id FROM hotline.cases c "
    "JOIN hotline.journal j ON j.id = c.journal_id "
    "WHERE j.reg_no = $1 AND " CASEFILE_VISIBILITY_SQL("$2");

static const char *const states[] = {"registered", "to_director",    "acknowledged",
				     "referred",   "not_considered", "urgent",
				     "forwarded",  "investigation",  "closed"};
static const char *const channels[] = {"web", "email", "phone", "written", "in_person"};
static const char *const categories[] = {"corruption", "conflict_of_interest", "gift",
					 "unlawful_order", "other"};
#define COUNT(a) (sizeof(a) / sizeof(a[0]))

/* The filter's value when it is one of the known ones, else NULL. */
static const char *known(const char *value, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(value, list[i]) == 0)
			return list[i];
	}
	return NULL;
}

/* YYYY-MM-DD with a plausible month and day (PostgreSQL checks the rest:
 * the statement is not run with a date it would refuse). */
static bool date_ok(const char *s)
{
	int y, m, d;
	char tail;
	return strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && y >= 2000 &&
	       y <= 2999 && m >= 1 && m <= 12 && d >= 1 &&
	       d <= (m == 2 ? ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28)
		     : (m == 4 || m == 6 || m == 9 || m == 11) ? 30
							       : 31);
}

static bool reg_no_ok(const char *s)
{
	int year, seq;
	return *s && journal_parse_reg_no(s, &year, &seq);
}

struct filters {
	const char *state, *channel, *category, *from, *to, *reg_no, *after;
	bool bad_date, bad_reg_no;
};

static void read_filters(struct staff_ctx *c, struct filters *f)
{
	memset(f, 0, sizeof(*f));
	f->state = known(staff_arg(c, "state"), states, COUNT(states));
	f->channel = known(staff_arg(c, "channel"), channels, COUNT(channels));
	f->category = known(staff_arg(c, "category"), categories, COUNT(categories));
	const char *from = staff_arg(c, "from"), *to = staff_arg(c, "to");
	const char *reg = staff_arg(c, "reg_no"), *after = staff_arg(c, "after");
	f->from = date_ok(from) ? from : NULL;
	f->to = date_ok(to) ? to : NULL;
	f->bad_date = (*from && !f->from) || (*to && !f->to);
	f->reg_no = reg_no_ok(reg) ? reg : NULL;
	f->bad_reg_no = *reg && !f->reg_no;
	f->after = reg_no_ok(after) ? after : NULL;
}

static void filter_select(struct staff_ctx *c, const char *name, enum msg label, const char *chosen,
			  const char *const *list, size_t n, enum msg (*text)(const char *))
{
	staff_html(c, "<div>");
	board_filter_select(c, "a", name, label, chosen, list, n, text);
	staff_html(c, "</div>\n");
}

static void put_form(struct staff_ctx *c, const struct filters *f)
{
	staff_html(c, "<form id=\"archive-filter\" class=\"filters\" method=\"get\" "
		      "action=\"/staff/archive\">\n");
	board_filter_input(
	    c, "a", "reg_no", M_CASE_REG_NO, "text", f->reg_no,
	    " inputmode=\"numeric\" placeholder=\"2026-000001\" autocomplete=\"off\"");
	filter_select(c, "state", M_BOARD_STATE, f->state, states, COUNT(states),
		      casefile_state_text);
	filter_select(c, "channel", M_BOARD_CHANNEL, f->channel, channels, COUNT(channels),
		      casefile_channel_text);
	filter_select(c, "category", M_BOARD_CATEGORY, f->category, categories, COUNT(categories),
		      casefile_category_text);
	board_filter_input(c, "a", "from", M_ARCH_FROM, "date", f->from, "");
	board_filter_input(c, "a", "to", M_ARCH_TO, "date", f->to, "");
	staff_html(c, "<div><button type=\"submit\" id=\"archive-search\">");
	staff_text(c, M_ARCH_SEARCH);
	staff_html(c, "</button> <a href=\"/staff/archive\">");
	staff_text(c, M_BOARD_CLEAR);
	staff_html(c, "</a></div>\n</form>\n");
}

/* The address of the page after reg_no with the same filters; every value
 * is one of a fixed list or checked digits and dashes, so nothing needs
 * URL encoding, and staff_esc() writes the & as &amp;. */
static void put_next_link(struct staff_ctx *c, const struct filters *f, const char *reg_no)
{
	char href[512];
	snprintf(href, sizeof(href),
		 "/staff/archive?state=%s&channel=%s&category=%s&from=%s&to=%s&reg_no=%s&after=%s",
		 f->state ? f->state : "", f->channel ? f->channel : "",
		 f->category ? f->category : "", f->from ? f->from : "", f->to ? f->to : "",
		 f->reg_no ? f->reg_no : "", reg_no);
	staff_html(c, "<a id=\"archive-next\" rel=\"next\" href=\"");
	staff_esc(c, href);
	staff_html(c, "\">");
	staff_text(c, M_ARCH_NEXT);
	staff_html(c, "</a>");
}

/* A case in the archive. The strings point into the result of the view
 * that holds the row. */
struct archive_row {
	const char *reg_no, *registered, *channel, *category, *state;
	bool director_named;
	int unread;
};

/* One page of the archive. The view owns res; the rows point into it. */
struct archive_view {
	struct filters f;
	PGresult *res;
	struct archive_row *rows;
	int n;	   /* rows shown, at most ARCHIVE_PAGE */
	bool more; /* a page follows the last row */
};

static void archive_view_free(struct archive_view *v)
{
	free(v->rows);
	PQclear(v->res);
}

static void archive_rows(struct archive_view *v)
{
	const PGresult *res = v->res;
	int col_reg_no = db_col(res, "reg_no"), col_registered = db_col(res, "registered"),
	    col_channel = db_col(res, "channel"), col_category = db_col(res, "category"),
	    col_state = db_col(res, "state"), col_named = db_col(res, "director_named"),
	    col_unread = db_col(res, "unread");
	for (int i = 0; i < v->n; i++) {
		struct archive_row *r = &v->rows[i];
		r->reg_no = PQgetvalue(res, i, col_reg_no);
		r->registered = PQgetvalue(res, i, col_registered);
		r->channel = PQgetvalue(res, i, col_channel);
		r->category = PQgetvalue(res, i, col_category);
		r->state = PQgetvalue(res, i, col_state);
		r->director_named = strcmp(PQgetvalue(res, i, col_named), "t") == 0;
		r->unread = atoi(PQgetvalue(res, i, col_unread));
	}
}

/* False on a database error or out of memory; free v either way. */
static bool archive_load(struct staff_ctx *c, struct archive_view *v)
{
	*v = (struct archive_view){0};
	struct filters *f = &v->f;
	read_filters(c, f);
	const char *mode = casefile_visibility(c->user->roles);
	char after_at[64] = "", after_id[24] = "";
	if (f->after) {
		const char *p[2] = {f->after, mode};
		PGresult *cur = casefile_query(c, sql_cursor, 2, p);
		if (!cur)
			return false;
		if (PQntuples(cur) == 1) {
			snprintf(after_at, sizeof(after_at), "%s",
				 PQgetvalue(cur, 0, db_col(cur, "registered_at")));
			snprintf(after_id, sizeof(after_id), "%s",
				 PQgetvalue(cur, 0, db_col(cur, "id")));
		}
		PQclear(cur);
	}
	const char *p[9] = {mode,
			    f->state,
			    f->channel,
			    f->category,
			    f->from,
			    f->to,
			    f->reg_no,
			    after_at[0] ? after_at : NULL,
			    after_id[0] ? after_id : NULL};
	if (!(v->res = casefile_query(c, sql_archive, 9, p)))
		return false;
	v->n = PQntuples(v->res);
	v->more = v->n > ARCHIVE_PAGE;
	if (v->more)
		v->n = ARCHIVE_PAGE;
	if (!(v->rows = calloc(v->n ? (size_t)v->n : 1, sizeof(*v->rows))))
		return false;
	archive_rows(v);
	return true;
}

static void put_rows(struct staff_ctx *c, const struct archive_view *v)
{
	staff_html(c, "<div class=\"table-wrap\"><table id=\"archive\">\n<thead><tr><th>");
	staff_text(c, M_CASE_REG_NO);
	staff_html(c, "</th><th>");
	staff_text(c, M_CASE_REGISTERED);
	staff_html(c, "</th><th>");
	staff_text(c, M_BOARD_STATE);
	staff_html(c, "</th><th>");
	staff_text(c, M_BOARD_CHANNEL);
	staff_html(c, "</th><th>");
	staff_text(c, M_BOARD_CATEGORY);
	staff_html(c, "</th></tr></thead>\n<tbody>\n");
	for (int i = 0; i < v->n; i++) {
		const struct archive_row *r = &v->rows[i];
		const char *reg_no = r->reg_no;
		const char *state = r->state;
		int unread = r->unread;
		staff_html(
		    c, "<tr class=\"case-row%s\" data-state=\"%s\"><td><a href=\"/staff/case/",
		    unread > 0 ? " unread" : "", known(state, states, COUNT(states)) ? state : "");
		staff_esc(c, reg_no);
		staff_html(c, "\" class=\"reg-no\">");
		staff_esc(c, reg_no);
		staff_markup(c, r->director_named ? "</a> <span class=\"tag\">&#9888;</span>"
						  : "</a>");
		board_unread_badge(c, unread);
		staff_html(c, "</td><td><time datetime=\"%s\">", r->registered);
		staff_date(c, r->registered);
		staff_html(c, "</time></td><td>");
		staff_text(c, casefile_state_text(state));
		staff_html(c, "</td><td>");
		staff_text(c, casefile_channel_text(r->channel));
		staff_html(c, "</td><td>");
		staff_text(c, casefile_category_text(r->category));
		staff_html(c, "</td></tr>\n");
	}
	staff_html(c, "</tbody></table></div>\n");
}

static void archive_render(struct staff_ctx *c, const struct archive_view *v)
{
	const struct filters *f = &v->f;
	staff_page_begin(c, i18n(c->lang, M_ARCH_TITLE));
	casepage_stylesheet(c);
	staff_html(c, "<h1>");
	staff_text(c, M_ARCH_TITLE);
	staff_html(c, "</h1>\n<p class=\"hint\">");
	staff_text(c, M_ARCH_INTRO);
	staff_html(c, "</p>\n");
	if (f->bad_date || f->bad_reg_no) {
		staff_html(c, "<p class=\"error\" id=\"archive-error\" role=\"alert\">");
		staff_text(c, f->bad_reg_no ? M_ARCH_BAD_REG_NO : M_ARCH_BAD_DATE);
		staff_html(c, "</p>\n");
	}
	put_form(c, f);
	if (v->n == 0) {
		staff_html(c, "<p id=\"archive-none\">");
		staff_text(c, M_ARCH_NONE);
		staff_html(c, "</p>\n");
	} else {
		put_rows(c, v);
	}
	staff_html(c, "<nav class=\"pages\" id=\"archive-pages\">");
	if (f->after) {
		staff_html(c, "<a id=\"archive-first\" href=\"/staff/archive\">");
		staff_text(c, M_ARCH_FIRST);
		staff_html(c, "</a> ");
	}
	if (v->more)
		put_next_link(c, f, v->rows[v->n - 1].reg_no);
	staff_html(c, "</nav>\n<p class=\"hint\">&#9888; ");
	staff_text(c, M_BOARD_DIRECTOR_NAMED_HINT);
	staff_html(c, "</p>\n");
	staff_page_end(c);
}

static void archive(struct staff_ctx *c)
{
	struct archive_view v;
	if (archive_load(c, &v))
		archive_render(c, &v);
	else
		casefile_db_error(c);
	archive_view_free(&v);
}

const struct staff_route staff_archive_routes[] = {
    {"GET", "/staff/archive",
     ROLE_BIT(ROLE_COMPLIANCE) | ROLE_BIT(ROLE_DIRECTOR) | ROLE_BIT(ROLE_ALTERNATE), archive,
     "archive"},
    {NULL, NULL, 0, NULL, NULL},
};

const struct staff_menu staff_archive_menu[] = {
    {"/staff/archive", M_ARCH_TITLE},
    {NULL, 0},
};
