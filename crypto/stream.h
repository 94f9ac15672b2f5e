/* An encrypted stream of records (libsodium's secretstream,
 * XChaCha20-Poly1305): the upload spool's files (intake/spool.c). Each
 * record is authenticated and ordered; the last one carries the FINAL tag,
 * so a cut stream is told from a whole one. */
#ifndef HOTLINE_CRYPTO_STREAM_H
#define HOTLINE_CRYPTO_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "base/attr.h"

#define STREAM_KEY_BYTES 32
#define STREAM_HEADER_BYTES 24
/* what each record adds to its plaintext */
#define STREAM_ABYTES 17
#define STREAM_TAG_MESSAGE 0
#define STREAM_TAG_FINAL 3

/* One direction's state: libsodium's, kept opaque (stream.c checks that it
 * fits). It holds a key: keep it in secret_alloc() memory. */
struct stream_state {
	_Alignas(16) unsigned char opaque[64];
};

void stream_keygen(unsigned char key[STREAM_KEY_BYTES]);

/* Starts writing: header goes first on disk. */
void stream_push_init(struct stream_state *st, unsigned char header[STREAM_HEADER_BYTES],
		      const unsigned char key[STREAM_KEY_BYTES]);
/* out (len + STREAM_ABYTES bytes, *outlen) = the record of in with tag. */
bool stream_push(struct stream_state *st, unsigned char *out, unsigned long long *outlen,
		 const unsigned char *in, size_t len, unsigned char tag) MUST_CHECK;

/* Starts reading at a header; false when it is malformed. */
bool stream_pull_init(struct stream_state *st, const unsigned char header[STREAM_HEADER_BYTES],
		      const unsigned char key[STREAM_KEY_BYTES]) MUST_CHECK;
/* out (*outlen bytes) and *tag = the next record; false when it was
 * altered, reordered or made under another key. */
bool stream_pull(struct stream_state *st, unsigned char *out, unsigned long long *outlen,
		 unsigned char *tag, const unsigned char *in, size_t len) MUST_CHECK;

#endif
