#include "intake/trust.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/html.h"
#include "base/log.h"
#include "intake/request.h"
#include "workflow/site.h"

/* The settings as last read: one string per key of site_keys() (NULL when
 * unset), and the logo. */
#define TRUST_KEYS 32

struct trust {
	struct db *db;
	char *value[TRUST_KEYS];
	unsigned char *logo; /* PQfreemem() */
	size_t logo_len;
	char logo_type[16];
	char logo_stamp[32]; /* changed_at in µs: the logo's version */
	time_t read_at;
	bool reading;
};

static const char sql_settings[] = "SELECT key, value FROM hotline.settings "
				   "WHERE key = 'organisation' OR key LIKE 'trust\\_%'";
/* The image only when it is not the one the copy has ($1: its stamp). */
static const char sql_logo[] =
    "SELECT content_type, stamp, CASE WHEN stamp = $1 THEN NULL ELSE image END AS image "
    "FROM (SELECT content_type, image, "
    "floor(extract(epoch FROM changed_at) * 1000000)::bigint::text AS stamp "
    "FROM hotline.site_logo) l";

struct trust *trust_new(struct db *db)
{
	struct trust *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->db = db;
	html_face_set("", "");
	return t;
}

static void values_clear(struct trust *t)
{
	for (int i = 0; i < TRUST_KEYS; i++) {
		free(t->value[i]);
		t->value[i] = NULL;
	}
}

static void logo_clear(struct trust *t)
{
	if (t->logo)
		PQfreemem(t->logo);
	t->logo = NULL;
	t->logo_len = 0;
	t->logo_type[0] = t->logo_stamp[0] = '\0';
}

void trust_free(struct trust *t)
{
	if (!t)
		return;
	values_clear(t);
	logo_clear(t);
	free(t);
}

static int key_index(const char *key)
{
	int i = 0;
	for (const struct site_key *k = site_keys(); k->key && i < TRUST_KEYS; k++, i++) {
		if (strcmp(k->key, key) == 0)
			return i;
	}
	return -1;
}

/* The value of key, "" when unset. */
static const char *value(const struct trust *t, const char *key)
{
	int i = key_index(key);
	return i >= 0 && t->value[i] ? t->value[i] : "";
}

static const char *lang_value(const struct trust *t, const char *base, enum lang lang)
{
	char key[64];
	site_lang_key(key, sizeof key, base, lang);
	return value(t, key);
}

/* Takes a read's results into the copy and the header; false (the copy
 * kept as it was) when the read failed. */
static bool apply(struct trust *t, struct db_job *job)
{
	if (!db_job_ok(job))
		return false;
	const PGresult *set = db_job_result(job, 0), *logo = db_job_result(job, 1);
	values_clear(t);
	int key = db_col(set, "key"), val = db_col(set, "value");
	for (int r = 0; r < PQntuples(set); r++) {
		int i = key_index(PQgetvalue(set, r, key));
		if (i >= 0 && !(t->value[i] = strdup(PQgetvalue(set, r, val))))
			abort(); /* out of memory for a few hundred bytes */
	}
	if (PQntuples(logo) != 1) {
		logo_clear(t);
	} else if (!PQgetisnull(logo, 0, db_col(logo, "image"))) {
		size_t len;
		unsigned char *img = db_bytea(logo, 0, db_col(logo, "image"), &len);
		if (img) {
			logo_clear(t);
			t->logo = img;
			t->logo_len = len;
			snprintf(t->logo_type, sizeof t->logo_type, "%s",
				 PQgetvalue(logo, 0, db_col(logo, "content_type")));
			snprintf(t->logo_stamp, sizeof t->logo_stamp, "%s",
				 PQgetvalue(logo, 0, db_col(logo, "stamp")));
		}
	}
	char path[64] = "";
	if (t->logo)
		snprintf(path, sizeof path, "/logo?v=%s", t->logo_stamp);
	html_face_set(value(t, "organisation"), path);
	t->read_at = time(NULL);
	return true;
}

static void read_add(struct trust *t, struct db_job *job)
{
	const char *v[1] = {t->logo_stamp};
	db_job_add(job, sql_settings, 0, NULL, NULL, NULL);
	db_job_add(job, sql_logo, 1, v, NULL, NULL);
}

static void refreshed(struct db_job *job, void *arg)
{
	struct trust *t = arg;
	t->reading = false;
	if (apply(t, job))
		return;
	/* the pool may not be up yet (the read at start): again in a second */
	log_info("trust: the settings could not be read (SQLSTATE %s); the last copy stays",
		 db_job_sqlstate(job));
	t->read_at = time(NULL) - TRUST_MAX_AGE + 1;
}

void trust_refresh(struct trust *t)
{
	time_t now = time(NULL);
	if (t->reading || (t->read_at && now - t->read_at < TRUST_MAX_AGE))
		return;
	struct db_job *job = db_job_new(refreshed, t);
	if (!job)
		return;
	read_add(t, job);
	t->reading = true;
	t->read_at = now; /* a failed read is tried again after TRUST_MAX_AGE too */
	db_submit(t->db, job);
}

/* --- the page --- */

static void dd_row(struct buf *b, enum lang lang, const char *id, enum msg term)
{
	html_markup(b, "<dt>");
	html_msg(b, lang, term);
	html_f(b, "</dt><dd id=\"%s\">", id);
}

/* A section of texts: the administrator's own (kept as typed, lines and
 * all) or the defaults, one paragraph each. */
