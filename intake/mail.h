/* One e-mail parsed into plain parts (GMime): what the mail intake
 * (intake/lmtp.c) seals as identity and encrypts as content. Parses
 * hostile input: holds no key and calls no crypto. Thread-safe after
 * mail_init(); each call works on its own objects. */
#ifndef HOTLINE_INTAKE_MAIL_H
#define HOTLINE_INTAKE_MAIL_H

#include <stdbool.h>
#include <stddef.h>

struct mail_attachment {
	char *name; /* UTF-8, RFC 2047/2231 decoded; "" if none */
	char *type; /* "image/png" */
	unsigned char *data;
	size_t len;
};

struct mail_header {
	char *name;
	char *value; /* UTF-8, decoded */
};

enum mail_status {
	MAIL_OK,
	MAIL_TOO_MANY_ATTACHMENTS, /* the rest is parsed, files beyond the limit dropped */
	MAIL_UNREADABLE,	   /* not a message at all: only the raw bytes are kept */
	MAIL_NO_MEMORY,		   /* a temporary failure */
};

struct mail {
	/* identity */
	char *from_address; /* NULL if none */
	char *from_name;
	struct mail_header *headers; /* every header but Subject, Content-*, MIME-Version */
	unsigned nheaders;
	/* content */
	char *subject;	/* "" if none */
	char *text;	/* the body as UTF-8 text; "" if none */
	bool from_html; /* text was made from an HTML part */
	struct mail_attachment *files;
	unsigned nfiles;
	unsigned files_dropped; /* over the attachment limit */
	/* routing facts, not secret */
	const char *language; /* "kk", "ru", "en" or NULL: no idea */
	bool automatic;	      /* auto-reply, bulk, list or bounce: never acknowledged */
	char reg_no[16]; /* "YYYY-NNNNNN" (or "YYYY-NNNNNNN" past 999,999) quoted in the subject, ""
			    if none */
};

/* Once, before threads start. */
void mail_init(void);

/* Parses len bytes of one message (CRLF or LF). *out is always set (free
 * with mail_free()), except on MAIL_UNREADABLE and MAIL_NO_MEMORY, where
 * it is NULL. */
enum mail_status mail_parse(const char *data, size_t len, unsigned max_attachments,
			    struct mail **out);
void mail_free(struct mail *m);

/* HTML to plain text: tags dropped (script/style with their content),
 * block ends as newlines, entities decoded. malloc'd, NUL-terminated. */
char *mail_html_to_text(const char *html, size_t len);

/* A malloc'd copy of s made valid text: invalid UTF-8 bytes become U+FFFD,
 * NUL and C0 controls other than tab/CR/LF are dropped. */
char *mail_clean_text(const char *s, size_t len);

/* Guess from Cyrillic letters: Kazakh-only letters -> "kk", other Cyrillic
 * -> "ru", Latin letters only -> "en", else NULL. */
const char *mail_guess_language(const char *text);

/* Finds "YYYY-NNNNNN" (not part of a longer run of digits) in s. */
bool mail_find_reg_no(const char *s, char out[16]);

/* Where a follow-up may prove it belongs (docs/mail-intake.md,
 * "Follow-ups"); plain text scans, checked by the caller.
 *
 * The next run of exactly 28 digits (with single spaces, tabs or '-'
 * between them, not part of a longer run of digits) at or after s + from:
 * true with its first digit at *start and the byte after its last at
 * *end. */
bool mail_find_receipt(const char *s, size_t from, size_t *start, size_t *end);

/* The next "#" followed by exactly n letters A-Z/a-z or digits 2-7 (not
 * followed by another letter or digit) at or after s + from: true with the
 * first of the n at *start. */
bool mail_find_token(const char *s, size_t from, size_t n, size_t *start);

#endif
