#include "web/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto/digest.h"
#include "accounts/audit.h"
#include "crypto/keys.h"
#include "base/db.h"
#include "base/clientaddr.h"
#include "base/http.h"
#include "base/log.h"
#include "crypto/secret.h"
#include "intake/spool.h"
#include "base/worker.h"
#include "base/html.h"
#include "web/body.h"
#include "staff/internal.h"
#include "staff/seals.h"

#define STAFF_PATH_MAX 512

/* libmicrohttpd's connection pool and the post processor's buffer of a
 * staff POST, counted with its body against the memory cap. */
#define STAFF_BODY_SLICE (80u * 1024u)

struct staff_req {
	struct worker_job job;
	struct staff_server *srv;
	struct MHD_Connection *conn;
	unsigned long id;
	char method[8];
	char path[STAFF_PATH_MAX];
	bool is_post;
	bool in_worker;
	bool orphan; /* MHD finished with it while a worker had it */
	bool suspended;
	/* collected on the loop (web/body.h) */
	struct staff_body body;
	struct staff_file *files;     /* views of body.uploads, made before the worker */
	struct spool_reader *readers; /* of files on the spool, one per upload */
	size_t mem_held;	      /* of the memory cap (staff_server.mem_take) */
	char cookie_session[SESSION_ID_HEX + 2];
	char cookie_pre[SESSION_CSRF_HEX + 2];
	char cookie_device[DEVCOOKIE_TEXT_SIZE + 1]; /* one more: too long is invalid */
	char cookie_lang[8];
	char query_lang[8];
	char accept_language[128];
	unsigned char client_key[THROTTLE_KEY_BYTES];
	/* the answer */
	struct staff_ctx ctx;
	struct staff_priv priv;
	struct staff_user user;
	struct MHD_Response *response;
	unsigned status_code;
	struct event *timer;
	struct staff_req *delayed_next;
};

/* ------------------------------------------------------------ set-up */

struct staff_server *staff_server_new(struct event_base *base, const struct config *cfg,
				      const struct intake_keys *keys, char *err, size_t errlen)
{
	struct staff_server *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->base = base;
	s->cfg = cfg;
	s->keys = keys;
	s->sessions = session_store_new();
	s->kept = keptform_store_new();
	s->throttle = throttle_new();
	s->devtrust = devtrust_new();
	s->devkey = devcookie_key_new();
	if (!s->sessions || !s->kept || !s->throttle || !s->devtrust || !s->devkey) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	/* the accounts' server secret, at start only (a fixed key), and the
	 * limits of new wraps (docs/staff.md, "Accounts and keys") */
	char why[256];
	if (!cfg->account_secret_file) {
		snprintf(err, errlen,
			 "account_secret_file is not set: the staff accounts' keys "
			 "need it (make one with hotlinectl account-secret --out FILE)");
		goto fail;
	}
	if (!account_secret_load(cfg->account_secret_file, why, sizeof why)) {
		snprintf(err, errlen, "account_secret_file: %s", why);
		goto fail;
	}
	struct account_kdf kdf;
	if (!account_kdf_preset(cfg->account_kdf, &kdf)) {
		snprintf(err, errlen, "account_kdf: unknown preset");
		goto fail;
	}
	account_set_kdf(&kdf);
	s->pool = worker_pool_new(base, cfg->staff_workers, cfg->database, cfg->request_timeout);
	if (!s->pool) {
		snprintf(err, errlen, "cannot start the staff worker threads");
		goto fail;
	}
	s->sweeper = seals_sweeper_new(base, s->pool, s->sessions, cfg->staff_idle_timeout);
	if (!s->sweeper) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	return s;
fail:
	staff_server_free(s);
	return NULL;
}

void staff_server_set_http(struct staff_server *s, struct http_server *http)
{
	s->http = http;
}

void staff_server_set_uploads(struct staff_server *s, struct spool *spool,
			      bool (*take)(void *cls, size_t n), void (*give)(void *cls, size_t n),
			      void *cls)
{
	s->spool = spool;
	s->mem_take = take;
	s->mem_give = give;
	s->mem_cls = cls;
}

