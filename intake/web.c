#include "intake/web.h"

#include <jansson.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto/seal.h"
#include "crypto/secret.h"
#include "base/db.h"
#include "base/log.h"
#include "base/wipe.h"
#include "base/worker.h"
#include "intake/choices.h"
#include "intake/clean.h"
#include "intake/keep.h"
#include "base/html.h"
#include "intake/request.h"
#include "intake/spool.h"
#include "intake/uploads.h"
#include "intake/status.h"
#include "intake/trust.h"
#include "workflow/procedure.h"

/* --- set-up --- */

/* A test picture cleaned on the cleaner's threads at start and on reload:
 * the log says whether the sandbox works on this host. */
struct clean_check {
	struct worker_job job; /* first */
	struct clean_opts opts;
	bool ok;
};

static void check_run(struct worker_job *job, PGconn *db)
{
	(void)db;
	struct clean_check *k = (struct clean_check *)job;
	k->ok = clean_probe(&k->opts);
}

static void check_done(struct worker_job *job, bool cancelled)
{
	struct clean_check *k = (struct clean_check *)job;
	if (!cancelled && k->ok)
		log_info("files are cleaned of metadata: a test picture was cleaned by %s in %s",
			 k->opts.mat2, k->opts.bwrap);
	else if (!cancelled)
		log_warning("files cannot be cleaned of metadata: a test picture was not cleaned "
			    "(is bwrap allowed its namespaces here?); each file is stored as it "
			    "came and marked so for staff");
	free(k);
}

/* Says once at start and on reload whether files will be cleaned. */
static void clean_say_ready(struct web *w, const struct config *cfg)
{
	struct clean_opts o;
	clean_opts_from(&o, cfg);
	if (!o.on) {
		log_warning("files are not cleaned of metadata (clean_files = no): each is stored "
			    "as it came and marked so for staff");
	} else if (!clean_tools_present(&o)) {
		log_warning("files cannot be cleaned of metadata: %s or %s is missing; each is "
			    "stored as it came and marked so for staff",
			    o.mat2, o.bwrap);
	} else {
		struct clean_check *k = calloc(1, sizeof(*k));
		if (!k)
			abort();
		k->job.run = check_run;
		k->job.done = check_done;
		k->opts = o;
		worker_submit(w->cleaner, &k->job);
	}
}

static void policy_refresh(struct web *w);
static bool receipts_init(struct web *w);
static void keep_sweep(evutil_socket_t fd, short what, void *arg);

/* spool_dir, or "spool" beside the receipt pepper (the daemon's state
 * directory, /var/lib/hotline in deploy/). */
static struct spool *spool_from(const struct config *cfg, char *err, size_t errlen)
{
	if (cfg->spool_dir)
		return spool_open(cfg->spool_dir, cfg->spool_max_bytes, err, errlen);
	char *copy = strdup(cfg->receipt_pepper_file);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/spool", dirname(copy));
	free(copy);
	return spool_open(dir, cfg->spool_max_bytes, err, errlen);
}

struct web *web_new(struct event_base *base, const struct config *cfg, struct db *db, char *err,
		    size_t errlen)
{
	struct web *w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->base = base;
	w->cfg = cfg;
	w->db = db;
	if (!intake_keys_load(cfg, &w->keys, err, errlen))
		goto fail;
	if (!(w->spool = spool_from(cfg, err, errlen)))
		goto fail;
	w->appeals = appeal_queue_new(base, db, cfg->max_batch);
	w->limiter = ratelimit_new();
	w->trust = trust_new(db);
	w->keep = keep_new();
	w->keep_sweep = evtimer_new(base, keep_sweep, w);
	w->cleaner = worker_pool_new(base, 2, NULL, 0);
	if (!w->appeals || !w->limiter || !w->trust || !w->keep || !w->keep_sweep || !w->cleaner ||
	    !budget_init(w) || !receipts_init(w)) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	policy_refresh(w);
	trust_refresh(w->trust);
	clean_say_ready(w, cfg);
	{
		/* a crash while a file was being cleaned left it there in clear */
		struct clean_opts o;
		clean_opts_from(&o, cfg);
		unsigned left = clean_sweep(&o);
		if (left)
			log_warning("removed %u folder(s) left in clean_dir by a crash", left);
	}
	return w;
fail:
	web_free(w);
	return NULL;
}

bool web_reload(struct web *w, const struct config *fresh, char *err, size_t errlen)
{
	/* the pepper stays: a new one would orphan every receipt given */
	struct intake_keys keys;
	if (!intake_keys_load(fresh, &keys, err, errlen))
		return false;
	w->keys.custodian = keys.custodian;
	w->keys.case_key = keys.case_key;
	w->keys.has_case_key = keys.has_case_key;
	intake_keys_free(&keys);
	w->cfg = fresh;
	appeal_queue_set_max_batch(w->appeals, fresh->max_batch);
	spool_set_max(w->spool, fresh->spool_max_bytes);
	db_set_queue_timeout(w->db, fresh->request_timeout);
	clean_say_ready(w, fresh);
	return true;
}

unsigned web_busy(const struct web *w)
{
	return w->suspended;
}

void web_quiesce(struct web *w)
{
	w->stopping = true;
}

void web_abort_waiting(struct web *w)
{
	request_abort_all(w);
}

void web_free(struct web *w)
{
	if (!w)
		return;
	/* first: its jobs hold forms whose files are on the spool */
	worker_pool_free(w->cleaner);
	appeal_queue_free(w->appeals);
	ratelimit_free(w->limiter);
	trust_free(w->trust);
	if (w->budget_pump)
		event_free(w->budget_pump);
	if (w->keep_sweep)
		event_free(w->keep_sweep);
	keep_free(w->keep); /* before the spool its files are in */
	spool_close(w->spool);
	intake_keys_free(&w->keys);
	if (w->receipt_sweep)
		event_free(w->receipt_sweep);
	receiptbox_free(w->receipts);
	free(w);
}

/* --- language --- */

static enum lang request_language(struct request *req, const struct config *cfg)
{
	enum lang lang;
	const char *q = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "lang");
	if (q && i18n_parse(q, &lang)) {
		req->set_lang_cookie = true;
		return lang;
	}
	const char *c = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, "lang");
	if (c && i18n_parse(c, &lang))
		return lang;
	enum lang fallback = LANG_RU;
	if (!i18n_parse(cfg->default_language, &fallback))
		fallback = LANG_RU;
	return i18n_negotiate(MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
							  MHD_HTTP_HEADER_ACCEPT_LANGUAGE),
			      fallback);
}

/* --- the report form --- */

struct form_errors {
	bool any;
	bool what, category, identity, email;
	bool ask;	 /* "anonymous" with contact details: which was meant? */
	bool files_lost; /* files were attached but could not be kept */
	bool kept_gone;	 /* the token of kept files came, the files are gone */
	bool files_over; /* kept and new files together over the limits */
	bool too_long;
	enum form_field long_field;
	/* the files kept for the corrected form, in the table (intake/keep.h),
	 * and their token, wiped once the page is built */
	const struct keep_set *kept;
	char token[KEEP_TOKEN_HEX + 1];
};

/* One error of the page: the id of the field it belongs to (what the
 * summary links to and what is marked aria-invalid), the id of its
 * message (aria-describedby) and the message. */
struct field_error {
	const char *field;
	char id[40];
	char text[512];
};

#define PAGE_ERRORS 12

struct page_errors {
	unsigned n;
	struct field_error at[PAGE_ERRORS];
};

