/* The public web channel: report form, receipt page, status page. One
 * struct web per daemon; its handlers run on the libevent loop. */
#ifndef HOTLINE_INTAKE_WEB_H
#define HOTLINE_INTAKE_WEB_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>
#include <microhttpd.h>

#include "base/attr.h"
#include "crypto/keys.h"
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

struct keep;

struct web {
	struct event_base *base;
	const struct config *cfg; /* owned by the caller, swapped by web_reload() */
	struct db *db;
	struct appeal_queue *appeals;
	struct ratelimit *limiter;
	struct http_server *http;
	struct intake_keys keys;
	unsigned long next_id;
	unsigned suspended;
	struct request *waiting; /* suspended requests */
	/* hotline.settings consider_anonymous_reports as last read: the public
	 * form's text on anonymous reports follows it. Read again, in the
	 * background, by a GET of the form at most every few seconds. */
	bool consider_anonymous;
	bool policy_reading;
	time_t policy_read_at;
	/* The organisation's face and the trust page (intake/trust.h). */
	struct trust *trust;
	/* Uploads (issue 14, docs/http.md "Limits"): the encrypted spool their
	 * files go to, and the memory cap (upload_memory_bytes): mem_used
	 * counts what requests hold in memory for a body being received and
	 * for a registration's ciphertext; registrations that do not fit wait
	 * in budget_head..budget_tail, oldest first. */
	struct spool *spool;
	size_t mem_used; /* all that is counted, reg_used included */
	size_t reg_used; /* of it, the registrations' */
	struct request *budget_head, *budget_tail;
	struct event *budget_pump;
	/* The receipts of reports just sent, for GET /receipt (the POST is
	 * answered 303: docs/http.md "The receipt page"), and the timer that
	 * wipes those whose time is up even when no request comes. */
	struct receiptbox *receipts;
	struct event *receipt_sweep;
	bool stopping; /* web_quiesce(): no GET of the receipt page will come */
	/* Files of report forms returned for an error, kept for the corrected
	 * form under one-time tokens (intake/keep.h), and the timer that
	 * deletes them once kept_files_seconds have passed. */
	struct keep *keep;
	struct event *keep_sweep;
	/* The threads that clean the reporters' files of metadata (a pool
	 * without a database: intake/clean.h). */
	struct worker_pool *cleaner;
};

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

/* Bytes of the memory cap a report's registration holds: its files'
 * ciphertext, and libpq's copy of it while it is sent. */
struct form;
size_t web_registration_need(const struct form *f);

/* What cleaning did to one file of a form (intake/clean.h): the cleaned
 * bytes when state is CLEAN_DONE, else the file is the spool's. */
struct web_cleaned {
	enum clean_state state;
	unsigned char *data;
	size_t len;
};
typedef void (*web_cleaned_fn)(struct request *req, const struct web_cleaned *cleaned, void *arg);

/* Cleans the form's files of metadata on the cleaner's threads (the form
 * and the files kept from its earlier tries, req->kept, leave req
 * meanwhile, req->budget_need with them), then on the loop gives them back
 * and calls then(req, cleaned, arg), one per file (the kept ones first,
 * then the form's), freed
 * after it returns; cleaned NULL when cleaning is off or there are no
 * files (called at once: every file is "kept"). If req was answered
 * meanwhile (timeout, shutdown) gone(arg) is called instead (gone may be
 * NULL). After then(), a req with its answer and no ticket is resumed. */
void web_clean_files(struct request *req, web_cleaned_fn then, void (*gone)(void *arg), void *arg);

/* The memory cap for the bodies of another owner of the HTTP port
 * (daemon/main.c hands it to the staff pages): w is the struct web;
 * refused, not queued, when n does not fit. */
bool web_mem_take(void *w, size_t n) MUST_CHECK;
void web_mem_give(void *w, size_t n);

#endif
