/* Argon2id through libsodium's crypto_pwhash: see password.h. */
#include "crypto/password.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "crypto/random.h"

_Static_assert(PASSWORD_HASH_SIZE == crypto_pwhash_STRBYTES, "encoded hash size");
_Static_assert(PASSWORD_SALT_BYTES == crypto_pwhash_SALTBYTES, "salt size");
_Static_assert(PASSWORD_OPS_INTERACTIVE == crypto_pwhash_OPSLIMIT_INTERACTIVE, "preset");
_Static_assert(PASSWORD_MEM_INTERACTIVE == crypto_pwhash_MEMLIMIT_INTERACTIVE, "preset");
_Static_assert(PASSWORD_OPS_MODERATE == crypto_pwhash_OPSLIMIT_MODERATE, "preset");
_Static_assert(PASSWORD_MEM_MODERATE == crypto_pwhash_MEMLIMIT_MODERATE, "preset");
_Static_assert(PASSWORD_OPS_SENSITIVE == crypto_pwhash_OPSLIMIT_SENSITIVE, "preset");
_Static_assert(PASSWORD_MEM_SENSITIVE == crypto_pwhash_MEMLIMIT_SENSITIVE, "preset");

bool password_hash(const char *password, char out[PASSWORD_HASH_SIZE])
{
	return crypto_pwhash_str(out, password, strlen(password),
				 crypto_pwhash_OPSLIMIT_INTERACTIVE,
				 crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
}

bool password_verify(const char *hash, const char *password)
{
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

bool password_dummy_hash(char out[PASSWORD_HASH_SIZE])
{
	/* The encoded form crypto_pwhash_str writes, with the same limits, a
	 * random salt and a random "hash": verifying against it does the same
	 * Argon2id work as against a real one, yet making it costs no
	 * Argon2id run (which would take 64 MiB at start, the daemon's
	 * high-water mark while it serves only reports). */
	unsigned char salt[crypto_pwhash_SALTBYTES], tag[32];
	char salt64[sodium_base64_ENCODED_LEN(sizeof salt,
					      sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];
	char
	    tag64[sodium_base64_ENCODED_LEN(sizeof tag, sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];

	random_bytes(salt, sizeof salt);
	random_bytes(tag, sizeof tag);
	sodium_bin2base64(salt64, sizeof salt64, salt, sizeof salt,
			  sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	sodium_bin2base64(tag64, sizeof tag64, tag, sizeof tag,
			  sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	int n = snprintf(out, PASSWORD_HASH_SIZE, "%sv=19$m=%zu,t=%llu,p=1$%s$%s",
			 crypto_pwhash_STRPREFIX, (size_t)crypto_pwhash_MEMLIMIT_INTERACTIVE / 1024,
			 (unsigned long long)crypto_pwhash_OPSLIMIT_INTERACTIVE, salt64, tag64);
	/* Well formed and with the limits of password_hash, or refused. */
	return n > 0 && (size_t)n < PASSWORD_HASH_SIZE &&
	       crypto_pwhash_str_needs_rehash(out, crypto_pwhash_OPSLIMIT_INTERACTIVE,
					      crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
}

bool password_stretch(unsigned char *out, size_t outlen, const char *password,
		      const unsigned char salt[PASSWORD_SALT_BYTES], unsigned long long ops,
		      size_t mem)
{
	return crypto_pwhash(out, outlen, password, strlen(password), salt, ops, mem,
			     crypto_pwhash_ALG_ARGON2ID13) == 0;
}