static void add_error(struct page_errors *pe, const char *field, const char *id, const char *text)
{
	if (pe->n >= PAGE_ERRORS)
		return;
	struct field_error *fe = &pe->at[pe->n++];
	fe->field = field;
	snprintf(fe->id, sizeof(fe->id), "error-%s", id);
	snprintf(fe->text, sizeof(fe->text), "%s", text);
}

static const struct field_error *error_with_id(const struct page_errors *pe, const char *id)
{
	for (unsigned i = 0; i < pe->n; i++)
		if (strcmp(pe->at[i].id + 6, id) == 0)
			return &pe->at[i];
	return NULL;
}

/* The errors in the order of the page. */
static void collect_errors(struct request *req, const struct form_errors *e, struct page_errors *pe)
{
	enum lang lang = req->lang;
	memset(pe, 0, sizeof(*pe));
	if (!e || !e->any)
		return;
	char text[512];
	char size[32];
	html_size(size, sizeof(size), lang, req->limits.max_text);
	snprintf(text, sizeof(text), i18n(lang, M_ERR_TEXT_TOO_LONG), size);
	static const enum form_field texts[] = {FIELD_WHAT, FIELD_WHEN_WHERE, FIELD_WHO};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		const char *name = form_field_name(texts[i]);
		if (e->too_long && e->long_field == texts[i])
			add_error(pe, name, name, text);
		if (texts[i] == FIELD_WHAT && e->what)
			add_error(pe, name, name, i18n(lang, M_ERR_WHAT_MISSING));
	}
	if (e->category)
		add_error(pe, "category", "category", i18n(lang, M_ERR_CATEGORY_MISSING));
	if (e->ask)
		add_error(pe, "identity-choice", "identity-ask", i18n(lang, M_FORM_ASK_QUESTION));
	if (e->identity)
		add_error(pe, "name", "identity", i18n(lang, M_ERR_IDENTITY_MISSING));
	static const enum form_field contact[] = {FIELD_NAME, FIELD_PHONE, FIELD_EMAIL,
						  FIELD_ADDRESS};
	for (size_t i = 0; i < sizeof(contact) / sizeof(contact[0]); i++) {
		const char *name = form_field_name(contact[i]);
		if (e->too_long && e->long_field == contact[i])
			add_error(pe, name, name, text);
		if (contact[i] == FIELD_EMAIL && e->email)
			add_error(pe, name, name, i18n(lang, M_ERR_EMAIL_INVALID));
	}
	if (e->kept_gone) {
		add_error(pe, "files", "files", i18n(lang, M_ERR_KEPT_GONE));
	} else if (e->files_over) {
		char body[32];
		html_size(body, sizeof(body), lang, req->limits.max_body);
		snprintf(text, sizeof(text), i18n(lang, M_ERR_FILES_OVER), req->limits.max_files,
			 body);
		add_error(pe, "files", "files", text);
	} else if (e->files_lost) {
		add_error(pe, "files", "files", i18n(lang, M_ERR_FILES_AGAIN));
	}
}

/* aria-invalid and aria-describedby for a field with errors: the ids of
 * all its messages. */
static void put_aria(struct buf *b, const struct page_errors *pe, const char *field)
{
	bool first = true;
	for (unsigned i = 0; i < pe->n; i++) {
		if (strcmp(pe->at[i].field, field) != 0)
			continue;
		if (first)
			html_markup(b, " aria-invalid=\"true\" aria-describedby=\"");
		else
			html_markup(b, " ");
		html_f(b, "%s", pe->at[i].id);
		first = false;
	}
	if (!first)
		html_markup(b, "\"");
}

static void put_field_error(struct buf *b, const struct page_errors *pe, const char *id)
{
	const struct field_error *fe = error_with_id(pe, id);
	if (!fe)
		return;
	html_f(b, "<p class=\"error\" id=\"%s\">", fe->id);
	html_escape_str(b, fe->text);
	html_markup(b, "</p>\n");
}

/* The summary at the top: each message a link to its field. */
static void put_summary(struct buf *b, enum lang lang, const struct form_errors *e,
			const struct page_errors *pe)
{
	html_markup(b, "<div id=\"errors\" role=\"alert\" tabindex=\"-1\"><p>");
	html_escape_str(b, i18n(lang, e->ask ? M_ERR_IDENTITY_ASK : M_ERR_SUMMARY));
	html_markup(b, "</p>\n<ul>\n");
	for (unsigned i = 0; i < pe->n; i++) {
		/* "attach them again" keeps its id of before (docs/http.md) */
		bool again =
		    strcmp(pe->at[i].field, "files") == 0 && (e->files_lost || e->kept_gone);
		html_markup(b, again ? "<li id=\"files-again\">" : "<li>");
		html_f(b, "<a href=\"#%s\">", pe->at[i].field);
		html_escape_str(b, pe->at[i].text);
		html_markup(b, "</a></li>\n");
	}
	html_markup(b, "</ul>\n");
	if (e->kept && e->kept->nfiles) {
		html_markup(b, "<p id=\"files-kept\">");
		html_escape_str(b, i18n(lang, M_ERR_FILES_KEPT));
		html_markup(b, "</p>");
	}
	html_markup(b, "</div>\n");
}

static const char *field_value(const struct form *f, enum form_field field)
{
	return f ? form_get(f, field) : "";
}

static void put_label(struct buf *b, enum lang lang, const char *for_id, enum msg text,
		      bool required)
{
	html_f(b, "<label for=\"%s\">", for_id);
	html_escape_str(b, i18n(lang, text));
	if (required) {
		html_markup(b, " <small>(");
		html_escape_str(b, i18n(lang, M_FORM_REQUIRED));
		html_markup(b, ")</small>");
	}
	html_markup(b, "</label>\n");
}

/* Identity fields carry autocomplete="off": a shared device must not offer
 * the reporter's name or number to the next user (issue 16). */
static void put_textarea(struct buf *b, struct request *req, const struct form *f,
			 const struct page_errors *pe, enum form_field field, enum msg label,
			 bool required, unsigned rows, bool identity)
{
	const char *name = form_field_name(field);
	put_label(b, req->lang, name, label, required);
	put_field_error(b, pe, name);
	html_f(b, "<textarea id=\"%s\" name=\"%s\" rows=\"%u\"", name, name, rows);
	if (required)
		html_markup(b, " required");
	if (identity)
		html_markup(b, " autocomplete=\"off\"");
	put_aria(b, pe, name);
	html_markup(b, ">");
	html_escape_str(b, field_value(f, field));
	html_markup(b, "</textarea>\n");
}

static void put_input(struct buf *b, struct request *req, const struct form *f,
		      const struct page_errors *pe, enum form_field field, enum msg label,
		      const char *type)
{
	const char *name = form_field_name(field);
	put_label(b, req->lang, name, label, false);
	put_field_error(b, pe, name);
	html_f(b, "<input type=\"%s\" id=\"%s\" name=\"%s\" autocomplete=\"off\"", type, name,
	       name);
	put_aria(b, pe, name);
	html_markup(b, " value=\"");
	html_escape_str(b, field_value(f, field));
	html_markup(b, "\">\n");
}

static bool is_blank(const char *s)
{
	for (; *s; s++) {
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	}
	return true;
}

static enum choices_identity report_identity(const struct form *f)
{
	bool contact = !is_blank(form_get(f, FIELD_NAME)) || !is_blank(form_get(f, FIELD_PHONE)) ||
		       !is_blank(form_get(f, FIELD_EMAIL)) || !is_blank(form_get(f, FIELD_ADDRESS));
	return choices_identity(form_get(f, FIELD_IDENTITY), contact);
}

