/* A service investigation (seed 004 ch. 7): ordered by the director with a
 * commission, at most ten working days from the order unless the director
 * consents in writing to a longer term, requests for materials answered
 * within one working day, a reasoned conclusion citing the norms that the
 * commission submits to management (which meets the term), management's
 * decision (one of four), the measures, the close (004 p.7.10-7.11). hotlinectl's `investigation`
 * steps and the staff pages both call these, so the rules live in one
 * place (docs/procedure.md).
 *
 * Every step works in the caller's transaction: BEGIN, investigation_load()
 * (which locks the case row), the step, anything else the caller records
 * (an audit row), COMMIT; on false, ROLLBACK. Refusals come back in a
 * struct wf_error (workflow/wfdb.h) whose code a page translates. */
#ifndef HOTLINE_WORKFLOW_INVESTIGATION_H
#define HOTLINE_WORKFLOW_INVESTIGATION_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/attr.h"
#include "workflow/states.h"
#include "workflow/wfdb.h"

struct public_key;
struct content_key;

struct investigation {
	char case_id[24];
	char reg_no[16];
	enum case_state case_state;
	bool director_named;
	char id[24]; /* "" when none was ordered */
	enum investigation_state state;
	bool decided;
	enum investigation_decision decision;
	char due[11];
	char order_date[11];
	bool extended;
	char case_decided[11];	/* the director's decision to investigate (Almaty), or "" */
	char submitted_on[11];	/* the day the conclusion was submitted (Almaty), or "" */
	char decision_date[11]; /* the 7.11 decision's document date, or "" */
};

/* Loads case reg_no and its investigation, if any, locking the case row
 * (SELECT ... FOR UPDATE): call it inside a transaction. WF_NO_CASE when
 * the journal has no such number. */
bool investigation_load(PGconn *pg, const char *reg_no, struct investigation *v,
			struct wf_error *e) MUST_CHECK;

struct investigation_member {
	const char *name;
	const char *position;	 /* may be NULL or "" */
	long long staff_user_id; /* the member's staff account (an active account with
				    the commission role), or 0 when they have none */
};

struct investigation_order {
	const char *order_no;
	const char *order_date; /* YYYY-MM-DD */
	const struct investigation_member *members;
	int nmembers;
	/* the case's content key: the members' names and positions are
	 * stored only under it (workflow/freetext.h) */
	const struct content_key *key;
};

/* The case waits for an investigation to be ordered: the director decided
 * to investigate, and none was ordered yet. */
bool investigation_check_order(const struct investigation *v, struct wf_error *e) MUST_CHECK;

/* Only the account holding the director's role decides and consents for a
 * case, or the alternate recipient's when the report names the director
 * (000 L140, 004 p.7.5, 7.11); an active account. name (may be NULL, else
 * 128 bytes) gets its display name. */
bool investigation_check_decider(PGconn *pg, const struct investigation *v, long long user_id,
				 char name[128], struct wf_error *e) MUST_CHECK;

/* Orders the investigation of a case the director decided to investigate:
 * the order's date is neither before that decision nor after the day of
 * now (Asia/Almaty); checks the members (above), records the order and the commission, the
 * deadline ten working days from the order date (written to due), the
 * case event, and queues the notice to the compliance manager and the
 * director (or the alternate when the director is named). *queued (may be
 * NULL) gets the number of notices queued: 0 means no recipient is
 * configured. */
bool investigation_order(PGconn *pg, struct investigation *v, const struct investigation_order *o,
			 const char *report_text, int64_t now, char due[11], int *queued,
			 struct wf_error *e) MUST_CHECK;

/* ordered -> in_progress. */
bool investigation_start(PGconn *pg, struct investigation *v, struct wf_error *e) MUST_CHECK;

/* The reasoned conclusion citing the legal or internal norms (004 p.7.10):
 * the norms are stored as given; the findings (len > 0 bytes) and the
 * measures the commission proposes (may be NULL) are encrypted under a
 * fresh key sealed to the case-handling public key. -> conclusion_drafted. */
bool investigation_conclude(PGconn *pg, struct investigation *v, const char *norms,
			    const void *text, size_t len, const void *proposed, size_t proposed_len,
			    const struct public_key *case_pk, struct wf_error *e) MUST_CHECK;

