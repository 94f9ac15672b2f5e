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
#include "staff/pager.h"
#include "workflow/calendar.h"
#include "workflow/wfdb.h"
#include "base/schema.h"

/* The board shows every open case by its next open due date: its earliest
 * open deadline (from registration on, every appeal has one: its triage
 * deadline, due on the director's day, 004 p.10.6); overdue ones come
 * first because their dates are the earliest. A finished case with a
 * reporter's message nobody has opened yet stays on the board until
 * someone opens it; the cases with no open deadline come last, by case
 * id. 50 a page by keyset: (due date, deadline id), then ("none", case
 * id). An absent filter is a NULL parameter: the statements are planned
 * with their values (unnamed), so each "IS NULL OR" folds away, and a
 * state filter (only open states are offered) makes BOARD_OPEN true.
 *
 * Two ways to the same page, chosen by how many cases the filters match
 * (counted first, capped, through the cases' indexes): over
 * PAGER_COUNT_CAP, the page walks the open deadlines in the order of
 * their index (migrations/0029) until it has 51 of them, which the
 * matching cases' density keeps short; up to that, it reads the matching
 * cases with their earliest deadline and sorts them, which a walk would
 * not (a filter matching few cases would walk every open deadline). */
#define BOARD_OPEN(st)                                                                             \
	"(" st "::text IS NOT NULL OR c.state NOT IN ('closed', 'referred', 'not_considered') "    \
	"OR c.last_reporter_message > c.messages_read_upto) "
#define BOARD_FILTERS(ch, cat, st)                                                                 \
	"AND (" ch "::text IS NULL OR c.channel = " ch ") AND (" cat                               \
	"::text IS NULL OR c.category = " cat ") AND (" st "::text IS NULL OR c.state = " st ") "
/* the case's earliest open deadline is d (its key is the smallest) */
#define BOARD_EARLIEST                                                                             \
	"d.met_at IS NULL AND NOT EXISTS (SELECT 1 FROM hotline.deadlines e WHERE e.case_id = "    \
	"d.case_id AND e.met_at IS NULL AND (e.due_date, e.id) < (d.due_date, d.id)) "
#define BOARD_NO_DEADLINE                                                                          \
	"NOT EXISTS (SELECT 1 FROM hotline.deadlines e WHERE e.case_id = c.id AND e.met_at IS "    \
	"NULL) "
#define BOARD_COLUMNS                                                                              \
	"j.reg_no, to_char(j.registered_at AT TIME ZONE " SQL_ZONE                                 \
	", 'YYYY-MM-DD') AS registered, "                                                          \
	"c.channel, c.category, c.state, c.director_named, "                                       \
	"coalesce(to_char(hotline.director_informed_at(c) AT TIME ZONE " SQL_ZONE ", "             \
	"'YYYY-MM-DD'), '') AS informed, "                                                         \
	"hotline.case_unread_messages(c.id, c.messages_read_upto) AS unread, "
/* The walk, a stretch of the open deadlines at a time: where the next
 * WALK_STRETCH of them end ($1 today, $2 overdue only, $3-$4 the key
 * after which the stretch starts, $5 its length), then the page's rows
 * among them ($1 today, $2-$4 channel, category, state, $5 overdue only,
 * $6-$7 the key after which the page starts, $8-$9 the stretch's last
 * key, $10 how many rows). Each stretch costs what its length does, so a
 * filter whose cases are rare among the deadlines cannot make one page
 * walk them all. */
#define WALK_STRETCH "5000"
#define WALK_STRETCHES 4
static const char sql_walk_edge[] =
    "SELECT to_char(x.due_date, 'YYYY-MM-DD') AS due, x.id, x.n FROM (SELECT d.due_date, d.id, "
    "count(*) OVER () AS n, row_number() OVER (ORDER BY d.due_date DESC, d.id DESC) AS r "
    "FROM (SELECT d.due_date, d.id FROM hotline.deadlines d WHERE d.met_at IS NULL "
    "AND ($2::boolean IS NULL OR d.due_date < $1::date) "
    "AND ($3::date IS NULL OR (d.due_date, d.id) > ($3::date, $4::bigint)) "
    "ORDER BY d.due_date, d.id LIMIT $5) d) x WHERE x.r = 1";
