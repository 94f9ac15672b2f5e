/* secretstream, unchanged, behind the project's names: see records.h. */
#include "crypto/records.h"

#include <sodium.h>

typedef crypto_secretstream_xchacha20poly1305_state sodium_state;

_Static_assert(RECORDS_KEY_BYTES == crypto_secretstream_xchacha20poly1305_KEYBYTES, "key size");
_Static_assert(RECORDS_HEADER_BYTES == crypto_secretstream_xchacha20poly1305_HEADERBYTES,
	       "header size");
_Static_assert(RECORDS_ABYTES == crypto_secretstream_xchacha20poly1305_ABYTES, "record overhead");
_Static_assert(RECORDS_TAG_MESSAGE == crypto_secretstream_xchacha20poly1305_TAG_MESSAGE, "tag");
_Static_assert(RECORDS_TAG_FINAL == crypto_secretstream_xchacha20poly1305_TAG_FINAL, "tag");
_Static_assert(sizeof(struct records_state) >= sizeof(sodium_state), "the state fits");
_Static_assert(_Alignof(struct records_state) >= _Alignof(sodium_state), "the state is aligned");

void records_keygen(unsigned char key[RECORDS_KEY_BYTES])
{
	crypto_secretstream_xchacha20poly1305_keygen(key);
}

void records_push_init(struct records_state *st, unsigned char header[RECORDS_HEADER_BYTES],
		       const unsigned char key[RECORDS_KEY_BYTES])
{
	crypto_secretstream_xchacha20poly1305_init_push((sodium_state *)st, header, key);
}

bool records_push(struct records_state *st, unsigned char *out, unsigned long long *outlen,
		  const unsigned char *in, size_t len, unsigned char tag)
{
	return crypto_secretstream_xchacha20poly1305_push((sodium_state *)st, out, outlen, in, len,
							  NULL, 0, tag) == 0;
}

bool records_pull_init(struct records_state *st, const unsigned char header[RECORDS_HEADER_BYTES],
		       const unsigned char key[RECORDS_KEY_BYTES])
{
	return crypto_secretstream_xchacha20poly1305_init_pull((sodium_state *)st, header, key) ==
	       0;
}

bool records_pull(struct records_state *st, unsigned char *out, unsigned long long *outlen,
		  unsigned char *tag, const unsigned char *in, size_t len)
{
	return crypto_secretstream_xchacha20poly1305_pull((sodium_state *)st, out, outlen, tag, in,
							  len, NULL, 0) == 0;
}
