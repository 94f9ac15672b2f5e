/* Shared by the call form and the registrar's form: see desk.h. */
#include "desk/desk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/db.h"
#include "base/config.h"
#include "base/log.h"
#include "intake/choices.h"
#include "base/html.h"

static const char sql_taken[] =
    "INSERT INTO hotline.staff_intake (case_id, staff_id, kind, received_on, outside_hours) "
    "VALUES ($1, $2, $3, $4::date, $5)";

bool desk_blank(const char *s)
{
	for (; s && *s; s++) {
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	}
	return true;
}

static void label(struct buf *b, enum lang lang, const char *name, enum msg text, bool required)
{
	html_f(b, "<label for=\"field-%s\">", name);
	html_escape_str(b, i18n(lang, text));
	if (required) {
		html_markup(b, " <span class=\"required\">(");
		html_escape_str(b, i18n(lang, M_FORM_REQUIRED));
		html_markup(b, ")</span>");
	}
	html_markup(b, "</label>\n");
}

void desk_input(struct buf *b, const struct staff_ctx *c, const char *name, enum msg text,
		const char *type, bool required)
{
	label(b, c->lang, name, text, required);
	html_f(b, "<input type=\"%s\" id=\"field-%s\" name=\"%s\" value=\"", type, name, name);
	html_escape(b, staff_arg(c, name), staff_arg_len(c, name));
	html_f(b, "\"%s>\n", required ? " required" : "");
}

void desk_textarea(struct buf *b, const struct staff_ctx *c, const char *name, enum msg text,
		   bool required, int rows)
{
	label(b, c->lang, name, text, required);
	html_f(b, "<textarea id=\"field-%s\" name=\"%s\" rows=\"%d\"%s>", name, name, rows,
	       required ? " required" : "");
	html_escape(b, staff_arg(c, name), staff_arg_len(c, name));
	html_markup(b, "</textarea>\n");
}

void desk_error(struct buf *b, enum lang lang, const char *field, enum msg text)
{
	html_f(b, "<p class=\"error\" id=\"error-%s\">", field);
	html_escape_str(b, i18n(lang, text));
	html_markup(b, "</p>\n");
}

/* The answers in the third person: the operator or the registrar fills
 * the form for the reporter ("The reporter was offered a gift", not "A
 * gift was offered to me"). */
static const enum msg desk_categories[CHOICES_CATEGORIES] = {
    M_DESK_CAT_CORRUPTION, M_DESK_CAT_CONFLICT, M_DESK_CAT_GIFT, M_DESK_CAT_UNLAWFUL_ORDER,
    M_DESK_CAT_OTHER};
static const enum msg desk_director[CHOICES_DIRECTOR] = {M_DESK_DIRECTOR_NO, M_DESK_DIRECTOR_YES,
							 M_DESK_DIRECTOR_UNKNOWN};

void desk_routing(struct buf *b, const struct staff_ctx *c, bool category_error)
{
	enum lang lang = c->lang;
	const char *cat = staff_arg(c, "category");
	label(b, lang, "category", M_DESK_CATEGORY, true);
	if (category_error)
		desk_error(b, lang, "category", M_ERR_CATEGORY_MISSING);
	html_markup(b, "<select id=\"field-category\" name=\"category\" required>\n");
	choices_category_options_labelled(b, lang, cat, desk_categories);
	html_markup(b, "</select>\n");

	const char *dir = choices_director(staff_arg(c, "director_involved"));
	if (!dir)
		dir = "unknown";
	html_markup(b, "<fieldset class=\"inner\"><legend>");
	html_escape_str(b, i18n(lang, M_DESK_DIRECTOR));
	html_markup(b, "</legend>\n");
	choices_director_radios_labelled(b, lang, dir, desk_director);
	html_markup(b, "</fieldset>\n");
}

enum choices_identity desk_identity(const struct staff_ctx *c, const char *const *contact,
				    unsigned n)
{
	bool any = false;
	for (unsigned i = 0; i < n; i++)
		any = any || !desk_blank(staff_arg(c, contact[i]));
	return choices_identity(staff_arg(c, "identity"), any);
}

