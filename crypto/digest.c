/* Thin wrappers so that code outside crypto/ can hash without including
 * sodium.h. */
#include "crypto/digest.h"

#include <stdlib.h>

#include <sodium.h>

void digest_sha256(const void *data, size_t len, unsigned char out[DIGEST_BYTES])
{
	_Static_assert(DIGEST_BYTES == crypto_hash_sha256_BYTES, "sha256 size");
	crypto_hash_sha256(out, data, len);
}

void digest_keyed(const void *key, size_t keylen, const void *data, size_t len,
		  unsigned char out[DIGEST_BYTES])
{
	if (keylen < crypto_generichash_KEYBYTES_MIN || keylen > crypto_generichash_KEYBYTES_MAX)
		abort();
	if (crypto_generichash(out, DIGEST_BYTES, data, len, key, keylen) != 0)
		abort();
}

void digest_hex(const unsigned char *bin, size_t len, char *out)
{
	sodium_bin2hex(out, 2 * len + 1, bin, len);
}

int digest_equal(const void *a, const void *b, size_t len)
{
	return sodium_memcmp(a, b, len) == 0;
}

void digest_blake2b(unsigned char *out, size_t outlen, const void *data, size_t len)
{
	if (outlen < crypto_generichash_BYTES_MIN || outlen > crypto_generichash_BYTES_MAX)
		abort();
	if (crypto_generichash(out, outlen, data, len, NULL, 0) != 0)
		abort();
}

_Static_assert(sizeof(struct digest_state) >= sizeof(crypto_generichash_state),
	       "digest_state holds libsodium's state");
_Static_assert(_Alignof(struct digest_state) >= _Alignof(crypto_generichash_state),
	       "digest_state is aligned as libsodium's state");

void digest_init(struct digest_state *st, const void *key, size_t keylen, size_t outlen)
{
	if (keylen > 0 &&
	    (keylen < crypto_generichash_KEYBYTES_MIN || keylen > crypto_generichash_KEYBYTES_MAX))
		abort();
	if (crypto_generichash_init((crypto_generichash_state *)st, key, keylen, outlen) != 0)
		abort();
}

void digest_update(struct digest_state *st, const void *data, size_t len)
{
	if (crypto_generichash_update((crypto_generichash_state *)st, data, len) != 0)
		abort();
}

void digest_final(struct digest_state *st, unsigned char *out, size_t outlen)
{
	if (crypto_generichash_final((crypto_generichash_state *)st, out, outlen) != 0)
		abort();
	sodium_memzero(st, sizeof *st);
}
