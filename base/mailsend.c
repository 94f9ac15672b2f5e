/* One notice through one SMTP session with libesmtp: see
 * base/mailsend.h. What libesmtp does that matters here (Debian 12's
 * 1.1.0), found by reading it and by the tests in
 * tests/integration/test_mailer.py:
 * - its own default SSL_CTX is freed with the first STARTTLS session and the
 *   second one crashes: we give it ours for every session (it takes a
 *   reference);
 * - it checks the certificate and the host name itself after the handshake
 *   and asks the event callback whether to go on;
 * - it blocks in poll() with the timeouts we set, and raises them to RFC
 *   5321's minutes unless told not to;
 * - smtp_start_session() returns 1 also when nothing was delivered, and a
 *   failed AUTH just goes on to MAIL without it: only the statuses, and the
 *   replies seen on the protocol monitor, say what happened. */
#include "base/mailsend.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* libesmtp wants these first (DESIGN.md). */
#include <stddef.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <auth-client.h>
#include <libesmtp.h>

#include "base/buf.h"
#include "base/log.h"

bool mailsend_read_password(const char *path, char *out, size_t size, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "smtp_password_file %s: %s", path, strerror(errno));
		return false;
	}
	ssize_t n = read(fd, out, size - 1);
	int saved = errno;
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "smtp_password_file %s: %s", path, strerror(saved));
		return false;
	}
	out[n] = '\0';
	size_t len = strcspn(out, "\r\n");
	bool whole_line = len < (size_t)n || (size_t)n < size - 1;
	explicit_bzero(out + len, size - len);
	if (len == 0 || !whole_line) {
		explicit_bzero(out, size);
		snprintf(err, errlen, "smtp_password_file %s: %s", path,
			 len == 0 ? "no password on the first line" : "first line too long");
		return false;
	}
	return true;
}

/* A client context that checks nothing itself: libesmtp looks at the
 * verification result and the name after the handshake, and our event
 * callback decides (strict only for smtp_starttls = required).
 *
 * TLS 1.2 only: under TLS 1.3 the server sends its session tickets after
 * the handshake, and when they arrive before libesmtp has flushed its EHLO
 * it takes the readable socket for the EHLO reply and waits for it with the
 * EHLO still in its buffer, until smtp_timeout (seen here: 3 sessions in
 * 200 under ASan, none with TLS 1.2). */
SSL_CTX *mailsend_tls_new(const char *ca_file)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL)
		goto fail;
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION) != 1)
		goto fail;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	int ok = ca_file != NULL ? SSL_CTX_load_verify_locations(ctx, ca_file, NULL)
				 : SSL_CTX_set_default_verify_paths(ctx);
	if (ok != 1)
		goto fail;
	return ctx;
fail:
	SSL_CTX_free(ctx);
	ERR_clear_error();
	return NULL;
}

/* What one SMTP session learnt, for last_error and the log. */
struct session_ctx {
	const struct mailsend_settings *s;
	char password[MAILSEND_PASSWORD_MAX];
	bool starttls_missing;
	bool cert_untrusted;
	long cert_error;
	bool cert_name_wrong;
	bool in_auth;
	int auth_code; /* the 4xx/5xx answer to AUTH, 0 if none */
	int auth_enh[3];
	int last_code; /* the last reply of the server */
};

static void on_smtp_event(smtp_session_t session, int event, void *arg, ...)
{
	(void)session;
	struct session_ctx *c = arg;
	bool lenient = c->s->starttls != MAILSEND_STARTTLS_REQUIRED;
	va_list ap;
	va_start(ap, arg);
	switch (event) {
	case SMTP_EV_EXTNA_STARTTLS:
		c->starttls_missing = true;
		break;
	case SMTP_EV_INVALID_PEER_CERTIFICATE: {
		c->cert_error = va_arg(ap, long);
		int *ok = va_arg(ap, int *);
		c->cert_untrusted = true;
		/* try: encryption without authentication still beats plain text */
		if (lenient)
			*ok = 1;
		break;
	}
	case SMTP_EV_NO_PEER_CERTIFICATE: {
		int *ok = va_arg(ap, int *);
		c->cert_untrusted = true;
		if (lenient)
			*ok = 1;
		break;
	}
	case SMTP_EV_WRONG_PEER_CERTIFICATE: {
		int *ok = va_arg(ap, int *);
		c->cert_name_wrong = true;
		if (lenient)
			*ok = 1;
		break;
	}
	case SMTP_EV_NO_CLIENT_CERTIFICATE: {
		int *ok = va_arg(ap, int *);
		*ok = 1; /* we never present one */
		break;
	}
	default:
		break;
	}
	va_end(ap);
}

