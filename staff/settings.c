/* /staff/admin/settings: the administrator sets what reporters see of the
 * organisation (its name, its logo), the trust line's details and the
 * trust page's texts per language, and the addresses notices go to
 * (docs/staff.md, "Settings"). The keys and what each accepts are
 * workflow/site.h's; every change goes through hotline.settings_set_by()
 * or hotline.site_logo_set_by() (migration 0033), which write the audit
 * row with the key, never the value. The public pages read the settings
 * from their cache (intake/trust.h); the deadline scanner and the
 * procedure read the notice addresses at each pass. */
#include <stdlib.h>
#include <string.h>

#include "base/db.h"
#include "base/html.h"
#include "base/log.h"
#include "staff/internal.h"
#include "workflow/site.h"
#include "workflow/wfdb.h"

#define NKEYS 32

/* The page: each key's value (the saved one, or as typed when the form
 * came back), its error, and the logo. Owns res. */
struct settings_view {
	PGresult *res;
	const char *value[NKEYS];
	enum site_check err[NKEYS];
	bool any_err;
	bool has_logo;
	char logo_type[32];
	size_t logo_size;
	enum msg note;	   /* a done message, or 0 */
	enum msg logo_err; /* the logo form's error, or 0 */
};

static int nkeys(void)
{
	int n = 0;
	for (const struct site_key *k = site_keys(); k->key && n < NKEYS; k++)
		n++;
	return n;
}

static void view_free(struct settings_view *v)
{
	PQclear(v->res);
}

/* False on a database error. */
static bool view_load(struct staff_ctx *c, struct settings_view *v)
{
	static const char sql_settings[] = "SELECT key, value FROM hotline.settings";
	static const char sql_logo[] =
	    "SELECT content_type, octet_length(image) AS size FROM hotline.site_logo";
	v->res = PQexecParams(c->db, sql_settings, 0, NULL, NULL, NULL, NULL, 0);
	if (PQresultStatus(v->res) != PGRES_TUPLES_OK)
		return false;
	const struct site_key *keys = site_keys();
	int key = db_col(v->res, "key"), val = db_col(v->res, "value");
	for (int i = 0; i < nkeys(); i++) {
		v->value[i] = "";
		for (int r = 0; r < PQntuples(v->res); r++)
			if (strcmp(PQgetvalue(v->res, r, key), keys[i].key) == 0)
				v->value[i] = PQgetvalue(v->res, r, val);
	}
	PGresult *logo = PQexecParams(c->db, sql_logo, 0, NULL, NULL, NULL, NULL, 0);
	bool ok = PQresultStatus(logo) == PGRES_TUPLES_OK;
	if (ok && PQntuples(logo) == 1) {
		v->has_logo = true;
		snprintf(v->logo_type, sizeof v->logo_type, "%s",
			 PQgetvalue(logo, 0, db_col(logo, "content_type")));
		v->logo_size =
		    (size_t)strtoull(PQgetvalue(logo, 0, db_col(logo, "size")), NULL, 10);
	}
	PQclear(logo);
	return ok;
}

/* ------------------------------------------------------------ render */

static enum msg label_of(const char *key)
{
	static const struct {
		const char *prefix;
		enum msg label;
	} labels[] = {
	    {"organisation", M_SET_ORG},
	    {"trust_phone", M_SET_PHONE},
	    {"trust_email", M_SET_EMAIL},
	    {"trust_hours_", M_SET_HOURS},
	    {"trust_safety_", M_SET_SAFETY},
	    {"trust_privacy_", M_SET_PRIVACY},
	    {"compliance_email", M_SET_COMPLIANCE_EMAIL},
	    {"director_email", M_SET_DIRECTOR_EMAIL},
	    {"alternate_email", M_SET_ALTERNATE_EMAIL},
	};
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (strncmp(key, labels[i].prefix, strlen(labels[i].prefix)) == 0)
			return labels[i].label;
	abort(); /* a key of site_keys() without a label: a broken invariant */
}

/* The language a per-language key is in ("trust_hours_kk"), or -1. */
static int lang_of(const char *key)
{
	size_t len = strlen(key);
	enum lang l;
	if (strncmp(key, "trust_", 6) != 0 || len < 3 || key[len - 3] != '_' ||
	    !i18n_parse(key + len - 2, &l))
		return -1;
	return (int)l;
}

