/* The compliance manager's board (/staff/board): every open case by state,
 * its next due date and the working days left, overdue ones on top,
 * filtered by channel, category and state with a plain GET form. No
 * content: only what the journal and the procedure know. */
#include "staff/board.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/db.h"
#include "staff/casefile.h"
#include "staff/casepage.h"
#include "workflow/calendar.h"
#include "workflow/wfdb.h"
#include "base/schema.h"

/* The next open due date of each open case: its earliest open deadline
 * (from registration on, every appeal has one: its triage deadline, due
 * on the director's day, 004 p.10.6), and when the director was informed
 * (hotline.director_informed_at, the one definition). Overdue first, then
 * by date. A finished case with a reporter's message nobody has opened yet
 * stays on the board until someone opens it. */
static const char sql_board[] =
    "SELECT j.reg_no, to_char(j.registered_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD') "
    "AS registered, j.channel, c.category, c.state, c.director_named, "
    "coalesce(to_char(d.due_date, 'YYYY-MM-DD'), '') AS due, coalesce(d.kind, '') AS due_kind, "
    "(c.overdue OR coalesce(d.due_date < $1::date, false)) AS late, "
    "coalesce(to_char(hotline.director_informed_at(c) AT TIME ZONE " SQL_ZONE ", "
    "'YYYY-MM-DD'), '') AS informed, "
    "hotline.case_unread_messages(c.id, c.messages_read_upto) AS unread "
    "FROM hotline.cases c JOIN hotline.journal j ON j.id = c.journal_id "
    "LEFT JOIN LATERAL (SELECT dd.due_date, dd.kind FROM hotline.deadlines dd "
    "  WHERE dd.case_id = c.id AND dd.met_at IS NULL ORDER BY dd.due_date LIMIT 1) d ON true "
    "WHERE (c.state NOT IN ('closed', 'referred', 'not_considered') "
    "OR c.last_reporter_message > c.messages_read_upto) "
    "AND ($2 = '' OR j.channel = $2) AND ($3 = '' OR c.category = $3) "
    "AND ($4 = '' OR c.state = $4) "
    "ORDER BY late DESC, d.due_date NULLS LAST, j.id";

static const char *const channels[] = {"web", "email", "phone", "written", "in_person"};
static const char *const categories[] = {"corruption", "conflict_of_interest", "gift",
					 "unlawful_order", "other"};
static const char *const states[] = {"registered", "to_director", "acknowledged",
				     "urgent",	   "forwarded",	  "investigation"};
#define COUNT(a) (sizeof(a) / sizeof(a[0]))

/* The filter's value when it is one of the known ones, else "". */
static const char *known(const char *value, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(value, list[i]) == 0)
			return list[i];
	}
	return "";
}

void board_filter_select(struct staff_ctx *c, const char *id_prefix, const char *name,
			 enum msg label, const char *chosen, const char *const *list, size_t n,
			 enum msg (*text)(const char *))
{
	staff_html(c, "<label for=\"%s-%s\">", id_prefix, name);
	staff_text(c, label);
	staff_html(c, "</label>\n<select id=\"%s-%s\" name=\"%s\"><option value=\"\">", id_prefix,
		   name, name);
	staff_text(c, M_BOARD_ALL);
	staff_html(c, "</option>");
	for (size_t i = 0; i < n; i++) {
		staff_html(c, "<option value=\"%s\"%s>", list[i],
			   chosen && strcmp(chosen, list[i]) == 0 ? " selected" : "");
		staff_text(c, text(list[i]));
		staff_html(c, "</option>");
	}
	staff_html(c, "</select>");
}

static void filter_select(struct staff_ctx *c, const char *name, enum msg label, const char *chosen,
			  const char *const *list, size_t n, enum msg (*text)(const char *))
{
	board_filter_select(c, "f", name, label, chosen, list, n, text);
	staff_html(c, "\n");
}

void board_unread_badge(struct staff_ctx *c, int unread)
{
	if (unread <= 0)
		return;
	char text[64];
	snprintf(text, sizeof(text), i18n(c->lang, M_CASE_UNREAD_BADGE), unread);
	staff_html(c, " <span class=\"badge unread\">");
	staff_esc(c, text);
	staff_html(c, "</span>");
}

/* A case on the board. The strings point into the result of the view
 * that holds the row. */
