/* The audit log (migrations/0005_staff.sql): its writer, for the staff
 * pages (staff_audit() in staff/staff.h) and hotlinectl alike; and its hash
 * chain: the database appends (hotline.audit_append), this states the same
 * rule in C so that `hotlinectl audit verify` checks it independently. */
#ifndef HOTLINE_ACCOUNTS_AUDIT_H
#define HOTLINE_ACCOUNTS_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "crypto/digest.h"
#include "base/buf.h"
#include "base/attr.h"

#define AUDIT_HASH_BYTES DIGEST_BYTES

/* One row of the hash-chained audit log: who (user_id, 0 for none, and
 * login, "" for none), what (action, e.g. "case.view"), on what (object,
 * e.g. a registration number, or ""), when. Never content. Runs on db, so
 * inside the caller's transaction when one is open; false when it could
 * not be written (or db is NULL). */
bool audit_append(PGconn *db, long long user_id, const char *login, const char *action,
		  const char *object) MUST_CHECK;

/* v1|<id>|<at µs>|<user_id or "">|<n>:<login>|<n>:<action>|<n>:<object> */
void audit_canonical(struct buf *out, long long id, int64_t at_us, long long user_id,
		     const char *login, const char *action, const char *object);
/* row_hash = sha256(prev || canonical) */
void audit_row_hash(const unsigned char prev[AUDIT_HASH_BYTES], const struct buf *canonical,
		    unsigned char out[AUDIT_HASH_BYTES]);

#endif
