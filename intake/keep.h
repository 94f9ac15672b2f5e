/* Files of a report form refused for an error (a missing field, a text too
 * long, a bad e-mail address), kept for the corrected form so that a
 * reporter does not lose them unknowingly (issue 16; docs/http.md "Files
 * kept across a returned form").
 *
 * A browser cannot put files back into a returned form. Instead the files
 * stay where they already are: in the encrypted upload spool
 * (intake/spool.h), unnamed files under a key of their upload alone, in
 * guarded memory. A kept set is reached through a one-time token sent
 * back in the form's hidden field "kept": 16 random bytes that name the
 * set and 32 that are a key, in hex. While the set waits, each upload's
 * key is wrapped under the token's key and wiped (spool_upload_wrap()):
 * the daemon's memory holds the files' keys only wrapped, and the token's
 * key only while the page is built. Taking the set takes it out of the
 * table and unwraps the keys, so a token works once; a form refused again
 * is kept under a fresh token. A set not taken within its time
 * (kept_files_seconds) is closed by keep_expire(): its spool files
 * disappear with their last descriptor.
 *
 * Single-threaded: the event loop alone uses it. */
#ifndef HOTLINE_INTAKE_KEEP_H
#define HOTLINE_INTAKE_KEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "base/attr.h"
#include "base/buf.h"

#define KEEP_ID_BYTES 16
#define KEEP_TOKEN_BYTES (KEEP_ID_BYTES + 32)
#define KEEP_TOKEN_HEX (2 * KEEP_TOKEN_BYTES)
/* Sets in the table at most: each holds a spool key in guarded (locked)
 * memory and its spool files open. */
#define KEEP_MAX_SETS 128

struct form;
struct spool_upload;

struct keep_file {
	struct buf name;
	struct buf type;
	size_t len;
	struct spool_upload *up; /* one of the set's uploads */
	unsigned index;		 /* the file's number in it */
};

/* The files of one reporter's tries, oldest first. */
struct keep_set {
	struct spool_upload **ups;
	unsigned nups;
	struct keep_file *files;
	unsigned nfiles;
	size_t slice; /* of the memory cap, held by whoever holds the set */
	/* in the table */
	unsigned char id[KEEP_ID_BYTES];
	unsigned char (*wrapped)[72]; /* each upload's key (SPOOL_WRAPPED_BYTES) */
	time_t expires;
	struct keep_set *next;
};

struct keep;

struct keep *keep_new(void) MUST_CHECK;
/* Frees every set left (their files closed, keys wiped). NULL is fine. */
void keep_free(struct keep *k);
unsigned keep_sets(const struct keep *k);
/* Plaintext bytes of the files of all sets in the table. */
size_t keep_bytes(const struct keep *k);
/* Memory-cap bytes the sets in the table hold. */
size_t keep_slices(const struct keep *k);

/* An empty set; NULL when out of memory. */
struct keep_set *keep_set_new(void) MUST_CHECK;
/* Moves the files of form f (its upload and their names) to the end of s;
 * f keeps its texts. False when out of memory (f unchanged). */
bool keep_set_add_form(struct keep_set *s, struct form *f) MUST_CHECK;
/* Deletes file i of s (the reporter removed it); the others move up. */
void keep_set_remove(struct keep_set *s, unsigned i);
size_t keep_set_bytes(const struct keep_set *s);
/* Closes its files, wipes its keys and names. NULL is fine. The caller
 * gives back s->slice first. */
void keep_set_free(struct keep_set *s);

/* Puts s in the table until expires, its uploads' keys wrapped under a
 * fresh token, written to token (the caller wipes it once sent). False
 * when the table is full or out of memory (s stays the caller's, its keys
 * as they were). */
bool keep_put(struct keep *k, struct keep_set *s, time_t expires,
	      char token[KEEP_TOKEN_HEX + 1]) MUST_CHECK;
/* Takes the set of token out of the table, its keys unwrapped: NULL when
 * no set has it (never given, already taken, or expired) or its key does
 * not open them (then the set goes to gone(), which frees it). */
struct keep_set *keep_take(struct keep *k, const char *token, time_t now,
			   void (*gone)(struct keep_set *s, void *arg), void *arg) MUST_CHECK;
/* Takes out every set expired at now and calls gone(set, arg), which
 * frees it. Returns how many. */
unsigned keep_expire(struct keep *k, time_t now, void (*gone)(struct keep_set *s, void *arg),
		     void *arg);

#endif
