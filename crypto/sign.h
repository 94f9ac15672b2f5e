/* Ed25519 signatures for the chain checkpoints (docs/keys.md, "The
 * checkpoint key"): the key pair, its files, signing a line of text and
 * checking it. The secret key exists on disk only in its own file (mode
 * 0600, never in the database) and in memory only in sodium_malloc'd
 * pages. */
#ifndef HOTLINE_CRYPTO_SIGN_H
#define HOTLINE_CRYPTO_SIGN_H

#include <stdbool.h>
#include <stddef.h>

#include "base/attr.h"

#define SIGN_PUBLIC_BYTES 32
/* base64 (standard alphabet, padded) of the 64-byte signature, and a NUL */
#define SIGN_B64_SIZE 89
/* the key id: the first 8 bytes of SHA-256(public key) in hex, and a NUL */
#define SIGN_KEY_ID_SIZE 17

struct sign_public {
	unsigned char bytes[SIGN_PUBLIC_BYTES];
};

/* Opaque: lives in sodium_malloc memory, wiped by sign_secret_free(). */
struct sign_secret;

/* Makes a fresh key pair: the public key to pub_path (mode 0644), the
 * secret seed to sec_path (mode 0600). Refuses to overwrite anything. */
bool sign_keys_generate(const char *pub_path, const char *sec_path, char *err,
			size_t errlen) MUST_CHECK;
bool sign_load_public(const char *path, struct sign_public *out, char *err,
		      size_t errlen) MUST_CHECK;
/* NULL with a reason in err; refuses a file others may read. */
struct sign_secret *sign_load_secret(const char *path, char *err, size_t errlen) MUST_CHECK;
/* A key pair in memory only (tests). NULL when out of memory. */
struct sign_secret *sign_secret_generate(void) MUST_CHECK;
void sign_secret_public(const struct sign_secret *sk, struct sign_public *out);
/* NULL is a no-op. */
void sign_secret_free(struct sign_secret *sk);

void sign_key_id(const struct sign_public *pk, char out[SIGN_KEY_ID_SIZE]);

/* The signature of the len bytes at text, base64. */
void sign_text(const struct sign_secret *sk, const char *text, size_t len, char out[SIGN_B64_SIZE]);
/* True when b64 is a valid signature of text by pk. */
bool sign_text_verify(const struct sign_public *pk, const char *text, size_t len,
		      const char *b64) MUST_CHECK;

#endif