/* The files kept from the last try: each with its size and a box to
 * remove it, and the token that brings them back. */
static void put_kept(struct buf *b, enum lang lang, const struct keep_set *kept, const char *token)
{
	if (!kept || !kept->nfiles)
		return;
	html_markup(b, "<div id=\"kept\"><p class=\"hint\" id=\"kept-note\">");
	html_escape_str(b, i18n(lang, M_FORM_KEPT));
	html_markup(b, "</p>\n<ul class=\"kept\">\n");
	for (unsigned i = 0; i < kept->nfiles; i++) {
		const struct keep_file *kf = &kept->files[i];
		char size[32];
		html_size(size, sizeof(size), lang, kf->len);
		html_f(b, "<li id=\"kept-%u\"><span class=\"kept-name\">", i);
		html_escape(b, kf->name.data ? kf->name.data : "", kf->name.len);
		html_markup(b, "</span>, <span class=\"kept-size\">");
		html_escape_str(b, size);
		html_f(b,
		       "</span> <label class=\"choice kept-drop\"><input type=\"checkbox\" "
		       "name=\"drop-%u\" value=\"1\"> ",
		       i);
		html_escape_str(b, i18n(lang, M_FORM_KEPT_REMOVE));
		html_markup(b, "</label></li>\n");
	}
	html_f(b, "</ul>\n<input type=\"hidden\" name=\"kept\" value=\"%s\">\n</div>\n", token);
}

static void page_form(struct request *req, unsigned status, const struct form *f,
		      const struct form_errors *e)
{
	enum lang lang = req->lang;
	struct page_errors pe;
	collect_errors(req, e, &pe);
	struct buf b;
	buf_init(&b);
	html_begin(&b, lang, i18n(lang, M_FORM_TITLE), "/");
	html_markup(&b, "<h1>");
	html_escape_str(&b, i18n(lang, M_FORM_TITLE));
	html_markup(&b, "</h1>\n<p>");
	html_escape_str(&b, i18n(lang, M_FORM_INTRO));
	html_markup(&b, "</p>\n<p><a href=\"/status\">");
	html_escape_str(&b, i18n(lang, M_FORM_STATUS_LINK));
	html_markup(&b, "</a></p>\n");
	if (e && e->any)
		put_summary(&b, lang, e, &pe);
	html_f(&b,
	       "<form id=\"report\" method=\"post\" action=\"/report\" "
	       "enctype=\"multipart/form-data\" accept-charset=\"utf-8\">\n"
	       "<input type=\"hidden\" name=\"lang\" value=\"%s\">\n<fieldset>\n",
	       i18n_code(lang));

	put_textarea(&b, req, f, &pe, FIELD_WHAT, M_FORM_WHAT, true, 8, false);
	html_markup(&b, "<p class=\"hint\">");
	html_escape_str(&b, i18n(lang, M_FORM_WHAT_HINT));
	html_markup(&b, "</p>\n");
	put_textarea(&b, req, f, &pe, FIELD_WHEN_WHERE, M_FORM_WHEN_WHERE, false, 3, false);
	put_textarea(&b, req, f, &pe, FIELD_WHO, M_FORM_WHO, false, 3, false);

	/* director involved */
	const char *dir = field_value(f, FIELD_DIRECTOR);
	if (!*dir)
		dir = "unknown";
	html_markup(&b, "<fieldset><legend>");
	html_escape_str(&b, i18n(lang, M_FORM_DIRECTOR));
	html_markup(&b, "</legend>\n");
	choices_director_radios(&b, lang, dir);
	html_markup(&b, "</fieldset>\n");

	/* category */
	const char *cat = field_value(f, FIELD_CATEGORY);
	put_label(&b, lang, "category", M_FORM_CATEGORY, true);
	put_field_error(&b, &pe, "category");
	html_markup(&b, "<select id=\"category\" name=\"category\" required");
	put_aria(&b, &pe, "category");
	html_markup(&b, ">\n");
	choices_category_options(&b, lang, cat);
	html_markup(&b, "</select>\n</fieldset>\n");

	/* identity: the contact fields count only when the reporter gives
	 * their name, and are never dropped unasked (intake/choices.h) */
	const char *identity = field_value(f, FIELD_IDENTITY);
	if (!*identity)
		identity = f && report_identity(f) == CHOICES_NAMED ? "named" : "anonymous";
	bool asking = (e && e->ask) || strcmp(identity, "anonymous_drop") == 0;
	static const struct choices_identity_labels labels = {
	    .anonymous = M_FORM_ANONYMOUS,
	    .named = M_FORM_NAMED,
	    .ask_named = M_FORM_ASK_NAMED,
	    .ask_drop = M_FORM_ASK_DROP,
	};
	html_markup(&b, "<fieldset id=\"identity\"><legend id=\"identity-legend\">");
	html_escape_str(&b, i18n(lang, M_FORM_IDENTITY));
	html_markup(&b, "</legend>\n");
	put_field_error(&b, &pe, "identity");
	put_field_error(&b, &pe, "identity-ask");
	html_markup(&b, "<div id=\"identity-choice\" role=\"radiogroup\" "
			"aria-labelledby=\"identity-legend\" tabindex=\"-1\"");
	put_aria(&b, &pe, "identity-choice");
	html_markup(&b, ">\n");
	choices_identity_radios(&b, lang, identity, asking, &labels);
	html_markup(&b, "</div>\n<p class=\"hint\" id=\"anon-note\">");
	html_escape_str(
	    &b, i18n(lang, req->web->consider_anonymous ? M_FORM_ANON_POLICY : M_FORM_ANON_NOTE));
	html_markup(&b, "</p>\n<p class=\"hint\" id=\"contact-hint\">");
	html_escape_str(&b, i18n(lang, M_FORM_CONTACT_HINT));
	html_markup(&b, "</p>\n");
	/* "give at least one way to reach you": all four are in error */
	struct page_errors contact = pe;
	if (e && e->identity) {
		static const char *const others[] = {"phone", "email", "address"};
		for (size_t i = 0; i < 3 && contact.n < PAGE_ERRORS; i++) {
			struct field_error *fe = &contact.at[contact.n++];
			*fe = *error_with_id(&pe, "identity");
			fe->field = others[i];
		}
	}
	put_input(&b, req, f, &contact, FIELD_NAME, M_FORM_NAME, "text");
	put_input(&b, req, f, &contact, FIELD_PHONE, M_FORM_PHONE, "tel");
	put_input(&b, req, f, &contact, FIELD_EMAIL, M_FORM_EMAIL, "email");
	put_textarea(&b, req, f, &contact, FIELD_ADDRESS, M_FORM_ADDRESS, false, 2, true);
	html_markup(&b, "<p class=\"hint\">");
	html_escape_str(&b, i18n(lang, M_FORM_IDENTITY_NOTE));
	html_markup(&b, "</p>\n</fieldset>\n");

	/* files */
	char file[32], body[32], limits[512];
	html_size(file, sizeof(file), req->lang, req->limits.max_file);
	html_size(body, sizeof(body), req->lang, req->limits.max_body);
	snprintf(limits, sizeof(limits), i18n(lang, M_FORM_FILES_LIMIT), req->limits.max_files,
		 file, body);
	html_markup(&b, "<fieldset>\n");
	put_label(&b, lang, "files", M_FORM_FILES, false);
	put_field_error(&b, &pe, "files");
	put_kept(&b, lang, e ? e->kept : NULL, e ? e->token : "");
	html_markup(&b, "<input type=\"file\" id=\"files\" name=\"files\" multiple");
	put_aria(&b, &pe, "files");
	html_markup(&b, ">\n<p class=\"hint\" id=\"limits\">");
	html_escape_str(&b, limits);
	/* what cleaning removes and what it cannot (intake/clean.h) */
	html_markup(&b, "</p>\n<p class=\"hint\" id=\"files-cleaned\">");
	html_escape_str(&b, i18n(lang, M_FORM_FILES_CLEANED));
	html_markup(&b, "</p>\n</fieldset>\n<button type=\"submit\">");
	html_escape_str(&b, i18n(lang, M_FORM_SUBMIT));
	html_markup(&b, "</button>\n</form>\n");
	html_end(&b, lang);
	request_reply_page(req, status, &b);
}