/* "5.7.8" at the start of text (not NUL-terminated) into enh; zeros if
 * there is none. */
static void enhanced_code(const char *text, int len, int enh[3])
{
	int part = 0, i = 0;
	enh[0] = enh[1] = enh[2] = 0;
	while (part < 3 && i < len && text[i] >= '0' && text[i] <= '9') {
		int v = 0;
		while (i < len && text[i] >= '0' && text[i] <= '9' && v < 1000)
			v = v * 10 + (text[i++] - '0');
		enh[part++] = v;
		if (part < 3) {
			if (i >= len || text[i] != '.')
				break;
			i++;
		}
	}
	if (part != 3)
		enh[0] = enh[1] = enh[2] = 0;
}

/* Reads the status codes of the server's replies, and whether AUTH failed,
 * from the protocol trace. Keeps no text: replies may quote addresses. What
 * we write (commands, the message) is looked at only for "AUTH ". */
static void on_smtp_monitor(const char *buf, int len, int writing, void *arg)
{
	struct session_ctx *c = arg;
	if (writing == SMTP_CB_WRITING) {
		if (len >= 5 && strncasecmp(buf, "AUTH ", 5) == 0)
			c->in_auth = true;
		return;
	}
	if (writing != SMTP_CB_READING)
		return;
	for (int i = 0; i < len;) {
		int end = i;
		while (end < len && buf[end] != '\n')
			end++;
		int code = 0, k = i;
		while (k < len && k < i + 3 && buf[k] >= '0' && buf[k] <= '9')
			code = code * 10 + (buf[k++] - '0');
		/* "250 ..." is the last line of a reply, "250-..." is not */
		if (k == i + 3 && k < len && buf[k] == ' ') {
			c->last_code = code;
			if (c->in_auth && code / 100 != 3) {
				c->in_auth = false;
				if (code / 100 != 2) {
					c->auth_code = code;
					enhanced_code(buf + k + 1, end - (k + 1), c->auth_enh);
				}
			}
		}
		i = end + 1;
	}
}

static int on_auth_interact(auth_client_request_t request, char **result, int fields, void *arg)
{
	struct session_ctx *c = arg;
	for (int i = 0; i < fields; i++) {
		if (request[i].flags & AUTH_PASS)
			result[i] = c->password;
		else if (request[i].flags & AUTH_USER)
			result[i] = c->s->user;
		else
			result[i] = (char *)""; /* realm */
	}
	return 1;
}

/* "550 5.1.1" or "550". */
static void status_text(char *out, size_t outlen, const char *what, int code, int cls, int subj,
			int detail)
{
	if (cls != 0)
		snprintf(out, outlen, "%s %d %d.%d.%d", what, code, cls, subj, detail);
	else
		snprintf(out, outlen, "%s %d", what, code);
}

static void status_of(char *out, size_t outlen, const char *what, const smtp_status_t *st)
{
	status_text(out, outlen, what, st->code, st->enh_class, st->enh_subject, st->enh_detail);
}

/* The reason a session delivered nothing, for a whole-server failure. */
static void server_failure(char *why, size_t whylen, const struct session_ctx *c, int started,
			   int smtp_err, const smtp_status_t *mail)
{
	char text[96];
	if (c->starttls_missing)
		snprintf(why, whylen, "STARTTLS required but not offered");
	else if (c->cert_untrusted && c->s->starttls == MAILSEND_STARTTLS_REQUIRED)
		snprintf(why, whylen, "TLS certificate not trusted (verify error %ld)",
			 c->cert_error);
	else if (c->cert_name_wrong && c->s->starttls == MAILSEND_STARTTLS_REQUIRED)
		snprintf(why, whylen, "TLS certificate does not name smtp_server");
	else if (c->auth_code != 0)
		status_text(why, whylen, "AUTH", c->auth_code, c->auth_enh[0], c->auth_enh[1],
			    c->auth_enh[2]);
	else if (mail->code / 100 == 4 || mail->code / 100 == 5)
		status_of(why, whylen, "MAIL", mail);
	else if (c->last_code / 100 == 4 || c->last_code / 100 == 5)
		snprintf(why, whylen, "server answered %d", c->last_code);
	else if (!started || smtp_err != 0)
		snprintf(why, whylen, "%s", smtp_strerror(smtp_err, text, sizeof(text)));
	else
		snprintf(why, whylen, "nothing delivered");
}

