/* The trust-line operator's console: see operator.h. */
#include "desk/operator.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "base/db.h"
#include "base/log.h"
#include "intake/choices.h"
#include "base/html.h"
#include "intake/sealing.h"
#include "desk/desk.h"
#include "workflow/wfdb.h"
#include "desk/dictate.h"
#include "desk/line.h"
#include "base/schema.h"

static const char sql_my_calls[] =
    "SELECT j.reg_no, to_char(j.registered_at AT TIME ZONE " SQL_ZONE ", 'HH24:MI') AS at "
    "FROM hotline.staff_intake s JOIN hotline.cases c ON c.id = s.case_id "
    "JOIN hotline.journal j ON j.id = c.journal_id "
    "WHERE s.staff_id = $1 AND s.kind = 'call' "
    "AND j.registered_at >= (date_trunc('day', now() AT TIME ZONE " SQL_ZONE ") "
    "AT TIME ZONE " SQL_ZONE ") ORDER BY j.id DESC";

#define NSTEPS 5
static const enum msg step_titles[NSTEPS] = {M_CALL_STEP1_TITLE, M_CALL_STEP2_TITLE,
					     M_CALL_STEP3_TITLE, M_CALL_STEP4_TITLE,
					     M_CALL_STEP5_TITLE};
static const enum msg step_says[NSTEPS] = {M_CALL_STEP1_SAY, M_CALL_STEP2_SAY, M_CALL_STEP3_SAY,
					   M_CALL_STEP4_SAY, M_CALL_STEP5_SAY};

static const char *const identity_fields[] = {"name", "organisation", "address", "phone"};
static const char *const content_fields[] = {"what", "when_where", "who"};

/* The line now; false when the calendar is unreadable. */
static bool line_load(struct staff_ctx *c, struct line_state *out)
{
	struct calendar *cal = wfdb_calendar(c->db, NULL);
	if (!cal)
		return false;
	*out = line_state_at(cal, staff_now(c));
	calendar_free(cal);
	return true;
}

/* The line now; false (and an error page) when the calendar is unreadable. */
static bool line_now(struct staff_ctx *c, struct line_state *out)
{
	if (line_load(c, out))
		return true;
	staff_error(c, 503, M_DESK_DB_TITLE, M_DESK_DB);
	return false;
}

/* The console's page shell with its title as the heading. */
static void page_begin(struct staff_ctx *c, enum msg title)
{
	desk_page_begin(c, i18n(c->lang, title));
	html_markup(&c->body, "<h1>");
	html_escape_str(&c->body, i18n(c->lang, title));
	html_markup(&c->body, "</h1>\n");
}

/* --- GET /staff/calls --- */

/* A call the operator took today. */
struct call_row {
	const char *reg_no, *at; /* point into the view's result */
};

/* The line and today's calls. The view owns res; the rows point into it. */
struct calls_view {
	struct line_state line;
	PGresult *res;
	struct call_row *rows;
	int n;
};

static void calls_view_free(struct calls_view *v)
{
	free(v->rows);
	PQclear(v->res);
}

/* False on a database error or out of memory; free v either way. */
static bool calls_load(struct staff_ctx *c, struct calls_view *v)
{
	*v = (struct calls_view){0};
	if (!line_load(c, &v->line))
		return false;
	char uid[32];
	snprintf(uid, sizeof(uid), "%lld", c->user->id);
	const char *values[1] = {uid};
	v->res = PQexecParams(c->db, sql_my_calls, 1, NULL, values, NULL, NULL, 0);
	if (!v->res || PQresultStatus(v->res) != PGRES_TUPLES_OK)
		return false;
	v->n = PQntuples(v->res);
	if (!(v->rows = calloc(v->n ? (size_t)v->n : 1, sizeof(*v->rows))))
		return false;
	int col_reg_no = db_col(v->res, "reg_no"), col_at = db_col(v->res, "at");
	for (int i = 0; i < v->n; i++)
		v->rows[i] = (struct call_row){PQgetvalue(v->res, i, col_reg_no),
					       PQgetvalue(v->res, i, col_at)};
	return true;
}