unsigned staff_busy(const struct staff_server *s)
{
	return s ? s->waiting : 0;
}

void staff_pause(struct staff_server *s)
{
	if (s)
		worker_pause(s->pool);
}

void staff_resume(struct staff_server *s, const struct config *fresh)
{
	if (!s)
		return;
	s->cfg = fresh;
	struct account_kdf kdf;
	if (account_kdf_preset(fresh->account_kdf, &kdf)) /* checked by the parser */
		account_set_kdf(&kdf);
	worker_resume(s->pool);
}

/* ------------------------------------------------------------ requests */

static void req_free(struct staff_req *r)
{
	staff_body_free(&r->body);
	free(r->readers);
	if (r->mem_held && r->srv->mem_give)
		r->srv->mem_give(r->srv->mem_cls, r->mem_held);
	free(r->files);
	for (unsigned i = 0; i < r->priv.nargs_out; i++)
		free(r->priv.args_out[i]);
	buf_wipe(&r->ctx.body);
	if (r->response)
		MHD_destroy_response(r->response);
	if (r->timer)
		event_free(r->timer);
	secret_wipe(r->cookie_session, sizeof r->cookie_session);
	secret_wipe(r->cookie_pre, sizeof r->cookie_pre);
	secret_wipe(r->cookie_device, sizeof r->cookie_device);
	free(r);
}

static void copy_value(char *dst, size_t size, const char *src)
{
	dst[0] = '\0';
	if (src && strlen(src) < size)
		memcpy(dst, src, strlen(src) + 1);
}

/* The key of the client's address for the login slow-down: behind a
 * trusted proxy the address X-Forwarded-For names (base/clientaddr.h);
 * kept only as a keyed hash, never logged. */
static void client_key(struct staff_req *r)
{
	struct sockaddr_storage ss;
	clientaddr_of(r->srv->cfg->trusted_proxies, r->conn, &ss);
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in in;
		memcpy(&in, &ss, sizeof in);
		throttle_key(r->srv->throttle, 'C', &in.sin_addr, sizeof in.sin_addr,
			     r->client_key);
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 in6;
		memcpy(&in6, &ss, sizeof in6);
		throttle_key(r->srv->throttle, 'C', &in6.sin6_addr, sizeof in6.sin6_addr,
			     r->client_key);
	} else {
		throttle_key(r->srv->throttle, 'C', "", 0, r->client_key);
	}
}

/* An answer made on the loop before any worker saw the request. */
static void answer_now(struct staff_req *r, unsigned status, const char *text)
{
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	if (!resp)
		abort();
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	r->response = resp;
	r->status_code = status;
}

static void request_begin(struct staff_req *r, const char *url, const char *method)
{
	const struct config *cfg = r->srv->cfg;
	const struct staff_body_limits limits = {
	    .max_body = cfg->max_body_bytes,
	    .max_text = cfg->max_text_bytes,
	    .max_file = cfg->max_file_bytes,
	    .max_files = cfg->max_files,
	    .spool = r->srv->spool,
	};
	copy_value(r->method, sizeof r->method, method);
	if (strlen(url) >= sizeof r->path) {
		answer_now(r, MHD_HTTP_URI_TOO_LONG, "URI too long\n");
		return;
	}
	copy_value(r->path, sizeof r->path, url);
	r->is_post = strcmp(method, "POST") == 0;
	copy_value(r->cookie_session, sizeof r->cookie_session,
		   MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, STAFF_COOKIE));
	copy_value(r->cookie_pre, sizeof r->cookie_pre,
		   MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, STAFF_PRE_COOKIE));
	copy_value(r->cookie_device, sizeof r->cookie_device,
		   MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, STAFF_DEVICE_COOKIE));
	copy_value(r->cookie_lang, sizeof r->cookie_lang,
		   MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "lang"));
	copy_value(
	    r->accept_language, sizeof r->accept_language,
	    MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_LANGUAGE));
	client_key(r);
	switch (staff_body_begin(&r->body, r->conn, &limits, r->is_post)) {
	case STAFF_BODY_NONE:
		break;
	case STAFF_BODY_FORM: {
		/* The body is read before any session is checked and its files
		 * are held whole: what it may hold (its Content-Length, else
		 * max_body_bytes) and the connection's buffers count against
		 * upload_memory_bytes, or it is refused before it is read. */
		const char *cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);
		size_t n = cl ? (size_t)strtoull(cl, NULL, 10) : cfg->max_body_bytes;
		n = (n < cfg->max_body_bytes ? n : cfg->max_body_bytes) + STAFF_BODY_SLICE;
		if (r->srv->mem_take && !r->srv->mem_take(r->srv->mem_cls, n)) {
			log_info("staff %lu: refused, upload_memory_bytes reached", r->id);
			answer_now(r, MHD_HTTP_SERVICE_UNAVAILABLE,
				   "Too many uploads at once: please try again in a minute\n");
			MHD_add_response_header(r->response, MHD_HTTP_HEADER_RETRY_AFTER, "60");
			break;
		}
		r->mem_held = r->srv->mem_take ? n : 0;
		break;
	}
	case STAFF_BODY_REFUSE_SIZE:
		answer_now(r, MHD_HTTP_CONTENT_TOO_LARGE, "Request too large\n");
		break;
	case STAFF_BODY_REFUSE_TYPE:
		answer_now(r, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "Unsupported form encoding\n");
		break;
	case STAFF_BODY_REFUSE_FORM:
		answer_now(r, MHD_HTTP_BAD_REQUEST, "Malformed form\n");
		break;
	}
}

