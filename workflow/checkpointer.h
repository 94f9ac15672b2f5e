/* The chain checkpoints (docs/keys.md, "The checkpoint key"): at start, on
 * every reload and every checkpoint_interval seconds hotlined reads the
 * heads of the journal's and the audit log's hash chains, signs them with
 * the checkpoint key (workflow/checkpoint.h), writes the line to the log
 * and, in one transaction, keeps it in hotline.checkpoints and queues a
 * "checkpoint" mail of it to the director and the compliance manager
 * (the outbox). Before signing it checks that the rows its previous
 * checkpoint named still have their hashes, and heads the mail with a
 * warning when not. Asynchronous jobs on the loop; signing takes tens of
 * microseconds. */
#ifndef HOTLINE_WORKFLOW_CHECKPOINTER_H
#define HOTLINE_WORKFLOW_CHECKPOINTER_H

#include <event2/event.h>

#include "base/attr.h"
#include "base/config.h"
#include "base/db.h"

struct checkpointer;

/* NULL with a reason in err when the key named by
 * cfg->checkpoint_secret_key cannot be loaded. Without that key there is
 * nothing to sign: returns a checkpointer that does nothing (and says so
 * in the log once). */
struct checkpointer *checkpointer_start(struct event_base *base, struct db *db,
					const struct config *cfg, char *err,
					size_t errlen) MUST_CHECK;
/* A reload: the new interval, and a checkpoint now. */
void checkpointer_reload(struct checkpointer *c, const struct config *cfg);
/* NULL is a no-op. */
void checkpointer_free(struct checkpointer *c);

#endif
