/* The staff pages' side of workflow/freetext.h: what a person typed about
 * a case is stored only under the case's content key (docs/keys.md,
 * "Staff text"). A reader of the case (a person whose session opens the
 * case's key: staff/casefile.h casefile_content_key) sees the text; anyone
 * else sees that a text was given, and that it is kept for the case's
 * readers (M_SEALED_TEXT), never the text. Blocking: staff workers only. */
#ifndef HOTLINE_STAFF_SEALEDTEXT_H
#define HOTLINE_STAFF_SEALEDTEXT_H

#include <libpq-fe.h>

#include "base/attr.h"
#include "staff/staff.h"
#include "workflow/freetext.h"

struct content_key;

/* The content key of the case with this id (hotline.cases.id), opened the
 * way the case pages open it (casefile_content_key); NULL when this
 * session cannot open it. content_key_free() it. */
struct content_key *sealedtext_case_key(struct staff_ctx *c, const char *case_id) MUST_CHECK;

/* A text of a row as this reader gets it, opened before the page writes
 * any of it: text is a malloc'd copy for FREETEXT_OPEN and
 * FREETEXT_LEGACY, wiped by sealedtext_free(). */
struct sealedtext {
	enum freetext_state st;
	char *text;
};

/* Opens the text of a row (freetext_open(): the sealed column, else the
 * legacy clear one; clear_col < 0: none). */
void sealedtext_open(struct sealedtext *t, const struct content_key *key, const PGresult *res,
		     int row, int sealed_col, int clear_col);
/* Opens a text that is only ever sealed (a bytea column, as
 * casefile_open_text() opens it): FREETEXT_OPEN; FREETEXT_SEALED when it
 * does not open; FREETEXT_NONE when the column is NULL. */
void sealedtext_open_sealed(struct sealedtext *t, const struct content_key *key,
			    const PGresult *res, int row, int col);
/* Wipes and frees the text (a zeroed or freed one: no-op). */
void sealedtext_free(struct sealedtext *t);
/* Writes the text escaped into the page; a sealed text this reader
 * cannot open as M_SEALED_TEXT in an element of class "sealed"; nothing
 * for none. */
void sealedtext_write(struct staff_ctx *c, const struct sealedtext *t);
/* Writes an opened text (FREETEXT_OPEN) escaped; false, nothing written,
 * for any other. */
bool sealedtext_put_opened(struct staff_ctx *c, const struct sealedtext *t);

/* The reason of a request to reveal an identity, sealed under the key of
 * case reg_no for reveal_request() (workflow/reveal.h); NULL when this
 * session cannot open the case's key. free() it. */
char *sealedtext_reveal_seal(struct staff_ctx *c, const char *reg_no,
			     const char *reason) MUST_CHECK;

/* The reason of request reveal_id of case case_id, opened into t for
 * sealedtext_write() (FREETEXT_NONE when it cannot be read). */
void sealedtext_open_reveal_reason(struct staff_ctx *c, const char *reveal_id, const char *case_id,
				   struct sealedtext *t);

#endif
