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

/* Writes the text of a row (freetext_open(): the sealed column, else the
 * legacy clear one; clear_col < 0: none) escaped into the page; a sealed
 * text this reader cannot open is written as M_SEALED_TEXT in an element
 * of class "sealed". Returns what it found. */
enum freetext_state sealedtext_put(struct staff_ctx *c, const struct content_key *key,
				   const PGresult *res, int row, int sealed_col, int clear_col);

/* The reason of a request to reveal an identity, sealed under the key of
 * case reg_no for reveal_request() (workflow/reveal.h); NULL when this
 * session cannot open the case's key. free() it. */
char *sealedtext_reveal_seal(struct staff_ctx *c, const char *reg_no, const char *reason)
    MUST_CHECK;

/* The reason of request reveal_id of case case_id, into the page as
 * sealedtext_put() writes it. */
void sealedtext_put_reveal_reason(struct staff_ctx *c, const char *reveal_id,
				  const char *case_id);

#endif