static void texts(struct buf *b, enum lang lang, const char *id, enum msg title, const char *own,
		  const enum msg *defaults, unsigned n, bool list)
{
	html_f(b, "<section id=\"%s\" aria-labelledby=\"%s-title\"><h2 id=\"%s-title\">", id, id,
	       id);
	html_msg(b, lang, title);
	html_markup(b, "</h2>\n");
	if (own[0]) {
		html_f(b, "<div class=\"own\" id=\"%s-text\">%s</div>\n", id, own);
	} else {
		html_markup(b, list ? "<ul class=\"default\">\n" : "<div class=\"default\">\n");
		for (unsigned i = 0; i < n; i++) {
			html_markup(b, list ? "<li>" : "<p>");
			html_msg(b, lang, defaults[i]);
			html_markup(b, list ? "</li>\n" : "</p>\n");
		}
		html_markup(b, list ? "</ul>\n" : "</div>\n");
	}
	html_markup(b, "</section>\n");
}

static void page_write(struct request *req, const struct trust *t, const char *self_path)
{
	enum lang lang = req->lang;
	struct buf b;
	buf_init(&b);
	html_begin(&b, lang, i18n(lang, M_TRUST_TITLE), self_path);
	html_markup(&b, "<div class=\"trust\">\n<h1>");
	html_msg(&b, lang, M_TRUST_TITLE);
	html_markup(&b, "</h1>\n<section id=\"contacts\" aria-labelledby=\"contacts-title\">"
			"<h2 id=\"contacts-title\">");
	html_msg(&b, lang, M_TRUST_CONTACTS);
	html_markup(&b, "</h2>\n<dl>\n");
	const char *org = value(t, "organisation"), *phone = value(t, "trust_phone"),
		   *email = value(t, "trust_email"), *hours = lang_value(t, "trust_hours", lang);
	if (org[0]) {
		dd_row(&b, lang, "trust-org", M_TRUST_ORG);
		html_f(&b, "%s</dd>\n", org);
	}
	if (phone[0]) {
		/* tel: without the blanks and brackets people read */
		char tel[64];
		size_t n = 0;
		for (const char *p = phone; *p && n + 1 < sizeof tel; p++)
			if ((*p >= '0' && *p <= '9') || *p == '+')
				tel[n++] = *p;
		tel[n] = '\0';
		dd_row(&b, lang, "trust-phone", M_TRUST_PHONE);
		html_f(&b, "<a href=\"tel:%s\">%s</a></dd>\n", tel, phone);
		dd_row(&b, lang, "trust-hours", M_TRUST_HOURS);
		html_f(&b, "%s</dd>\n", hours[0] ? hours : i18n(lang, M_TRUST_HOURS_DEFAULT));
	}
	if (email[0]) {
		dd_row(&b, lang, "trust-email", M_TRUST_EMAIL);
		html_f(&b, "<a href=\"mailto:%s\">%s</a></dd>\n", email, email);
	}
	html_markup(&b, "</dl>\n<p id=\"trust-web\">");
	html_msg(&b, lang, M_TRUST_WEB);
	html_markup(&b, " <a href=\"/\">");
	html_msg(&b, lang, M_TRUST_TO_FORM);
	html_markup(&b, "</a></p>\n</section>\n");
	unsigned n;
	const enum msg *d = site_default_safety(&n);
	texts(&b, lang, "safety", M_TRUST_SAFETY_TITLE, lang_value(t, "trust_safety", lang), d, n,
	      true);
	d = site_default_privacy(&n);
	texts(&b, lang, "privacy", M_TRUST_PRIVACY_TITLE, lang_value(t, "trust_privacy", lang), d,
	      n, false);
	html_markup(&b, "</div>\n");
	html_end(&b, lang);
	request_reply_page(req, MHD_HTTP_OK, &b);
}

static const char *self_path_of(const struct request *req)
{
	switch (req->route) {
	case ROUTE_ABOUT:
		return "/about";
	case ROUTE_PRIVACY:
		return "/privacy";
	default:
		return "/trust";
	}
}

struct page_read {
	struct trust *t;
	struct ticket *ticket;
};

static void page_read_done(struct db_job *job, void *arg)
{
	struct page_read *pr = arg;
	struct trust *t = pr->t;
	struct request *req = ticket_take(pr->ticket);
	free(pr);
	/* a failed read shows the last copy: the page is the same for all
	 * and holds nothing a stale copy could make untrue for long */
	if (!apply(t, job))
		log_warning("trust: the settings could not be read (SQLSTATE %s); the last copy "
			    "is shown",
			    db_job_sqlstate(job));
	if (!req)
		return;
	page_write(req, t, self_path_of(req));
	request_resume(req);
}

void trust_page(struct request *req)
{
	struct trust *t = req->web->trust;
	struct page_read *pr = calloc(1, sizeof(*pr));
	struct db_job *job = pr ? db_job_new(page_read_done, pr) : NULL;
	if (!job) {
		free(pr);
		page_write(req, t, self_path_of(req));
		return;
	}
	pr->t = t;
	read_add(t, job);
	pr->ticket = request_wait(req, req->request_timeout);
	db_submit(t->db, job);
}

void trust_logo(struct request *req)
{
	struct trust *t = req->web->trust;
	trust_refresh(t);
	if (!t->logo) {
		page_error(req, MHD_HTTP_NOT_FOUND, "error-not-found", M_ERR_NOT_FOUND_TITLE,
			   M_ERR_NOT_FOUND);
		return;
	}
	/* the pages' address names the version (/logo?v=STAMP): a new logo is
	 * a new address, so a browser may keep this one; any other address of
	 * it is not kept */
	const char *v = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "v");
	bool versioned = v && strcmp(v, t->logo_stamp) == 0;
	request_reply_data(req, MHD_HTTP_OK, t->logo_type, t->logo, t->logo_len,
			   versioned ? 86400 : 0);
}
