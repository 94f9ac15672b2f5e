/* The acknowledgment of a mailed appeal (docs/mail-intake.md): its number,
 * the reply token a later mail proves itself with, and the receipt when
 * the organisation chose so (mail_receipt). It carries secrets, so the
 * whole message goes into the outbox sealed (migration 0004), under a key
 * of its own when one could be made (migration 0016), and is queued after
 * the commit: a failure here loses the acknowledgment, never the appeal. */
#ifndef HOTLINE_INTAKE_MAILACK_H
#define HOTLINE_INTAKE_MAILACK_H

#include "base/config.h"
#include "base/db.h"
#include "crypto/seal.h"
#include "intake/appeal.h"
#include "base/attr.h"

struct mailack;

/* In the mail worker (making the key's file blocks): an acknowledgment to
 * to, in language ("kk", "ru", "en", static), carrying receipt and token
 * (copied). spool_dir "" when acknowledgments are off; otherwise its own
 * key is made there, or the outbox key will seal it. conn_id names the
 * LMTP connection in the log. NULL when out of memory (no acknowledgment
 * then). */
struct mailack *mailack_new(const char *to, const char *language, const char *receipt,
			    const char *token, const char *spool_dir,
			    unsigned long conn_id) MUST_CHECK;

/* On the loop, once the appeal is registered as r: composes, seals and
 * queues it, unless acknowledgments are off (cfg, or no outbox_key).
 * a stays the caller's. */
void mailack_queue(struct mailack *a, const struct config *cfg,
		   const struct content_key *outbox_key, struct db *db,
		   const struct appeal_result *r);

/* Erases its own key unless a row sealed under it was queued. NULL is a
 * no-op. */
void mailack_free(struct mailack *a);

#endif