static void error_text(struct staff_ctx *c, enum site_kind kind, enum site_check err)
{
	char text[256];
	switch (err) {
	case SITE_TOO_LONG:
		snprintf(text, sizeof text, i18n(c->lang, M_SET_ERR_TOO_LONG),
			 kind == SITE_TEXT ? SITE_TEXT_MAX : SITE_LINE_MAX);
		staff_esc(c, text);
		break;
	case SITE_BAD_LINE:
		staff_text(c, M_SET_ERR_LINE);
		break;
	case SITE_BAD_EMAIL:
		staff_text(c, M_SET_ERR_EMAIL);
		break;
	case SITE_BAD_PHONE:
		staff_text(c, M_SET_ERR_PHONE);
		break;
	case SITE_OK:
		break;
	}
}

/* Under a text field, what the trust page shows while it is empty, in the
 * field's language: to read, or to copy and change. */
static void default_text(struct staff_ctx *c, const char *key, enum lang lang)
{
	unsigned n;
	const enum msg *d = strncmp(key, "trust_safety_", 13) == 0 ? site_default_safety(&n)
								   : site_default_privacy(&n);
	staff_html(c, "<details class=\"default\" id=\"default-%s\"><summary>", key);
	staff_text(c, M_SET_DEFAULT_SHOW);
	staff_html(c, "</summary>\n<div lang=\"%s\">\n", i18n_code(lang));
	for (unsigned i = 0; i < n; i++)
		staff_html(c, "<p>%s</p>\n", i18n(lang, d[i]));
	staff_html(c, "</div></details>\n");
}

static void field(struct staff_ctx *c, const struct settings_view *v, int i)
{
	const struct site_key *k = &site_keys()[i];
	int lang = lang_of(k->key);
	bool bad = v->err[i] != SITE_OK;
	staff_html(c, "<label for=\"set-%s\">", k->key);
	staff_text(c, label_of(k->key));
	if (lang >= 0) /* the language's own name: "Қазақша", "Русский" */
		staff_html(c, " (<span lang=\"%s\">%s</span>)", i18n_code((enum lang)lang),
			   i18n((enum lang)lang, M_LANG_NAME));
	staff_html(c, "</label>\n");
	if (k->kind == SITE_TEXT) {
		staff_html(c, "<textarea id=\"set-%s\" name=\"%s\" rows=\"6\"", k->key, k->key);
	} else {
		const char *type = k->kind == SITE_EMAIL   ? "email"
				   : k->kind == SITE_PHONE ? "tel"
							   : "text";
		staff_html(c, "<input type=\"%s\" id=\"set-%s\" name=\"%s\" value=\"%s\"", type,
			   k->key, k->key, v->value[i]);
	}
	if (bad)
		staff_html(c, " aria-invalid=\"true\" aria-describedby=\"err-%s\"", k->key);
	if (k->kind == SITE_TEXT)
		staff_html(c, ">%s</textarea>\n", v->value[i]);
	else
		staff_html(c, ">\n");
	if (bad) {
		staff_html(c, "<p class=\"error\" id=\"err-%s\">", k->key);
		error_text(c, k->kind, v->err[i]);
		staff_html(c, "</p>\n");
	}
	if (k->kind == SITE_TEXT && lang >= 0)
		default_text(c, k->key, (enum lang)lang);
}

/* The keys from first up to (not with) the one starting with stop, or to
 * the end. */
static int fields(struct staff_ctx *c, const struct settings_view *v, int first, const char *stop)
{
	int i = first;
	for (; i < nkeys(); i++) {
		if (stop && strncmp(site_keys()[i].key, stop, strlen(stop)) == 0)
			break;
		field(c, v, i);
	}
	return i;
}

static void legend(struct staff_ctx *c, const char *id, enum msg text)
{
	staff_html(c, "<fieldset id=\"%s\"><legend>", id);
	staff_text(c, text);
	staff_html(c, "</legend>\n");
}

static void hint(struct staff_ctx *c, enum msg text)
{
	staff_html(c, "<p class=\"hint\">");
	staff_text(c, text);
	staff_html(c, "</p>\n");
}