static bool body_end(struct staff_req *r)
{
	switch (staff_body_end(&r->body)) {
	case STAFF_BODY_OK:
		break;
	case STAFF_BODY_TOO_LARGE:
		answer_now(r, MHD_HTTP_CONTENT_TOO_LARGE, "Request too large\n");
		return false;
	case STAFF_BODY_BAD_ENCODING:
		answer_now(r, MHD_HTTP_BAD_REQUEST, "Invalid UTF-8 in the form\n");
		return false;
	case STAFF_BODY_MALFORMED:
		answer_now(r, MHD_HTTP_BAD_REQUEST, "Malformed form\n");
		return false;
	case STAFF_BODY_SPOOL_FULL:
	case STAFF_BODY_SPOOL_FAILED:
		log_info("staff %lu: refused, the upload spool is full or failed", r->id);
		answer_now(r, MHD_HTTP_SERVICE_UNAVAILABLE,
			   "Too many uploads at once: please try again in a minute\n");
		return false;
	}
	unsigned n;
	const struct staff_body_upload *up = staff_body_uploads(&r->body, &n);
	if (n) {
		r->files = calloc(n, sizeof(*r->files));
		r->readers = calloc(n, sizeof(*r->readers));
		if (!r->files || !r->readers)
			abort();
		for (unsigned i = 0; i < n; i++) {
			r->files[i] = (struct staff_file){
			    .field = up[i].field,
			    .name = up[i].name.data,
			    .type = up[i].type.data,
			    .data = (const unsigned char *)up[i].data.data,
			    .len = up[i].len,
			};
			if (up[i].spool_index >= 0) {
				/* read back by the worker, which alone touches
				 * this upload's spool until the request ends */
				spool_reader_init(&r->readers[i], r->body.up,
						  (unsigned)up[i].spool_index);
				r->files[i].read = spool_read;
				r->files[i].read_cls = &r->readers[i];
			}
		}
	}
	return true;
}

/* A form posted after its session ended (the session's account known):
 * its text fields kept for that account (accounts/keptform.h) and the
 * login page that carries the token instead of a redirect that would
 * lose them. False when nothing was worth keeping or the store is full:
 * the caller redirects as for any request without a session. */
