/* A staff form posted after its session ended (idle past
 * staff_idle_timeout): its text fields are kept, encrypted in memory
 * under a one-time token, so that its author signs in again and sends
 * them, not types them again (docs/staff.md, "Sessions"). The token goes
 * to the browser only (a hidden field of the login page, then the
 * address of the page that gives the form back); the store keeps a hash
 * of it and the ciphertext, so memory without the token reads nothing.
 * A kept form is given back once, to the account whose session ended,
 * within KEPTFORM_LIFETIME. Never kept: the CSRF token, passwords,
 * codes and files (staff_kept_field_ok() in web/server.c decides).
 * Thread-safe: the workers share one store. */
#ifndef HOTLINE_ACCOUNTS_KEPTFORM_H
#define HOTLINE_ACCOUNTS_KEPTFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "base/attr.h"
#include "base/buf.h"

#define KEPTFORM_TOKEN_HEX 64
#define KEPTFORM_MAX 256	      /* forms kept at once */
#define KEPTFORM_MAX_BYTES (1u << 20) /* of one form's fields */
#define KEPTFORM_LIFETIME 3600	      /* seconds */

struct keptform_store;

struct keptform_store *keptform_store_new(void);
/* Wipes every kept form. NULL is a no-op. */
void keptform_store_free(struct keptform_store *s);

/* Keeps fields (name NUL value NUL ..., as keptform_field_add() writes
 * them) posted to path by user_id; token_out gets the token. False when
 * the store is full of live forms or the fields are too big. */
bool keptform_keep(struct keptform_store *s, long long user_id, const char *path,
		   const struct buf *fields, time_t now,
		   char token_out[KEPTFORM_TOKEN_HEX + 1]) MUST_CHECK;

/* Appends one field to a keep's fields. */
void keptform_field_add(struct buf *fields, const char *name, const char *value, size_t len);

/* True when token has a token's shape (what a page may echo). */
bool keptform_token_ok(const char *token);

/* The form the token names, taken out of the store (once): its path into
 * path and its fields into fields (the caller wipes them: buf_wipe).
 * False, and the form is ended, when it is not user_id's; false when the
 * token names nothing live. */
bool keptform_take(struct keptform_store *s, const char *token, long long user_id, time_t now,
		   char *path, size_t path_size, struct buf *fields) MUST_CHECK;

/* Walks fields: *at starts at 0; false at the end. */
bool keptform_field_next(const struct buf *fields, size_t *at, const char **name,
			 const char **value);

#endif
