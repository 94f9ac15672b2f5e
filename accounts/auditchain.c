/* The audit log's chain walk: see auditchain.h. */
#include "accounts/auditchain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/db.h"

/* The columns of the walk's rows: single-row mode gives each row a
 * result of its own, all alike, so they are looked up in the first. */
struct walk_cols {
	int id, at, user, login, action, object, prev, hash;
};

static void walk_cols(const PGresult *res, struct walk_cols *k)
{
	k->id = db_col(res, "id");
	k->at = db_col(res, "at_us");
	k->user = db_col(res, "user_id");
	k->login = db_col(res, "login");
	k->action = db_col(res, "action");
	k->object = db_col(res, "object");
	k->prev = db_col(res, "prev_hash");
	k->hash = db_col(res, "row_hash");
}

/* One row against the hash before it (prev, moved on when it checks out).
 * False, with out's verdict, when it does not. */
static bool walk_row(const PGresult *res, const struct walk_cols *k,
		     unsigned char prev[AUDIT_HASH_BYTES], struct audit_chain *out)
{
	long long id = atoll(PQgetvalue(res, 0, k->id));
	size_t plen = 0, hlen = 0;
	unsigned char *sp = db_bytea(res, 0, k->prev, &plen);
	unsigned char *sh = db_bytea(res, 0, k->hash, &hlen);
	struct buf canon;
	buf_init(&canon);
	audit_canonical(&canon, id, strtoll(PQgetvalue(res, 0, k->at), NULL, 10),
			atoll(PQgetvalue(res, 0, k->user)), PQgetvalue(res, 0, k->login),
			PQgetvalue(res, 0, k->action), PQgetvalue(res, 0, k->object));
	unsigned char computed[AUDIT_HASH_BYTES];
	audit_row_hash(prev, &canon, computed);
	buf_reset(&canon);
	const char *why = NULL;
	if (!sp || !sh || plen != AUDIT_HASH_BYTES || hlen != AUDIT_HASH_BYTES)
		why = "a hash column is damaged";
	else if (memcmp(sp, prev, AUDIT_HASH_BYTES) != 0)
		why = "does not link to the previous row";
	else if (memcmp(sh, computed, AUDIT_HASH_BYTES) != 0)
		why = "row hash does not match its contents";
	else
		memcpy(prev, sh, AUDIT_HASH_BYTES);
	PQfreemem(sp);
	PQfreemem(sh);
	out->rows++;
	out->last_id = id;
	if (why) {
		out->intact = false;
		out->broken = id;
		snprintf(out->why, sizeof out->why, "%.150s", why);
	}
	return !why;
}

bool audit_chain_verify(PGconn *pg, struct audit_chain *out, audit_chain_row_fn row, void *cls)
{
	static const unsigned char start[AUDIT_HASH_BYTES] = {0};
	return audit_chain_verify_from(pg, 0, start, 0, out, row, cls);
}

bool audit_chain_verify_from(PGconn *pg, long long after_id,
			     const unsigned char from[AUDIT_HASH_BYTES], long long max_rows,
			     struct audit_chain *out, audit_chain_row_fn row, void *cls)
{
	static const char sql_rows[] =
	    "SELECT id, (extract(epoch FROM at) * 1000000)::bigint AS at_us, "
	    "coalesce(user_id, 0) AS user_id, login, action, object, prev_hash, row_hash "
	    "FROM hotline.audit_log WHERE id > $1::bigint ORDER BY id LIMIT $2::bigint";
	static const char sql_head[] = "SELECT last_hash FROM hotline.audit_head WHERE id = 1";
	*out = (struct audit_chain){.intact = true, .last_id = after_id};
	memcpy(out->last_hash, from, AUDIT_HASH_BYTES);
	char after[24], limit[24];
	snprintf(after, sizeof after, "%lld", after_id);
	snprintf(limit, sizeof limit, "%lld", max_rows);
	const char *v[2] = {after, max_rows > 0 ? limit : NULL};
	if (!PQsendQueryParams(pg, sql_rows, 2, NULL, v, NULL, NULL, 0) ||
	    !PQsetSingleRowMode(pg)) {
		snprintf(out->why, sizeof out->why, "%.150s", PQerrorMessage(pg));
		return false;
	}
	unsigned char *prev = out->last_hash;
	struct walk_cols k = {.id = -1};
	bool failed = false;
	PGresult *res;
	/* read to the end even past a broken row: the connection is then free */
	while ((res = PQgetResult(pg))) {
		ExecStatusType st = PQresultStatus(res);
		if (st == PGRES_SINGLE_TUPLE && !failed && out->intact) {
			if (k.id < 0)
				walk_cols(res, &k);
			if (walk_row(res, &k, prev, out) && row)
				row(cls, out->last_id, prev);
		} else if (st == PGRES_FATAL_ERROR && !failed) {
			snprintf(out->why, sizeof out->why, "%.150s", PQresultErrorMessage(res));
			failed = true;
		}
		PQclear(res);
	}
	if (failed)
		return false;
	if (!out->intact || (max_rows > 0 && out->rows >= max_rows))
		return true;
	out->ended = true;
	struct db_error err;
	res = db_query(pg, sql_head, 0, NULL, NULL, NULL, &err);
	if (!res || PQntuples(res) != 1) {
		snprintf(out->why, sizeof out->why, "%.150s", res ? "no audit head" : err.message);
		PQclear(res);
		return false;
	}
	size_t len = 0;
	unsigned char *h = db_bytea(res, 0, db_col(res, "last_hash"), &len);
	if (!h || len != AUDIT_HASH_BYTES || memcmp(h, prev, AUDIT_HASH_BYTES) != 0) {
		out->intact = false;
		out->broken = 0;
		snprintf(out->why, sizeof out->why,
			 "the head does not match the last row (rows removed?)");
	}
	PQfreemem(h);
	PQclear(res);
	return true;
}