static bool keep_posted_form(struct staff_req *r, const struct staff_route *route,
			     long long user_id)
{
	struct staff_ctx *c = &r->ctx;
	/* the account pages' forms hold passwords and codes only */
	if (!route || (route->roles & STAFF_PUBLIC) || strncmp(route->name, "account.", 8) == 0)
		return false;
	struct buf fields;
	buf_init(&fields);
	unsigned kept = 0;
	for (unsigned i = 0; i < r->body.nfields; i++) {
		const struct staff_body_field *f = &r->body.fields[i];
		if (f->query || !staff_kept_field_ok(f->name))
			continue;
		keptform_field_add(&fields, f->name, f->value.data, f->value.len);
		kept++;
	}
	bool ok = kept > 0 && keptform_keep(r->srv->kept, user_id, r->path, &fields, time(NULL),
					    r->priv.kept_token);
	buf_wipe(&fields);
	if (!ok) {
		r->priv.kept_token[0] = '\0';
		return false;
	}
	r->priv.kept_files = r->body.nuploads > 0;
	log_info("staff %lu: a form posted after its session ended was kept", r->id);
	staff_login_page(c, 200, false, false);
	return true;
}

static void run_job(struct worker_job *job, PGconn *db);
static const struct staff_request_ops req_ops;
static void job_done(struct worker_job *job, bool cancelled);

static enum MHD_Result queue(struct staff_req *r)
{
	enum MHD_Result res = MHD_queue_response(r->conn, r->status_code, r->response);
	MHD_destroy_response(r->response);
	r->response = NULL;
	return res;
}

enum MHD_Result staff_handle(void *cls, struct MHD_Connection *conn, const char *url,
			     const char *method, const char *version, const char *upload_data,
			     size_t *upload_data_size, void **con_cls)
{
	(void)version;
	struct staff_server *s = cls;
	struct staff_req *r = *con_cls;
	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		r->srv = s;
		r->conn = conn;
		r->id = ++s->next_id;
		*con_cls = r;
		request_begin(r, url, method);
		if (r->response)
			return queue(r); /* refused before the body */
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!r->response)
			staff_body_feed(&r->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->response)
		return queue(r);
	if (r->suspended || r->in_worker)
		return MHD_YES;
	if (!body_end(r))
		return queue(r);
	/* to a worker */
	r->job.run = run_job;
	r->job.done = job_done;
	r->in_worker = true;
	r->suspended = true;
	s->waiting++;
	MHD_suspend_connection(conn);
	worker_submit(s->pool, &r->job);
	return MHD_YES;
}

void staff_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		     enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	struct staff_req *r = *con_cls;
	*con_cls = NULL;
	if (!r)
		return;
	r->conn = NULL;
	if (r->in_worker) {
		r->orphan = true;
		return;
	}
	req_free(r);
}

/* ------------------------------------------------------------ the answer */

static void free_body(void *cls)
{
	struct buf *b = cls;
	buf_wipe(b);
	free(b);
}

static void add_common_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Content-Security-Policy",
				"default-src 'none'; style-src 'self'; img-src 'self'; "
				"form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
}

static void make_response(struct staff_req *r)
{
	struct staff_ctx *c = &r->ctx;
	struct buf *body = malloc(sizeof(*body));
	if (!body)
		abort();
	*body = c->body;
	buf_init(&c->body);
	struct MHD_Response *resp = MHD_create_response_from_buffer_with_free_callback_cls(
	    body->len, body->data ? body->data : (void *)"", free_body, body);
	if (!resp)
		abort();
	add_common_headers(resp);
	unsigned status = c->status ? c->status : MHD_HTTP_OK;
	if (c->location[0]) {
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, c->location);
		status = MHD_HTTP_SEE_OTHER;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				c->content_type ? c->content_type : "text/html; charset=utf-8");
	if (c->download_name[0]) {
		/* RFC 6266: an ASCII fallback and the UTF-8 name */
		struct buf cd;
		buf_init(&cd);
		buf_puts(&cd, "attachment; filename=\"");
		for (const char *p = c->download_name; *p; p++) {
			unsigned char ch = (unsigned char)*p;
			buf_add(&cd, ch < 0x20 || ch > 0x7e || ch == '"' || ch == '\\' ? "_" : p,
				1);
		}
		buf_puts(&cd, "\"; filename*=UTF-8''");
		for (const char *p = c->download_name; *p; p++) {
			unsigned char ch = (unsigned char)*p;
			if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
			    (ch >= '0' && ch <= '9') || strchr("-._~", ch))
				buf_add(&cd, p, 1);
			else
				buf_printf(&cd, "%%%02X", ch);
		}
		MHD_add_response_header(resp, "Content-Disposition", cd.data);
		buf_reset(&cd);
	}
	for (unsigned i = 0; i < r->priv.ncookies; i++)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, r->priv.cookies[i]);
	r->response = resp;
	r->status_code = status;
}

