/* A staff account's secrets (docs/staff.md): the Argon2id password hash,
 * the key-encryption key derived from the password (its own salt) that
 * wraps the account's secret key and TOTP secret, and new passwords. Every
 * function here is slow on purpose or handles secrets: never on the loop. */
#ifndef HOTLINE_STAFF_ACCOUNT_H
#define HOTLINE_STAFF_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>

#include <sodium.h>

#define ACCOUNT_HASH_SIZE crypto_pwhash_STRBYTES
#define ACCOUNT_SALT_BYTES crypto_pwhash_SALTBYTES
#define ACCOUNT_PASSWORD_MIN 10  /* characters (UTF-8 code points) */
#define ACCOUNT_PASSWORD_MAX 256 /* bytes */
#define ACCOUNT_WRAP_OVERHEAD (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)

/* Argon2id, INTERACTIVE limits. */
bool account_hash_password(const char *password, char out[ACCOUNT_HASH_SIZE])
    __attribute__((warn_unused_result));
bool account_verify_password(const char *hash, const char *password);
/* A hash of a random password, for verifying unknown logins against
 * (same work, same time). */
bool account_dummy_hash(char out[ACCOUNT_HASH_SIZE]) __attribute__((warn_unused_result));

/* The key-encryption key: crypto_pwhash (Argon2id, INTERACTIVE) of the
 * password with the account's salt; sodium_malloc'd. */
struct account_kek;
struct account_kek *account_kek_derive(const char *password,
				       const unsigned char salt[ACCOUNT_SALT_BYTES])
    __attribute__((warn_unused_result));
void account_kek_free(struct account_kek *k);

/* out = 24-byte nonce || secretbox(plain); malloc'd. */
bool account_wrap(const struct account_kek *k, const void *plain, size_t len, unsigned char **out,
		  size_t *outlen) __attribute__((warn_unused_result));
/* plain is sodium_malloc'd: account_plain_free(). False on a wrong key or
 * a changed box. */
bool account_unwrap(const struct account_kek *k, const unsigned char *in, size_t len,
		    unsigned char **plain, size_t *plainlen) __attribute__((warn_unused_result));
void account_plain_free(unsigned char *plain, size_t len);

/* A new random password: 4 groups of 5 lower-case letters and digits
 * ("k3mz8-q0w7r-..."), about 103 bits. */
#define ACCOUNT_GENERATED_SIZE 24
void account_generate_password(char out[ACCOUNT_GENERATED_SIZE]);

/* Whether a password is acceptable: ACCOUNT_PASSWORD_MIN characters or
 * more, at most ACCOUNT_PASSWORD_MAX bytes, valid UTF-8 without controls. */
bool account_password_ok(const char *password);

/* Whether a login is acceptable: 1-63 of a-z 0-9 . _ -, starting with a
 * letter or digit (the CHECK of hotline.staff_users.login). */
bool account_login_ok(const char *login);

/* Everything a new or reset account stores (hex-free bytes, malloc'd). */
struct account_secrets {
	char hash[ACCOUNT_HASH_SIZE];
	unsigned char salt[ACCOUNT_SALT_BYTES];
	unsigned char public_key[32];
	unsigned char *sk_wrapped;
	size_t sk_wrapped_len;
};
/* Makes a key pair and wraps it under the password. */
bool account_secrets_new(const char *password, struct account_secrets *out)
    __attribute__((warn_unused_result));
void account_secrets_free(struct account_secrets *s);

#endif