/* --- files kept across a returned form (intake/keep.h) --- */

/* What a kept upload holds in memory: its spool record buffer and its key
 * block (intake/spool.c), and the names, rounded up. Counted against
 * upload_memory_bytes for as long as it is kept. */
#define KEPT_UPLOAD_SLICE (16u * 1024u)

static void kept_gone(struct keep_set *s, void *arg)
{
	uploads_kept_release(arg, s);
}

static void keep_sweep(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct web *w = arg;
	unsigned n = keep_expire(w->keep, time(NULL), kept_gone, w);
	if (n)
		log_info("kept files: %u set(s) expired and deleted", n);
	if (keep_sets(w->keep) > 0) {
		struct timeval second = {1, 0};
		evtimer_add(w->keep_sweep, &second);
	}
}

/* The token of the form takes its kept files out of the table (once);
 * the boxes the reporter ticked remove theirs. */
static void kept_take(struct request *req)
{
	struct form *f = &req->form;
	const char *token = form_get(f, FIELD_KEPT);
	if (!*token)
		return;
	req->kept = keep_take(req->web->keep, token, time(NULL), kept_gone, req->web);
	if (!req->kept) {
		req->kept_gone = true;
		log_info("request %lu: the kept files of its token are gone", req->id);
		return;
	}
	for (unsigned i = req->kept->nfiles; i-- > 0;) {
		if (form_dropped(f, i))
			keep_set_remove(req->kept, i);
	}
}

/* Keeps the files of a refused form (those kept before and the new ones)
 * under a fresh token, within bounds: a quarter of the memory cap and
 * half the spool for all kept files, KEEP_MAX_SETS sets. Returns the set,
 * now in the table, or NULL when the files could not be kept (then they
 * are deleted and the reporter is told to attach them again). */
static const struct keep_set *kept_put(struct request *req, char token[KEEP_TOKEN_HEX + 1])
{
	struct web *w = req->web;
	struct form *f = &req->form;
	struct keep_set *s = req->kept;
	req->kept = NULL;
	if (!s && !(s = keep_set_new()))
		goto fail;
	size_t slice = s->slice;
	s->slice = 0; /* given back at fail, taken anew below */
	budget_give_slice(w, slice);
	if (!keep_set_add_form(s, f))
		goto fail;
	if (s->nfiles == 0) {
		keep_set_free(s);
		return NULL;
	}
	size_t need = (size_t)s->nups * KEPT_UPLOAD_SLICE;
	if (keep_slices(w->keep) + need > w->cfg->upload_memory_bytes / 4 ||
	    keep_bytes(w->keep) + keep_set_bytes(s) > w->cfg->spool_max_bytes / 2 ||
	    !budget_take_slice(w, need))
		goto fail;
	s->slice = need;
	if (!keep_put(w->keep, s, time(NULL) + (time_t)w->cfg->kept_files_seconds, token)) {
		budget_give_slice(w, need);
		s->slice = 0;
		goto fail;
	}
	if (!evtimer_pending(w->keep_sweep, NULL)) {
		struct timeval second = {1, 0};
		evtimer_add(w->keep_sweep, &second);
	}
	log_info("request %lu: %u file(s) kept for the corrected form", req->id, s->nfiles);
	return s;
fail:
	log_info("request %lu: the files could not be kept (limits reached)", req->id);
	keep_set_free(s);
	return NULL;
}

/* --- submitting a report --- */

static bool email_plausible(const char *s, size_t len)
{
	const char *at = memchr(s, '@', len);
	if (!at || at == s || at == s + len - 1 || len > 254)
		return false;
	if (memchr(at + 1, '@', len - (size_t)(at + 1 - s)))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n' || s[i] == '<' ||
		    s[i] == '>')
			return false;
	}
	return strchr(at + 1, '.') != NULL;
}

static size_t form_file_bytes(const struct form *f)
{
	size_t n = 0;
	for (unsigned i = 0; i < f->nfiles; i++)
		n += f->files[i].len;
	return n;
}

/* Validate, then act: answers the client and returns false on bad input. */
static bool check_report(struct request *req)
{
	struct form *f = &req->form;
	struct form_errors e;
	memset(&e, 0, sizeof(e));
	if (f->status == FORM_TEXT_TOO_LONG) {
		e.too_long = true;
		e.long_field = f->long_field;
	}
	e.what = is_blank(form_get(f, FIELD_WHAT));
	e.category = !choices_category(form_get(f, FIELD_CATEGORY));
	switch (report_identity(f)) {
	case CHOICES_NAMED_EMPTY:
		e.identity = true;
		break;
	case CHOICES_ASK:
		e.ask = true;
		break;
	case CHOICES_NAMED:
		e.email = !is_blank(form_get(f, FIELD_EMAIL)) &&
			  !email_plausible(form_get(f, FIELD_EMAIL), form_len(f, FIELD_EMAIL));
		break;
	case CHOICES_ANONYMOUS:
		break;
	}
	e.kept_gone = req->kept_gone;
	/* the per-request limits hold for the kept files and the new ones
	 * together: the registration's memory is bounded by them (issue 14) */
	if (req->kept) {
		e.files_over =
		    req->kept->nfiles + f->nfiles > req->limits.max_files ||
		    keep_set_bytes(req->kept) + form_file_bytes(f) > req->limits.max_body;
	}
	e.any = e.too_long || e.what || e.category || e.identity || e.ask || e.email ||
		e.kept_gone || e.files_over;
	if (!e.any)
		return true;
	if (f->nfiles > 0 || (req->kept && req->kept->nfiles > 0)) {
		e.kept = kept_put(req, e.token);
		e.files_lost = !e.kept;
	}
	log_info("request %lu: report refused, form incomplete (what:%d category:%d identity:%d "
		 "ask:%d email:%d too_long:%d files_gone:%d files_over:%d)",
		 req->id, e.what, e.category, e.identity, e.ask, e.email, e.too_long, e.kept_gone,
		 e.files_over);
	page_form(req, MHD_HTTP_BAD_REQUEST, f, &e);
	secret_wipe(e.token, sizeof(e.token));
	return false;
}

static json_t *text_of(const struct form *f, enum form_field field)
{
	return json_stringn(form_get(f, field), form_len(f, field));
}

/* Seals and encrypts the form into an appeal: the files kept from earlier
 * tries first, then the new ones, each cleaned (cleaned[i] CLEAN_DONE, in
 * that order) or as it came from the spool, marked "kept" (cleaned NULL:
 * cleaning is off). */