static void resume(struct staff_req *r)
{
	if (!r->suspended)
		return;
	r->suspended = false;
	r->srv->waiting--;
	MHD_resume_connection(r->conn);
	if (r->srv->http)
		http_kick(r->srv->http);
}

static void unlink_delayed(struct staff_req *r)
{
	for (struct staff_req **p = &r->srv->delayed; *p; p = &(*p)->delayed_next) {
		if (*p == r) {
			*p = r->delayed_next;
			break;
		}
	}
	r->delayed_next = NULL;
}

static void on_delay(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct staff_req *r = arg;
	unlink_delayed(r);
	resume(r);
}

static void job_done(struct worker_job *job, bool cancelled)
{
	struct staff_req *r = (struct staff_req *)((char *)job - offsetof(struct staff_req, job));
	r->in_worker = false;
	if (r->orphan) {
		r->srv->waiting -= r->suspended;
		req_free(r);
		return;
	}
	if (cancelled) {
		answer_now(r, MHD_HTTP_SERVICE_UNAVAILABLE, "The service is stopping\n");
		resume(r);
		return;
	}
	make_response(r);
	if (r->priv.delay > 0) {
		r->timer = evtimer_new(r->srv->base, on_delay, r);
		if (!r->timer)
			abort();
		struct timeval tv = {(time_t)r->priv.delay, 0};
		evtimer_add(r->timer, &tv);
		r->delayed_next = r->srv->delayed;
		r->srv->delayed = r;
		return;
	}
	resume(r);
}

void staff_stop(struct staff_server *s)
{
	if (!s)
		return;
	seals_sweeper_stop(s->sweeper);
	worker_pool_free(s->pool); /* running pages finish; queued ones 503 */
	s->pool = NULL;
	while (s->delayed) {
		struct staff_req *r = s->delayed;
		evtimer_del(r->timer);
		unlink_delayed(r);
		resume(r);
	}
}

void staff_server_free(struct staff_server *s)
{
	if (!s)
		return;
	staff_stop(s);
	seals_sweeper_free(s->sweeper);
	session_store_free(s->sessions);
	keptform_store_free(s->kept);
	throttle_free(s->throttle);
	devtrust_free(s->devtrust);
	devcookie_key_free(s->devkey);
	if (!account_set_server_secret(NULL))
		abort(); /* forgetting allocates nothing */
	free(s);
}

/* ------------------------------------------------------------ on a worker */

static enum lang pick_lang(struct staff_req *r, bool *from_query)
{
	enum lang lang;
	*from_query = false;
	for (unsigned i = 0; i < r->body.nfields; i++) {
		const struct staff_body_field *f = &r->body.fields[i];
		if (f->query && strcmp(f->name, "lang") == 0 && i18n_parse(f->value.data, &lang)) {
			*from_query = true;
			return lang;
		}
	}
	if (r->cookie_lang[0] && i18n_parse(r->cookie_lang, &lang))
		return lang;
	enum lang fallback = LANG_RU;
	if (!i18n_parse(r->srv->cfg->default_language, &fallback))
		fallback = LANG_RU;
	return i18n_negotiate(r->accept_language[0] ? r->accept_language : NULL, fallback);
}

static const char sql_user[] =
    "SELECT login, display_name, array_to_string(roles, ',') AS roles, disabled, epoch "
    "FROM hotline.staff_users WHERE id = $1";

