/* Staff free text about a case (a reveal's reason, whom a case was
 * forwarded to, a request for materials, a declared interest, the
 * commission's members) is stored only under the case's content key
 * (docs/keys.md, "Staff text"; issue 14: no clear text about a case in the
 * database). These helpers turn a text into a bytea parameter and back;
 * whoever calls them opened the case's key (a staff session's seal,
 * staff/casefile.h, or hotlinectl's --case-key). Blocking-free, pure but
 * for malloc. */
#ifndef HOTLINE_WORKFLOW_FREETEXT_H
#define HOTLINE_WORKFLOW_FREETEXT_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/attr.h"

struct content_key;
struct public_key;

/* content_encrypt(text) as PostgreSQL's hex bytea input ("\x..."), for a
 * text-format parameter of a bytea column; malloc'd (free() it: it holds
 * no clear text). NULL when key is NULL or out of memory. */
char *freetext_seal(const struct content_key *key, const char *text) MUST_CHECK;

/* The same, sealed to a public key instead (crypto/seal.h seal_to): for the
 * reporter, whose receipt derives the secret half (crypto/seal.h
 * reporter_key_derive). NULL when to is NULL or out of memory. */
char *freetext_seal_to(const struct public_key *to, const char *text) MUST_CHECK;

/* What a stored text is for the reader. */
enum freetext_state {
	FREETEXT_NONE,	 /* neither column holds anything */
	FREETEXT_OPEN,	 /* sealed and opened with the key */
	FREETEXT_LEGACY, /* a clear value written before migration 0022 */
	FREETEXT_SEALED, /* sealed, and the key is missing or does not open it */
};

/* Reads one text from a row: the sealed column (bytea, text format) when
 * it is not NULL, else the clear column (clear_col < 0: none). *text gets
 * a malloc'd NUL-terminated copy for OPEN and LEGACY (freetext_free() it),
 * NULL otherwise. A text holding a NUL byte is cut at it. */
enum freetext_state freetext_open(const struct content_key *key, const PGresult *res, int row,
				  int sealed_col, int clear_col, char **text);

/* Wipes and frees a text from freetext_open() (NULL: no-op). */
void freetext_free(char *text);

#endif
