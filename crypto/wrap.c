/* secretbox with a random nonce in front: see wrap.h. */
#include "crypto/wrap.h"

#include <sodium.h>

#include "crypto/random.h"

_Static_assert(WRAP_KEY_BYTES == crypto_secretbox_KEYBYTES, "key size");
_Static_assert(WRAP_NONCE_BYTES == crypto_secretbox_NONCEBYTES, "nonce size");
_Static_assert(WRAP_OVERHEAD == crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES,
	       "overhead");

void wrap_seal(const unsigned char key[WRAP_KEY_BYTES], const void *plain, size_t len,
	       unsigned char *out)
{
	random_bytes(out, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES, plain, len, out, key);
}

bool wrap_open(const unsigned char key[WRAP_KEY_BYTES], const unsigned char *in, size_t len,
	       unsigned char *out)
{
	if (len < WRAP_OVERHEAD)
		return false;
	return crypto_secretbox_open_easy(out, in + crypto_secretbox_NONCEBYTES,
					  len - crypto_secretbox_NONCEBYTES, in, key) == 0;
}
