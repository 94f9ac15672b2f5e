/* Plain hashes and random numbers for code outside crypto/, which must not
 * call libsodium itself. */
#ifndef HOTLINE_CRYPTO_DIGEST_H
#define HOTLINE_CRYPTO_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define DIGEST_BYTES 32

void digest_sha256(const void *data, size_t len, unsigned char out[DIGEST_BYTES]);

/* Keyed BLAKE2b-256 (key 16..64 bytes; any other length is a programming
 * error and aborts). */
void digest_keyed(const void *key, size_t keylen, const void *data, size_t len,
		  unsigned char out[DIGEST_BYTES]);

/* Lower-case hex; out must hold 2*len+1 bytes. */
void digest_hex(const unsigned char *bin, size_t len, char *out);

void random_bytes(void *buf, size_t len);
uint32_t random_uniform(uint32_t upper);

/* Constant-time comparison: 1 when the len bytes at a and b are equal,
 * 0 otherwise. */
int digest_equal(const void *a, const void *b, size_t len);

/* Overwrites n bytes with zeros in a way the compiler may not optimise
 * away: for passphrases and other secrets held outside crypto/. */
void crypto_wipe(void *p, size_t n);

#endif
