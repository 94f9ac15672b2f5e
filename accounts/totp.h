/* TOTP second factor (RFC 6238 with HMAC-SHA1, 30-second steps, 6 digits)
 * through liboath. A code is accepted for the step before, the step of and
 * the step after now, and only for a step later than the last one accepted
 * for the account: a code is never accepted twice. */
#ifndef HOTLINE_ACCOUNTS_TOTP_H
#define HOTLINE_ACCOUNTS_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/attr.h"

#define TOTP_SECRET_BYTES 20
#define TOTP_STEP 30
#define TOTP_DIGITS 6
#define TOTP_WINDOW 1
/* base32 of 20 bytes: 32 characters */
#define TOTP_BASE32_SIZE 40

bool totp_init(void) MUST_CHECK;

/* The code of the step holding `now`, digits 6..8, into out (digits+1). */
bool totp_code(const unsigned char *secret, size_t len, time_t now, unsigned digits,
	       char *out) MUST_CHECK;

/* True when code (6 digits) is the code of a step within the window around
 * now that is later than last_step; *step set to that step. Compared in
 * constant time. */
bool totp_check(const unsigned char *secret, size_t len, time_t now, int64_t last_step,
		const char *code, int64_t *step);

/* RFC 4648 base32 without padding, as authenticator apps take it. */
bool totp_base32(const unsigned char *secret, size_t len, char out[TOTP_BASE32_SIZE]) MUST_CHECK;
bool totp_base32_decode(const char *text, unsigned char *out, size_t *len) MUST_CHECK;

#endif
