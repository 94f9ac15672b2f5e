/* The failures counted on each device cookie (crypto/devcookie.h,
 * docs/staff.md "Failed logins"), in memory, keyed by the cookie's nonce.
 * A try with a valid device cookie for the login it names is trusted: the
 * slow-down of untrusted tries does not refuse it. Its failures count on
 * the cookie, and after DEVTRUST_MAX_FAILURES of them the cookie is
 * trusted no more (a successful login gives the browser a new cookie), so
 * a stolen cookie gives a guesser DEVTRUST_MAX_FAILURES tries. A restart
 * forgets the counts, but also every device cookie (their key is drawn at
 * start). The table holds DEVTRUST_SLOTS cookies that failed; when it is
 * full, a cookie not in it is trusted no more (fail closed: evicting
 * one would forgive it). Thread-safe. */
#ifndef HOTLINE_ACCOUNTS_DEVTRUST_H
#define HOTLINE_ACCOUNTS_DEVTRUST_H

#include <stdbool.h>
#include <time.h>

#include "base/attr.h"
#include "crypto/devcookie.h"

#define DEVTRUST_MAX_FAILURES 5
#define DEVTRUST_SLOTS 4096

struct devtrust;

struct devtrust *devtrust_new(void) MUST_CHECK;
void devtrust_free(struct devtrust *d);

/* True while the cookie with this nonce has fewer than
 * DEVTRUST_MAX_FAILURES failures (a first look: devtrust_take decides). */
bool devtrust_ok(struct devtrust *d, const unsigned char nonce[DEVCOOKIE_NONCE_BYTES], time_t now);
/* Takes one try on the cookie, counted as a failure before it is checked
 * (so tries made at once cannot all pass devtrust_ok before any failure is
 * counted): returns the cookie's count with it, or 0 when the cookie is
 * trusted no more (no try taken). A success calls devtrust_give_back. */
unsigned devtrust_take(struct devtrust *d, const unsigned char nonce[DEVCOOKIE_NONCE_BYTES],
		       time_t now) MUST_CHECK;
/* Gives back a try taken that succeeded. The cookie's earlier failures
 * stay: a successful login replaces the browser's cookie by a new one
 * with none, and a copy of the old one (stolen) stays as worn as it was.
 * So the table holds only cookies with real failures. */
void devtrust_give_back(struct devtrust *d, const unsigned char nonce[DEVCOOKIE_NONCE_BYTES]);

#endif