static const char sql_walk_due[] =
    "SELECT " BOARD_COLUMNS "to_char(p.due_date, 'YYYY-MM-DD') AS due, p.kind AS due_kind, "
    "(c.overdue OR p.due_date < $1::date) AS late, p.id AS key_id "
    "FROM (SELECT d.id, d.due_date, d.kind, d.case_id FROM hotline.deadlines d "
    "JOIN hotline.cases c ON c.id = d.case_id WHERE " BOARD_EARLIEST "AND " BOARD_OPEN("$4")
	BOARD_FILTERS("$2", "$3",
		      "$4") "AND ($5::boolean IS NULL OR d.due_date < $1::date) "
			    "AND ($6::date IS NULL OR (d.due_date, d.id) > ($6::date, "
			    "$7::bigint)) AND (d.due_date, d.id) <= ($8::date, $9::bigint) "
			    "ORDER BY d.due_date, d.id LIMIT $10) p "
			    "JOIN hotline.cases c ON c.id = p.case_id "
			    "JOIN hotline.journal j ON j.id = c.journal_id "
			    "ORDER BY p.due_date, p.id";
/* The walk's second part. $1-$3 channel, category, state, $4 the case
 * after which the page starts, $5 how many rows. */
static const char sql_walk_none[] =
    "SELECT " BOARD_COLUMNS "'' AS due, '' AS due_kind, c.overdue AS late, c.id AS key_id "
    "FROM hotline.cases c JOIN hotline.journal j ON j.id = c.journal_id WHERE " BOARD_OPEN("$3")
	BOARD_FILTERS("$1", "$2", "$3") "AND " BOARD_NO_DEADLINE
					"AND ($4::bigint IS NULL OR c.id > $4::bigint) "
					"ORDER BY c.id LIMIT $5";
/* The matching cases sorted. $1-$5 as the walk's, $6-$7 the key after
 * which the page starts ($6 NULL on the first page), $8 true when that
 * key is a case's with no deadline ($7 its id), $9 how many rows. */
static const char sql_sorted[] =
    "SELECT " BOARD_COLUMNS "coalesce(to_char(p.due_date, 'YYYY-MM-DD'), '') AS due, "
    "coalesce(p.kind, '') AS due_kind, (c.overdue OR coalesce(p.due_date < $1::date, false)) "
    "AS late, coalesce(p.did, c.id) AS key_id "
    "FROM (SELECT c.id, d.id AS did, d.due_date, d.kind FROM hotline.cases c "
    "LEFT JOIN LATERAL (SELECT dd.id, dd.due_date, dd.kind FROM hotline.deadlines dd "
    "WHERE dd.case_id = c.id AND dd.met_at IS NULL ORDER BY dd.due_date, dd.id LIMIT 1) d ON true "
    "WHERE " BOARD_OPEN("$4") BOARD_FILTERS(
	"$2", "$3",
	"$4") "AND ($5::boolean IS NULL OR d.due_date < $1::date) "
	      "AND (CASE WHEN $8::boolean THEN d.id IS NULL AND c.id > $7::bigint "
	      "WHEN $6::date IS NULL THEN true "
	      "ELSE d.id IS NULL OR (d.due_date, d.id) > ($6::date, $7::bigint) END) "
	      "ORDER BY d.due_date NULLS LAST, d.id, c.id LIMIT $9) p "
	      "JOIN hotline.cases c ON c.id = p.id JOIN hotline.journal j ON j.id = c.journal_id "
	      "ORDER BY p.due_date NULLS LAST, p.did, c.id";
/* How many cases the filters match but the overdue one, stopped at $4.
 * $1-$3 channel, category, state. */
static const char sql_count_cases[] =
    "SELECT count(*) AS n FROM (SELECT 1 FROM hotline.cases c WHERE " BOARD_OPEN("$3")
	BOARD_FILTERS("$1", "$2", "$3") "LIMIT $4) x";
/* How many of them have a duty past due, stopped at $5: by the walk (a
 * range of the index) or by the cases. $1 today, $2-$4 the filters. */
static const char sql_count_late_walk[] =
    "SELECT count(*) AS n FROM (SELECT 1 FROM hotline.deadlines d "
    "JOIN hotline.cases c ON c.id = d.case_id WHERE " BOARD_EARLIEST "AND " BOARD_OPEN("$4")
	BOARD_FILTERS("$2", "$3", "$4") "AND d.due_date < $1::date LIMIT $5) x";
