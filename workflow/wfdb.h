/* Blocking database helpers for the workflow's steps, shared by hotlinectl
 * and the staff pages (which run in worker threads, each with its own
 * connection): never called on the event loop. Every failure is written
 * into a struct wf_error, in English, for the terminal; a page shows the
 * code's rule in the reader's language, and the detail (wf_explain) where a
 * step adds one: the dates compared, the value refused. Errors name ids, dates and
 * staff names, never report content or anything about a reporter. */
#ifndef HOTLINE_WORKFLOW_WFDB_H
#define HOTLINE_WORKFLOW_WFDB_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "base/attr.h"
#include "base/db.h"
#include "base/i18n.h"
#include "workflow/notice.h"

struct calendar;

/* Why a workflow step was refused. A page maps the code to a text in the
 * reader's language; hotlinectl prints the English text. */
enum wf_code {
	WF_OK,
	WF_DB,			  /* the database failed (text: its message) */
	WF_NO_CASE,		  /* no such registration number */
	WF_MISSING,		  /* a required field is missing */
	WF_BAD_DATE,		  /* not a YYYY-MM-DD date */
	WF_CASE_STATE,		  /* the case is not in the state the step needs */
	WF_NOT_ORDERED,		  /* no investigation was ordered */
	WF_ALREADY_ORDERED,	  /* an investigation was already ordered */
	WF_MEMBER_NAMED,	  /* a commission member is named in the report */
	WF_MEMBER_INTEREST,	  /* a commission member declared a personal interest */
	WF_TRANSITION,		  /* the investigation's state does not allow the step */
	WF_EMPTY,		  /* a conclusion without its reasons */
	WF_CRYPTO,		  /* encryption failed */
	WF_NO_CONSENT,		  /* an extension without the director's written consent */
	WF_DECIDED,		  /* the investigation is already decided */
	WF_DUE_NOT_LATER,	  /* the new due date is not after the current one */
	WF_NOT_RUNNING,		  /* materials are requested only while it runs */
	WF_NO_REQUEST,		  /* no open request for materials with that id */
	WF_BAD_DECISION,	  /* not one of the four decisions */
	WF_NO_REVEAL,		  /* no such request to reveal an identity */
	WF_NO_IDENTITY,		  /* the report is anonymous: nothing to reveal */
	WF_REVEAL_OPEN,		  /* the case already has an open request */
	WF_NOT_MEMBER,		  /* the commission member does not sit on this case */
	WF_NOT_APPROVER,	  /* not the person who may approve this request */
	WF_SELF_APPROVAL,	  /* a requester approving their own request */
	WF_REVEAL_STATE,	  /* the request is not in the state the step needs */
	WF_NOT_APPROVED,	  /* the custodian cannot open a request not approved */
	WF_CUSTODIAN_REQUESTER,	  /* the custodian cannot open their own request */
	WF_KEY_MISMATCH,	  /* the custodian key does not open the identity */
	WF_DATE_IN_FUTURE,	  /* a document dated after today */
	WF_ORDER_BEFORE_DECISION, /* an order dated before the decision to investigate */
	WF_REQUEST_BEFORE_ORDER,  /* a request for materials dated before the order */
	WF_CONSENT_BEFORE_ORDER,  /* a consent to extend dated before the order */
	WF_NOT_DECIDER,	    /* not the director (or the alternate when the director is named) */
	WF_DUE_NOT_WORKING, /* the new due date is not a working day */
	WF_DECISION_BEFORE_SUBMIT,   /* a 7.11 decision dated before the conclusion was submitted */
	WF_MEASURES_BEFORE_DECISION, /* measures dated before the decision */
	WF_DIRECTOR_ANSWERED,	     /* the reporter said the director is involved: only the
					alternate recipient clears the flag, with a reason */
	WF_NOT_TRIAGED,		     /* a step that waits for the triage (a reveal request) */
	WF_NOT_RELEASED,	     /* an opening recorded before its packet was released */
	WF_CODE_COUNT
};