static void logo_form(struct staff_ctx *c, const struct settings_view *v)
{
	legend(c, "logo", M_SET_LOGO);
	if (v->has_logo) {
		/* "PNG", "JPEG", "WEBP" from "image/png": what people call it */
		char size[32], kind[32], text[256];
		const char *slash = strchr(v->logo_type, '/');
		snprintf(kind, sizeof kind, "%s", slash ? slash + 1 : v->logo_type);
		for (char *p = kind; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		html_size(size, sizeof size, c->lang, v->logo_size);
		snprintf(text, sizeof text, i18n(c->lang, M_SET_LOGO_NOW), kind, size);
		staff_html(c, "<p id=\"logo-now\" data-type=\"%s\">%s</p>\n", v->logo_type, text);
	} else {
		staff_html(c, "<p id=\"logo-now\">");
		staff_text(c, M_SET_LOGO_NONE);
		staff_html(c, "</p>\n");
	}
	if (v->logo_err) {
		char limit[32], text[256];
		html_size(limit, sizeof limit, c->lang, SITE_LOGO_MAX);
		snprintf(text, sizeof text, i18n(c->lang, v->logo_err), limit);
		staff_html(c, "<p class=\"error\" id=\"err-logo\" role=\"alert\">%s</p>\n", text);
	}
	staff_form_open(c, "/staff/admin/settings/logo", true);
	char limit[32], text[512];
	html_size(limit, sizeof limit, c->lang, SITE_LOGO_MAX);
	snprintf(text, sizeof text, i18n(c->lang, M_SET_LOGO_HINT), limit);
	staff_html(
	    c,
	    "<label for=\"set-logo\">%s</label>\n<p class=\"hint\" id=\"logo-hint\">%s</p>\n"
	    "<input type=\"file\" id=\"set-logo\" name=\"logo\" "
	    "accept=\"image/png,image/jpeg,image/webp\" aria-describedby=\"logo-hint%s\"%s>\n"
	    "<p><button type=\"submit\" id=\"logo-upload\">",
	    i18n(c->lang, M_SET_LOGO_FILE), text, v->logo_err ? " err-logo" : "",
	    v->logo_err ? " aria-invalid=\"true\"" : "");
	staff_text(c, M_SET_LOGO_UPLOAD);
	staff_html(c, "</button></p>\n</form>\n");
	if (v->has_logo) {
		staff_form_open(c, "/staff/admin/settings/logo", false);
		staff_html(c, "<input type=\"hidden\" name=\"remove\" value=\"1\">"
			      "<p><button type=\"submit\" id=\"logo-remove\">");
		staff_text(c, M_SET_LOGO_REMOVE);
		staff_html(c, "</button></p>\n</form>\n");
	}
	staff_html(c, "</fieldset>\n");
}

static void render(struct staff_ctx *c, const struct settings_view *v)
{
	staff_page_begin(c, i18n(c->lang, M_ADMIN_SETTINGS_TITLE));
	staff_html(c, "<h1>");
	staff_text(c, M_ADMIN_SETTINGS_TITLE);
	staff_html(c, "</h1>\n");
	if (v->note) {
		staff_html(c, "<p class=\"notice\" id=\"done\" role=\"status\">");
		staff_text(c, v->note);
		staff_html(c, "</p>\n");
	}
	if (v->any_err) {
		staff_html(c, "<div id=\"errors\" role=\"alert\"><p class=\"error\">");
		staff_text(c, M_SET_ERRORS);
		staff_html(c, "</p>\n<ul>\n");
		for (int i = 0; i < nkeys(); i++) {
			if (v->err[i] == SITE_OK)
				continue;
			const char *key = site_keys()[i].key;
			int lang = lang_of(key);
			staff_html(c, "<li><a href=\"#set-%s\">", key);
			staff_text(c, label_of(key));
			if (lang >= 0)
				staff_html(c, " (%s)", i18n((enum lang)lang, M_LANG_NAME));
			staff_html(c, "</a>: ");
			error_text(c, site_keys()[i].kind, v->err[i]);
			staff_html(c, "</li>\n");
		}
		staff_html(c, "</ul></div>\n");
	}
	staff_html(c, "<p>");
	staff_text(c, M_SET_INTRO);
	staff_html(c, " <a href=\"/trust\" id=\"view-trust\">");
	staff_text(c, M_SET_VIEW_PAGE);
	staff_html(c, "</a></p>\n");
	logo_form(c, v);
	staff_form_open(c, "/staff/admin/settings", false);
	legend(c, "organisation", M_SET_ORG_LEGEND);
	int i = fields(c, v, 0, "trust_phone");
	staff_html(c, "</fieldset>\n");
	legend(c, "line", M_SET_LINE_LEGEND);
	i = fields(c, v, i, "trust_safety_");
	staff_html(c, "</fieldset>\n");
	legend(c, "texts", M_SET_TEXTS_LEGEND);
	hint(c, M_SET_DEFAULT_HINT);
	i = fields(c, v, i, "compliance_email");
	staff_html(c, "</fieldset>\n");
	legend(c, "notices", M_SET_NOTICES_LEGEND);
	hint(c, M_SET_NOTICES_HINT);
	fields(c, v, i, NULL);
	staff_html(c, "</fieldset>\n<p><button type=\"submit\" id=\"settings-save\">");
	staff_text(c, M_SET_SAVE);
	staff_html(c, "</button></p>\n</form>\n");
	staff_page_end(c);
}

static void page(struct staff_ctx *c, unsigned status, struct settings_view *v)
{
	c->status = status;
	render(c, v);
}

static void db_down(struct staff_ctx *c)
{
	staff_error(c, 503, M_STAFF_DB_DOWN_TITLE, M_STAFF_DB_DOWN);
}

static void settings_get(struct staff_ctx *c)
{
	struct settings_view v = {0};
	if (view_load(c, &v))
		page(c, 200, &v);
	else
		db_down(c);
	view_free(&v);
}

/* ------------------------------------------------------------ save */

/* value without the blanks around it, in out (size n); a text keeps its
 * inner lines as typed, with CRLF made LF. */
static void tidy(const char *value, char *out, size_t n)
{
	while (*value == ' ' || *value == '\t' || *value == '\r' || *value == '\n')
		value++;
	size_t len = 0;
	for (const char *p = value; *p && len + 1 < n; p++)
		if (*p != '\r')
			out[len++] = *p;
	while (len && (out[len - 1] == ' ' || out[len - 1] == '\t' || out[len - 1] == '\n'))
		len--;
	out[len] = '\0';
}

static void settings_post(struct staff_ctx *c)
{
	struct settings_view v = {0};
	if (!view_load(c, &v)) {
		view_free(&v);
		db_down(c);
		return;
	}
	int n = nkeys();
	char *typed[NKEYS] = {0};
	bool sent[NKEYS] = {0};
	/* validate: every value the form sent; a key it did not send stays */
	for (int i = 0; i < n; i++) {
		const struct site_key *k = &site_keys()[i];
		if (!staff_has_arg(c, k->key))
			continue;
		size_t size = staff_arg_len(c, k->key) + 1;
		if (!(typed[i] = malloc(size)))
			abort();
		tidy(staff_arg(c, k->key), typed[i], size);
		sent[i] = true;
		v.value[i] = typed[i];
		v.err[i] = site_value_check(k->kind, typed[i]);
		v.any_err |= v.err[i] != SITE_OK;
	}
	if (v.any_err) {
		log_info("staff admin: user %lld: settings refused, a value is not valid",
			 c->user->id);
		page(c, 400, &v);
		goto done;
	}
	/* act: one transaction; each change audited by the function */
	static const char sql_set[] = "SELECT hotline.settings_set_by($1, $2, $3, $4) AS changed";
	char uid[24];
	snprintf(uid, sizeof uid, "%lld", c->user->id);
	int changed = 0;
	if (!wfdb_begin(c->db))
		goto fail;
	for (int i = 0; i < n; i++) {
		if (!sent[i])
			continue;
		const char *p[4] = {uid, c->user->login, site_keys()[i].key, typed[i]};
		struct db_error err;
		PGresult *res = db_query(c->db, sql_set, 4, p, NULL, NULL, &err);
		if (!res) {
			log_warning("staff admin: setting %s not saved (SQLSTATE %s)",
				    site_keys()[i].key, err.sqlstate);
			wfdb_rollback(c->db);
			goto fail;
		}
		changed += strcmp(PQgetvalue(res, 0, db_col(res, "changed")), "t") == 0;
		PQclear(res);
	}
	if (!wfdb_commit(c->db)) {
		wfdb_rollback(c->db);
		goto fail;
	}
	log_info("staff admin: user %lld changed %d settings", c->user->id, changed);
	view_free(&v);
	v = (struct settings_view){0};
	if (!view_load(c, &v))
		goto fail;
	v.note = M_SET_SAVED;
	page(c, 200, &v);
	goto done;
fail:
	db_down(c);
done:
	for (int i = 0; i < n; i++)
		free(typed[i]);
	view_free(&v);
}

/* The uploaded logo's bytes, read whole (at most SITE_LOGO_MAX): into
 * *owned when they are on the spool. NULL when there are too many. */
static const unsigned char *logo_bytes(const struct staff_file *f, unsigned char **owned)
{
	*owned = NULL;
	if (f->len > SITE_LOGO_MAX)
		return NULL;
	if (!f->read)
		return f->data;
	if (!(*owned = malloc(f->len ? f->len : 1)))
		abort();
	if (f->len && !f->read(f->read_cls, *owned, f->len)) {
		free(*owned);
		*owned = NULL;
		return NULL;
	}
	return *owned;
}

static void logo_post(struct staff_ctx *c)
{
	struct settings_view v = {0};
	if (!view_load(c, &v)) {
		view_free(&v);
		db_down(c);
		return;
	}
	bool remove = strcmp(staff_arg(c, "remove"), "1") == 0;
	unsigned nfiles = 0;
	const struct staff_file *files = staff_files(c, &nfiles);
	const struct staff_file *f = NULL;
	for (unsigned i = 0; i < nfiles && !f; i++)
		if (strcmp(files[i].field, "logo") == 0 && files[i].len > 0)
			f = &files[i];
	unsigned char *owned = NULL;
	const unsigned char *data = NULL;
	const char *type = NULL;
	if (!remove) {
		if (!f)
			v.logo_err = M_SET_ERR_LOGO_NONE;
		else if (f->len > SITE_LOGO_MAX || !(data = logo_bytes(f, &owned)))
			v.logo_err = M_SET_ERR_LOGO_SIZE;
		else if (!(type = site_logo_type(data, f->len)))
			v.logo_err = M_SET_ERR_LOGO_TYPE;
		if (v.logo_err) {
			log_info("staff admin: user %lld: logo refused", c->user->id);
			page(c, 400, &v);
			goto done;
		}
	}
	static const char sql_logo[] = "SELECT hotline.site_logo_set_by($1, $2, $3, $4) AS changed";
	char uid[24];
	snprintf(uid, sizeof uid, "%lld", c->user->id);
	const char *p[4] = {uid, c->user->login, type, (const char *)data};
	int lengths[4] = {0, 0, 0, remove ? 0 : (int)f->len};
	int formats[4] = {0, 0, 0, 1};
	struct db_error err;
	PGresult *res = NULL;
	if (!wfdb_begin(c->db) ||
	    !(res = db_query(c->db, sql_logo, 4, p, lengths, formats, &err)) ||
	    !wfdb_commit(c->db)) {
		PQclear(res);
		wfdb_rollback(c->db);
		db_down(c);
		goto done;
	}
	PQclear(res);
	log_info("staff admin: user %lld %s the logo", c->user->id, remove ? "removed" : "set");
	view_free(&v);
	v = (struct settings_view){0};
	if (!view_load(c, &v)) {
		db_down(c);
		goto done;
	}
	v.note = remove ? M_SET_LOGO_REMOVED : M_SET_LOGO_SAVED;
	page(c, 200, &v);
done:
	free(owned);
	view_free(&v);
}

const struct staff_route staff_settings_routes[] = {
    {"GET", "/staff/admin/settings", ROLE_BIT(ROLE_ADMIN), settings_get, "admin.settings"},
    {"POST", "/staff/admin/settings", ROLE_BIT(ROLE_ADMIN), settings_post, "admin.settings.set"},
    {"POST", "/staff/admin/settings/logo", ROLE_BIT(ROLE_ADMIN), logo_post, "admin.settings.logo"},
    {NULL, NULL, 0, NULL, NULL},
};

const struct staff_menu staff_settings_menu[] = {
    {"/staff/admin/settings", M_ADMIN_SETTINGS_TITLE},
    {NULL, 0},
};
