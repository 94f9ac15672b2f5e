#include "intake/request.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/html.h"
#include "crypto/secret.h"

static void add_common_headers(struct request *req, struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(
	    resp, "Content-Security-Policy",
	    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
	    "frame-ancestors 'none'; base-uri 'none'");
	if (req->set_lang_cookie) {
		char cookie[96];
		snprintf(cookie, sizeof(cookie), "lang=%s; Path=/; SameSite=Lax; HttpOnly",
			 i18n_code(req->lang));
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, cookie);
	}
}

static void store(struct request *req, unsigned status, struct MHD_Response *resp)
{
	if (!resp)
		abort();
	if (req->response)
		MHD_destroy_response(req->response);
	add_common_headers(req, resp);
	req->response = resp;
	req->status = status;
}

/* A page may hold what the reporter typed (a returned form) and the token
 * of their kept files: wiped when libmicrohttpd is done with it. */
struct page_body {
	char *data;
	size_t len;
};

static void page_free(void *cls)
{
	struct page_body *p = cls;
	secret_wipe(p->data, p->len);
	free(p->data);
	free(p);
}

void request_reply_page(struct request *req, unsigned status, struct buf *page)
{
	struct page_body *p = malloc(sizeof(*p));
	if (!p)
		abort();
	p->data = buf_steal(page, &p->len);
	struct MHD_Response *resp = MHD_create_response_from_buffer_with_free_callback_cls(
	    p->len, p->data ? p->data : (void *)"", page_free, p);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/html; charset=utf-8");
	store(req, status, resp);
}

