/* The settings an administrator edits on /staff/admin/settings
 * (migration 0033): the organisation's face on the public pages, the trust
 * line's details and texts, and the notice addresses. Which keys there are
 * and what value each accepts, once: the settings page checks with it, and
 * the public trust page (intake/trust.c) reads the same keys. Pure: no
 * database. */
#ifndef HOTLINE_WORKFLOW_SITE_H
#define HOTLINE_WORKFLOW_SITE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/i18n.h"

enum site_kind {
	SITE_LINE,  /* one line of text, at most SITE_LINE_MAX characters */
	SITE_TEXT,  /* paragraphs, at most SITE_TEXT_MAX characters */
	SITE_EMAIL, /* one address the mailer accepts (base/mailmsg.h) */
	SITE_PHONE, /* digits, spaces, + ( ) - and at least 3 digits */
};

/* The same limits as the database's (settings_value_length, 0033). */
#define SITE_LINE_MAX 300
#define SITE_TEXT_MAX 8000
/* The logo (hotline.site_logo): PNG, JPEG or WebP, at most this many bytes. */
#define SITE_LOGO_MAX (256u * 1024u)

enum site_check {
	SITE_OK,
	SITE_TOO_LONG,
	SITE_BAD_LINE, /* a line break or a control character in one line */
	SITE_BAD_EMAIL,
	SITE_BAD_PHONE,
};

struct site_key {
	const char *key; /* of hotline.settings */
	enum site_kind kind;
};

/* Every key of the settings page, in the page's order; ended by {NULL}. */
const struct site_key *site_keys(void);

/* The kind of a key of site_keys(); false for another key. */
bool site_kind_of(const char *key, enum site_kind *out);

/* Whether value (UTF-8, already checked) is one kind accepts; "" always
 * is: it means "unset" (the default text, or no address). */
enum site_check site_value_check(enum site_kind kind, const char *value);

/* What is wrong, in English, for hotlinectl ("not an e-mail address ..."). */
const char *site_check_reason(enum site_check check);

/* "trust_hours_kk" and the like: the key of a per-language text. */
void site_lang_key(char *out, size_t outlen, const char *base, enum lang lang);

/* The content type of a logo by its first bytes ("image/png",
 * "image/jpeg", "image/webp"), NULL for anything else: the type the
 * browser claims is not trusted. */
const char *site_logo_type(const unsigned char *data, size_t len);

/* The default texts of the trust page, one paragraph (or piece of advice)
 * each, in *n: shown in a language whose setting (trust_safety_LANG,
 * trust_privacy_LANG) is empty. */
const enum msg *site_default_safety(unsigned *n);
const enum msg *site_default_privacy(unsigned *n);

#endif
