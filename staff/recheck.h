/* A signed-in person typing their password again ("My password", "My
 * second factor"): the try counts like one at the login, so a session left
 * open gives a guesser no more than the login page does (docs/staff.md,
 * "Failed logins"). With this account's device cookie it is counted on
 * that cookie first (accounts/devtrust.h); without one it counts on the
 * account and is not looked at during the account's slow-down. */
#ifndef HOTLINE_STAFF_RECHECK_H
#define HOTLINE_STAFF_RECHECK_H

#include <stdbool.h>
#include <time.h>

#include "crypto/devcookie.h"
#include "accounts/throttle.h"

struct staff_ctx;

struct recheck {
	unsigned char key[THROTTLE_KEY_BYTES];
	unsigned char nonce[DEVCOOKIE_NONCE_BYTES];
	time_t now;
	unsigned tries; /* taken on the device cookie; 0: none trusted */
};

/* Takes the try; the seconds to wait before looking at it (0: go on).
 * With a wait the caller answers at once, the delay being set. */
unsigned recheck_begin(struct staff_ctx *c, struct recheck *r);
/* The password was right: the cookie's try given back, or the account's
 * count cleared. */
void recheck_right(struct staff_ctx *c, const struct recheck *r);
/* It was wrong: the answer's delay set from the cookie's or the account's
 * count. */
void recheck_wrong(struct staff_ctx *c, const struct recheck *r);

#endif
