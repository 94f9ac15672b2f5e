/* An encrypted stream of records (libsodium's secretstream,
 * XChaCha20-Poly1305): the upload spool's files (intake/spool.c). Each
 * record is authenticated and ordered; the last one carries the FINAL tag,
 * so a cut stream is told from a whole one. */
#ifndef HOTLINE_CRYPTO_RECORDS_H
#define HOTLINE_CRYPTO_RECORDS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/attr.h"

#define RECORDS_KEY_BYTES 32
#define RECORDS_HEADER_BYTES 24
/* what each record adds to its plaintext */
#define RECORDS_ABYTES 17
#define RECORDS_TAG_MESSAGE 0
#define RECORDS_TAG_FINAL 3

/* One direction's state: libsodium's, kept opaque (records.c checks that it
 * fits). It holds a key: keep it in secret_alloc() memory. */
struct records_state {
	_Alignas(16) unsigned char opaque[64];
};

void records_keygen(unsigned char key[RECORDS_KEY_BYTES]);

/* Starts writing: header goes first on disk. */
void records_push_init(struct records_state *st, unsigned char header[RECORDS_HEADER_BYTES],
		       const unsigned char key[RECORDS_KEY_BYTES]);
/* out (len + RECORDS_ABYTES bytes, *outlen) = the record of in with tag. */
bool records_push(struct records_state *st, unsigned char *out, unsigned long long *outlen,
		  const unsigned char *in, size_t len, unsigned char tag) MUST_CHECK;

/* Starts reading at a header; false when it is malformed. */
bool records_pull_init(struct records_state *st, const unsigned char header[RECORDS_HEADER_BYTES],
		       const unsigned char key[RECORDS_KEY_BYTES]) MUST_CHECK;
/* out (*outlen bytes) and *tag = the next record; false when it was
 * altered, reordered or made under another key. */
bool records_pull(struct records_state *st, unsigned char *out, unsigned long long *outlen,
		  unsigned char *tag, const unsigned char *in, size_t len) MUST_CHECK;

#endif
