/* The slow-down of failed staff logins (docs/staff.md, "Failed logins"),
 * per account (the login as typed, known or not: unknown logins are slowed
 * down alike, so the delay tells nothing) and per client address (behind a
 * trusted proxy, the one X-Forwarded-For names: base/clientaddr.h), in
 * memory. The first THROTTLE_FREE failures cost nothing; after failure
 * n > THROTTLE_FREE the answer waits 2^(n-THROTTLE_FREE-1) seconds, at most
 * THROTTLE_MAX_DELAY, and until that time has passed a new untrusted try
 * of the same login or from the same client is refused without its
 * password being looked at (and answered only once the time is up). A try
 * with a valid device cookie for its login (accounts/devtrust.h) is not
 * refused by it and its failures count on the cookie instead. A failure
 * is forgotten after THROTTLE_FORGET seconds without another; an untrusted
 * successful login clears the account's count (not the client's).
 * Thread-safe. */
#ifndef HOTLINE_ACCOUNTS_THROTTLE_H
#define HOTLINE_ACCOUNTS_THROTTLE_H

#include <stddef.h>
#include <time.h>

#define THROTTLE_FREE 3
#define THROTTLE_MAX_DELAY 30
#define THROTTLE_FORGET (15 * 60)
#define THROTTLE_KEY_BYTES 32

struct throttle;

struct throttle *throttle_new(void);
void throttle_free(struct throttle *t);

/* The key of a login or of a client address: a keyed hash (the key is
 * random per process), so the table holds neither. */
void throttle_key(struct throttle *t, char kind, const void *data, size_t len,
		  unsigned char out[THROTTLE_KEY_BYTES]);

/* Seconds of slow-down key still has (0: none). */
unsigned throttle_wait(struct throttle *t, const unsigned char key[THROTTLE_KEY_BYTES], time_t now);
/* Counts a failure; returns the delay it earns. */
unsigned throttle_fail(struct throttle *t, const unsigned char key[THROTTLE_KEY_BYTES], time_t now);
void throttle_clear(struct throttle *t, const unsigned char key[THROTTLE_KEY_BYTES]);

/* The delay after the n-th failure in a row. */
unsigned throttle_delay(unsigned failures);

#endif
