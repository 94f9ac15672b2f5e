/* One HTTP request of the public channel, shared by intake/web.c and
 * intake/status.c: its form, its language, its answer, and its suspension
 * while it waits on the database or a slow-down. */
#ifndef HOTLINE_INTAKE_REQUEST_H
#define HOTLINE_INTAKE_REQUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "base/attr.h"
#include "base/buf.h"
#include "intake/form.h"
#include "base/i18n.h"
#include "intake/webstate.h"

enum route {
	ROUTE_NONE,
	ROUTE_FORM,
	ROUTE_REPORT,
	ROUTE_STATUS_FORM,
	ROUTE_STATUS,
	ROUTE_STATUS_MESSAGE,
	ROUTE_STATUS_SENT,
	ROUTE_RECEIPT,
	ROUTE_RECEIPT_FILE,
	ROUTE_RECEIPT_PRINT,
	ROUTE_STYLE,
	ROUTE_HEALTH,
	ROUTE_TRUST,   /* intake/trust.h: /trust, and the same page at */
	ROUTE_ABOUT,   /* /about */
	ROUTE_PRIVACY, /* and /privacy */
	ROUTE_LOGO,
	ROUTE_NOT_FOUND,
	ROUTE_METHOD,
};

/* Handed to asynchronous work instead of the request itself: if the request
 * is answered meanwhile (timeout), req is set to NULL and the late result
 * only frees the ticket. */
struct ticket {
	struct request *req;
};

struct keep_set;

struct request {
	struct web *web;
	struct MHD_Connection *conn;
	unsigned long id;
	enum route route;
	enum lang lang;
	bool set_lang_cookie;
	bool is_post;
	bool has_form;
	struct form form;
	struct form_limits limits;
	unsigned request_timeout;
	bool suspended;
	struct event *timer;
	struct ticket *ticket;
	struct MHD_Response *response;
	unsigned status;
	/* report form: the files kept from the reporter's last try, taken
	 * out of the table by the token (intake/keep.h) */
	struct keep_set *kept;
	bool kept_gone; /* a token came, but its files are gone */
	/* status page */
	char receipt[RECEIPT_DIGITS + 1];
	bool slowed;
	bool lookup_admitted; /* counted by the limiter until answered */
	uint64_t lookup_client;
	void (*after_delay)(struct request *req);
	struct request *wait_prev, *wait_next; /* in web's list while suspended */
	/* the memory cap (web.h) */
	size_t slice; /* held while the body is received */
	size_t budget_need;
	bool budget_waiting;
	void (*after_budget)(struct request *req);
	struct request *budget_prev, *budget_next;
};

/* What a request holds in memory while its body arrives: libmicrohttpd's
 * connection pool (64 KiB), the post processor's buffer (16 KiB) and the
 * spool's record buffers (intake/spool.h), rounded up; and once the body is
 * in, while it waits for its registration: the pool and the spool's
 * buffers. */
#define REQUEST_UPLOAD_SLICE (128u * 1024u)
#define REQUEST_PARKED_SLICE (80u * 1024u)

/* Stores the answer; the page buffer is taken. */
void request_reply_page(struct request *req, unsigned status, struct buf *page);
void request_reply_text(struct request *req, unsigned status, const char *type, const char *text);
/* Stores an answer of the given type; the buffer is taken. */
void request_reply_buf(struct request *req, unsigned status, const char *type, struct buf *data);
/* Bytes of type, copied; max_age > 0: the browser may keep them that many
 * seconds (an address that names its version), else no-store. */
void request_reply_data(struct request *req, unsigned status, const char *type, const void *data,
			size_t len, unsigned max_age);

/* Suspends until request_resume(); after timeout seconds the request is
 * answered 503 "not saved" by itself. Returns the ticket for the work. */
struct ticket *request_wait(struct request *req, unsigned timeout);
/* Called from the work's callback: releases the ticket; returns the request
 * or NULL if it was already answered. */
struct request *ticket_take(struct ticket *t);
void request_resume(struct request *req);
/* Suspends for a slow-down, then calls fn(req). */
void request_delay(struct request *req, unsigned seconds, void (*fn)(struct request *));

/* Answers every suspended request 503 at once (shutdown). */
void request_abort_all(struct web *w);

/* The memory cap (upload_memory_bytes) counts the buffers of requests
 * whose body is arriving or waiting (slices) and the registrations'
 * ciphertext. budget_take() takes n bytes for a registration when they fit
 * under the cap, or when no other registration is in flight (one within
 * the per-request limits always runs, alone if need be), and no
 * registration is waiting before it; false otherwise. budget_give() gives
 * them back; waiting registrations that fit now go on, from the loop. */
bool budget_take(struct web *w, size_t n) MUST_CHECK;
void budget_give(struct web *w, size_t n);
/* A body's buffers: refused rather than queued when they do not fit. */
bool budget_take_slice(struct web *w, size_t n) MUST_CHECK;
void budget_give_slice(struct web *w, size_t n);
/* Suspends req until n bytes of the cap are its own, then calls fn(req)
 * (the bytes are req->budget_need: fn takes them over). After
 * request_timeout seconds of waiting it is answered page_overloaded(). */
void budget_wait(struct request *req, size_t n, void (*fn)(struct request *req));
/* Takes req out of the waiting line (it ends). */
void budget_unwait(struct request *req);
/* Makes the web's pump event; false when out of memory. */
bool budget_init(struct web *w) MUST_CHECK;

/* Pages shared by both modules. */
void page_error(struct request *req, unsigned status, const char *id, enum msg title,
		enum msg text);
void page_not_saved(struct request *req);
void page_too_large(struct request *req);
/* 503: too many uploads at once (memory or spool cap), try again shortly. */
void page_overloaded(struct request *req);

#endif