static struct appeal *build_appeal(struct request *req, const char *receipt,
				   const struct cleaned_file *cleaned)
{
	struct form *f = &req->form;
	const struct keep_set *kept = req->kept;
	unsigned nkept = kept ? kept->nfiles : 0;
	unsigned nfiles = nkept + f->nfiles;
	const char *director = choices_director(form_get(f, FIELD_DIRECTOR));
	json_t *content = json_pack("{s:o,s:o,s:o}", "what", text_of(f, FIELD_WHAT), "when_where",
				    text_of(f, FIELD_WHEN_WHERE), "who", text_of(f, FIELD_WHO));
	json_t *identity = NULL;
	struct sealing_file *files = NULL;
	struct spool_reader *readers = NULL;
	struct appeal *a = NULL;
	if (!content)
		goto done;
	if (report_identity(f) == CHOICES_NAMED) {
		identity = json_pack("{s:o,s:o,s:o,s:o}", "name", text_of(f, FIELD_NAME), "phone",
				     text_of(f, FIELD_PHONE), "email", text_of(f, FIELD_EMAIL),
				     "address", text_of(f, FIELD_ADDRESS));
		if (!identity)
			goto done;
	}
	if (nfiles && !(files = calloc(nfiles, sizeof(*files))))
		goto done;
	if (nfiles && !(readers = calloc(nfiles, sizeof(*readers))))
		goto done;
	for (unsigned i = 0; i < nkept; i++) {
		const struct keep_file *kf = &kept->files[i];
		spool_reader_init(&readers[i], kf->up, kf->index);
		files[i] = (struct sealing_file){
		    .name = kf->name.data ? kf->name.data : "",
		    .name_len = kf->name.len,
		    .type = kf->type.data ? kf->type.data : "",
		    .type_len = kf->type.len,
		    .len = kf->len,
		    .read = spool_read,
		    .read_cls = &readers[i],
		    .clean = cleaned ? cleaned[i].state : CLEAN_KEPT,
		};
		if (cleaned && cleaned[i].state == CLEAN_DONE) {
			files[i].data = cleaned[i].data;
			files[i].len = cleaned[i].len;
			files[i].read = NULL;
			files[i].read_cls = NULL;
		}
	}
	for (unsigned i = 0; i < f->nfiles; i++) {
		const struct form_file *ff = &f->files[i];
		/* read back from the spool a record at a time (intake/spool.h) */
		spool_reader_init(&readers[nkept + i], f->up, ff->index);
		files[nkept + i] = (struct sealing_file){
		    .name = ff->name.data,
		    .name_len = ff->name.len,
		    .type = ff->type.data,
		    .type_len = ff->type.len,
		    .len = ff->len,
		    .read = spool_read,
		    .read_cls = &readers[nkept + i],
		    .clean = cleaned ? cleaned[nkept + i].state : CLEAN_KEPT,
		};
		if (cleaned && cleaned[nkept + i].state == CLEAN_DONE) {
			files[nkept + i].data = cleaned[nkept + i].data;
			files[nkept + i].len = cleaned[nkept + i].len;
			files[nkept + i].read = NULL;
			files[nkept + i].read_cls = NULL;
		}
	}
	struct sealing_parts parts = {
	    .channel = "web",
	    .category = choices_category(form_get(f, FIELD_CATEGORY)),
	    .director_involved = director ? director : "unknown",
	    .language = i18n_code(req->lang),
	    .receipt = receipt,
	    .content = content,
	    .identity = identity,
	    .files = files,
	    .nfiles = nfiles,
	};
	a = sealing_build(&req->web->keys, &parts);
done:
	free(files);
	free(readers);
	json_decref(content);
	json_decref(identity);
	return a;
}

struct report_wait {
	struct ticket *ticket;
	struct web *web;
	size_t budget; /* of the memory cap, given back once registered */
	char receipt[RECEIPT_DIGITS + 1];
	char director[16]; /* the reporter's answer, for the receipt page */
};

/* --- the receipt page (docs/http.md "The receipt page") --- */

/* The receipt box's cookie: the token only, for the receipt's pages only,
 * never sent from another site, gone from the browser when the box has
 * wiped the receipt anyway. */
#define RECEIPT_COOKIE "receipt_page"
#define RECEIPT_CAPACITY 4096u

static void receipts_sweep(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct web *w = arg;
	receiptbox_sweep(w->receipts, time(NULL));
}

static bool receipts_init(struct web *w)
{
	w->receipts = receiptbox_new(RECEIPT_CAPACITY);
	w->receipt_sweep = event_new(w->base, -1, EV_PERSIST, receipts_sweep, w);
	if (!w->receipts || !w->receipt_sweep)
		return false;
	struct timeval every = {30, 0};
	return event_add(w->receipt_sweep, &every) == 0;
}

/* Printing the receipt page gives the receipt alone: linked from the page
 * with media="print", so the screen's stylesheet stays as it is. */
static const char receipt_print_css[] =
    "@media print{\n"
    "header,footer,.no-print{display:none!important}\n"
    "body{background:#fff;color:#000;font-size:12pt}\n"
    "main{max-width:none;margin:0;padding:0}\n"
    "h1{font-size:16pt}\n"
    "dl{border:1px solid #000;border-radius:0;padding:.5rem 1rem}\n"
    ".receipt{border:2px solid #000;font-size:18pt;letter-spacing:.1em;"
    "word-spacing:.4em;break-inside:avoid}\n"
    ".notice{border-left:2px solid #000;padding:.25rem .75rem}\n"
    "a{color:#000;text-decoration:none}\n"
    "}\n";

/* "07.12.2026 14:05 (Astana time)" */
static void registered_when(char *out, size_t len, enum lang lang, const char *iso)
{
	char date[64];
	html_date(date, sizeof(date), lang, iso);
	snprintf(out, len, "%s (%s)", date, i18n(lang, M_RECEIPT_ZONE));
}

static void status_at(char *out, size_t len, const struct request *req)
{
	char link[512];
	config_public_link(req->web->cfg, "status", link, sizeof(link));
	snprintf(out, len, i18n(req->lang, M_RECEIPT_STATUS_AT), link);
}

/* kept: the receipt is in the box, so the page can say for how long and
 * offer the file; not kept at shutdown, when the POST is answered with
 * the page itself. */