static void calls_render(struct staff_ctx *c, const struct calls_view *v)
{
	struct buf *b = &c->body;
	enum lang lang = c->lang;
	page_begin(c, M_CALLS_TITLE);
	line_status_html(b, &v->line, lang);
	html_markup(b, "<p><a class=\"button\" id=\"new-call\" href=\"/staff/calls/new\">");
	html_escape_str(b, i18n(lang, M_CALLS_NEW));
	html_markup(b, "</a></p>\n<h2>");
	html_escape_str(b, i18n(lang, M_CALLS_TODAY));
	html_markup(b, "</h2>\n");
	if (v->n == 0) {
		html_markup(b, "<p id=\"no-calls\">");
		html_escape_str(b, i18n(lang, M_CALLS_NONE));
		html_markup(b, "</p>\n");
	} else {
		html_markup(b, "<table id=\"my-calls\">\n<thead><tr><th>");
		html_escape_str(b, i18n(lang, M_RECEIPT_REGNO));
		html_markup(b, "</th><th>");
		html_escape_str(b, i18n(lang, M_CALLS_TIME));
		/* the times are Astana's (SQL_ZONE): said once, in the heading */
		html_markup(b, " (");
		html_escape_str(b, i18n(lang, M_TIME_ZONE));
		html_markup(b, ")</th></tr></thead>\n<tbody>\n");
		for (int i = 0; i < v->n; i++) {
			html_markup(b, "<tr><td class=\"reg-no\">");
			html_escape_str(b, v->rows[i].reg_no);
			html_markup(b, "</td><td>");
			html_escape_str(b, v->rows[i].at);
			html_markup(b, "</td></tr>\n");
		}
		html_markup(b, "</tbody>\n</table>\n");
	}
	html_markup(b, "<p class=\"hint\">");
	html_escape_str(b, i18n(lang, M_CALLS_NEED_TO_KNOW));
	html_markup(b, "</p>\n");
	staff_page_end(c);
}

static void calls_page(struct staff_ctx *c)
{
	struct calls_view v;
	if (calls_load(c, &v))
		calls_render(c, &v);
	else
		staff_error(c, 503, M_DESK_DB_TITLE, M_DESK_DB);
	calls_view_free(&v);
}

/* --- the call form --- */

struct call_errors {
	bool any;
	bool steps[NSTEPS]; /* true: not ticked */
	bool what, category, reason;
	bool ask, named_empty; /* intake/choices.h */
	enum msg banner;       /* 0: the usual summary */
	bool has_banner;
};

static bool step_done(const struct staff_ctx *c, int i)
{
	char name[16];
	snprintf(name, sizeof(name), "step%d", i + 1);
	return strcmp(staff_arg(c, name), "done") == 0;
}

static void put_step(struct staff_ctx *c, int i, const struct call_errors *e)
{
	struct buf *b = &c->body;
	enum lang lang = c->lang;
	html_f(b, "<li class=\"step%s\" id=\"step-%d\">\n<h2>", e && e->steps[i] ? " missing" : "",
	       i + 1);
	html_escape_str(b, i18n(lang, step_titles[i]));
	html_markup(b, "</h2>\n<p class=\"say\"><span class=\"say-label\">");
	html_escape_str(b, i18n(lang, M_CALL_SAY));
	html_markup(b, "</span> ");
	if (i == 0) {
		char line[512];
		const char *name = c->user->name[0] ? c->user->name : c->user->login;
		snprintf(line, sizeof(line), i18n(lang, M_CALL_STEP1_SAY), name,
			 i18n(lang, M_CALL_POSITION));
		html_escape_str(b, line);
	} else {
		html_escape_str(b, i18n(lang, step_says[i]));
	}
	html_markup(b, "</p>\n");
	if (i == 2) {
		desk_identity_choice(b, c, e && e->ask, e && e->named_empty);
		desk_input(b, c, "name", M_FORM_NAME, "text", false);
		desk_input(b, c, "organisation", M_CALL_ORGANISATION, "text", false);
		desk_textarea(b, c, "address", M_FORM_ADDRESS, false, 2);
		desk_input(b, c, "phone", M_FORM_PHONE, "tel", false);
	} else if (i == 3) {
		desk_textarea(b, c, "what", M_CALL_SUBSTANCE, true, 8);
		if (e && e->what)
			desk_error(b, lang, "what", M_ERR_WHAT_MISSING);
		desk_textarea(b, c, "when_where", M_FORM_WHEN_WHERE, false, 2);
		desk_textarea(b, c, "who", M_FORM_WHO, false, 2);
		desk_routing(b, c, e && e->category);
	}
	html_f(b,
	       "<label class=\"choice done\"><input type=\"checkbox\" name=\"step%d\" "
	       "value=\"done\"%s> ",
	       i + 1, step_done(c, i) ? " checked" : "");
	html_escape_str(b, i18n(lang, M_CALL_STEP_DONE));
	html_markup(b, "</label>\n</li>\n");
}