static void set_timeouts(smtp_session_t session, unsigned seconds)
{
	static const int which[] = {Timeout_GREETING, Timeout_ENVELOPE, Timeout_DATA,
				    Timeout_TRANSFER, Timeout_DATA2};
	/* Without the flag libesmtp raises them to RFC 5321's minutes. */
	for (size_t i = 0; i < sizeof(which) / sizeof(which[0]); i++)
		(void)smtp_set_timeout(session, which[i] | Timeout_OVERRIDE_RFC2822_MINIMUM,
				       (long)seconds * 1000);
}

enum mailsend_result mailsend_one(const struct mailsend_settings *s, SSL_CTX *tls,
				  const struct mailmsg *msg, char *why, size_t whylen)
{
	if (!mailmsg_address_ok(msg->to)) {
		snprintf(why, whylen, "recipient is not a usable address");
		return MAILSEND_FAILED_MESSAGE;
	}
	if (s->starttls != MAILSEND_STARTTLS_NO && tls == NULL) {
		snprintf(why, whylen, "TLS set-up failed (smtp_ca_file?)");
		return MAILSEND_FAILED_SERVER;
	}

	struct session_ctx c = {.s = s};
	if (s->user != NULL) {
		char err[256];
		if (!mailsend_read_password(s->password_file, c.password, sizeof(c.password), err,
					    sizeof(err))) {
			log_error("mailer: %s", err);
			snprintf(why, whylen, "smtp_password_file unreadable");
			return MAILSEND_FAILED_SERVER;
		}
	}

	struct buf text;
	buf_init(&text);
	mailmsg_build(&text, msg);

	smtp_session_t session = smtp_create_session();
	auth_context_t auth = NULL;
	if (session == NULL)
		abort(); /* out of memory */
	char hostport[300];
	snprintf(hostport, sizeof(hostport), "%s:%u", s->server, s->port);
	smtp_message_t message = smtp_add_message(session);
	smtp_recipient_t rcpt = message != NULL ? smtp_add_recipient(message, msg->to) : NULL;
	if (rcpt == NULL || !smtp_set_server(session, hostport) ||
	    !smtp_set_reverse_path(message, s->mail_from) ||
	    !smtp_set_message_str(message, text.data) ||
	    !smtp_set_eventcb(session, on_smtp_event, &c) ||
	    !smtp_set_monitorcb(session, on_smtp_monitor, &c, 0))
		abort(); /* only out of memory makes these fail */
	set_timeouts(session, s->timeout);
	if (s->starttls == MAILSEND_STARTTLS_NO) {
		smtp_starttls_enable(session, Starttls_DISABLED);
	} else {
		smtp_starttls_enable(session, s->starttls == MAILSEND_STARTTLS_REQUIRED
						  ? Starttls_REQUIRED
						  : Starttls_ENABLED);
		/* Our own context for every session: libesmtp's default one
		 * is freed with the first session and crashes the second. */
		smtp_starttls_set_ctx(session, tls);
	}
	if (s->user != NULL) {
		auth = auth_create_context();
		if (auth == NULL)
			abort();
		auth_set_mechanism_flags(auth, AUTH_PLUGIN_PLAIN, 0);
		auth_set_interact_cb(auth, on_auth_interact, &c);
		smtp_auth_set_context(session, auth);
	}

	int started = smtp_start_session(session);
	int smtp_err = started ? 0 : smtp_errno();
	const smtp_status_t *mail = smtp_reverse_path_status(message);
	const smtp_status_t *to = smtp_recipient_status(rcpt);
	const smtp_status_t *xfer = smtp_message_transfer_status(message);

	/* Success only when the server took the data: smtp_start_session()
	 * also returns 1 when nothing was sent. */
	enum mailsend_result result;
	if (started && xfer->code / 100 == 2 && to->code / 100 == 2) {
		status_of(why, whylen, "accepted", xfer);
		result = MAILSEND_OK;
	} else if (started && mail->code / 100 == 2 && to->code != 0 && to->code / 100 != 2) {
		status_of(why, whylen, "RCPT", to);
		result = MAILSEND_FAILED_MESSAGE;
	} else if (started && mail->code / 100 == 2 && to->code / 100 == 2 &&
		   (xfer->code / 100 == 4 || xfer->code / 100 == 5)) {
		status_of(why, whylen, "DATA", xfer);
		result = MAILSEND_FAILED_MESSAGE;
	} else {
		server_failure(why, whylen, &c, started, smtp_err, mail);
		result = MAILSEND_FAILED_SERVER;
	}

	smtp_destroy_session(session);
	if (auth != NULL)
		auth_destroy_context(auth);
	explicit_bzero(c.password, sizeof(c.password));
	buf_wipe(&text);
	return result;
}
