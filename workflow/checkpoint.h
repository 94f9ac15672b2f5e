/* A chain checkpoint: the heads of the journal's and the audit log's hash
 * chains, signed with the checkpoint key the database does not hold, as one
 * line of text that leaves the database (the log, a mail) and that
 * `hotlinectl journal|audit verify --checkpoint` checks the chains against
 * (docs/keys.md, "The checkpoint key"):
 *
 *   hotline-checkpoint v1 at=2026-12-06T08:30:00Z journal=N:HEX audit=M:HEX
 *     key=KEYID sig=BASE64                                   (one line)
 *
 * N and M are the ids of the chains' last rows (0: empty), HEX their
 * row_hash (64 hex digits; zeros for an empty chain), KEYID the signing
 * key's id (crypto/sign.h) and sig the Ed25519 signature of everything
 * before " sig=". Pure: no database. */
#ifndef HOTLINE_WORKFLOW_CHECKPOINT_H
#define HOTLINE_WORKFLOW_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/attr.h"
#include "crypto/digest.h"
#include "crypto/sign.h"
#include "base/buf.h"

#define CHECKPOINT_LINE_MAX 400

struct checkpoint_head {
	long long row; /* id of the chain's last row; 0 when empty */
	unsigned char hash[DIGEST_BYTES];
};

struct checkpoint {
	int64_t at; /* seconds since the epoch, UTC */
	struct checkpoint_head journal, audit;
	char key_id[SIGN_KEY_ID_SIZE];
};

/* Appends the signed line (no newline) to out; cp->key_id is ignored and
 * taken from sk. */
void checkpoint_format(struct buf *out, const struct checkpoint *cp, const struct sign_secret *sk);

/* Parses line (trailing spaces and newline allowed) and checks its
 * signature with pk. False with a reason in why otherwise. */
bool checkpoint_verify(const char *line, const struct sign_public *pk, struct checkpoint *out,
		       char *why, size_t whylen) MUST_CHECK;

/* The mail that carries a checkpoint to the director and the compliance
 * manager: Russian and Kazakh, the line itself and what to do with it,
 * nothing else (no case, no content). journal_rewritten, audit_rewritten:
 * the row of the previous checkpoint that no longer has its hash (0: none),
 * said first and in the subject. */
void checkpoint_mail(struct buf *subject, struct buf *body, const char *line,
		     const char *organisation, long long journal_rewritten,
		     long long audit_rewritten);

#endif
