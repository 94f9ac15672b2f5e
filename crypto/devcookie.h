/* Device cookies of the staff login (docs/staff.md, "Failed logins";
 * OWASP "Slow Down Online Guessing Attacks with Device Cookies"). A device
 * cookie is an opaque token a browser gets at a successful login: the
 * account's id, a random nonce and the time it was issued, under a keyed
 * MAC (HMAC-SHA-512-256) with a key drawn at start and held only in
 * memory. It holds nothing about the client (no address) and nothing is
 * stored about it; a restart of the daemon makes every device cookie
 * unknown again (the next login gives a new one). */
#ifndef HOTLINE_CRYPTO_DEVCOOKIE_H
#define HOTLINE_CRYPTO_DEVCOOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "base/attr.h"

#define DEVCOOKIE_NONCE_BYTES 16
/* base64url, no padding, of 8 + 16 + 8 + 32 bytes, and the NUL */
#define DEVCOOKIE_TEXT_SIZE 88
/* how long a device cookie is trusted: 180 days */
#define DEVCOOKIE_LIFETIME (180 * 24 * 60 * 60)

struct devcookie_key;

/* A fresh random key (NULL when memory is short). */
struct devcookie_key *devcookie_key_new(void) MUST_CHECK;
void devcookie_key_free(struct devcookie_key *k);

/* A new token for user_id issued at now, with a fresh random nonce. */
bool devcookie_make(const struct devcookie_key *k, long long user_id, time_t now,
		    char out[DEVCOOKIE_TEXT_SIZE]) MUST_CHECK;

/* True when text is a token this key made, not older than
 * DEVCOOKIE_LIFETIME at now (nor issued in the future); then *user_id and
 * nonce say whose and which it is. */
bool devcookie_check(const struct devcookie_key *k, const char *text, time_t now,
		     long long *user_id, unsigned char nonce[DEVCOOKIE_NONCE_BYTES]) MUST_CHECK;

#endif
