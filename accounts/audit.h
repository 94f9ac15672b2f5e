/* The audit log's hash chain (migrations/0005_staff.sql): the database
 * appends (hotline.audit_append), this states the same rule in C so that
 * `hotlinectl audit verify` checks it independently. */
#ifndef HOTLINE_ACCOUNTS_AUDIT_H
#define HOTLINE_ACCOUNTS_AUDIT_H

#include <stdint.h>

#include "crypto/digest.h"
#include "base/buf.h"

#define AUDIT_HASH_BYTES DIGEST_BYTES

/* v1|<id>|<at µs>|<user_id or "">|<n>:<login>|<n>:<action>|<n>:<object> */
void audit_canonical(struct buf *out, long long id, int64_t at_us, long long user_id,
		     const char *login, const char *action, const char *object);
/* row_hash = sha256(prev || canonical) */
void audit_row_hash(const unsigned char prev[AUDIT_HASH_BYTES], const struct buf *canonical,
		    unsigned char out[AUDIT_HASH_BYTES]);

#endif