/* Reads the session's user; false when gone, disabled or of an older epoch. */
static bool load_user(PGconn *db, long long id, int epoch, struct staff_user *u, bool *db_error)
{
	char idtext[24];
	snprintf(idtext, sizeof idtext, "%lld", id);
	const char *v[1] = {idtext};
	PGresult *res = PQexecParams(db, sql_user, 1, NULL, v, NULL, NULL, 0);
	*db_error = PQresultStatus(res) != PGRES_TUPLES_OK;
	bool ok = !*db_error && PQntuples(res) == 1 &&
		  strcmp(PQgetvalue(res, 0, db_col(res, "disabled")), "f") == 0 &&
		  atoi(PQgetvalue(res, 0, db_col(res, "epoch"))) == epoch;
	if (ok) {
		memset(u, 0, sizeof *u);
		u->id = id;
		snprintf(u->login, sizeof u->login, "%s", PQgetvalue(res, 0, db_col(res, "login")));
		snprintf(u->name, sizeof u->name, "%s",
			 PQgetvalue(res, 0, db_col(res, "display_name")));
		u->roles = role_list_parse(PQgetvalue(res, 0, db_col(res, "roles")));
	}
	PQclear(res);
	return ok;
}

static void redirect_to_login(struct staff_ctx *c, const char *path, bool is_get)
{
	struct buf b;
	buf_init(&b);
	buf_puts(&b, "/staff/login");
	if (is_get && strcmp(path, "/staff/") != 0 && strcmp(path, "/staff/login") != 0) {
		buf_puts(&b, "?next=");
		for (const char *p = path; *p; p++) {
			unsigned char ch = (unsigned char)*p;
			if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
			    (ch >= '0' && ch <= '9') || strchr("-._~/", ch))
				buf_add(&b, p, 1);
			else
				buf_printf(&b, "%%%02X", ch);
		}
	}
	if (b.len < sizeof c->location)
		staff_redirect(c, b.data);
	else
		staff_redirect(c, "/staff/login");
	buf_reset(&b);
}

