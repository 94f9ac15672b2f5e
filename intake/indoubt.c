#include "intake/indoubt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/schema.h"
#include "crypto/receipt.h"

static const char sql_session_gone[] =
    "SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1) AS gone";
static const char sql_registered[] =
    "SELECT c.id AS case_id, j.reg_no, to_char(j.registered_at AT TIME ZONE " SQL_ZONE ", "
    "'YYYY-MM-DD HH24:MI') AS registered_at FROM hotline.cases c "
    "JOIN hotline.journal j ON j.id = c.journal_id WHERE c.receipt_hash = $1";

#define ASK_EVERY_NS (250 * 1000 * 1000)

void indoubt_ask_ended(struct db_job *job, int backend_pid)
{
	char pid[16];
	snprintf(pid, sizeof(pid), "%d", backend_pid);
	const char *values[1] = {pid};
	db_job_add(job, sql_session_gone, 1, values, NULL, NULL);
}

void indoubt_ask_appeal(struct db_job *job, const struct appeal *a)
{
	const char *hash[1] = {(const char *)a->receipt_hash};
	int lengths[1] = {RECEIPT_HASH_BYTES};
	int formats[1] = {1};
	db_job_add(job, sql_registered, 1, hash, lengths, formats);
}

bool indoubt_ended(const PGresult *res)
{
	return res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
	       strcmp(PQgetvalue(res, 0, db_col(res, "gone")), "t") == 0;
}

void indoubt_settle(const PGresult *res, const struct appeal *a, struct appeal_result *r)
{
	if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		r->ok = true;
		r->case_id = strtoll(PQgetvalue(res, 0, db_col(res, "case_id")), NULL, 10);
		snprintf(r->reg_no, sizeof(r->reg_no), "%s",
			 PQgetvalue(res, 0, db_col(res, "reg_no")));
		snprintf(r->registered_at, sizeof(r->registered_at), "%s",
			 PQgetvalue(res, 0, db_col(res, "registered_at")));
		log_info("registered %s (case %lld, channel %s), confirmed after its connection "
			 "was lost",
			 r->reg_no, r->case_id, a->channel);
		return;
	}
	log_warning("registration failed (connection lost before COMMIT): nothing was saved");
	r->ok = false;
	snprintf(r->state, sizeof(r->state), "08006");
	r->sqlstate = r->state;
}

void indoubt_unknown(struct appeal_result *r)
{
	log_warning("registration outcome unknown: the connection was lost during its COMMIT "
		    "and the database could not tell in time");
	memset(r, 0, sizeof(*r));
	r->unknown = true;
	snprintf(r->state, sizeof(r->state), "08006");
	r->sqlstate = r->state;
}

static double seconds_left(const struct timeval *deadline)
{
	struct timeval now;
	gettimeofday(&now, NULL);
	return (double)(deadline->tv_sec - now.tv_sec) +
	       (double)(deadline->tv_usec - now.tv_usec) / 1e6;
}

/* One round of the question on db; true once the verdict is in out. */
static bool ask_once(PGconn *db, int backend_pid, const struct appeal *a, struct appeal_result *out)
{
	if (PQstatus(db) != CONNECTION_OK)
		PQreset(db);
	if (PQstatus(db) != CONNECTION_OK)
		return false;
	char pid[16];
	snprintf(pid, sizeof(pid), "%d", backend_pid);
	const char *pv[1] = {pid};
	PGresult *gone = PQexecParams(db, sql_session_gone, 1, NULL, pv, NULL, NULL, 0);
	bool ended = indoubt_ended(gone);
	PQclear(gone);
	if (!ended)
		return false;
	const char *hv[1] = {(const char *)a->receipt_hash};
	int hl[1] = {RECEIPT_HASH_BYTES}, hf[1] = {1};
	PGresult *res = PQexecParams(db, sql_registered, 1, NULL, hv, hl, hf, 0);
	bool answered = res && PQresultStatus(res) == PGRES_TUPLES_OK;
	if (answered)
		indoubt_settle(res, a, out);
	PQclear(res);
	return answered;
}

void indoubt_wait(PGconn *db, int backend_pid, const struct appeal *a,
		  const struct timeval *deadline, struct appeal_result *out)
{
	log_warning("registration: connection lost before its COMMIT was answered; asking the "
		    "database what became of it");
	while (seconds_left(deadline) > 0) {
		if (ask_once(db, backend_pid, a, out))
			return;
		struct timespec pause = {0, ASK_EVERY_NS};
		nanosleep(&pause, NULL);
	}
	indoubt_unknown(out);
}