/* The commission hands its conclusion and the materials to management
 * (004 p.7.10): conclusion_drafted -> submitted. This meets the ten working
 * days; the open requests for materials stop running (voided); the director
 * (or the alternate when the director is named) gets a content-free notice
 * to decide. by is the submitting member's account, 0 from hotlinectl.
 * *queued (may be NULL): notices queued. */
bool investigation_submit(PGconn *pg, struct investigation *v, long long by, int *queued,
			  struct wf_error *e) MUST_CHECK;

/* Management's decision on the submitted conclusion (004 p.7.11). */
struct investigation_ruling {
	const char *decision; /* "stop", "hand_over", "disciplinary", "other_measures" */
	const char *doc;      /* the number of the document that states it */
	const char *date;     /* its date, YYYY-MM-DD: from the submission to today */
	long long by;	      /* the deciding account: see investigation_check_decider */
};
/* submitted -> decided; anyone else than the director (or the alternate
 * when the director is named) is refused with WF_NOT_DECIDER. */
bool investigation_decide(PGconn *pg, struct investigation *v, const struct investigation_ruling *r,
			  int64_t now, struct wf_error *e) MUST_CHECK;

/* The document adopting the measures, its number and its date (from the
 * decision's date to today). -> measures_adopted. */
bool investigation_measures(PGconn *pg, struct investigation *v, const char *doc, const char *date,
			    int64_t now, struct wf_error *e) MUST_CHECK;

/* -> closed; closes the case and ends everything that still runs for it
 * (deadline_end_case: open deadlines voided, overdue flag cleared, unsent
 * reminders withdrawn). */
bool investigation_close(PGconn *pg, struct investigation *v, struct wf_error *e) MUST_CHECK;

/* The director's written consent to a longer term (004 p.7.5): all four
 * fields are required, while the conclusion is not yet submitted; the
 * consent is dated from the order to today (Asia/Almaty, of now), given by
 * the account investigation_check_decider accepts (recorded as that
 * account), and the new due date is a working day after the current one. */
struct investigation_extension {
	const char *consent_doc;
	const char *consent_date; /* YYYY-MM-DD */
	long long consenter;	  /* the consenting account's id */
	const char *new_due;	  /* YYYY-MM-DD */
};
bool investigation_extend(PGconn *pg, struct investigation *v,
			  const struct investigation_extension *x, int64_t now,
			  struct wf_error *e) MUST_CHECK;

/* A request for materials to an employee, due one working day after the
 * day it is made (004 p.7.8). on is that day (YYYY-MM-DD) or NULL for the
 * day of now in Asia/Almaty, neither before the order nor after today.
 * Writes the request's id and due date. to and what are stored only
 * under key, the case's content key (workflow/freetext.h). */
bool investigation_request(PGconn *pg, struct investigation *v, const char *to, const char *what,
			   const struct content_key *key, const char *on, int64_t now,
			   char request_id[24], char due[11], struct wf_error *e) MUST_CHECK;

/* The materials of an open request of this investigation arrived: meets
 * its deadline. */
bool investigation_received(PGconn *pg, struct investigation *v, const char *request_id,
			    struct wf_error *e) MUST_CHECK;

/* A file the commission received in answer to one of its requests
 * (004 p.7.8), already encrypted as the reporter's files are
 * (docs/keys.md): its own content key sealed to the case's public key,
 * and its name, type and size (meta, a blob) and bytes (data, a stream)
 * under that key. by is the uploading member's account. */
struct investigation_material {
	const char *request_id; /* a request of this investigation */
	const unsigned char *key_sealed, *meta, *data;
	size_t key_len, meta_len, data_len;
	long long by;
	bool received; /* the file answers the request: an open one is met */
};

/* Keeps m while the conclusion is not yet submitted (the materials go to
 * management with it); writes the new row's id. WF_NO_REQUEST when the
 * request is not this investigation's; WF_NOT_RUNNING once submitted. */
bool investigation_material(PGconn *pg, struct investigation *v,
			    const struct investigation_material *m, char material_id[24],
			    struct wf_error *e) MUST_CHECK;

#endif