static void run_job(struct worker_job *job, PGconn *db)
{
	struct staff_req *r = (struct staff_req *)((char *)job - offsetof(struct staff_req, job));
	struct staff_server *s = r->srv;
	struct staff_ctx *c = &r->ctx;
	memset(c, 0, sizeof *c);
	memset(&r->priv, 0, sizeof r->priv);
	buf_init(&c->body);
	c->db = db;
	c->path = r->path;
	c->keys = s->keys;
	/* files of more than 1 MiB went (or may go) through libpq's buffer:
	 * the worker connects afresh after this job (base/worker.h) */
	size_t file_bytes = 0;
	for (unsigned i = 0; r->files && i < r->body.nuploads; i++)
		file_bytes += r->files[i].len;
	job->renew_db = file_bytes > 1024 * 1024;
	c->cfg = s->cfg;
	c->priv = &r->priv;
	c->arg = "";
	r->priv.srv = s;
	r->priv.req = r;
	r->priv.ops = &req_ops;
	r->priv.session_id = r->cookie_session;
	r->priv.pre_token = r->cookie_pre;
	r->priv.device = r->cookie_device;
	r->priv.client_key = r->client_key;
	bool lang_query;
	c->lang = pick_lang(r, &lang_query);
	if (lang_query) {
		char cookie[96];
		snprintf(cookie, sizeof cookie, "lang=%s; Path=/; SameSite=Lax; HttpOnly",
			 i18n_code(c->lang));
		snprintf(r->priv.cookies[r->priv.ncookies++], sizeof r->priv.cookies[0], "%s",
			 cookie);
	}

	if (strcmp(r->path, "/staff") == 0) {
		staff_redirect(c, "/staff/");
		return;
	}
	const char *arg;
	size_t arg_len;
	bool path_known;
	const struct staff_route *route =
	    staff_route_match(r->method, r->path, &arg, &arg_len, &path_known);
	if (!route) {
		if (path_known) {
			log_info("staff %lu: method not allowed", r->id);
			staff_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, M_ERR_METHOD_TITLE,
				    M_ERR_METHOD);
		} else {
			log_info("staff %lu: no such page", r->id);
			staff_error(c, MHD_HTTP_NOT_FOUND, M_ERR_NOT_FOUND_TITLE, M_ERR_NOT_FOUND);
		}
		return;
	}
	c->arg = arg;
	if (route->roles & STAFF_PUBLIC) {
		c->is_post = r->is_post; /* the handler checks its own token */
		route->handler(c);
		return;
	}
	struct session_view view = {0};
	if (!r->cookie_session[0] ||
	    !session_lookup(s->sessions, r->cookie_session, s->cfg->staff_idle_timeout, time(NULL),
			    &view)) {
		bool kept = r->is_post && view.expired && keep_posted_form(r, route, view.user_id);
		session_view_clear(&view);
		if (!kept)
			redirect_to_login(c, r->path, !r->is_post);
		return;
	}
	if (!db) {
		session_view_clear(&view);
		staff_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, M_STAFF_DB_DOWN_TITLE,
			    M_STAFF_DB_DOWN);
		return;
	}
	bool db_error;
	if (!load_user(db, view.user_id, view.epoch, &r->user, &db_error)) {
		if (db_error) {
			session_view_clear(&view);
			staff_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, M_STAFF_DB_DOWN_TITLE,
				    M_STAFF_DB_DOWN);
			return;
		}
		log_info("staff %lu: session of a disabled or changed account ended", r->id);
		session_end(s->sessions, r->cookie_session);
		session_view_clear(&view);
		staff_set_cookie(c, STAFF_COOKIE, "", 0);
		redirect_to_login(c, r->path, !r->is_post);
		return;
	}
	c->user = &r->user;
	c->csrf = view.csrf;
	r->priv.case_key = view.case_key; /* the account's key: staff/seals.c */
	if (r->is_post) {
		const char *token = staff_arg(c, "csrf");
		bool ok = strlen(token) == SESSION_CSRF_HEX &&
			  digest_equal(token, view.csrf, SESSION_CSRF_HEX);
		/* only a body field counts, never the query */
		if (staff_body_in_query(&r->body, "csrf"))
			ok = false;
		if (!ok) {
			log_info("staff %lu: POST without a valid CSRF token refused", r->id);
			if (!audit_append(db, r->user.id, r->user.login, "csrf.refused",
					  route->name))
				log_error("staff %lu: the audit row could not be written", r->id);
			staff_error(c, MHD_HTTP_FORBIDDEN, M_STAFF_CSRF_TITLE, M_STAFF_CSRF);
			goto out;
		}
	}
	if (!(route->roles & (r->user.roles | STAFF_SIGNED_IN))) {
		log_info("staff %lu: %s refused to user %lld (roles)", r->id, route->name,
			 r->user.id);
		if (!audit_append(db, r->user.id, r->user.login, "access.denied", route->name))
			log_error("staff %lu: the audit row could not be written", r->id);
		staff_error(c, MHD_HTTP_FORBIDDEN, M_STAFF_DENIED_TITLE, M_STAFF_DENIED);
		goto out;
	}
	c->is_post = r->is_post;
	route->handler(c);
	/* a step may have made someone entitled to a case this person holds
	 * (triage routes it to the director, a commission appointed): make
	 * their seals now (docs/keys.md) */
	if (r->is_post && r->priv.seal_key &&
	    seals_fulfil_case(db, r->user.id, r->priv.seal_case, r->priv.seal_key) < 0)
		log_warning("staff %lu: the missing seals could not be read", r->id);
	if (r->is_post && view.case_key &&
	    seals_fulfil(db, r->user.id, view.case_key, SEALS_PER_REQUEST) < 0)
		log_warning("staff %lu: the missing seals could not be read", r->id);
out:
	staff_seals_clear(c);
	c->case_sk = NULL;
	c->case_pk = NULL;
	r->priv.case_key = NULL;
	session_view_clear(&view);
}

/* ------------------------------------------------------------ for handlers */

/* How the pages read this request (staff/request.c, staff/internal.h). */
static const char *req_arg(const void *req, const char *name, size_t *len)
{
	const struct staff_req *r = req;
	const struct staff_body_field *f = staff_body_find(&r->body, name);
	*len = f ? f->value.len : 0;
	return f ? f->value.data : NULL;
}

static unsigned req_values(const void *req, const char *name, const char **out)
{
	const struct staff_req *r = req;
	return staff_body_values(&r->body, name, out);
}

static const struct staff_file *req_files(const void *req, unsigned *n)
{
	const struct staff_req *r = req;
	(void)staff_body_uploads(&r->body, n);
	return r->files;
}

static const struct staff_request_ops req_ops = {
    .arg = req_arg,
    .values = req_values,
    .files = req_files,
};