static void call_form_page(struct staff_ctx *c, unsigned status, const struct line_state *line,
			   const struct call_errors *e)
{
	struct buf *b = &c->body;
	enum lang lang = c->lang;
	c->status = status;
	page_begin(c, M_CALLS_NEW);
	line_status_html(b, line, lang);
	if (e && e->any) {
		html_markup(b, "<div id=\"errors\" role=\"alert\">\n<p>");
		html_escape_str(b, i18n(lang, e->has_banner ? e->banner
					      : e->ask	    ? M_DESK_ERR_ASK
							    : M_CALL_ERR_SUMMARY));
		html_markup(b, "</p>\n");
		bool steps = false;
		for (int i = 0; i < NSTEPS; i++)
			steps = steps || e->steps[i];
		if (steps) {
			html_markup(b, "<p id=\"error-steps\">");
			html_escape_str(b, i18n(lang, M_CALL_ERR_STEPS));
			html_markup(b, "</p>\n<ul>\n");
			for (int i = 0; i < NSTEPS; i++) {
				if (!e->steps[i])
					continue;
				html_f(b, "<li><a href=\"#step-%d\">", i + 1);
				html_escape_str(b, i18n(lang, step_titles[i]));
				html_markup(b, "</a></li>\n");
			}
			html_markup(b, "</ul>\n");
		}
		html_markup(b, "</div>\n");
	}
	html_markup(b, "<p>");
	html_escape_str(b, i18n(lang, M_CALL_INTRO));
	html_markup(b, "</p>\n");
	staff_form_open(c, "/staff/calls/new", false);
	html_markup(b, "\n<ol class=\"steps\">\n");
	for (int i = 0; i < NSTEPS; i++)
		put_step(c, i, e);
	html_markup(b, "</ol>\n");
	if (!line->open) {
		html_markup(b, "<fieldset id=\"outside-hours\"><p>");
		html_escape_str(b, i18n(lang, M_CALL_OUTSIDE_NOTE));
		html_markup(b, "</p>\n");
		desk_textarea(b, c, "outside_reason", M_LINE_OUTSIDE_REASON, true, 2);
		if (e && e->reason)
			desk_error(b, lang, "outside_reason", M_CALL_ERR_REASON);
		html_markup(b, "</fieldset>\n");
	}
	html_markup(b, "<p><button type=\"submit\" id=\"save-call\">");
	html_escape_str(b, i18n(lang, M_CALL_SAVE));
	html_markup(b, "</button></p>\n</form>\n");
	staff_page_end(c);
}

static void call_form(struct staff_ctx *c)
{
	struct line_state line;
	if (line_now(c, &line))
		call_form_page(c, 200, &line, NULL);
}

/* --- POST /staff/calls/new --- */

static void call_saved_page(struct staff_ctx *c, const char *receipt, const struct appeal_result *r)
{
	struct buf *b = &c->body;
	enum lang lang = c->lang;
	page_begin(c, M_CALL_SAVED_TITLE);
	html_markup(b, "<dl class=\"facts\">\n");
	desk_registered(b, lang, r);
	html_markup(b, "</dl>\n<section class=\"dictate\" aria-labelledby=\"code-title\">\n"
		       "<h2 id=\"code-title\">");
	html_escape_str(b, i18n(lang, M_CALL_CODE_FOR_CALLER));
	html_markup(b, "</h2>\n<p class=\"notice\" id=\"read-receipt\">");
	html_escape_str(b, i18n(lang, M_CALL_READ_RECEIPT));
	html_markup(b, "</p>\n");
	dictate_receipt_html(b, receipt, lang);
	char hint[1024], where[512];
	config_public_link(c->cfg, "status", where, sizeof(where));
	snprintf(hint, sizeof(hint), i18n(lang, M_CALL_STATUS_HINT), where);
	html_markup(b, "<p>");
	html_escape_str(b, hint);
	html_markup(b, "</p>\n</section>\n<p class=\"actions\"><a class=\"button\" "
		       "href=\"/staff/calls/new\">");
	html_escape_str(b, i18n(lang, M_CALL_ANOTHER));
	html_markup(b, "</a> <a href=\"/staff/calls\">");
	html_escape_str(b, i18n(lang, M_CALL_BACK));
	html_markup(b, "</a></p>\n");
	staff_page_end(c);
}

