/* Revealing who made a report (docs/reveal.md). A request names the case
 * and its reason and is made by the compliance manager or by a member of
 * the case's commission; a second person approves or rejects it (the
 * director, or the alternate recipient when the case names the director;
 * never the requester); then the custodian downloads the "reveal packet"
 * (the release: crypto/packet.h) and the holders of M shares of the
 * unmasking key open it together off the server (hotlinectl unmask); the
 * custodian records that it was opened. The server holds no key that
 * opens an identity (issue 14). From the approval on, the reporter's
 * status page says to which role the identity will be, then was, revealed.
 *
 * Like workflow/investigation.h: every step runs in the caller's
 * transaction and reports refusals in a struct wf_error. */
#ifndef HOTLINE_WORKFLOW_REVEAL_H
#define HOTLINE_WORKFLOW_REVEAL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/attr.h"
#include "workflow/wfdb.h"

struct public_key;

enum reveal_state { REVEAL_REQUESTED, REVEAL_APPROVED, REVEAL_REJECTED, REVEAL_REVEALED };

const char *reveal_state_name(enum reveal_state s);

struct reveal {
	char id[24];
	char case_id[24];
	char reg_no[16];
	bool director_named; /* then the alternate recipient approves */
	bool anonymous;	     /* no sealed identity */
	long long requested_by;
	char requester_role[16]; /* "compliance" or "commission" */
	char requester_name[128];
	char requested_at[20]; /* YYYY-MM-DD HH:MM, Asia/Almaty */
	enum reveal_state state;
	long long decided_by; /* 0 until decided */
	char decider_role[16];
	char decider_name[128];
	char decided_at[20];
	long long revealed_by;
	char revealed_at[20];
	long long released_by; /* 0 until the packet was released */
	char releaser_name[128];
	char released_at[20];
	char packet_binding[65];
};

/* Loads request id (a decimal id), locking it: call inside a transaction. */
bool reveal_load(PGconn *pg, const char *id, struct reveal *r, struct wf_error *e) MUST_CHECK;

/* A request on case reg_no by user_id acting as role ("compliance" or
 * "commission": a commission member only on a case whose commission they
 * sit on). Refused for an anonymous report, for an appeal not triaged yet
 * (the triage decides whether the director or the alternate approves, and
 * the director sees no appeal before it: issue 14) and while the case has
 * another open request. Writes the new request's id. reason: the
 * reason sealed under the case's content key (workflow/freetext.h
 * freetext_seal; the caller checked the clear text is not blank). */
bool reveal_request(PGconn *pg, const char *reg_no, long long user_id, const char *role,
		    const char *reason, char id[24], struct wf_error *e) MUST_CHECK;

/* Which role approves this request: "alternate" when the case names the
 * director, else "director". */
const char *reveal_approver_role(const struct reveal *r);

/* The approval (approve) or rejection of a requested request by user_id,
 * who holds the roles named: only the approver role of the request
 * (reveal_approver_role), never the requester. */
bool reveal_decide(PGconn *pg, struct reveal *r, long long user_id, bool is_director,
		   bool is_alternate, bool approve, struct wf_error *e) MUST_CHECK;

/* The custodian's check before the release: the request is approved (not
 * yet opened) and the custodian is not its requester. */
bool reveal_check_release(const struct reveal *r, long long custodian_id,
			  struct wf_error *e) MUST_CHECK;

/* The release of an approved request to custodian_id: the packet's text
 * (malloc'd, *len bytes: the sealed identity, which only M shares of the
 * unmasking key open, bound to the request) with pk the public key the
 * identity is sealed to; records who released it, when, and its binding,
 * and a case event. Each download is a release: the packet is the same. */
bool reveal_release(PGconn *pg, struct reveal *r, long long custodian_id,
		    const struct public_key *pk, char **packet, size_t *len,
		    struct wf_error *e) MUST_CHECK;

/* The custodian's record that the holders opened the identity on
 * opened_on (YYYY-MM-DD, Asia/Almaty; not after today by now, not before
 * the release): only for an approved request whose packet was released,
 * never by its requester. The reporter's status page then says it was
 * revealed on that day. */
bool reveal_confirm_open(PGconn *pg, struct reveal *r, long long custodian_id,
			 const char *opened_on, int64_t now, struct wf_error *e) MUST_CHECK;

#endif
