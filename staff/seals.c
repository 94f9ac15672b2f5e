/* Per-case seals of the staff pages: see seals.h. */
#include "staff/seals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/casekey.h"
#include "base/db.h"
#include "base/log.h"
#include "base/worker.h"
#include "staff/internal.h"
#include "accounts/session.h"

static const char sql_my_seal[] =
    "SELECT sealed FROM hotline.case_seals WHERE case_id = $1::bigint AND user_id = $2::bigint";

const struct secret_key *staff_case_key_for(struct staff_ctx *c, const char *case_id)
{
	struct staff_priv *p = staff_priv(c);
	if (p->seal_key && strcmp(p->seal_case, case_id) == 0)
		return p->seal_key;
	staff_seals_clear(c);
	if (!p->case_key || !c->user || !case_id || !*case_id)
		return NULL;
	char uid[24];
	snprintf(uid, sizeof uid, "%lld", c->user->id);
	const char *v[2] = {case_id, uid};
	PGresult *res = PQexecParams(c->db, sql_my_seal, 2, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		size_t len = 0;
		unsigned char *sealed = PQunescapeBytea(
		    (const unsigned char *)PQgetvalue(res, 0, db_col(res, "sealed")), &len);
		p->seal_key = casekey_open(p->case_key, sealed, len);
		if (!p->seal_key)
			log_error("staff: user %lld's seal of case %s does not open", c->user->id,
				  case_id);
		PQfreemem(sealed);
	}
	PQclear(res);
	if (p->seal_key)
		snprintf(p->seal_case, sizeof p->seal_case, "%s", case_id);
	return p->seal_key;
}

bool staff_case_public_key(struct staff_ctx *c, const char *case_id, struct public_key *out)
{
	const struct secret_key *sk = staff_case_key_for(c, case_id);
	if (!sk)
		return false;
	secret_key_public(sk, out);
	return true;
}

void staff_seals_clear(struct staff_ctx *c)
{
	struct staff_priv *p = staff_priv(c);
	secret_key_free(p->seal_key);
	p->seal_key = NULL;
	p->seal_case[0] = '\0';
}

/* The cases marked as maybe missing a seal that this user holds, with this
 * user's own seal of each. */
static const char sql_due[] =
    "SELECT d.case_id, s.sealed FROM hotline.case_seals_due d "
    "JOIN hotline.case_seals s ON s.case_id = d.case_id AND s.user_id = $1::bigint "
    "ORDER BY d.case_id LIMIT $2::integer";
static const char sql_case_missing[] =
    "SELECT user_id, public_key FROM hotline.case_seals_missing_for($1::bigint)";
static const char sql_checked[] = "SELECT hotline.case_seals_checked($1::bigint)";

PGresult *seals_missing(PGconn *db, const char *case_id, struct db_error *err)
{
	const char *v[1] = {case_id};
	return db_query(db, sql_case_missing, 1, v, NULL, NULL, err);
}

bool seals_checked(PGconn *db, const char *case_id, struct db_error *err)
{
	const char *v[1] = {case_id};
	PGresult *res = db_query(db, sql_checked, 1, v, NULL, NULL, err);
	PQclear(res);
	return res != NULL;
}

/* Seals case_sk to one missing person of the row; true when made. */
static bool seal_one(PGconn *db, const char *case_id, const char *to_user, const char *pk_text,
		     const struct secret_key *case_sk, const char *by)
{
	static const char sql_add[] =
	    "SELECT hotline.case_seal_add($1::bigint, $2::bigint, $3, $4::bigint) AS added";
	size_t pklen = 0;
	unsigned char *pk = PQunescapeBytea((const unsigned char *)pk_text, &pklen);
	unsigned char box[CASEKEY_SEAL_BYTES];
	struct public_key to;
	bool ok = case_sk && pk && pklen == KEYS_PUBLIC_BYTES;
	if (ok) {
		memcpy(to.bytes, pk, KEYS_PUBLIC_BYTES);
		ok = casekey_seal(case_sk, &to, box);
	}
	PQfreemem(pk);
	if (!ok)
		return false;
	const char *av[4] = {case_id, to_user, (const char *)box, by};
	int al[4] = {0, 0, CASEKEY_SEAL_BYTES, 0};
	int af[4] = {0, 0, 1, 0};
	PGresult *r = PQexecParams(db, sql_add, 4, NULL, av, al, af, 0);
	ok = PQresultStatus(r) == PGRES_TUPLES_OK &&
	     strcmp(PQgetvalue(r, 0, db_col(r, "added")), "t") == 0;
	PQclear(r);
	if (ok)
		log_info("staff: user %s sealed case %s to user %s", by, case_id, to_user);
	return ok;
}

