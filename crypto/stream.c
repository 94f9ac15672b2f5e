/* secretstream, unchanged, behind the project's names: see stream.h. */
#include "crypto/stream.h"

#include <sodium.h>

typedef crypto_secretstream_xchacha20poly1305_state sodium_state;

_Static_assert(STREAM_KEY_BYTES == crypto_secretstream_xchacha20poly1305_KEYBYTES, "key size");
_Static_assert(STREAM_HEADER_BYTES == crypto_secretstream_xchacha20poly1305_HEADERBYTES,
	       "header size");
_Static_assert(STREAM_ABYTES == crypto_secretstream_xchacha20poly1305_ABYTES, "record overhead");
_Static_assert(STREAM_TAG_MESSAGE == crypto_secretstream_xchacha20poly1305_TAG_MESSAGE, "tag");
_Static_assert(STREAM_TAG_FINAL == crypto_secretstream_xchacha20poly1305_TAG_FINAL, "tag");
_Static_assert(sizeof(struct stream_state) >= sizeof(sodium_state), "the state fits");
_Static_assert(_Alignof(struct stream_state) >= _Alignof(sodium_state), "the state is aligned");

void stream_keygen(unsigned char key[STREAM_KEY_BYTES])
{
	crypto_secretstream_xchacha20poly1305_keygen(key);
}

void stream_push_init(struct stream_state *st, unsigned char header[STREAM_HEADER_BYTES],
		      const unsigned char key[STREAM_KEY_BYTES])
{
	crypto_secretstream_xchacha20poly1305_init_push((sodium_state *)st, header, key);
}

bool stream_push(struct stream_state *st, unsigned char *out, unsigned long long *outlen,
		 const unsigned char *in, size_t len, unsigned char tag)
{
	return crypto_secretstream_xchacha20poly1305_push((sodium_state *)st, out, outlen, in, len,
							  NULL, 0, tag) == 0;
}

bool stream_pull_init(struct stream_state *st, const unsigned char header[STREAM_HEADER_BYTES],
		      const unsigned char key[STREAM_KEY_BYTES])
{
	return crypto_secretstream_xchacha20poly1305_init_pull((sodium_state *)st, header, key) ==
	       0;
}

bool stream_pull(struct stream_state *st, unsigned char *out, unsigned long long *outlen,
		 unsigned char *tag, const unsigned char *in, size_t len)
{
	return crypto_secretstream_xchacha20poly1305_pull((sodium_state *)st, out, outlen, tag, in,
							  len, NULL, 0) == 0;
}