void desk_identity_choice(struct buf *b, const struct staff_ctx *c, bool asking, bool named_empty)
{
	static const struct choices_identity_labels labels = {
	    .anonymous = M_DESK_ANONYMOUS,
	    .named = M_DESK_NAMED,
	    .ask_named = M_DESK_NAMED,
	    .ask_drop = M_DESK_ASK_DROP,
	};
	enum lang lang = c->lang;
	const char *checked = staff_arg(c, "identity");
	html_markup(b, "<fieldset class=\"inner\" id=\"identity\"><legend>");
	html_escape_str(b, i18n(lang, M_DESK_IDENTITY));
	html_markup(b, "</legend>\n");
	if (asking)
		desk_error(b, lang, "identity-ask", M_DESK_ASK);
	if (named_empty)
		desk_error(b, lang, "identity", M_DESK_ERR_NAMED_EMPTY);
	choices_identity_radios(b, lang, checked, asking || strcmp(checked, "anonymous_drop") == 0,
				&labels);
	html_markup(b, "</fieldset>\n<p class=\"hint\" id=\"contact-hint\">");
	html_escape_str(b, i18n(lang, M_DESK_CONTACT_HINT));
	html_markup(b, "</p>\n");
}

json_t *desk_fields(const struct staff_ctx *c, const char *const *names, unsigned n,
		    bool skip_blank)
{
	json_t *obj = json_object();
	unsigned kept = 0;
	for (unsigned i = 0; obj && i < n; i++) {
		const char *v = staff_arg(c, names[i]);
		if (skip_blank && desk_blank(v))
			continue;
		if (json_object_set_new(obj, names[i],
					json_stringn(v, staff_arg_len(c, names[i]))) != 0) {
			json_decref(obj);
			return NULL;
		}
		kept++;
	}
	if (obj && skip_blank && kept == 0) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* An appeal_in_tx_fn: the hotline.staff_intake row and the audit row (the
 * registration number as its object). arg: struct desk_taken. */
static bool desk_in_tx(PGconn *db, const struct appeal_result *r, void *arg)
{
	struct desk_taken *t = arg;
	char case_id[32], staff_id[32];
	snprintf(case_id, sizeof(case_id), "%lld", r->case_id);
	snprintf(staff_id, sizeof(staff_id), "%lld", t->c->user->id);
	char day[CAL_DATE_SIZE];
	snprintf(day, sizeof(day), "%.10s", r->registered_at);
	const char *values[5] = {case_id, staff_id, t->kind, t->received_on ? t->received_on : day,
				 t->outside_hours ? "t" : "f"};
	struct db_error err;
	PGresult *res = db_query(db, sql_taken, 5, values, NULL, NULL, &err);
	bool ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!res)
		log_warning("staff: %s: the staff_intake row could not be written (SQLSTATE %s)",
			    t->audit_action, err.sqlstate);
	PQclear(res);
	return ok && staff_audit(t->c, t->audit_action, r->reg_no);
}