static void page_receipt(struct request *req, const struct receiptbox_entry *e, unsigned status,
			 bool kept)
{
	enum lang lang = req->lang;
	char text[RECEIPT_TEXT_SIZE], when[128], how[768], shown[512];
	receipt_format(e->receipt, text);
	registered_when(when, sizeof(when), lang, e->registered_at);
	status_at(how, sizeof(how), req);
	unsigned minutes = (req->web->cfg->receipt_page_seconds + 59) / 60;
	snprintf(shown, sizeof(shown), i18n(lang, M_RECEIPT_SHOWN_FOR), minutes);
	struct buf b;
	buf_init(&b);
	/* its language links keep this page, and this receipt */
	html_begin(&b, lang, i18n(lang, M_RECEIPT_TITLE), "/receipt");
	html_markup(&b, "<link rel=\"stylesheet\" href=\"/receipt/print.css\" media=\"print\">\n"
			"<h1>");
	html_escape_str(&b, i18n(lang, M_RECEIPT_TITLE));
	html_markup(&b, "</h1>\n<dl>\n<dt>");
	html_escape_str(&b, i18n(lang, M_RECEIPT_REGNO));
	html_markup(&b, "</dt>\n<dd><strong id=\"reg-no\">");
	html_escape_str(&b, e->reg_no);
	html_markup(&b, "</strong></dd>\n<dt>");
	html_escape_str(&b, i18n(lang, M_STATUS_REGISTERED_AT));
	html_markup(&b, "</dt>\n<dd id=\"registered-at\">");
	html_escape_str(&b, when);
	html_markup(&b, "</dd>\n<dt>");
	html_escape_str(&b, i18n(lang, M_RECEIPT_CODE));
	html_markup(&b, "</dt>\n<dd><code class=\"receipt\" id=\"receipt\">");
	html_escape_str(&b, text);
	html_markup(&b, "</code></dd>\n</dl>\n<p class=\"notice\">");
	html_escape_str(&b, i18n(lang, M_RECEIPT_ADVICE));
	html_markup(&b, "</p>\n<p>");
	html_escape_str(&b, i18n(lang, M_RECEIPT_NEXT));
	html_markup(&b, "</p>\n<p id=\"status-at\">");
	html_escape_str(&b, how);
	html_markup(&b, "</p>\n<ul class=\"no-print\" id=\"keep\">\n");
	if (kept) {
		html_f(&b, "<li><a id=\"save-file\" href=\"/receipt/file?lang=%s\" download>",
		       i18n_code(lang));
		html_escape_str(&b, i18n(lang, M_RECEIPT_SAVE));
		html_markup(&b, "</a></li>\n");
	}
	html_markup(&b, "<li id=\"print-hint\">");
	html_escape_str(&b, i18n(lang, M_RECEIPT_PRINT_HINT));
	html_markup(&b, "</li>\n</ul>\n");
	if (kept) {
		html_markup(&b, "<p class=\"hint no-print\" id=\"shown-for\">");
		html_escape_str(&b, shown);
		html_markup(&b, "</p>\n");
	}
	html_markup(&b, "<p class=\"no-print\"><a href=\"/status\">");
	html_escape_str(&b, i18n(lang, M_RECEIPT_STATUS_LINK));
	html_markup(&b, "</a></p>\n");
	html_end(&b, lang);
	request_reply_page(req, status, &b);
	explicit_bzero(text, sizeof(text));
}

/* The same receipt as a small text file, in the page's language. */
static void receipt_file(struct request *req, const struct receiptbox_entry *e)
{
	enum lang lang = req->lang;
	char text[RECEIPT_TEXT_SIZE], when[128], how[768], disposition[96];
	receipt_format(e->receipt, text);
	registered_when(when, sizeof(when), lang, e->registered_at);
	status_at(how, sizeof(how), req);
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "%s — %s\r\n\r\n", i18n(lang, M_SITE_NAME), i18n(lang, M_RECEIPT_TITLE));
	buf_printf(&b, "%s: %s\r\n", i18n(lang, M_RECEIPT_REGNO), e->reg_no);
	buf_printf(&b, "%s: %s\r\n", i18n(lang, M_STATUS_REGISTERED_AT), when);
	buf_printf(&b, "%s: %s\r\n\r\n", i18n(lang, M_RECEIPT_CODE), text);
	buf_printf(&b, "%s\r\n\r\n%s\r\n\r\n%s\r\n", i18n(lang, M_RECEIPT_ADVICE),
		   i18n(lang, M_RECEIPT_NEXT), how);
	explicit_bzero(text, sizeof(text));
	request_reply_buf(req, MHD_HTTP_OK, "text/plain; charset=utf-8", &b);
	/* the registration number only: it is on every page of the case */
	snprintf(disposition, sizeof(disposition), "attachment; filename=\"receipt-%s.txt\"",
		 e->reg_no);
	MHD_add_response_header(req->response, "Content-Disposition", disposition);
}

/* The receipt is not shown any more (its time is up, or this browser never
 * had it): 410, and the cookie goes too. */
static void page_receipt_gone(struct request *req)
{
	enum lang lang = req->lang;
	struct buf b;
	buf_init(&b);
	html_begin(&b, lang, i18n(lang, M_RECEIPT_GONE_TITLE), "/receipt");
	html_markup(&b, "<h1>");
	html_escape_str(&b, i18n(lang, M_RECEIPT_GONE_TITLE));
	html_markup(&b, "</h1>\n<p class=\"notice\" id=\"receipt-gone\" role=\"status\">");
	html_escape_str(&b, i18n(lang, M_RECEIPT_GONE));
	html_markup(&b, "</p>\n<p><a href=\"/status\">");
	html_escape_str(&b, i18n(lang, M_RECEIPT_STATUS_LINK));
	html_markup(&b, "</a></p>\n<p><a href=\"/\">");
	html_escape_str(&b, i18n(lang, M_BACK_TO_FORM));
	html_markup(&b, "</a></p>\n");
	html_end(&b, lang);
	request_reply_page(req, MHD_HTTP_GONE, &b);
	MHD_add_response_header(req->response, MHD_HTTP_HEADER_SET_COOKIE,
				RECEIPT_COOKIE
				"=; Path=/receipt; Max-Age=0; HttpOnly; SameSite=Strict");
}

/* GET /receipt and /receipt/file: the receipt this browser's cookie names. */
static void receipt_get(struct request *req, bool as_file)
{
	const char *token = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, RECEIPT_COOKIE);
	struct receiptbox_entry e;
	if (!receiptbox_get(req->web->receipts, token, time(NULL), &e)) {
		log_info("request %lu: receipt page asked for, none kept for it", req->id);
		page_receipt_gone(req);
		return;
	}
	/* the language the report was sent in, unless a language link said
	 * otherwise: Back after a switch shows the page as it was */
	enum lang lang;
	if (!MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "lang") &&
	    i18n_parse(e.lang, &lang))
		req->lang = lang;
	if (as_file)
		receipt_file(req, &e);
	else
		page_receipt(req, &e, MHD_HTTP_OK, true);
	explicit_bzero(&e, sizeof(e));
}

/* The registered report's answer: 303 to GET /receipt, which shows the
 * receipt kept under the cookie set here (the receipt goes into no URL). */
static void receipt_redirect(struct request *req, const char *receipt, const char *director,
			     const struct appeal_result *r)
{
	struct receiptbox_entry e;
	memset(&e, 0, sizeof(e));
	snprintf(e.receipt, sizeof(e.receipt), "%s", receipt);
	snprintf(e.reg_no, sizeof(e.reg_no), "%s", r->reg_no);
	snprintf(e.registered_at, sizeof(e.registered_at), "%s", r->registered_at);
	snprintf(e.director_involved, sizeof(e.director_involved), "%s", director);
	snprintf(e.lang, sizeof(e.lang), "%s", i18n_code(req->lang));
	if (req->web->stopping) {
		/* the daemon is stopping: the GET would find no one, so the
		 * answer is the page (a reload would post again: the price of
		 * not losing the receipt) */
		page_receipt(req, &e, MHD_HTTP_OK, false);
		explicit_bzero(&e, sizeof(e));
		return;
	}
	char token[RECEIPTBOX_TOKEN_SIZE], cookie[160], location[32];
	unsigned lifetime = req->web->cfg->receipt_page_seconds;
	receiptbox_put(req->web->receipts, &e, time(NULL), lifetime, token);
	explicit_bzero(&e, sizeof(e));
	snprintf(cookie, sizeof(cookie),
		 RECEIPT_COOKIE "=%s; Path=/receipt; Max-Age=%u; HttpOnly; SameSite=Strict", token,
		 lifetime);
	/* no ?lang=: it would set the language cookie, one more trace on a
	 * shared device; the page is in the form's language anyway */
	snprintf(location, sizeof(location), "/receipt");
	/* a page too, for a client that does not follow the redirect */
	struct buf b;
	buf_init(&b);
	html_begin(&b, req->lang, i18n(req->lang, M_RECEIPT_TITLE), "/");
	html_f(&b, "<p><a href=\"%s\">", location);
	html_escape_str(&b, i18n(req->lang, M_RECEIPT_TITLE));
	html_markup(&b, "</a></p>\n");
	html_end(&b, req->lang);
	request_reply_page(req, MHD_HTTP_SEE_OTHER, &b);
	MHD_add_response_header(req->response, MHD_HTTP_HEADER_LOCATION, location);
	MHD_add_response_header(req->response, MHD_HTTP_HEADER_SET_COOKIE, cookie);
	explicit_bzero(token, sizeof(token));
	explicit_bzero(cookie, sizeof(cookie));
}