static const char sql_count_late_cases[] =
    "SELECT count(*) AS n FROM (SELECT 1 FROM hotline.cases c WHERE " BOARD_OPEN("$4")
	BOARD_FILTERS("$2", "$3", "$4") "AND EXISTS (SELECT 1 FROM hotline.deadlines d "
					"WHERE d.case_id = c.id AND d.met_at IS NULL "
					"AND d.due_date < $1::date) LIMIT $5) x";

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

void board_filter_input(struct staff_ctx *c, const char *id_prefix, const char *name,
			enum msg label, const char *type, const char *value,
			const char *extra_markup)
{
	staff_html(c, "<div><label for=\"%s-%s\">", id_prefix, name);
	staff_text(c, label);
	staff_html(c, "</label>\n<input type=\"%s\" id=\"%s-%s\" name=\"%s\" value=\"", type,
		   id_prefix, name, name);
	staff_esc(c, value ? value : "");
	staff_markup(c, "\"");
	staff_markup(c, extra_markup);
	staff_markup(c, "></div>\n");
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
	const char *key_id;	    /* the deadline's id, or the case's when due is "" */
	bool late, director_named;
	int unread;
	int left; /* working days to due (when due is set) */
};

/* One page of the board: its filters, where it starts, its rows and the
 * count. The view owns due and none (the two parts' rows); the rows and
 * the filters point into them, into the request or into static lists. */
struct board_view {
	const char *channel, *category, *state; /* "" for all */
	bool overdue;				/* only cases with a duty past due */
	const char *after_due, *after_id;	/* the key the page starts after, or "" */
	PGresult *due[WALK_STRETCHES];		/* the rows with a deadline, by stretch */
	PGresult *none;
	struct board_row *rows;
	int n;	    /* rows shown, at most PAGER_ROWS */
	bool more;  /* a page follows the last row */
	long count; /* the cases matching, over PAGER_COUNT_CAP when more */
};

static void board_view_free(struct board_view *v)
{
	free(v->rows);
	for (int i = 0; i < WALK_STRETCHES; i++)
		PQclear(v->due[i]);
	PQclear(v->none);
}

/* The rows of res from v->rows[at] on. */
static void board_rows(struct board_view *v, const PGresult *res, int at,
		       const struct calendar *cal, const char *today)
{
	int col_reg_no = db_col(res, "reg_no"), col_registered = db_col(res, "registered"),
	    col_channel = db_col(res, "channel"), col_category = db_col(res, "category"),
	    col_state = db_col(res, "state"), col_named = db_col(res, "director_named"),
	    col_due = db_col(res, "due"), col_kind = db_col(res, "due_kind"),
	    col_late = db_col(res, "late"), col_informed = db_col(res, "informed"),
	    col_unread = db_col(res, "unread"), col_key = db_col(res, "key_id");
	for (int i = 0; i < PQntuples(res) && at + i < v->n; i++) {
		struct board_row *r = &v->rows[at + i];
		r->reg_no = PQgetvalue(res, i, col_reg_no);
		r->registered = PQgetvalue(res, i, col_registered);
		r->channel = PQgetvalue(res, i, col_channel);
		r->category = PQgetvalue(res, i, col_category);
		r->state = PQgetvalue(res, i, col_state);
		r->due = PQgetvalue(res, i, col_due);
		r->due_kind = PQgetvalue(res, i, col_kind);
		r->informed = PQgetvalue(res, i, col_informed);
		r->key_id = PQgetvalue(res, i, col_key);
		r->late = strcmp(PQgetvalue(res, i, col_late), "t") == 0;
		r->director_named = strcmp(PQgetvalue(res, i, col_named), "t") == 0;
		r->unread = atoi(PQgetvalue(res, i, col_unread));
		r->left = *r->due ? casefile_days_left(cal, today, r->due) : 0;
	}
}

static const char *or_null(const char *s)
{
	return *s ? s : NULL;
}

/* A capped count: the first column of res's one row, -1 on an error. */
static long count_of(PGresult *res)
{
	long n = res && PQntuples(res) == 1 ? strtol(PQgetvalue(res, 0, db_col(res, "n")), NULL, 10)
					    : -1;
	PQclear(res);
	return n;
}

/* The page's rows by the walk: first the cases with an open deadline
 * after the key, a stretch at a time, then (when those end on this page)
 * the cases with none; the overdue filter leaves the second part out
 * (none of them has a duty past due). *walked is false when
 * WALK_STRETCHES stretches would not fill the page at the rate the first
 * ones found rows: the matching cases are rare among the deadlines, and
 * sorting them is the way then. */