/* A value of a refusal's detail: a value as the person typed it, a date
 * (YYYY-MM-DD, which a page writes as its readers do), or the name of a
 * case's or an investigation's state (workflow/states.h, which a page
 * writes in words). */
enum wf_value { WF_VALUE_TEXT, WF_VALUE_DATE, WF_VALUE_CASE_STATE, WF_VALUE_INV_STATE };

/* What a page shows after the code's rule, in the reader's language: a
 * text of po/ (text, with a %s per value) and its values; none when
 * has_detail is false. */
struct wf_detail {
	enum msg text;
	int nvalues;
	enum wf_value kind[2];
	char value[2][96];
};

struct wf_error {
	enum wf_code code;
	char text[320]; /* English: hotlinectl and the log */
	bool has_detail;
	struct wf_detail detail;
};

/* Sets e (when not NULL) and returns false, so that a step can
 * `return wf_fail(e, WF_X, "...")`. Clears the detail. */
bool wf_fail(struct wf_error *e, enum wf_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* wf_fail(e, WF_MISSING, fmt, ...) with which (a text of po/ without
 * values) as its detail: the field a page's reader left empty. */
bool wf_missing(struct wf_error *e, enum msg which, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Adds the detail to the refusal wf_fail just wrote: text with up to two
 * values (v1 NULL for one, both NULL for none). Returns false, as wf_fail:
 * `wf_fail(e, ...); return wf_explain(e, M_X, ...);`. */
bool wf_explain(struct wf_error *e, enum msg text, enum wf_value k0, const char *v0,
		enum wf_value k1, const char *v1);

/* Text parameters; NULL (e set to WF_DB) unless the statement returned
 * tuples or completed. */
PGresult *wfdb_exec(PGconn *pg, const char *sql_text, int nparams, const char *const *values,
		    struct wf_error *e);
bool wfdb_run(PGconn *pg, const char *sql_text, int nparams, const char *const *values,
	      struct wf_error *e) MUST_CHECK;

/* BEGIN / COMMIT / ROLLBACK on pg, for hotlinectl and the staff pages. */
bool wfdb_begin(PGconn *pg) MUST_CHECK;
bool wfdb_commit(PGconn *pg) MUST_CHECK;
void wfdb_rollback(PGconn *pg);

/* The working-day calendar: rules plus the rows of hotline.calendar_days.
 * calendar_free() it. */
struct calendar *wfdb_calendar(PGconn *pg, struct wf_error *e);

/* Every row of hotline.settings, columns key and value, by key: the
 * deadline scanner reads them all in its job, hotlinectl settings show
 * prints them. */
#define SQL_SETTINGS "SELECT key, value FROM hotline.settings ORDER BY key"

/* A value of hotline.settings, or NULL (caller frees). */
char *wfdb_setting(PGconn *pg, const char *key);

/* Writes an internal note of case_id by login, in the caller's
 * transaction: body is the note already encrypted under the case's content
 * key (blen bytes). Its id into note_id; false with err (may be NULL) as
 * db_query() sets it when the database refuses. The staff pages and
 * hotlinectl write notes through here only. */
bool wfdb_case_note(PGconn *pg, const char *case_id, const char *login, const unsigned char *body,
		    size_t blen, char note_id[24], struct db_error *err) MUST_CHECK;

/* Adds an event to the timeline of case_id (hotline.case_event(),
 * migrations/0026): kind, and detail as JSON text ("{}" when NULL). */
bool wfdb_case_event(PGconn *pg, const char *case_id, const char *kind, const char *detail,
		     struct wf_error *e) __attribute__((warn_unused_result));

/* Queues the notice for each non-empty recipient in the caller's
 * transaction; *queued (may be NULL) says how many. */
bool wfdb_notify(PGconn *pg, const char *case_id, const char *kind, const char *const *recipients,
		 int nrecipients, const struct notice *n, int *queued,
		 struct wf_error *e) MUST_CHECK;

#endif
