/* The staff pages inside hotlined: every request under /staff is collected
 * on the loop (its form within the limits), its connection suspended and
 * the request handed to a worker thread (base/worker.h), which checks the
 * session, the CSRF token and the roles and runs the page; the answer is
 * queued back on the loop. See docs/staff.md. */
#ifndef HOTLINE_STAFF_SERVER_H
#define HOTLINE_STAFF_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>
#include <microhttpd.h>

#include "base/attr.h"

struct config;
struct http_server;
struct intake_keys;
struct staff_server;

struct staff_server *staff_server_new(struct event_base *base, const struct config *cfg,
				      const struct intake_keys *keys, char *err, size_t errlen)
    MUST_CHECK;
void staff_server_set_http(struct staff_server *s, struct http_server *http);

/* "/staff" or below. */
bool staff_is_path(const char *url);

/* For web.c's MHD handler: the first call of a request under /staff, and
 * every later call of such a request (*con_cls then points at it; its
 * first member is a bool true, struct request's is false). */
enum MHD_Result staff_handle(struct staff_server *s, struct MHD_Connection *conn, const char *url,
			     const char *method, const char *upload_data, size_t *upload_data_size,
			     void **con_cls);
void staff_completed(void **con_cls);

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