static const char stylesheet[] =
    ".line-status{padding:.6rem 1rem;border-radius:4px;font-weight:600;max-width:48rem}\n"
    ".line-status.open{background:#e6f4ea;border-left:4px solid var(--ok)}\n"
    ".line-status.closed{background:#fff4e0;border-left:4px solid #b25e09}\n"
    "a.button{display:inline-block;font-weight:600;padding:.55rem 1.2rem;border-radius:4px;"
    "background:var(--accent);color:#fff;text-decoration:none}\n"
    "ol.steps{list-style:none;padding:0;margin:0;max-width:52rem}\n"
    "li.step{border:1px solid var(--line);border-radius:6px;margin:0 0 1rem;padding:.5rem 1rem}\n"
    "li.step h2{font-size:1.1rem;margin:.4rem 0}\n"
    "li.step.missing{border:2px solid var(--bad)}\n"
    ".say{background:var(--soft);border-radius:4px;padding:.5rem .75rem;font-style:italic}\n"
    ".say-label{font-style:normal;font-weight:600}\n"
    "label.choice{font-weight:400;margin:.35rem 0}\n"
    "label.done{font-weight:600;padding:.3rem 0;margin:.6rem 0 .2rem}\n"
    "label.done input{width:1.4rem;height:1.4rem;vertical-align:middle;margin-right:.4rem}\n"
    "fieldset.inner{margin:.75rem 0 0}\n"
    "#errors{border:2px solid var(--bad);border-radius:6px;padding:.5rem 1rem;margin:1rem 0;"
    "max-width:52rem}\n"
    ".receipt{display:inline-block;font-size:1.3rem;letter-spacing:.06em;word-spacing:.3em;"
    "padding:.5rem .75rem;border:2px dashed #0f2b46;border-radius:6px;overflow-wrap:anywhere}\n"
    "ol.dictation{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;padding:0;margin:1rem 0}\n"
    "ol.dictation li{border:1px solid #0f2b46;border-radius:6px;padding:.3rem .6rem;"
    "text-align:center;min-width:8.5rem;flex:1 0 8.5rem;max-width:12rem}\n"
    "ol.dictation .group{display:block;font:700 2.2rem/1.2 ui-monospace,Menlo,Consolas,"
    "monospace;letter-spacing:.12em}\n"
    "ol.dictation .spoken{display:block;font-size:.8rem;color:var(--muted)}\n"
    "dl.facts dt{font-weight:600}dl.facts dd{margin:0 0 .5rem}\n"
    ".ticket{border:2px solid #0f2b46;border-radius:6px;padding:1rem 1.25rem;max-width:40rem}\n"
    ".ticket .org{font-weight:700;margin:0}\n"
    "@media print{header.top,nav.menu,.no-print{display:none!important}"
    "main{max-width:none;padding:0}.ticket{border:1px solid #000}"
    ".receipt{border:1px solid #000}}\n";

static void stylesheet_get(struct staff_ctx *c)
{
	c->content_type = "text/css; charset=utf-8";
	buf_puts(&c->body, stylesheet);
}

void desk_page_begin(struct staff_ctx *c, const char *title)
{
	staff_page_begin(c, title);
	/* a stylesheet <link> is allowed in <body> */
	html_markup(&c->body, "<link rel=\"stylesheet\" href=\"/staff/desk.css\">\n");
}

const struct staff_route desk_routes[] = {
    {"GET", "/staff/desk.css", STAFF_PUBLIC, stylesheet_get, "desk.style"},
    {NULL, NULL, 0, NULL, NULL},
};

void desk_registered(struct buf *b, enum lang lang, const struct appeal_result *r)
{
	html_markup(b, "<dt>");
	html_escape_str(b, i18n(lang, M_RECEIPT_REGNO));
	html_markup(b, "</dt>\n<dd><strong id=\"reg-no\">");
	html_escape_str(b, r->reg_no);
	html_markup(b, "</strong></dd>\n<dt>");
	html_escape_str(b, i18n(lang, M_STATUS_REGISTERED_AT));
	html_markup(b, "</dt>\n<dd id=\"registered-at\">");
	html_escape_str(b, r->registered_at);
	html_markup(b, "</dd>\n");
}

struct sealing_parts desk_sealing_parts(const struct staff_ctx *c, const char *channel,
					const char *receipt)
{
	const char *director = choices_director(staff_arg(c, "director_involved"));
	return (struct sealing_parts){
	    .channel = channel,
	    .category = choices_category(staff_arg(c, "category")),
	    .director_involved = director ? director : "unknown",
	    .language = i18n_code(c->lang),
	    .receipt = receipt,
	};
}

unsigned desk_register(struct desk_taken *taken, struct appeal *a, struct appeal_result *r)
{
	memset(r, 0, sizeof(*r));
	if (!a)
		return 500;
	const struct staff_ctx *c = taken->c;
	appeal_register_sync(c->db, a, c->cfg ? c->cfg->request_timeout : 15, desk_in_tx, taken, r);
	appeal_free(a);
	return r->ok ? 200 : 503;
}