static bool check_call(struct staff_ctx *c, const struct line_state *line)
{
	struct call_errors e;
	memset(&e, 0, sizeof(e));
	for (int i = 0; i < NSTEPS; i++) {
		e.steps[i] = !step_done(c, i);
		e.any = e.any || e.steps[i];
	}
	e.what = desk_blank(staff_arg(c, "what"));
	e.category = !choices_category(staff_arg(c, "category"));
	e.reason = !line->open && desk_blank(staff_arg(c, "outside_reason"));
	enum choices_identity who = desk_identity(c, identity_fields, 4);
	e.ask = who == CHOICES_ASK;
	e.named_empty = who == CHOICES_NAMED_EMPTY;
	e.any = e.any || e.what || e.category || e.reason || e.ask || e.named_empty;
	if (!e.any)
		return true;
	log_info("staff: call refused, form incomplete (what:%d category:%d reason:%d ask:%d "
		 "named_empty:%d)",
		 e.what, e.category, e.reason, e.ask, e.named_empty);
	call_form_page(c, 400, line, &e);
	return false;
}

static struct appeal *build_call(struct staff_ctx *c, const struct line_state *line,
				 const char *receipt)
{
	json_t *content = desk_fields(c, content_fields, 3, false);
	/* the caller chose to stay anonymous: what was typed is dropped */
	json_t *identity = desk_identity(c, identity_fields, 4) == CHOICES_NAMED
			       ? desk_fields(c, identity_fields, 4, true)
			       : NULL;
	struct appeal *a = NULL;
	if (!content)
		goto done;
	if (!line->open &&
	    json_object_set_new(content, "outside_hours_reason",
				json_stringn(staff_arg(c, "outside_reason"),
					     staff_arg_len(c, "outside_reason"))) != 0)
		goto done;
	struct sealing_parts parts = desk_sealing_parts(c, "phone", receipt);
	parts.content = content;
	parts.identity = identity;
	a = sealing_build(c->keys, &parts);
done:
	json_decref(content);
	json_decref(identity);
	return a;
}

static void call_save(struct staff_ctx *c)
{
	struct line_state line;
	if (!line_now(c, &line) || !check_call(c, &line))
		return;
	char receipt[RECEIPT_DIGITS + 1];
	receipt_generate(receipt);
	struct appeal *a = build_call(c, &line, receipt);
	if (!a)
		log_error("staff: sealing a call failed");
	struct desk_taken taken = {
	    .c = c,
	    .kind = "call",
	    .received_on = NULL,
	    .outside_hours = !line.open,
	    .audit_action = "call.register",
	};
	struct appeal_result r;
	unsigned status = desk_register(&taken, a, &r);
	if (status == 200) {
		call_saved_page(c, receipt, &r);
	} else {
		struct call_errors e = {.any = true,
					.has_banner = true,
					.banner =
					    r.unknown ? M_CALL_UNCONFIRMED : M_CALL_NOT_SAVED};
		call_form_page(c, status, &line, &e);
	}
	explicit_bzero(receipt, sizeof(receipt));
}

const struct staff_route operator_routes[] = {
    {"GET", "/staff/calls", ROLE_BIT(ROLE_OPERATOR), calls_page, "calls.list"},
    {"GET", "/staff/calls/new", ROLE_BIT(ROLE_OPERATOR), call_form, "calls.new"},
    {"POST", "/staff/calls/new", ROLE_BIT(ROLE_OPERATOR), call_save, "calls.save"},
    {NULL, NULL, 0, NULL, NULL},
};

const struct staff_menu operator_menu[] = {
    {"/staff/calls", M_CALLS_TITLE},
    {NULL, 0},
};
