/* The public web channel's state: one struct web per daemon, made by
 * web_new() (intake/web.h). Its own header, below the pages that share it
 * (intake/web.c routes, intake/status.c, intake/request.c, intake/uploads.c),
 * so that none of them needs another's functions to reach it. */
#ifndef HOTLINE_INTAKE_WEBSTATE_H
#define HOTLINE_INTAKE_WEBSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <event2/event.h>

#include "base/config.h"
#include "base/db.h"
#include "base/http.h"
#include "crypto/keys.h"
#include "intake/appeal.h"
#include "intake/ratelimit.h"
#include "intake/receiptbox.h"
#include "intake/sealing.h"

struct request;
struct spool;
struct trust;
struct worker_pool;
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

#endif
