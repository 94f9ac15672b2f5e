/* One notice through one SMTP session with libesmtp, and what such a
 * session needs: the TLS context and the password file. libesmtp blocks:
 * only workflow/mailer.c's worker thread calls this, never the loop.
 *
 * The status texts given back are for logs and hotline.outbox.last_error:
 * SMTP codes and short reasons, never addresses, subjects, bodies or text
 * from the server (which may quote an address). */
#ifndef HOTLINE_BASE_MAILSEND_H
#define HOTLINE_BASE_MAILSEND_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

#include "base/attr.h"
#include "base/mailmsg.h"

/* Bytes of smtp_password_file read (the first line must fit). */
#define MAILSEND_PASSWORD_MAX 512

enum mailsend_starttls { MAILSEND_STARTTLS_NO, MAILSEND_STARTTLS_TRY, MAILSEND_STARTTLS_REQUIRED };

/* The SMTP keys of the config, as a session uses them. */
struct mailsend_settings {
	char *server;
	unsigned port;
	enum mailsend_starttls starttls;
	char *user;	     /* NULL: no AUTH */
	char *password_file; /* read for every session: the secret is held only then */
	char *ca_file;	     /* NULL: the system's trusted certificates */
	char *mail_from;
	unsigned timeout; /* seconds, per SMTP step */
};

enum mailsend_result {
	MAILSEND_OK,
	MAILSEND_FAILED_MESSAGE, /* this message only (bad address, recipient or data refused) */
	MAILSEND_FAILED_SERVER,	 /* no message can go now (down, TLS, AUTH, sender refused) */
};

/* The client context for STARTTLS sessions, trusting ca_file (NULL: the
 * system's certificates). NULL if it cannot be made. SSL_CTX_free() it. */
SSL_CTX *mailsend_tls_new(const char *ca_file) MUST_CHECK;

/* The first line of path, without its line end, into out (size bytes, at
 * most MAILSEND_PASSWORD_MAX used). False with a reason naming the path, not
 * the content, if the file cannot be read or its first line is empty or too
 * long. The caller wipes out. */
bool mailsend_read_password(const char *path, char *out, size_t size, char *err,
			    size_t errlen) MUST_CHECK;

/* Sends msg (msg->from is s->mail_from) to msg->to in one session. tls is
 * required unless s->starttls is MAILSEND_STARTTLS_NO; it is handed to
 * libesmtp for this session only. why (whylen bytes) gets "accepted 250",
 * "RCPT 550 5.1.1", "AUTH 535 5.7.8", "Connection refused" and the like. */
enum mailsend_result mailsend_one(const struct mailsend_settings *s, SSL_CTX *tls,
				  const struct mailmsg *msg, char *why, size_t whylen);

#endif
