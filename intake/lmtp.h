/* The e-mail channel: an LMTP listener on the libevent loop that the
 * organisation's MTA delivers the hotline address to (docs/mail-intake.md).
 * This file is the protocol: a command table (one row per verb, with the
 * transaction phases it is allowed in), DATA read and dot-unstuffed, and
 * the answer to DATA given per recipient once intake/mailworker.h has
 * parsed, sealed and registered the mail. */
#ifndef HOTLINE_INTAKE_LMTP_H
#define HOTLINE_INTAKE_LMTP_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>

#include "base/attr.h"
#include "base/config.h"
#include "intake/web.h"

struct lmtp;

/* Listens on cfg->lmtp_listen ("host:port" or a UNIX socket path). The keys,
 * pepper and appeal queue are web's (w must outlive the listener). NULL with
 * a reason in err. */
struct lmtp *lmtp_start(struct event_base *base, const struct config *cfg, struct web *w, char *err,
			size_t errlen) MUST_CHECK;

/* Reloadable limits. cfg is owned by the caller. */
void lmtp_reload(struct lmtp *l, const struct config *cfg);

/* Stops accepting connections (a stopping daemon). */
void lmtp_quiesce(struct lmtp *l);

/* Mails being parsed or waiting for their commit. */
unsigned lmtp_busy(const struct lmtp *l);

/* Waits for running workers, closes every connection. NULL is a no-op. */
void lmtp_free(struct lmtp *l);

#endif
