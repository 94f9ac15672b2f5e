/* Thin wrappers so that code outside crypto/ can hash and draw random
 * numbers without including sodium.h. */
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

void random_bytes(void *buf, size_t len)
{
	randombytes_buf(buf, len);
}

uint32_t random_uniform(uint32_t upper)
{
	return randombytes_uniform(upper);
}

int digest_equal(const void *a, const void *b, size_t len)
{
	return sodium_memcmp(a, b, len) == 0;
}

void crypto_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}
