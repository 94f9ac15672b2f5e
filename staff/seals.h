/* Per-case seals in the staff pages (docs/keys.md, "Per-case keys and
 * seals"): the session holds the account's secret key; a case's secret key
 * is opened from this person's own seal of it (hotline.case_seals), once
 * per request, and never from anyone else's. A session that holds a case's
 * key also makes the seals the database says are missing (someone newly
 * entitled: the director after triage, the alternate, a commission
 * member, a compliance manager who joined after the case came in). */
#ifndef HOTLINE_STAFF_SEALS_H
#define HOTLINE_STAFF_SEALS_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "base/attr.h"
#include "base/db.h"
#include "crypto/keys.h"
#include "staff/staff.h"

/* The case's secret key opened from this user's seal, kept for the rest of
 * the request (one case at a time); NULL when there is no seal for this
 * person or it does not open. staff_case_key() then returns it. */
const struct secret_key *staff_case_key_for(struct staff_ctx *c, const char *case_id);

/* The case's public key of the key staff_case_key_for() opened, for
 * sealing a note, a reply or a conclusion to the case; false when none. */
bool staff_case_public_key(struct staff_ctx *c, const char *case_id,
			   struct public_key *out) MUST_CHECK;

/* Seals made after one request or login at most: the rest at the next. */
#define SEALS_PER_REQUEST 200

/* Makes every missing seal of a case whose key user_id holds (at most
 * limit), each in its own statement; returns how many were made, -1 on a
 * database error. Blocking: a staff worker's connection. */
int seals_fulfil(PGconn *db, long long user_id, const struct secret_key *account_sk, int limit);

/* The same for one case whose key the request opened (case_sk): a step
 * that moves a case from one person to another (the director named or no
 * longer named) drops the doer's own seal in its transaction, so the new
 * holder is sealed with the key still in memory. */
int seals_fulfil_case(PGconn *db, long long user_id, const char *case_id,
		      const struct secret_key *case_sk);

/* The people entitled to case_id who hold no seal of its key yet
 * (hotline.case_seals_missing_for): columns user_id and public_key. NULL,
 * err (may be NULL) set as db_query() does, on a database error. The one
 * home of the statement, for the staff pages and hotlinectl's reseal. */
PGresult *seals_missing(PGconn *db, const char *case_id, struct db_error *err);

/* Marks case_id's missing seals as looked at (hotline.case_seals_checked);
 * false, err (may be NULL) set, on a database error. */
bool seals_checked(PGconn *db, const char *case_id, struct db_error *err);

/* Whether this person holds a seal of any case (the home page says so). */
bool staff_holds_seals(struct staff_ctx *c);

/* Forgets the request's opened case key (end of a request). */
void staff_seals_clear(struct staff_ctx *c);

/* Every SEALS_SWEEP_SECONDS a worker makes the missing seals with the keys
 * of the live sessions, so that a step done by hotlinectl without the
 * recovery key reaches the newly entitled person while a compliance
 * manager is logged in, not only at their next login or POST. */
#define SEALS_SWEEP_SECONDS 10
struct seals_sweeper;
struct event_base;
struct worker_pool;
struct session_store;
struct seals_sweeper *seals_sweeper_new(struct event_base *base, struct worker_pool *pool,
					struct session_store *sessions,
					unsigned idle_seconds) MUST_CHECK;
/* Call after the pool is freed (its done() may still run until then).
 * NULL is a no-op. */
void seals_sweeper_free(struct seals_sweeper *w);
/* Stops the timer (before the pool is freed). */
void seals_sweeper_stop(struct seals_sweeper *w);

#endif
