#include "accounts/audit.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/db.h"

void audit_canonical(struct buf *out, long long id, int64_t at_us, long long user_id,
		     const char *login, const char *action, const char *object)
{
	buf_printf(out, "v1|%lld|%" PRId64 "|", id, at_us);
	if (user_id > 0)
		buf_printf(out, "%lld", user_id);
	buf_printf(out, "|%zu:%s|%zu:%s|%zu:%s", strlen(login), login, strlen(action), action,
		   strlen(object), object);
}

void audit_row_hash(const unsigned char prev[AUDIT_HASH_BYTES], const struct buf *canonical,
		    unsigned char out[AUDIT_HASH_BYTES])
{
	struct buf b;
	buf_init(&b);
	buf_add(&b, prev, AUDIT_HASH_BYTES);
	buf_add(&b, canonical->data ? canonical->data : "", canonical->len);
	digest_sha256(b.data, b.len, out);
	buf_reset(&b);
}

bool audit_append(PGconn *db, long long user_id, const char *login, const char *action,
		  const char *object)
{
	static const char sql_append[] = "SELECT hotline.audit_append($1, $2, $3, $4)";
	if (!db)
		return false;
	char uid[24];
	snprintf(uid, sizeof uid, "%lld", user_id);
	const char *v[4] = {user_id > 0 ? uid : NULL, login ? login : "", action,
			    object ? object : ""};
	PGresult *res = db_query(db, sql_append, 4, v, NULL, NULL, NULL);
	bool ok = res && PQresultStatus(res) == PGRES_TUPLES_OK;
	PQclear(res);
	return ok;
}
