/* `hotlinectl journal verify` and `audit verify` against signed checkpoints
 * (workflow/checkpoint.h, docs/keys.md "The checkpoint key"). A hash chain
 * alone shows only that it is consistent: whoever owns the database can
 * change a row and compute every later hash again. A checkpoint kept
 * outside the database names a row and the hash it had then; if that row
 * is gone or hashes differently now, the chain was rewritten. The
 * checkpoints stored in hotline.checkpoints are used too, once their
 * signatures check out, to narrow down which row: the rewritten row lies
 * after the last checkpoint that still matches and at or before the first
 * that does not. */
#ifndef HOTLINE_CTL_CHAINCHECK_H
#define HOTLINE_CTL_CHAINCHECK_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "base/attr.h"
#include "crypto/digest.h"

enum chaincheck_chain { CHAINCHECK_JOURNAL, CHAINCHECK_AUDIT };

struct chaincheck;

/* Takes --checkpoint LINE (repeatable), --checkpoint-file FILE (every
 * checkpoint line in it, e.g. saved mails or the log) and --public-key FILE
 * out of argv, loads the key and checks the given lines' signatures. NULL,
 * with the reason on stderr, when an option, the key or a given line is
 * bad. */
struct chaincheck *chaincheck_from_args(enum chaincheck_chain chain, int *argc, char **argv);
/* Reads hotline.checkpoints (in the caller's snapshot); a stored line that
 * is not validly signed by the key is not used (a warning says how many).
 * False when the query fails. Nothing without --public-key. */
bool chaincheck_load_stored(struct chaincheck *cc, PGconn *pg) MUST_CHECK;
/* Each row of the chain in id order, after it passed the chain's own
 * checks; label names it for people (a registration number) or is NULL. */
void chaincheck_row(struct chaincheck *cc, long long id, const unsigned char hash[DIGEST_BYTES],
		    const char *label);
/* After the last row: prints the verdict on stdout (and, without a given
 * checkpoint, the warning on stderr). False when a checkpoint does not
 * match: the chain was rewritten. */
bool chaincheck_finish(struct chaincheck *cc) MUST_CHECK;
/* NULL is a no-op. */
void chaincheck_free(struct chaincheck *cc);

#endif
