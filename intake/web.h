/* The public web channel: report form, receipt page, status page. One
 * struct web per daemon; its handlers run on the libevent loop. */
#ifndef HOTLINE_INTAKE_WEB_H
#define HOTLINE_INTAKE_WEB_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>
#include <microhttpd.h>

#include "base/attr.h"
#include "crypto/receipt.h"
#include "base/config.h"
#include <time.h>

#include "base/db.h"
#include "base/http.h"
#include "intake/appeal.h"
#include "intake/clean.h"
#include "intake/ratelimit.h"
#include "intake/receiptbox.h"
#include "intake/sealing.h"
#include "intake/webstate.h"

/* Loads the keys and the pepper named in cfg; NULL with a reason. */
struct web *web_new(struct event_base *base, const struct config *cfg, struct db *db, char *err,
		    size_t errlen) MUST_CHECK;

/* Loads the reloadable parts of fresh (keys, limits); on failure keeps the
 * old ones and returns false with a reason. */
bool web_reload(struct web *w, const struct config *fresh, char *err, size_t errlen) MUST_CHECK;

/* The owner of every path the HTTP front (base/http.h) gives no other
 * owner: the form, the report, the status pages, the trust page and the
 * logo, the stylesheet, the health check, and the 404 and 405 answers of all other paths. cls is
 * the struct web. */
enum MHD_Result web_handle(void *cls, struct MHD_Connection *conn, const char *url,
			   const char *method, const char *version, const char *upload_data,
			   size_t *upload_data_size, void **con_cls);
void web_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		   enum MHD_RequestTerminationCode toe);

/* Requests waiting on the database or a delay. */
unsigned web_busy(const struct web *w);
/* Shutdown begins: the reports still registered are answered with their
 * receipt page itself, as the redirect's GET would find no daemon. */
void web_quiesce(struct web *w);
/* Shutdown: answers every waiting request 503 "not saved" now. */
void web_abort_waiting(struct web *w);

void web_free(struct web *w);

/* The memory cap for the bodies of another owner of the HTTP port
 * (daemon/main.c hands it to the staff pages): w is the struct web;
 * refused, not queued, when n does not fit. */
bool web_mem_take(void *w, size_t n) MUST_CHECK;
void web_mem_give(void *w, size_t n);

#endif
