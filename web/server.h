/* The /staff transport: every request under /staff, handed over by the
 * HTTP front (base/http.h), is collected on the loop (its form within the
 * limits, web/body.h), its connection suspended and the request handed to
 * a worker thread (base/worker.h), which checks the session, the CSRF
 * token and the roles and runs the page's route (staff/staff.h); the
 * answer is queued back on the loop. It sits above the pages of staff/
 * and desk/, whose route tables it runs; they read the request through
 * the operations it lends them (staff/internal.h, staff/request.c) and
 * write their answer with staff/page.c, so nothing below calls up into
 * this file. See docs/staff.md. */
#ifndef HOTLINE_WEB_SERVER_H
#define HOTLINE_WEB_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>
#include <microhttpd.h>

#include "base/attr.h"

struct config;
struct http_server;
struct intake_keys;
struct spool;
struct staff_server;

struct staff_server *staff_server_new(struct event_base *base, const struct config *cfg,
				      const struct intake_keys *keys, char *err,
				      size_t errlen) MUST_CHECK;
void staff_server_set_http(struct staff_server *s, struct http_server *http);

/* A staff body, files and all, is held in memory: it counts against the
 * public side's memory cap (upload_memory_bytes, issue 14), taken through
 * take(cls, n) before a byte is read and given back through give(cls, n);
 * its files go to spool (intake/spool.h). Unset: no cap, files in memory. */
void staff_server_set_uploads(struct staff_server *s, struct spool *spool,
			      bool (*take)(void *cls, size_t n), void (*give)(void *cls, size_t n),
			      void *cls);

/* The owner of "/staff" and below at the HTTP front (base/http.h): cls is
 * the struct staff_server. */
#define STAFF_PATH_PREFIX "/staff"
enum MHD_Result staff_handle(void *cls, struct MHD_Connection *conn, const char *url,
			     const char *method, const char *version, const char *upload_data,
			     size_t *upload_data_size, void **con_cls);
void staff_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		     enum MHD_RequestTerminationCode toe);

/* Requests not answered yet (for the drain at stop). */
unsigned staff_busy(const struct staff_server *s);

/* A reload: blocks until no page runs; then the new configuration. */
void staff_pause(struct staff_server *s);
void staff_resume(struct staff_server *s, const struct config *fresh);

/* Stop: lets the running pages finish, answers the waiting ones 503 and
 * the delayed ones at once. Call before http_stop(). */
void staff_stop(struct staff_server *s);
void staff_server_free(struct staff_server *s);

#endif
