/* A staff account's secrets (docs/staff.md, "Accounts and keys"): the
 * key-encryption key (kek) derived from the password and a server secret
 * kept outside the database, which wraps the account's secret key and TOTP
 * secret, and new passwords. Every function here is slow on purpose or
 * handles secrets: never on the loop.
 *
 * Two forms of account (hotline.staff_users.kdf_version, migration 0019):
 * 1 (before issue 14): an encoded Argon2id hash (INTERACTIVE) checks the
 *   password; kek = Argon2id(password, kek_salt), INTERACTIVE. Both can be
 *   tested offline from a database dump. Still opened at login, once, and
 *   wrapped again in form 2 there (staff/core.c).
 * 2: no password hash; kek = BLAKE2b(key = server secret, Argon2id(password,
 *   kek_salt) at the account's stored limits, at least MODERATE by default);
 *   the password is checked by unwrapping the secret key (the secretbox's
 *   tag). A dump without the server secret cannot test a guess. */
#ifndef HOTLINE_ACCOUNTS_ACCOUNT_H
#define HOTLINE_ACCOUNTS_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/attr.h"
#include "crypto/password.h"
#include "crypto/wrap.h"

#define ACCOUNT_HASH_SIZE PASSWORD_HASH_SIZE
#define ACCOUNT_SALT_BYTES PASSWORD_SALT_BYTES
#define ACCOUNT_PASSWORD_MIN 10	 /* characters (UTF-8 code points) */
#define ACCOUNT_PASSWORD_MAX 256 /* bytes */
#define ACCOUNT_WRAP_OVERHEAD WRAP_OVERHEAD

/* The server secret (config account_secret_file; `hotlinectl
 * account-secret --out FILE` makes it): 32 random bytes as 64 hex digits in
 * a file of mode 0600 that the database never holds. */
#define ACCOUNT_SECRET_BYTES 32
bool account_secret_generate(const char *path, char *err, size_t errlen) MUST_CHECK;
/* Reads path and makes it the process-wide server secret (secret_alloc,
 * read-only, wiped when replaced). Refuses a file that others than its
 * owner may read. Call at start only, before any worker runs. */
bool account_secret_load(const char *path, char *err, size_t errlen) MUST_CHECK;
/* secret of ACCOUNT_SECRET_BYTES, or NULL to forget it (at exit). Without
 * one every form-2 derivation fails. */
bool account_set_server_secret(const unsigned char *secret) MUST_CHECK;

/* How a kek is derived: the form (1 or 2) and Argon2id's limits. */
enum { ACCOUNT_KDF_LEGACY = 1, ACCOUNT_KDF_PEPPERED = 2 };
struct account_kdf {
	int version;
	unsigned long long opslimit;
	size_t memlimit; /* bytes */
};
/* "interactive", "moderate" or "sensitive": libsodium's presets, form 2. */
bool account_kdf_preset(const char *name, struct account_kdf *out) MUST_CHECK;
/* The limits new wraps use, process-wide (config account_kdf; default
 * moderate). Set at start and on reload, when no worker runs. */
void account_set_kdf(const struct account_kdf *kdf);
void account_kdf_current(struct account_kdf *out);
/* Whether stored limits are within what this build accepts (a changed row
 * cannot make a login allocate gigabytes). */
bool account_kdf_ok(const struct account_kdf *kdf);

/* Form 1 only (legacy accounts): Argon2id, INTERACTIVE limits. */
bool account_hash_password(const char *password, char out[ACCOUNT_HASH_SIZE]) MUST_CHECK;
bool account_verify_password(const char *hash, const char *password);
/* A hash of a random password, for verifying unknown logins against
 * (same work, same time). */
bool account_dummy_hash(char out[ACCOUNT_HASH_SIZE]) MUST_CHECK;

/* The key-encryption key of form 2 at the current limits
 * (account_kdf_current()) with the account's salt; secret_alloc'd. NULL
 * without a server secret or out of memory. */
struct account_kek;
struct account_kek *account_kek_derive(const char *password,
				       const unsigned char salt[ACCOUNT_SALT_BYTES]) MUST_CHECK;
/* The same at given (stored) limits and form. */
struct account_kek *account_kek_derive_with(const char *password,
					    const unsigned char salt[ACCOUNT_SALT_BYTES],
					    const struct account_kdf *kdf) MUST_CHECK;
/* The kek of a stored account when password is its password, else NULL:
 * form 1 verifies legacy_hash, form 2 unwraps sk_wrapped (the tag). One
 * Argon2id run in form 2, two in form 1. */
struct account_kek *account_kek_check(const char *password, const struct account_kdf *kdf,
				      const char *legacy_hash,
				      const unsigned char salt[ACCOUNT_SALT_BYTES],
				      const unsigned char *sk_wrapped,
				      size_t sk_wrapped_len) MUST_CHECK;
void account_kek_free(struct account_kek *k);

/* out = 24-byte nonce || secretbox(plain); malloc'd. */
bool account_wrap(const struct account_kek *k, const void *plain, size_t len, unsigned char **out,
		  size_t *outlen) MUST_CHECK;
/* plain is secret_alloc'd: account_plain_free(). False on a wrong key or
 * a changed box. */
bool account_unwrap(const struct account_kek *k, const unsigned char *in, size_t len,
		    unsigned char **plain, size_t *plainlen) MUST_CHECK;
void account_plain_free(unsigned char *plain, size_t len);

/* Whether a password is acceptable: ACCOUNT_PASSWORD_MIN characters or
 * more, at most ACCOUNT_PASSWORD_MAX bytes, valid UTF-8 without controls. */
bool account_password_ok(const char *password);

/* Whether a login is acceptable: 1-63 of a-z 0-9 . _ -, starting with a
 * letter or digit (the CHECK of hotline.staff_users.login). */
bool account_login_ok(const char *login);

/* Everything a new or reset account stores (hex-free bytes, malloc'd).
 * Always form 2: hash is "" (the column password_hash is NULL), kdf the
 * limits to store in kdf_version, kdf_opslimit, kdf_memlimit. */
struct account_secrets {
	char hash[ACCOUNT_HASH_SIZE];
	struct account_kdf kdf;
	unsigned char salt[ACCOUNT_SALT_BYTES];
	unsigned char public_key[32];
	unsigned char *sk_wrapped;
	size_t sk_wrapped_len;
};
/* Makes a key pair and wraps it under the password (form 2, current
 * limits; false without a server secret). */
bool account_secrets_new(const char *password, struct account_secrets *out) MUST_CHECK;
void account_secrets_free(struct account_secrets *s);

#endif
