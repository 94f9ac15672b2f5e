/* Plain and keyed hashes for code outside crypto/, which must not call
 * libsodium itself. */
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

/* Constant-time comparison: 1 when the len bytes at a and b are equal,
 * 0 otherwise. */
int digest_equal(const void *a, const void *b, size_t len);

/* BLAKE2b of outlen bytes (16..64) over the len bytes at data, unkeyed. */
void digest_blake2b(unsigned char *out, size_t outlen, const void *data, size_t len);

/* The same over several pieces, keyed when keylen > 0 (16..64 bytes):
 * digest_init(), digest_update() for each piece, digest_final() (which
 * wipes the state). Lengths out of range are programming errors and
 * abort. The state is libsodium's, kept opaque here (digest.c checks that
 * it fits). */
struct digest_state {
	_Alignas(64) unsigned char opaque[384];
};
void digest_init(struct digest_state *st, const void *key, size_t keylen, size_t outlen);
void digest_update(struct digest_state *st, const void *data, size_t len);
void digest_final(struct digest_state *st, unsigned char *out, size_t outlen);

#endif
