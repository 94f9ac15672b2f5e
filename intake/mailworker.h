/* One mail on its way from the end of DATA to its answer: parsed
 * (intake/mail.c) and sealed in a thread of its own that holds public keys
 * only, then, back on the loop, registered through appeal_register() with
 * channel "email", or added to the case it quotes when it proves it
 * belongs (intake/followup.h), and acknowledged (intake/mailack.h). The
 * answer comes only after the commit: 250 registered or added, 451 on any
 * temporary fault, 552 over a limit, 554 for a mail that is no message at
 * all (kept as an unreadable appeal). */
#ifndef HOTLINE_INTAKE_MAILWORKER_H
#define HOTLINE_INTAKE_MAILWORKER_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "base/config.h"
#include "crypto/seal.h"
#include "intake/web.h"
#include "base/attr.h"

struct mailworker;
struct mailworker_job;

/* The answer to a mail's DATA, one line without its CRLF (given once per
 * recipient by LMTP); conn is mailworker_start()'s. Not called once the
 * job was detached. */
typedef void (*mailworker_answer_fn)(void *conn, const char *answer);

/* The keys, pepper, database and appeal queue are web's (w must outlive
 * it). outbox_key (NULL: acknowledgments off) is taken. NULL with a
 * reason in err. */
struct mailworker *mailworker_new(struct event_base *base, const struct config *cfg, struct web *w,
				  struct content_key *outbox_key, mailworker_answer_fn answer,
				  char *err, size_t errlen) MUST_CHECK;

/* Reloadable limits. cfg is owned by the caller. */
void mailworker_reload(struct mailworker *mw, const struct config *cfg);

/* Starts on the mail in data (drained), from the envelope sender
 * envelope_from (NULL or "" for none), for connection conn_id; its answer
 * goes to answer(conn, ...). NULL when it could not start: the caller
 * answers. */
struct mailworker_job *mailworker_start(struct mailworker *mw, struct evbuffer *data,
					const char *envelope_from, unsigned long conn_id,
					void *conn) MUST_CHECK;

/* The connection closed: the job gets no answer (and a mail not yet
 * registered is not: the MTA will deliver it again). */
void mailworker_detach(struct mailworker_job *job);

/* Mails being parsed or waiting for their commit. */
unsigned mailworker_busy(const struct mailworker *mw);

/* Waits for running threads and drops what they made (their connections
 * were detached: the MTA got no answer and will deliver again). NULL is a
 * no-op. */
void mailworker_free(struct mailworker *mw);

#endif