static void report_registered(void *arg, const struct appeal_result *r)
{
	struct report_wait *rw = arg;
	struct request *req = ticket_take(rw->ticket);
	if (!req) {
		if (r->ok)
			log_warning("%s registered after its request timed out; the reporter was "
				    "told to try again",
				    r->reg_no);
	} else if (r->ok) {
		receipt_redirect(req, rw->receipt, rw->director, r);
		request_resume(req);
	} else if (r->unknown) {
		page_error(req, MHD_HTTP_SERVICE_UNAVAILABLE, "error-unconfirmed",
			   M_ERR_UNCONFIRMED_TITLE, M_ERR_UNCONFIRMED);
		request_resume(req);
	} else {
		page_not_saved(req);
		request_resume(req);
	}
	budget_give(rw->web, rw->budget);
	memset(rw->receipt, 0, sizeof(rw->receipt));
	free(rw);
}

/* Holds the memory cap's req->budget_need bytes. */
static void seal_report(struct request *req, const struct cleaned_file *cleaned)
{
	struct report_wait *rw = calloc(1, sizeof(*rw));
	if (!rw)
		abort();
	rw->web = req->web;
	rw->budget = req->budget_need;
	req->budget_need = 0;
	receipt_generate(rw->receipt);
	const char *director = choices_director(form_get(&req->form, FIELD_DIRECTOR));
	snprintf(rw->director, sizeof(rw->director), "%s", director ? director : "unknown");
	struct appeal *a = build_appeal(req, rw->receipt, cleaned);
	if (!a) {
		log_error("request %lu: sealing the report failed", req->id);
		budget_give(rw->web, rw->budget);
		free(rw);
		form_free(&req->form);
		uploads_kept_release(req->web, req->kept);
		req->kept = NULL;
		page_not_saved(req);
		return;
	}
	form_free(&req->form); /* the clear text is not needed any more */
	uploads_kept_release(req->web, req->kept);
	req->kept = NULL;
	/* The appeal layer answers within request_timeout; the request's own
	 * timer is only a backstop for a database that stopped answering. */
	rw->ticket = request_wait(req, req->request_timeout + 10);
	appeal_register(req->web->appeals, a, req->request_timeout, report_registered, rw);
}

static void report_cleaned(struct request *req, const struct cleaned_file *cleaned, void *arg)
{
	(void)arg;
	seal_report(req, cleaned);
}

/* Holds the memory cap's req->budget_need bytes. */
static void proceed_report(struct request *req)
{
	uploads_clean(req, report_cleaned, NULL, NULL);
}

/* --- the organisation's policy on anonymous reports --- */

static void policy_read(struct db_job *job, void *arg)
{
	struct web *w = arg;
	w->policy_reading = false;
	PGresult *res = db_job_ok(job) ? db_job_result(job, 0) : NULL;
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK)
		return; /* keep what was known; the next GET tries again */
	int value = db_col(res, "value");
	w->consider_anonymous = PQntuples(res) == 1 && !PQgetisnull(res, 0, value) &&
				procedure_considers_anonymous(PQgetvalue(res, 0, value));
}

/* The form shows what was last read; a fresh read is on its way for the
 * next one. */
static void policy_refresh(struct web *w)
{
	static const char sql_policy[] =
	    "SELECT hotline.setting('consider_anonymous_reports') AS value";
	time_t now = time(NULL);
	if (w->policy_reading || (w->policy_read_at && now - w->policy_read_at < 2))
		return;
	struct db_job *job = db_job_new(policy_read, w);
	if (!job)
		return;
	db_job_add(job, sql_policy, 0, NULL, NULL, NULL);
	w->policy_reading = true;
	w->policy_read_at = now;
	db_submit(w->db, job);
}

/* --- dispatch --- */

static void handle_get(struct request *req)
{
	trust_refresh(req->web->trust); /* the header's face, for the next pages */
	switch (req->route) {
	case ROUTE_FORM:
		policy_refresh(req->web);
		page_form(req, MHD_HTTP_OK, NULL, NULL);
		break;
	case ROUTE_STATUS_FORM:
		status_page_form(req, MHD_HTTP_OK, NULL);
		break;
	case ROUTE_STATUS_SENT:
		status_page_sent(req);
		break;
	case ROUTE_RECEIPT:
		receipt_get(req, false);
		break;
	case ROUTE_RECEIPT_FILE:
		receipt_get(req, true);
		break;
	case ROUTE_RECEIPT_PRINT:
		request_reply_text(req, MHD_HTTP_OK, "text/css; charset=utf-8", receipt_print_css);
		break;
	case ROUTE_STYLE:
		request_reply_text(req, MHD_HTTP_OK, "text/css; charset=utf-8", html_stylesheet());
		break;
	case ROUTE_HEALTH:
		status_health(req);
		break;
	case ROUTE_TRUST:
	case ROUTE_ABOUT:
	case ROUTE_PRIVACY:
		trust_page(req);
		break;
	case ROUTE_LOGO:
		trust_logo(req);
		break;
	default:
		break;
	}
}

bool web_mem_take(void *w, size_t n)
{
	return budget_take_slice(w, n);
}

void web_mem_give(void *w, size_t n)
{
	budget_give_slice(w, n);
}

static void handle_post(struct request *req)
{
	struct form *f = &req->form;
	if (req->slice > REQUEST_PARKED_SLICE) {
		/* the body is in: the post processor's buffer is gone */
		budget_give_slice(req->web, req->slice - REQUEST_PARKED_SLICE);
		req->slice = REQUEST_PARKED_SLICE;
	}
	switch (form_end(f)) {
	case FORM_SPOOL_FULL:
		log_info("request %lu: refused, the upload spool is full", req->id);
		form_free(f);
		page_overloaded(req);
		return;
	case FORM_SPOOL_FAILED:
		log_error("request %lu: refused, the upload spool failed", req->id);
		form_free(f);
		page_not_saved(req);
		return;
	case FORM_TOO_LARGE:
		log_info("request %lu: refused, over the size limits (%zu bytes sent)", req->id,
			 f->body_bytes);
		page_too_large(req);
		return;
	case FORM_BAD_ENCODING:
		log_info("request %lu: refused, invalid UTF-8", req->id);
		form_free(f);
		page_error(req, MHD_HTTP_BAD_REQUEST, "error-encoding", M_ERR_BAD_REQUEST_TITLE,
			   M_ERR_ENCODING);
		return;
	case FORM_MALFORMED:
		log_info("request %lu: refused, malformed form body", req->id);
		form_free(f);
		page_error(req, MHD_HTTP_BAD_REQUEST, "error-encoding", M_ERR_BAD_REQUEST_TITLE,
			   M_ERR_ENCODING);
		return;
	case FORM_OK:
	case FORM_TEXT_TOO_LONG:
		break;
	}
	enum lang lang;
	if (i18n_parse(form_get(f, FIELD_LANG), &lang))
		req->lang = lang;
	switch (req->route) {
	case ROUTE_REPORT:
		kept_take(req);
		if (!check_report(req))
			break;
		/* The ciphertext of the files is built whole in memory and the
		 * database client copies it once more: that much of the memory
		 * cap is taken first, or the report waits its turn (its files
		 * are on the spool meanwhile, holding no memory). */
		req->budget_need = uploads_need(f) + uploads_kept_need(req->kept);
		if (budget_take(req->web, req->budget_need))
			proceed_report(req);
		else
			budget_wait(req, req->budget_need, proceed_report);
		break;
	case ROUTE_STATUS:
	case ROUTE_STATUS_MESSAGE:
		status_handle_post(req);
		break;
	default:
		break;
	}
}