static bool board_walk(struct staff_ctx *c, struct board_view *v, const char *today, bool *walked)
{
	const char *ch = or_null(v->channel), *cat = or_null(v->category), *st = or_null(v->state),
		   *late = v->overdue ? "true" : NULL;
	bool in_none = strcmp(v->after_due, "none") == 0, ended = in_none;
	char limit[16], key_due[11] = "", key_id[24] = "";
	if (!in_none && *v->after_due) {
		snprintf(key_due, sizeof(key_due), "%s", v->after_due);
		snprintf(key_id, sizeof(key_id), "%s", v->after_id);
	}
	int got = 0;
	*walked = true;
	for (int i = 0; !ended && got <= PAGER_ROWS; i++) {
		if (i == WALK_STRETCHES) {
			*walked = false;
			return true;
		}
		const char *e[5] = {today, late, *key_due ? key_due : NULL, *key_id ? key_id : NULL,
				    WALK_STRETCH};
		PGresult *edge = casefile_query(c, sql_walk_edge, 5, e);
		if (!edge)
			return false;
		if (PQntuples(edge) == 0) { /* no open deadline left */
			PQclear(edge);
			break;
		}
		char upto_due[11], upto_id[24];
		snprintf(upto_due, sizeof(upto_due), "%s",
			 PQgetvalue(edge, 0, db_col(edge, "due")));
		snprintf(upto_id, sizeof(upto_id), "%s", PQgetvalue(edge, 0, db_col(edge, "id")));
		ended = strtol(PQgetvalue(edge, 0, db_col(edge, "n")), NULL, 10) <
			strtol(WALK_STRETCH, NULL, 10);
		PQclear(edge);
		snprintf(limit, sizeof(limit), "%d", PAGER_ROWS + 1 - got);
		const char *p[10] = {today,
				     ch,
				     cat,
				     st,
				     late,
				     *key_due ? key_due : NULL,
				     *key_id ? key_id : NULL,
				     upto_due,
				     upto_id,
				     limit};
		if (!(v->due[i] = casefile_query(c, sql_walk_due, 10, p)))
			return false;
		got += PQntuples(v->due[i]);
		/* at this rate the stretches would not fill the page: sort now */
		if (!ended && got <= PAGER_ROWS && got * WALK_STRETCHES / (i + 1) <= PAGER_ROWS) {
			*walked = false;
			return true;
		}
		snprintf(key_due, sizeof(key_due), "%s", upto_due);
		snprintf(key_id, sizeof(key_id), "%s", upto_id);
	}
	if (got <= PAGER_ROWS && !v->overdue) {
		snprintf(limit, sizeof(limit), "%d", PAGER_ROWS + 1 - got);
		const char *p[5] = {ch, cat, st, in_none ? v->after_id : NULL, limit};
		if (!(v->none = casefile_query(c, sql_walk_none, 5, p)))
			return false;
		got += PQntuples(v->none);
	}
	v->more = got > PAGER_ROWS;
	v->n = v->more ? PAGER_ROWS : got;
	return true;
}

/* The page's rows by sorting the (at most PAGER_COUNT_CAP) matching
 * cases. */
static bool board_sorted(struct staff_ctx *c, struct board_view *v, const char *today)
{
	bool in_none = strcmp(v->after_due, "none") == 0;
	char limit[16];
	snprintf(limit, sizeof(limit), "%d", PAGER_ROWS + 1);
	const char *p[9] = {today,
			    or_null(v->channel),
			    or_null(v->category),
			    or_null(v->state),
			    v->overdue ? "true" : NULL,
			    in_none ? NULL : or_null(v->after_due),
			    *v->after_due ? v->after_id : NULL,
			    in_none ? "true" : "false",
			    limit};
	if (!(v->due[0] = casefile_query(c, sql_sorted, 9, p)))
		return false;
	int got = PQntuples(v->due[0]);
	v->more = got > PAGER_ROWS;
	v->n = v->more ? PAGER_ROWS : got;
	return true;
}

/* The count, then the page's rows the way the count chooses. False on a
 * database error. */