struct board_row {
	const char *reg_no, *registered, *channel, *category, *state;
	const char *due, *due_kind; /* "" when no deadline is open */
	const char *informed;	    /* when the director was informed, "" if not */
	bool late, director_named;
	int unread;
	int left; /* working days to due (when due is set) */
};

/* The board: its filters and cases. The view owns res; the rows and the
 * filters point into it or into static lists. */
struct board_view {
	const char *channel, *category, *state; /* "" for all */
	PGresult *res;
	struct board_row *rows;
	int n;
};

static void board_view_free(struct board_view *v)
{
	free(v->rows);
	PQclear(v->res);
}

static void board_rows(struct board_view *v, const struct calendar *cal, const char *today)
{
	const PGresult *res = v->res;
	int col_reg_no = db_col(res, "reg_no"), col_registered = db_col(res, "registered"),
	    col_channel = db_col(res, "channel"), col_category = db_col(res, "category"),
	    col_state = db_col(res, "state"), col_named = db_col(res, "director_named"),
	    col_due = db_col(res, "due"), col_kind = db_col(res, "due_kind"),
	    col_late = db_col(res, "late"), col_informed = db_col(res, "informed"),
	    col_unread = db_col(res, "unread");
	for (int i = 0; i < v->n; i++) {
		struct board_row *r = &v->rows[i];
		r->reg_no = PQgetvalue(res, i, col_reg_no);
		r->registered = PQgetvalue(res, i, col_registered);
		r->channel = PQgetvalue(res, i, col_channel);
		r->category = PQgetvalue(res, i, col_category);
		r->state = PQgetvalue(res, i, col_state);
		r->due = PQgetvalue(res, i, col_due);
		r->due_kind = PQgetvalue(res, i, col_kind);
		r->informed = PQgetvalue(res, i, col_informed);
		r->late = strcmp(PQgetvalue(res, i, col_late), "t") == 0;
		r->director_named = strcmp(PQgetvalue(res, i, col_named), "t") == 0;
		r->unread = atoi(PQgetvalue(res, i, col_unread));
		r->left = *r->due ? casefile_days_left(cal, today, r->due) : 0;
	}
}

/* False on a database error or out of memory; free v either way. */
static bool board_load(struct staff_ctx *c, struct board_view *v)
{
	*v = (struct board_view){
	    .channel = known(staff_arg(c, "channel"), channels, COUNT(channels)),
	    .category = known(staff_arg(c, "category"), categories, COUNT(categories)),
	    .state = known(staff_arg(c, "state"), states, COUNT(states)),
	};
	char today[11];
	casefile_today(c, today);
	struct calendar *cal = wfdb_calendar(c->db, NULL);
	const char *p[4] = {today, v->channel, v->category, v->state};
	v->res = cal ? casefile_query(c, sql_board, 4, p) : NULL;
	bool ok = v->res != NULL;
	if (ok) {
		v->n = PQntuples(v->res);
		ok = (v->rows = calloc(v->n ? (size_t)v->n : 1, sizeof(*v->rows))) != NULL;
	}
	if (ok)
		board_rows(v, cal, today);
	calendar_free(cal);
	return ok;
}