static enum route route_of(const char *url, const char *method, bool *post)
{
	static const struct {
		const char *path;
		const char *method;
		enum route route;
	} routes[] = {
	    {"/", "GET", ROUTE_FORM},
	    {"/report", "POST", ROUTE_REPORT},
	    {"/status", "GET", ROUTE_STATUS_FORM},
	    {"/status", "POST", ROUTE_STATUS},
	    {"/status/message", "POST", ROUTE_STATUS_MESSAGE},
	    {"/status/sent", "GET", ROUTE_STATUS_SENT},
	    {"/receipt", "GET", ROUTE_RECEIPT},
	    {"/receipt/file", "GET", ROUTE_RECEIPT_FILE},
	    {"/receipt/print.css", "GET", ROUTE_RECEIPT_PRINT},
	    {"/style.css", "GET", ROUTE_STYLE},
	    {"/healthz", "GET", ROUTE_HEALTH},
	    {"/trust", "GET", ROUTE_TRUST},
	    {"/about", "GET", ROUTE_ABOUT},
	    {"/privacy", "GET", ROUTE_PRIVACY},
	    {"/logo", "GET", ROUTE_LOGO},
	};
	bool known_path = false;
	bool head = strcmp(method, "HEAD") == 0;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(url, routes[i].path) != 0)
			continue;
		known_path = true;
		if (strcmp(method, routes[i].method) == 0 ||
		    (head && strcmp(routes[i].method, "GET") == 0)) {
			*post = strcmp(method, "POST") == 0;
			return routes[i].route;
		}
	}
	return known_path ? ROUTE_METHOD : ROUTE_NOT_FOUND;
}

/* A receipt lookup stops counting as in progress once it is answered or
 * its client has gone. */
static void lookup_finished(struct request *req)
{
	if (req->lookup_admitted) {
		ratelimit_done(req->web->limiter, req->lookup_client);
		req->lookup_admitted = false;
	}
}

static enum MHD_Result queue_answer(struct request *req)
{
	lookup_finished(req);
	enum MHD_Result r = MHD_queue_response(req->conn, req->status, req->response);
	MHD_destroy_response(req->response);
	req->response = NULL;
	return r;
}

static bool content_length_over(struct request *req)
{
	const char *cl =
	    MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (!cl)
		return false;
	char *end;
	unsigned long long n = strtoull(cl, &end, 10);
	return *end == '\0' && n > req->limits.max_body;
}

static void request_start(struct request *req, const char *url, const char *method)
{
	const struct config *cfg = req->web->cfg;
	req->limits.max_body = cfg->max_body_bytes;
	req->limits.max_text = cfg->max_text_bytes;
	req->limits.max_file = cfg->max_file_bytes;
	req->limits.max_files = cfg->max_files;
	req->request_timeout = cfg->request_timeout;
	req->route = route_of(url, method, &req->is_post);
	req->lang = request_language(req, cfg);
	switch (req->route) {
	case ROUTE_NOT_FOUND:
		log_info("request %lu: no such page", req->id);
		page_error(req, MHD_HTTP_NOT_FOUND, "error-not-found", M_ERR_NOT_FOUND_TITLE,
			   M_ERR_NOT_FOUND);
		return;
	case ROUTE_METHOD:
		log_info("request %lu: method %.16s not allowed", req->id, method);
		page_error(req, MHD_HTTP_METHOD_NOT_ALLOWED, "error-method", M_ERR_METHOD_TITLE,
			   M_ERR_METHOD);
		MHD_add_response_header(req->response, MHD_HTTP_HEADER_ALLOW,
					strcmp(url, "/status") == 0 ? "GET, POST"
					: strcmp(url, "/status/sent") == 0 ||
						strncmp(url, "/receipt", 8) == 0
					    ? "GET"
					    : "GET, POST");
		return;
	default:
		break;
	}
	if (!req->is_post)
		return;
	if (content_length_over(req)) {
		log_info("request %lu: refused, Content-Length over max_body_bytes", req->id);
		page_too_large(req);
		return;
	}
	/* issue 14: the memory and spool caps refuse at once, before a
	 * byte of the body is read, rather than after a long upload */
	const char *cl =
	    MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl && !spool_room(req->web->spool, (size_t)strtoull(cl, NULL, 10))) {
		log_info("request %lu: refused, the upload spool is full", req->id);
		page_overloaded(req);
		return;
	}
	if (!budget_take_slice(req->web, REQUEST_UPLOAD_SLICE)) {
		log_info("request %lu: refused, upload_memory_bytes reached", req->id);
		page_overloaded(req);
		return;
	}
	req->slice = REQUEST_UPLOAD_SLICE;
	if (!form_begin(&req->form, req->conn, &req->limits, req->web->spool)) {
		log_info("request %lu: refused, unsupported content type", req->id);
		page_error(req, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "error-type", M_ERR_TYPE_TITLE,
			   M_ERR_TYPE);
		return;
	}
	req->has_form = true;
}

enum MHD_Result web_handle(void *cls, struct MHD_Connection *conn, const char *url,
			   const char *method, const char *version, const char *upload_data,
			   size_t *upload_data_size, void **con_cls)
{
	(void)version;
	struct web *w = cls;
	struct request *req = *con_cls;
	if (!req) {
		req = calloc(1, sizeof(*req));
		if (!req)
			return MHD_NO;
		req->web = w;
		req->conn = conn;
		req->id = ++w->next_id;
		*con_cls = req;
		request_start(req, url, method);
		if (req->response)
			return queue_answer(req);
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (req->has_form)
			form_feed(&req->form, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (req->response)
		return queue_answer(req);
	if (req->suspended)
		return MHD_YES;
	if (req->is_post)
		handle_post(req);
	else
		handle_get(req);
	if (req->response)
		return queue_answer(req);
	return MHD_YES; /* suspended: answered later */
}

void web_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		   enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	struct request *req = *con_cls;
	if (!req)
		return;
	if (req->ticket)
		req->ticket->req = NULL;
	budget_unwait(req);
	if (req->slice)
		budget_give_slice(req->web, req->slice);
	if (req->timer)
		event_free(req->timer);
	if (req->response)
		MHD_destroy_response(req->response);
	lookup_finished(req);
	form_free(&req->form);
	uploads_kept_release(req->web, req->kept);
	memset(req->receipt, 0, sizeof(req->receipt));
	bool posted =
	    req->is_post || req->route == ROUTE_RECEIPT || req->route == ROUTE_RECEIPT_FILE;
	free(req);
	*con_cls = NULL;
	/* the post processor, the form parser and the page builders ran
	 * deeper on this stack with the text (or the receipt pages' printf
	 * with the receipt) */
	if (posted)
		wipe_stack();
}
