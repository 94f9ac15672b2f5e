/* A registration whose COMMIT went out and got no answer (the connection
 * was lost, base/db.h db_job_in_doubt) may have committed or not. Retrying
 * could register it twice, so the database is asked instead, once it can
 * tell: when the session that ran the transaction has ended, the
 * transaction is either committed and visible, or gone for good. Then the
 * appeal is looked up by its receipt hash: found, it is registered; not
 * found, nothing was saved; not known in time, the outcome is unknown
 * (docs/faults.md, "A COMMIT cut off").
 *
 * The one rule for every channel: the web form and mail register through
 * appeal_register(), whose queue keeps the appeals in doubt and asks on the
 * loop with indoubt_ask_*(); the desks through appeal_register_sync(),
 * which waits in its worker thread with indoubt_wait(). */
#ifndef HOTLINE_INTAKE_INDOUBT_H
#define HOTLINE_INTAKE_INDOUBT_H

#include <stdbool.h>
#include <sys/time.h>

#include "base/db.h"
#include "intake/appeal.h"

/* Adds to job the question whether the session backend_pid has ended; its
 * answer goes to indoubt_ended(). */
void indoubt_ask_ended(struct db_job *job, int backend_pid);

/* Adds to job the lookup of a by its receipt hash; its answer goes to
 * indoubt_settle(). */
void indoubt_ask_appeal(struct db_job *job, const struct appeal *a);

/* Whether the answer to indoubt_ask_ended() says the session has ended. */
bool indoubt_ended(const PGresult *res);

/* The verdict on a from the answer to its lookup, logged: found, r is ok
 * with its case, number and time; not found, nothing was saved (not ok,
 * sqlstate 08006; its other fields are left as they were). */
void indoubt_settle(const PGresult *res, const struct appeal *a, struct appeal_result *r);

/* The database could not tell in time: r is unknown (sqlstate 08006),
 * logged. r is overwritten. */
void indoubt_unknown(struct appeal_result *r);

/* The same question from a worker thread on its own blocking connection
 * db, asked every 250 ms (db reset as needed) until deadline: the verdict
 * on a, or unknown, into out. backend_pid ran the transaction. */
void indoubt_wait(PGconn *db, int backend_pid, const struct appeal *a,
		  const struct timeval *deadline, struct appeal_result *out);

#endif