static bool board_query(struct staff_ctx *c, struct board_view *v, const char *today)
{
	const char *ch = or_null(v->channel), *cat = or_null(v->category), *st = or_null(v->state);
	char cap[16];
	snprintf(cap, sizeof(cap), "%d", PAGER_COUNT_CAP + 1);
	const char *p[4] = {ch, cat, st, cap};
	long cases = count_of(casefile_query(c, sql_count_cases, 4, p));
	if (cases < 0)
		return false;
	bool few = cases <= PAGER_COUNT_CAP;
	v->count = cases;
	if (v->overdue) {
		const char *q[5] = {today, ch, cat, st, cap};
		v->count = count_of(
		    casefile_query(c, few ? sql_count_late_cases : sql_count_late_walk, 5, q));
		if (v->count < 0)
			return false;
	}
	bool walked = false;
	if (!few && !board_walk(c, v, today, &walked))
		return false;
	if (walked)
		return true;
	/* the stretches' rows are not used: the page is sorted from its key */
	for (int i = 0; i < WALK_STRETCHES; i++) {
		PQclear(v->due[i]);
		v->due[i] = NULL;
	}
	PQclear(v->none);
	v->none = NULL;
	return board_sorted(c, v, today);
}

/* False on a database error or out of memory; free v either way. */
static bool board_load(struct staff_ctx *c, struct board_view *v)
{
	const char *after_due = staff_arg(c, "after_due"), *after_id = staff_arg(c, "after_id");
	bool keyed =
	    (pager_date_ok(after_due) || strcmp(after_due, "none") == 0) && pager_id_ok(after_id);
	*v = (struct board_view){
	    .channel = known(staff_arg(c, "channel"), channels, COUNT(channels)),
	    .category = known(staff_arg(c, "category"), categories, COUNT(categories)),
	    .state = known(staff_arg(c, "state"), states, COUNT(states)),
	    .overdue = strcmp(staff_arg(c, "overdue"), "1") == 0,
	    .after_due = keyed ? after_due : "",
	    .after_id = keyed ? after_id : "",
	};
	char today[11];
	casefile_today(c, today);
	struct calendar *cal = wfdb_calendar(c->db, NULL);
	bool ok = cal && board_query(c, v, today);
	if (ok)
		ok = (v->rows = calloc(v->n ? (size_t)v->n : 1, sizeof(*v->rows))) != NULL;
	if (ok) {
		int at = 0;
		for (int i = 0; i < WALK_STRETCHES; i++) {
			if (v->due[i]) {
				board_rows(v, v->due[i], at, cal, today);
				at += PQntuples(v->due[i]);
			}
		}
		if (v->none && at < v->n)
			board_rows(v, v->none, at, cal, today);
	}
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
		char informed[160], day[64];
		staff_date_str(c, r->informed, day, sizeof(day));
		snprintf(informed, sizeof(informed), i18n(c->lang, M_BOARD_INFORMED), day);
		staff_html(c, "<br><small class=\"informed\">");
		staff_esc(c, informed);
		staff_html(c, "</small>");
	}
	staff_html(c, "</td><td>");
	if (*due) {
		staff_html(c, "<time datetime=\"%s\">", due);
		staff_date(c, due);
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
	staff_html(c, "<time datetime=\"%s\">", r->registered);
	staff_date(c, r->registered);
	staff_html(c, "</time></td></tr>\n");
}

/* The first page's address with the filters, and the next page's after
 * the last row; every value is one of a fixed list, a checked date or
 * digits, so nothing needs URL encoding (pager_nav() escapes the &). */
static void put_pages(struct staff_ctx *c, const struct board_view *v)
{
	char first[256], next[384];
	snprintf(first, sizeof(first), "/staff/board?channel=%s&category=%s&state=%s&overdue=%s",
		 v->channel, v->category, v->state, v->overdue ? "1" : "");
	if (v->more) {
		const struct board_row *last = &v->rows[v->n - 1];
		snprintf(next, sizeof(next), "%s&after_due=%s&after_id=%s", first,
			 *last->due ? last->due : "none", last->key_id);
	}
	pager_nav(c, "board", *v->after_due ? first : NULL, v->more ? next : NULL);
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
	staff_html(c,
		   "<label for=\"f-overdue\"><input type=\"checkbox\" id=\"f-overdue\" "
		   "name=\"overdue\" value=\"1\"%s> ",
		   v->overdue ? " checked" : "");
	staff_text(c, M_BOARD_OVERDUE_ONLY);
	staff_html(c, "</label>\n<button type=\"submit\">");
	staff_text(c, M_BOARD_FILTER);
	staff_html(c, "</button> <a href=\"/staff/board\">");
	staff_text(c, M_BOARD_CLEAR);
	staff_html(c, "</a>\n</form>\n");
	int n = v->n;
	pager_count(c, "board-count", M_BOARD_COUNT, v->count);
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
	put_pages(c, v);
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
