/* Key pairs of the hotline: the custodian's (who alone may reveal an
 * identity) and the case-handling key (staff read case content with it).
 * The daemon holds public keys only; secret keys exist on disk only wrapped
 * under a passphrase (Argon2id + XChaCha20-Poly1305) and in memory only in
 * sodium_malloc'd pages. */
#ifndef HOTLINE_CRYPTO_KEYS_H
#define HOTLINE_CRYPTO_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/attr.h"

#define KEYS_PUBLIC_BYTES 32

struct public_key {
	unsigned char bytes[KEYS_PUBLIC_BYTES];
};

/* Opaque: lives in sodium_malloc memory, wiped by secret_key_free(). */
struct secret_key;

/* Must be called once before any other crypto function. */
bool keys_init(void) MUST_CHECK;

/* Makes a fresh box key pair; writes the public part to pub_path (mode 0644)
 * and the secret part, wrapped under the passphrase with Argon2id
 * (OPSLIMIT_MODERATE / MEMLIMIT_MODERATE), to sec_path (mode 0600). Refuses to
 * overwrite existing files. On failure writes a readable reason to err. */
bool keys_generate(const char *pub_path, const char *sec_path, const char *passphrase, char *err,
		   size_t errlen) MUST_CHECK;

/* Reads a public key file written by keys_generate(). */
bool keys_load_public(const char *path, struct public_key *out, char *err,
		      size_t errlen) MUST_CHECK;

/* Unwraps a secret key file; NULL with a reason in err on a wrong
 * passphrase or a damaged file. Slow (Argon2id): never call on the loop. */
struct secret_key *keys_load_secret(const char *sec_path, const char *passphrase, char *err,
				    size_t errlen) MUST_CHECK;

/* The public half of a secret key. */
void secret_key_public(const struct secret_key *sk, struct public_key *out);

/* NULL is a no-op. */
void secret_key_free(struct secret_key *sk);

/* Staff accounts (accounts/account.c): a key pair made in memory, a secret
 * key from its 32 raw bytes (the public half computed), and the raw bytes
 * themselves, which live in the key's sodium_malloc pages. NULL when out
 * of memory. */
#define KEYS_SECRET_BYTES 32
struct secret_key *secret_key_generate(void) MUST_CHECK;
struct secret_key *secret_key_from_raw(const unsigned char raw[KEYS_SECRET_BYTES]) MUST_CHECK;
const unsigned char *secret_key_raw(const struct secret_key *sk);

/* Opens a crypto_box_seal box into out (len - crypto_box_SEALBYTES bytes),
 * so that the raw secret key never leaves keys.c. For crypto/seal.c; others
 * call seal_open(). False if the box was not sealed to this key or was
 * altered. */
bool secret_key_unseal(const struct secret_key *sk, unsigned char *out, const unsigned char *sealed,
		       size_t len) MUST_CHECK;

/* Writes a readable reason into err (errlen bytes; nothing when err is
 * NULL), the way every function here taking err and errlen does. */
void keys_set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Small files of crypto/ (key files here, the pepper file in receipt.c).
 * keys_file_create() makes path with exactly this mode (whatever the umask),
 * refusing to overwrite anything that exists (O_EXCL, no symlinks
 * followed), writes data and fsyncs; on failure nothing is left behind.
 * keys_file_read() reads a whole regular file of fewer than size bytes into
 * buf, NUL-terminated, its length in *len. */
bool keys_file_create(const char *path, mode_t mode, const void *data, size_t len, char *err,
		      size_t errlen) MUST_CHECK;
bool keys_file_read(const char *path, char *buf, size_t size, size_t *len, char *err,
		    size_t errlen) MUST_CHECK;

#endif
