/* The upload spool: the files of a form body go to disk as they arrive,
 * encrypted under a key of their request alone, so that a slow upload holds
 * a few kilobytes of memory instead of its whole size (issue 14,
 * docs/http.md "Limits", docs/keys.md "The upload spool").
 *
 * Each file is an unnamed file in the spool directory (O_TMPFILE, mode
 * 0600; the directory 0700): it disappears when closed, and a crash leaves
 * nothing named. Its content is an encrypted stream (crypto/records.h)
 * under the request's key, which lives in guarded memory (secret_alloc)
 * and is wiped when the request ends: the blocks left on the disk, a
 * stolen disk or a copy of the file taken while the upload runs show
 * nothing readable.
 *
 * Single-threaded: the event loop alone uses it. */
#ifndef HOTLINE_INTAKE_SPOOL_H
#define HOTLINE_INTAKE_SPOOL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/attr.h"

/* Plaintext bytes per spool record; each record on disk is 17 bytes longer. */
#define SPOOL_CHUNK 4096

struct spool;
struct spool_upload;

/* Creates dir (mode 0700) if missing, refuses it if it is not a directory
 * owned by this user, sets it 0700, and removes any named file left in it
 * (only an older build or a hand could have left one). max_bytes caps the
 * bytes of all spool files together. NULL with the reason in err. */
struct spool *spool_open(const char *dir, size_t max_bytes, char *err, size_t errlen) MUST_CHECK;
void spool_close(struct spool *s);
void spool_set_max(struct spool *s, size_t max_bytes);

/* Bytes on disk now, and whether n more would still fit. */
size_t spool_used(const struct spool *s);
bool spool_room(const struct spool *s, size_t n);
/* Spool files open now (tests and the log). */
unsigned spool_files(const struct spool *s);

/* The spool of one request: a fresh key, and its files. NULL when out of
 * memory. */
struct spool_upload *spool_upload_new(struct spool *s) MUST_CHECK;
/* Closes (so deletes) every file and wipes the key. NULL is fine. */
void spool_upload_free(struct spool_upload *u);

enum spool_result {
	SPOOL_OK,
	SPOOL_FULL,  /* spool_max_bytes reached */
	SPOOL_ERROR, /* the disk failed (logged) */
};

/* Starts the next file; its index is the number of files begun before. */
enum spool_result spool_file_begin(struct spool_upload *u) MUST_CHECK;
/* Appends to the file begun last. */
enum spool_result spool_file_write(struct spool_upload *u, const void *data, size_t n) MUST_CHECK;
/* Ends the file begun last (its final record). */
enum spool_result spool_file_end(struct spool_upload *u) MUST_CHECK;
/* An upload's key wrapped under another key: 32 bytes, a nonce and a tag. */
#define SPOOL_WRAP_KEY_BYTES 32
#define SPOOL_WRAPPED_BYTES (32 + 40)

/* For an upload kept while nobody uses it (intake/keep.h): wraps its key
 * under wrap_key into out and wipes the key, the stream states and the
 * record buffer from memory; its files cannot be read until
 * spool_upload_unwrap() puts the key back (false: wrong key or a changed
 * blob). */
void spool_upload_wrap(struct spool_upload *u, const unsigned char wrap_key[SPOOL_WRAP_KEY_BYTES],
		       unsigned char out[SPOOL_WRAPPED_BYTES]);
bool spool_upload_unwrap(struct spool_upload *u, const unsigned char wrap_key[SPOOL_WRAP_KEY_BYTES],
			 const unsigned char in[SPOOL_WRAPPED_BYTES]) MUST_CHECK;

/* Closes (so deletes) file i before the rest: a kept file the reporter
 * removed (intake/keep.h). Reading it then fails. */
void spool_file_drop(struct spool_upload *u, unsigned i);
/* Files begun so far. */
unsigned spool_upload_files(const struct spool_upload *u);
/* Plaintext bytes of file i. */
size_t spool_file_size(const struct spool_upload *u, unsigned i);

/* Reading file i back, from its start: exactly n bytes each call (a
 * stream_read_fn of crypto/seal.h with a struct spool_reader as cls). False
 * when the file was changed, cut or is shorter than asked. */
struct spool_reader {
	struct spool_upload *u;
	unsigned file;
	unsigned long long offset; /* ciphertext read so far */
	size_t left;		   /* plaintext bytes not yet decrypted */
	size_t have, pos;	   /* decrypted bytes in the buffer, and used */
	bool started;
};
void spool_reader_init(struct spool_reader *r, struct spool_upload *u, unsigned file);
bool spool_read(void *reader, void *buf, size_t n) MUST_CHECK;

#endif
