/* Wrapping small secrets under a symmetric key (XSalsa20-Poly1305,
 * libsodium's secretbox): a staff account's secret key and TOTP secret
 * under its kek (accounts/account.c). */
#ifndef HOTLINE_CRYPTO_WRAP_H
#define HOTLINE_CRYPTO_WRAP_H

#include <stdbool.h>
#include <stddef.h>

#include "base/attr.h"

#define WRAP_KEY_BYTES 32
#define WRAP_NONCE_BYTES 24
/* what a wrap adds to its plaintext: the nonce and the tag */
#define WRAP_OVERHEAD (WRAP_NONCE_BYTES + 16)

/* out (WRAP_OVERHEAD + len bytes) = a random nonce || secretbox(plain). */
void wrap_seal(const unsigned char key[WRAP_KEY_BYTES], const void *plain, size_t len,
	       unsigned char *out);
/* out (len - WRAP_OVERHEAD bytes) = the plaintext of in; false on a wrong
 * key, a changed box or len < WRAP_OVERHEAD. */
bool wrap_open(const unsigned char key[WRAP_KEY_BYTES], const unsigned char *in, size_t len,
	       unsigned char *out) MUST_CHECK;

#endif
