/* The outbox sender. Notices are rows of hotline.outbox, inserted by
 * whoever causes them in the same transaction as the change; this module
 * delivers them. One worker thread, off the event loop, with its own
 * blocking-style PostgreSQL connection (it never waits without also
 * watching its wake-up pipe) and libesmtp, which blocks:
 *
 *   LISTEN hotline_outbox; then, in a transaction, claim up to 20 due rows
 *   (FOR UPDATE SKIP LOCKED: two daemons never send the same row), send
 *   each in its own SMTP session, mark it sent or note the failure with a
 *   doubling back-off (outbox_retry_min .. outbox_retry_max), COMMIT; then
 *   sleep until the earliest next attempt, a notification, or at most a
 *   few seconds.
 *
 * A row is marked sent only after the server accepted it, and the mark is
 * committed right after the batch: a crash in between sends that batch
 * again after the restart, with the same Message-ID. Nothing is lost while
 * PostgreSQL or the SMTP server is away: rows stay until they are sent.
 *
 * Logs carry outbox ids and SMTP status codes, never addresses, subjects or
 * bodies. The caller must ignore SIGPIPE (libesmtp may write to a closed
 * socket). docs/mail.md describes the behaviour. */
#ifndef HOTLINE_BASE_MAILER_H
#define HOTLINE_BASE_MAILER_H

#include <stdbool.h>
#include <stddef.h>

#include "base/attr.h"
#include "base/config.h"

struct mailer;

/* Checks what the SMTP keys name on disk: smtp_password_file readable with a
 * password on its first line, smtp_ca_file loadable. For `hotlined -n`, for
 * the start and before a reload is accepted. The message names the key and
 * the path, never the password. */
bool mailer_check_config(const struct config *cfg, char *err, size_t errlen) MUST_CHECK;

/* Starts the worker thread (it connects to cfg->database itself, and keeps
 * trying with back-off while PostgreSQL is down). Copies what it needs from
 * cfg. NULL with a reason in err if the thread cannot be started. */
struct mailer *mailer_start(const struct config *cfg, char *err, size_t errlen) MUST_CHECK;

/* Hands over the reloadable SMTP keys (copied); they apply from the next
 * SMTP session, and a sender waiting out an SMTP back-off tries again at
 * once. */
void mailer_reload(struct mailer *m, const struct config *cfg);

/* Wakes the worker, lets it finish the message in flight (bounded by
 * smtp_timeout per SMTP step) and record what it sent, joins it and frees
 * everything. NULL is a no-op. */
void mailer_stop(struct mailer *m);

#endif