void request_reply_buf(struct request *req, unsigned status, const char *type, struct buf *data)
{
	size_t len;
	char *bytes = buf_steal(data, &len);
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(len, bytes, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	store(req, status, resp);
}

void request_reply_text(struct request *req, unsigned status, const char *type, const char *text)
{
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	store(req, status, resp);
}

void request_reply_data(struct request *req, unsigned status, const char *type, const void *data,
			size_t len, unsigned max_age)
{
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
	if (resp)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	store(req, status, resp);
	if (max_age > 0) {
		char cc[48];
		snprintf(cc, sizeof cc, "public, max-age=%u, immutable", max_age);
		MHD_del_response_header(resp, "Cache-Control", "no-store");
		MHD_add_response_header(resp, "Cache-Control", cc);
	}
}

void request_resume(struct request *req)
{
	if (!req->suspended)
		return;
	if (req->timer)
		evtimer_del(req->timer);
	req->suspended = false;
	req->web->suspended--;
	if (req->wait_prev)
		req->wait_prev->wait_next = req->wait_next;
	else
		req->web->waiting = req->wait_next;
	if (req->wait_next)
		req->wait_next->wait_prev = req->wait_prev;
	req->wait_prev = req->wait_next = NULL;
	MHD_resume_connection(req->conn);
	http_kick(req->web->http);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct request *req = arg;
	if (req->after_delay) {
		void (*fn)(struct request *) = req->after_delay;
		req->after_delay = NULL;
		fn(req);
		return;
	}
	if (req->ticket) {
		req->ticket->req = NULL;
		req->ticket = NULL;
	}
	log_warning("request %lu: no answer from the database within %u s", req->id,
		    req->request_timeout);
	page_not_saved(req);
	request_resume(req);
}

static void suspend_for(struct request *req, unsigned seconds)
{
	if (!req->timer) {
		req->timer = evtimer_new(req->web->base, on_timer, req);
		if (!req->timer)
			abort();
	}
	if (!req->suspended) {
		req->suspended = true;
		req->web->suspended++;
		req->wait_prev = NULL;
		req->wait_next = req->web->waiting;
		if (req->wait_next)
			req->wait_next->wait_prev = req;
		req->web->waiting = req;
		MHD_suspend_connection(req->conn);
	}
	struct timeval tv = {(time_t)seconds, 0};
	evtimer_add(req->timer, &tv);
}

struct ticket *request_wait(struct request *req, unsigned timeout)
{
	struct ticket *t = calloc(1, sizeof(*t));
	if (!t)
		abort();
	t->req = req;
	req->ticket = t;
	suspend_for(req, timeout);
	return t;
}

struct request *ticket_take(struct ticket *t)
{
	struct request *req = t->req;
	if (req)
		req->ticket = NULL;
	free(t);
	return req;
}

void request_delay(struct request *req, unsigned seconds, void (*fn)(struct request *))
{
	req->after_delay = fn;
	suspend_for(req, seconds);
}

void request_abort_all(struct web *w)
{
	while (w->waiting) {
		struct request *req = w->waiting;
		budget_unwait(req);
		if (req->ticket) {
			req->ticket->req = NULL;
			req->ticket = NULL;
		}
		req->after_delay = NULL;
		page_not_saved(req);
		request_resume(req);
	}
}

void page_error(struct request *req, unsigned status, const char *id, enum msg title, enum msg text)
{
	struct buf b;
	buf_init(&b);
	html_begin(&b, req->lang, i18n(req->lang, title), "/");
	buf_puts(&b, "<h1>");
	html_escape_str(&b, i18n(req->lang, title));
	buf_printf(&b, "</h1>\n<p class=\"error\" id=\"%s\" role=\"alert\">", id);
	html_escape_str(&b, i18n(req->lang, text));
	buf_puts(&b, "</p>\n<p><a href=\"/\">");
	html_escape_str(&b, i18n(req->lang, M_BACK_TO_FORM));
	buf_puts(&b, "</a></p>\n");
	html_end(&b, req->lang);
	request_reply_page(req, status, &b);
}

void page_not_saved(struct request *req)
{
	page_error(req, MHD_HTTP_SERVICE_UNAVAILABLE, "error-not-saved", M_ERR_NOT_SAVED_TITLE,
		   M_ERR_NOT_SAVED);
}

void page_too_large(struct request *req)
{
	char file[32], body[32], text[1024];
	html_size(file, sizeof(file), req->lang, req->limits.max_file);
	html_size(body, sizeof(body), req->lang, req->limits.max_body);
	snprintf(text, sizeof(text), i18n(req->lang, M_ERR_TOO_LARGE), req->limits.max_files, file,
		 body);
	struct buf b;
	buf_init(&b);
	html_begin(&b, req->lang, i18n(req->lang, M_ERR_TOO_LARGE_TITLE), "/");
	buf_puts(&b, "<h1>");
	html_escape_str(&b, i18n(req->lang, M_ERR_TOO_LARGE_TITLE));
	buf_puts(&b, "</h1>\n<p class=\"error\" id=\"error-size\" role=\"alert\">");
	html_escape_str(&b, text);
	buf_puts(&b, "</p>\n<p><a href=\"/\">");
	html_escape_str(&b, i18n(req->lang, M_BACK_TO_FORM));
	buf_puts(&b, "</a></p>\n");
	html_end(&b, req->lang);
	request_reply_page(req, MHD_HTTP_CONTENT_TOO_LARGE, &b);
}

void page_overloaded(struct request *req)
{
	page_error(req, MHD_HTTP_SERVICE_UNAVAILABLE, "error-overloaded", M_ERR_BUSY_TITLE,
		   M_ERR_BUSY);
	MHD_add_response_header(req->response, MHD_HTTP_HEADER_RETRY_AFTER, "60");
}

/* --- the memory cap (issue 14) --- */

static bool room_for(const struct web *w, size_t n)
{
	size_t cap = w->cfg->upload_memory_bytes;
	return w->mem_used <= cap && n <= cap - w->mem_used;
}

/* A registration fits under the cap, or runs alone: one within the
 * per-request limits always goes on once no other is in flight, so that
 * requests waiting with their bodies' buffers cannot starve it. */
static bool registration_fits(const struct web *w, size_t n)
{
	return w->reg_used == 0 || room_for(w, n);
}

bool budget_take(struct web *w, size_t n)
{
	if (w->budget_head || !registration_fits(w, n))
		return false;
	w->mem_used += n;
	w->reg_used += n;
	return true;
}

bool budget_take_slice(struct web *w, size_t n)
{
	if (!room_for(w, n))
		return false;
	w->mem_used += n;
	return true;
}

void budget_give_slice(struct web *w, size_t n)
{
	w->mem_used = n < w->mem_used ? w->mem_used - n : 0;
	if (w->budget_head && w->budget_pump)
		event_active(w->budget_pump, 0, 0);
}

void budget_give(struct web *w, size_t n)
{
	w->reg_used = n < w->reg_used ? w->reg_used - n : 0;
	budget_give_slice(w, n);
}

void budget_unwait(struct request *req)
{
	struct web *w = req->web;
	if (!req->budget_waiting)
		return;
	if (req->budget_prev)
		req->budget_prev->budget_next = req->budget_next;
	else
		w->budget_head = req->budget_next;
	if (req->budget_next)
		req->budget_next->budget_prev = req->budget_prev;
	else
		w->budget_tail = req->budget_prev;
	req->budget_prev = req->budget_next = NULL;
	req->budget_waiting = false;
	req->after_budget = NULL;
	if (w->budget_head && w->budget_pump)
		event_active(w->budget_pump, 0, 0);
}

static void budget_gave_up(struct request *req)
{
	budget_unwait(req);
	log_info("request %lu: refused, no room under upload_memory_bytes within %u s", req->id,
		 req->request_timeout);
	page_overloaded(req);
	request_resume(req);
}

void budget_wait(struct request *req, size_t n, void (*fn)(struct request *req))
{
	struct web *w = req->web;
	log_info("request %lu: waits for room under upload_memory_bytes", req->id);
	req->budget_need = n;
	req->after_budget = fn;
	req->budget_waiting = true;
	req->budget_next = NULL;
	req->budget_prev = w->budget_tail;
	if (w->budget_tail)
		w->budget_tail->budget_next = req;
	else
		w->budget_head = req;
	w->budget_tail = req;
	request_delay(req, req->request_timeout, budget_gave_up);
}

/* Runs from the loop (never inside the code that gave the bytes back, which
 * may still hold what it is about to free): the oldest waiters that fit go
 * on. */
static void budget_pump(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct web *w = arg;
	while (w->budget_head && registration_fits(w, w->budget_head->budget_need)) {
		struct request *req = w->budget_head;
		void (*fn)(struct request *) = req->after_budget;
		w->mem_used += req->budget_need;
		w->reg_used += req->budget_need;
		budget_unwait(req);
		req->after_delay = NULL; /* its timer is re-armed by what fn waits on */
		fn(req);
		if (req->response && !req->ticket && req->suspended)
			request_resume(req);
	}
}

bool budget_init(struct web *w)
{
	w->budget_pump = event_new(w->base, -1, 0, budget_pump, w);
	return w->budget_pump != NULL;
}
