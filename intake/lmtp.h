/* The e-mail channel: an LMTP listener on the libevent loop that the
 * organisation's MTA delivers the hotline address to (docs/mail-intake.md).
 * Each mail is parsed (intake/mail.c) and sealed in a worker thread that
 * holds public keys only, registered through appeal_register() with
 * channel "email", and answered per recipient only after the commit:
 * 250 registered, 451 on any temporary fault, 552 over a limit, 554 for a
 * mail that is no message at all (kept as an unreadable appeal). */
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
