/* The text of one notice from the outbox as an Internet message (RFC 5322,
 * MIME): headers, then the body as UTF-8 text in base64, every line ending
 * in CRLF. Pure: no I/O, no clock (the caller gives the date), so the same
 * row always gives the same bytes. workflow/mailer.c hands the result to
 * libesmtp. */
#ifndef HOTLINE_BASE_MAILMSG_H
#define HOTLINE_BASE_MAILMSG_H

#include <stdbool.h>
#include <time.h>

#include "base/buf.h"

struct mailmsg {
	long long outbox_id; /* Message-ID <hotline-outbox-ID@domain of from> */
	const char *from;    /* an address accepted by mailmsg_address_ok() */
	const char *to;	     /* likewise */
	const char *subject; /* UTF-8; encoded (RFC 2047) unless plain ASCII */
	const char *body;    /* UTF-8; any line ends, made CRLF */
	time_t date;	     /* Date: header, written in UTC */
};

/* An addr-spec we put into a header and an SMTP envelope as it is:
 * local@domain, the local part of RFC 5322 atext and dots, the domain of
 * letters, digits, hyphens and dots; no blanks, quotes, brackets or control
 * characters, so nothing can break out of the header or the command. */
bool mailmsg_address_ok(const char *addr);

/* Appends the whole message to out. m->from and m->to must have passed
 * mailmsg_address_ok(). */
void mailmsg_build(struct buf *out, const struct mailmsg *m);

/* Appends base64 of len bytes (RFC 4648, with padding) to out, with CRLF
 * after every line_chars characters and after the last line; line_chars
 * 0: one line, no CRLF. */
void mailmsg_base64(struct buf *out, const unsigned char *data, size_t len, size_t line_chars);

#endif
