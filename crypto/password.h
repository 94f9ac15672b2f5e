/* Argon2id for staff passwords (docs/staff.md, "Accounts and keys"): the
 * encoded hashes of legacy accounts and the stretching under a kek. Slow
 * on purpose: never on the loop. The policy (which form, which limits)
 * is accounts/account.c's. */
#ifndef HOTLINE_CRYPTO_PASSWORD_H
#define HOTLINE_CRYPTO_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#include "base/attr.h"

/* An encoded hash ("$argon2id$v=19$m=...,t=...,p=1$salt$tag") and its NUL */
#define PASSWORD_HASH_SIZE 128
#define PASSWORD_SALT_BYTES 16

/* libsodium's presets (password.c checks them against sodium.h): operations
 * and bytes of memory. */
#define PASSWORD_OPS_INTERACTIVE 2ULL
#define PASSWORD_MEM_INTERACTIVE 67108864UL
#define PASSWORD_OPS_MODERATE 3ULL
#define PASSWORD_MEM_MODERATE 268435456UL
#define PASSWORD_OPS_SENSITIVE 4ULL
#define PASSWORD_MEM_SENSITIVE 1073741824UL

/* The encoded hash of password at the INTERACTIVE limits, random salt. */
bool password_hash(const char *password, char out[PASSWORD_HASH_SIZE]) MUST_CHECK;
/* Whether password matches an encoded hash (any limits it names). */
bool password_verify(const char *hash, const char *password);
/* An encoded hash of the same limits as password_hash() with a random salt
 * and a random tag: checking against it costs the same Argon2id run, making
 * it costs none. False if it came out malformed. */
bool password_dummy_hash(char out[PASSWORD_HASH_SIZE]) MUST_CHECK;

/* outlen bytes of Argon2id (version 1.3) of password with salt at ops and
 * mem; false when the limits are refused or memory is short. */
bool password_stretch(unsigned char *out, size_t outlen, const char *password,
		      const unsigned char salt[PASSWORD_SALT_BYTES], unsigned long long ops,
		      size_t mem) MUST_CHECK;

#endif
