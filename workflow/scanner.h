/* The deadline scanner: every deadline_scan_interval seconds it finds the
 * deadlines that need a reminder or are overdue and queues the notices
 * (outbox) in one transaction. It runs on the loop as two asynchronous
 * jobs; the C work between them is bounded by a LIMIT, so a scan never
 * holds the loop for long (make bench measures it). */
#ifndef HOTLINE_WORKFLOW_SCANNER_H
#define HOTLINE_WORKFLOW_SCANNER_H

#include <event2/event.h>

#include "base/attr.h"
#include "base/config.h"
#include "base/db.h"

struct scanner;

struct scanner *scanner_start(struct event_base *base, struct db *db,
			      const struct config *cfg) MUST_CHECK;
/* A reload: interval, reminder points and the clock offset. */
void scanner_reload(struct scanner *s, const struct config *cfg);
void scanner_free(struct scanner *s);

#endif