int seals_fulfil_case(PGconn *db, long long user_id, const char *case_id,
		      const struct secret_key *case_sk)
{
	char uid[24];
	snprintf(uid, sizeof uid, "%lld", user_id);
	PGresult *res = seals_missing(db, case_id, NULL);
	if (!res)
		return -1;
	int made = 0;
	int col_user = db_col(res, "user_id"), col_key = db_col(res, "public_key");
	for (int i = 0; i < PQntuples(res); i++)
		made += seal_one(db, case_id, PQgetvalue(res, i, col_user),
				 PQgetvalue(res, i, col_key), case_sk, uid);
	PQclear(res);
	/* not marked: the next request looks again */
	(void)seals_checked(db, case_id, NULL);
	return made;
}

int seals_fulfil(PGconn *db, long long user_id, const struct secret_key *account_sk, int limit)
{
	char uid[24], lim[16];
	snprintf(uid, sizeof uid, "%lld", user_id);
	snprintf(lim, sizeof lim, "%d", limit);
	const char *v[2] = {uid, lim};
	PGresult *res = PQexecParams(db, sql_due, 2, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		return -1;
	}
	int made = 0;
	int col_case = db_col(res, "case_id"), col_sealed = db_col(res, "sealed");
	for (int i = 0; i < PQntuples(res); i++) {
		size_t slen = 0;
		unsigned char *mine =
		    PQunescapeBytea((const unsigned char *)PQgetvalue(res, i, col_sealed), &slen);
		struct secret_key *case_sk = casekey_open(account_sk, mine, slen);
		PQfreemem(mine);
		int n = case_sk
			    ? seals_fulfil_case(db, user_id, PQgetvalue(res, i, col_case), case_sk)
			    : 0;
		secret_key_free(case_sk);
		if (n > 0)
			made += n;
	}
	PQclear(res);
	return made;
}

bool staff_holds_seals(struct staff_ctx *c)
{
	static const char sql_any[] =
	    "SELECT 1 FROM hotline.case_seals WHERE user_id = $1::bigint LIMIT 1";
	if (!c->user)
		return false;
	char uid[24];
	snprintf(uid, sizeof uid, "%lld", c->user->id);
	const char *v[1] = {uid};
	PGresult *res = PQexecParams(c->db, sql_any, 1, NULL, v, NULL, NULL, 0);
	bool yes = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
	PQclear(res);
	return yes;
}

#define SWEEP_MAX_HOLDERS 64

struct seals_sweeper {
	struct worker_job job; /* first: the job's done() finds the sweeper */
	struct event *timer;
	struct worker_pool *pool;
	struct session_store *sessions;
	unsigned idle_seconds;
	bool busy;
};

static void sweep_run(struct worker_job *job, PGconn *db)
{
	struct seals_sweeper *w = (struct seals_sweeper *)job;
	if (!db)
		return;
	long long ids[SWEEP_MAX_HOLDERS];
	struct secret_key *keys[SWEEP_MAX_HOLDERS];
	unsigned n =
	    session_holders(w->sessions, w->idle_seconds, time(NULL), ids, keys, SWEEP_MAX_HOLDERS);
	for (unsigned i = 0; i < n; i++) {
		if (seals_fulfil(db, ids[i], keys[i], SEALS_PER_REQUEST) < 0)
			log_warning("staff: the missing seals could not be read");
		secret_key_free(keys[i]);
	}
}

static void sweep_done(struct worker_job *job, bool cancelled)
{
	(void)cancelled;
	((struct seals_sweeper *)job)->busy = false;
}

static void sweep_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct seals_sweeper *w = arg;
	if (w->busy || !w->pool)
		return;
	w->busy = true;
	w->job.run = sweep_run;
	w->job.done = sweep_done;
	worker_submit(w->pool, &w->job);
}

struct seals_sweeper *seals_sweeper_new(struct event_base *base, struct worker_pool *pool,
					struct session_store *sessions, unsigned idle_seconds)
{
	struct seals_sweeper *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->pool = pool;
	w->sessions = sessions;
	w->idle_seconds = idle_seconds;
	w->timer = event_new(base, -1, EV_PERSIST, sweep_tick, w);
	struct timeval tv = {SEALS_SWEEP_SECONDS, 0};
	if (!w->timer || event_add(w->timer, &tv) != 0) {
		seals_sweeper_free(w);
		return NULL;
	}
	return w;
}

void seals_sweeper_stop(struct seals_sweeper *w)
{
	if (!w)
		return;
	if (w->timer) {
		event_free(w->timer);
		w->timer = NULL;
	}
	w->pool = NULL;
}

void seals_sweeper_free(struct seals_sweeper *w)
{
	if (!w)
		return;
	seals_sweeper_stop(w);
	free(w);
}
