/* A mail whose subject quotes a registration number (docs/mail-intake.md,
 * "Follow-ups"): added to that case as a reporter's message only if it
 * proves it belongs (its sender is the address the appeal came from, or it
 * quotes the case's receipt or the reply token of its acknowledgment),
 * else registered as a new appeal that records the unproven claim: a
 * number is no secret, and anyone could add "the reporter's" words to any
 * case otherwise. Encrypted like a web follow-up under its own key, sealed
 * to the case's key once the case is known; body_reporter under a random
 * key nobody keeps, since the receipt is not at hand.
 *
 * followup_proofs() and followup_seal() run in the mail worker (public
 * keys only); followup_find() and followup_save() on the loop. */
#ifndef HOTLINE_INTAKE_FOLLOWUP_H
#define HOTLINE_INTAKE_FOLLOWUP_H

#include <stdbool.h>

#include "base/db.h"
#include "intake/mail.h"
#include "intake/sealing.h"
#include "base/attr.h"
#include "intake/clean.h"

struct followup;

/* The proofs m offers for the case it quotes (m->reg_no), as keyed hashes;
 * the receipts and reply tokens quoted in its subject and text are blotted
 * out of m, so nothing sealed later holds them in clear. envelope_from is
 * the envelope sender ("" for none). NULL when out of memory. */
struct followup *followup_proofs(const struct intake_keys *keys, const char *envelope_from,
				 struct mail *m) MUST_CHECK;

/* Encrypts m's subject, text and attachments under a new message key,
 * kept in f until followup_save() seals it to the case; the attachments
 * first cleaned of metadata by clean (intake/clean.h: blocking, this runs
 * in the mail worker's thread). */
bool followup_seal(struct followup *f, const struct mail *m,
		   const struct clean_opts *clean) MUST_CHECK;

/* The registration number the mail quotes. */
const char *followup_reg_no(const struct followup *f);

enum followup_case {
	FOLLOWUP_LOOKUP_FAILED, /* the database could not tell */
	FOLLOWUP_NO_CASE,	/* no case has that number */
	FOLLOWUP_UNPROVEN,	/* a case, but the mail does not prove it belongs */
	FOLLOWUP_PROVEN,	/* f is ready for followup_save() */
};

/* what: FOLLOWUP_LOOKUP_FAILED with the database's sqlstate. */
typedef void (*followup_found_fn)(void *arg, enum followup_case what, const char *sqlstate);

/* Looks the quoted case up on the loop; done() runs once. f must live
 * until then. */
void followup_find(struct db *db, struct followup *f, followup_found_fn done, void *arg);

typedef void (*followup_saved_fn)(void *arg, bool ok, const char *sqlstate);

/* After FOLLOWUP_PROVEN: seals the message key to the case's own key (or,
 * for a case not yet resealed (docs/keys.md), to the recovery key in keys)
 * and adds the message, its attachments and a timeline event in one
 * transaction; done() runs once. False, with nothing submitted and done()
 * never run, when the key cannot be sealed. */
bool followup_save(struct db *db, struct followup *f, const struct intake_keys *keys,
		   followup_saved_fn done, void *arg) MUST_CHECK;

/* NULL is a no-op. */
void followup_free(struct followup *f);

#endif