static void board_render_row(struct staff_ctx *c, const struct board_row *r)
{
	const char *reg_no = r->reg_no, *due = r->due;
	bool late = r->late;
	staff_html(c, "<tr class=\"case-row%s\" data-state=\"%s\"><td><a href=\"/staff/case/",
		   late ? " overdue" : "", known(r->state, states, COUNT(states)));
	staff_esc(c, reg_no);
	staff_html(c, "\" class=\"reg-no\">");
	staff_esc(c, reg_no);
	staff_markup(c, r->director_named ? "</a> <span class=\"tag\">&#9888;</span>" : "</a>");
	board_unread_badge(c, r->unread);
	staff_html(c, "</td><td>");
	staff_text(c, casefile_state_text(r->state));
	if (*r->informed) {
		char informed[128];
		snprintf(informed, sizeof(informed), i18n(c->lang, M_BOARD_INFORMED), r->informed);
		staff_html(c, "<br><small class=\"informed\">");
		staff_esc(c, informed);
		staff_html(c, "</small>");
	}
	staff_html(c, "</td><td>");
	if (*due) {
		staff_html(c, "<time>");
		staff_esc(c, due);
		staff_html(c, "</time><br><small>");
		staff_text(c, casefile_deadline_text(r->due_kind));
		staff_html(c, "</small>");
	}
	staff_html(c, "</td><td class=\"days-left\">");
	if (*due) {
		int left = r->left;
		char text[128];
		if (late || left < 0)
			snprintf(text, sizeof(text), i18n(c->lang, M_CASE_OVERDUE_BY),
				 left < 0 ? -left : 0);
		else
			snprintf(text, sizeof(text), i18n(c->lang, M_CASE_WORKING_DAYS_LEFT), left);
		staff_html(c, "<span class=\"%s\">", late ? "late" : "left");
		staff_esc(c, text);
		staff_html(c, "</span>");
	}
	staff_html(c, "</td><td>");
	staff_text(c, casefile_channel_text(r->channel));
	staff_html(c, "</td><td>");
	staff_text(c, casefile_category_text(r->category));
	staff_html(c, "</td><td>");
	staff_esc(c, r->registered);
	staff_html(c, "</td></tr>\n");
}

static void board_render(struct staff_ctx *c, const struct board_view *v)
{
	staff_page_begin(c, i18n(c->lang, M_BOARD_TITLE));
	casepage_stylesheet(c);
	staff_html(c, "<h1>");
	staff_text(c, M_BOARD_TITLE);
	staff_html(c, "</h1>\n<form id=\"board-filter\" class=\"filters\" method=\"get\" "
		      "action=\"/staff/board\">\n");
	filter_select(c, "channel", M_BOARD_CHANNEL, v->channel, channels, COUNT(channels),
		      casefile_channel_text);
	filter_select(c, "category", M_BOARD_CATEGORY, v->category, categories, COUNT(categories),
		      casefile_category_text);
	filter_select(c, "state", M_BOARD_STATE, v->state, states, COUNT(states),
		      casefile_state_text);
	staff_html(c, "<button type=\"submit\">");
	staff_text(c, M_BOARD_FILTER);
	staff_html(c, "</button> <a href=\"/staff/board\">");
	staff_text(c, M_BOARD_CLEAR);
	staff_html(c, "</a>\n</form>\n");
	int n = v->n;
	staff_html(c, "<p id=\"board-count\">");
	char count[128];
	snprintf(count, sizeof(count), i18n(c->lang, M_BOARD_COUNT), n);
	staff_esc(c, count);
	staff_html(c, "</p>\n");
	if (n > 0) {
		staff_html(c, "<div class=\"table-wrap\"><table id=\"board\">\n<thead><tr><th>");
		staff_text(c, M_CASE_REG_NO);
		staff_html(c, "</th><th>");
		staff_text(c, M_BOARD_STATE);
		staff_html(c, "</th><th>");
		staff_text(c, M_CASE_DUE);
		staff_html(c, "</th><th>");
		staff_text(c, M_CASE_DAYS_LEFT);
		staff_html(c, "</th><th>");
		staff_text(c, M_BOARD_CHANNEL);
		staff_html(c, "</th><th>");
		staff_text(c, M_BOARD_CATEGORY);
		staff_html(c, "</th><th>");
		staff_text(c, M_CASE_REGISTERED);
		staff_html(c, "</th></tr></thead>\n<tbody>\n");
	}
	for (int i = 0; i < n; i++)
		board_render_row(c, &v->rows[i]);
	if (n > 0)
		staff_html(c, "</tbody></table></div>\n");
	staff_html(c, "<p class=\"hint\">&#9888; ");
	staff_text(c, M_BOARD_DIRECTOR_NAMED_HINT);
	staff_html(c, "</p>\n");
	staff_page_end(c);
}

static void board(struct staff_ctx *c)
{
	struct board_view v;
	if (board_load(c, &v))
		board_render(c, &v);
	else
		casefile_db_error(c);
	board_view_free(&v);
}

const struct staff_route staff_board_routes[] = {
    {"GET", "/staff/board", ROLE_BIT(ROLE_COMPLIANCE), board, "board"},
    {NULL, NULL, 0, NULL, NULL},
};

const struct staff_menu staff_board_menu[] = {
    {"/staff/board", M_BOARD_TITLE},
    {NULL, 0},
};
