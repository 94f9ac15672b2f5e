#include "workflow/site.h"

#include <stdio.h>
#include <string.h>

#include "base/mailmsg.h"

static const struct site_key keys[] = {
    {"organisation", SITE_LINE},      {"trust_phone", SITE_PHONE},
    {"trust_email", SITE_EMAIL},      {"trust_hours_kk", SITE_LINE},
    {"trust_hours_ru", SITE_LINE},    {"trust_hours_en", SITE_LINE},
    {"trust_safety_kk", SITE_TEXT},   {"trust_safety_ru", SITE_TEXT},
    {"trust_safety_en", SITE_TEXT},   {"trust_privacy_kk", SITE_TEXT},
    {"trust_privacy_ru", SITE_TEXT},  {"trust_privacy_en", SITE_TEXT},
    {"compliance_email", SITE_EMAIL}, {"director_email", SITE_EMAIL},
    {"alternate_email", SITE_EMAIL},  {NULL, SITE_LINE},
};

const struct site_key *site_keys(void)
{
	return keys;
}

bool site_kind_of(const char *key, enum site_kind *out)
{
	for (const struct site_key *k = keys; k->key; k++) {
		if (strcmp(k->key, key) == 0) {
			*out = k->kind;
			return true;
		}
	}
	return false;
}

/* Characters, not bytes: the database counts them so (char_length). */
static size_t chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static bool phone_ok(const char *s)
{
	int digits = 0;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digits++;
		else if (!strchr(" +()-", *s))
			return false;
	}
	return digits >= 3;
}

enum site_check site_value_check(enum site_kind kind, const char *value)
{
	if (!*value)
		return SITE_OK;
	size_t n = chars(value);
	if (n > (kind == SITE_TEXT ? SITE_TEXT_MAX : SITE_LINE_MAX))
		return SITE_TOO_LONG;
	switch (kind) {
	case SITE_TEXT:
		return SITE_OK;
	case SITE_EMAIL:
		return mailmsg_address_ok(value) ? SITE_OK : SITE_BAD_EMAIL;
	case SITE_PHONE:
		return phone_ok(value) ? SITE_OK : SITE_BAD_PHONE;
	case SITE_LINE:
		break;
	}
	for (const char *s = value; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return SITE_BAD_LINE;
	}
	return SITE_OK;
}

const char *site_check_reason(enum site_check check)
{
	switch (check) {
	case SITE_OK:
		return "accepted";
	case SITE_TOO_LONG:
		return "too long (300 characters for a line, 8000 for a text)";
	case SITE_BAD_LINE:
		return "one line, without line breaks or control characters";
	case SITE_BAD_EMAIL:
		return "not one e-mail address the mailer accepts (name@example.kz)";
	case SITE_BAD_PHONE:
		return "not a telephone number: digits, spaces and + ( ) - only, at least 3 digits";
	}
	return "refused";
}

void site_lang_key(char *out, size_t outlen, const char *base, enum lang lang)
{
	snprintf(out, outlen, "%s_%s", base, i18n_code(lang));
}

const char *site_logo_type(const unsigned char *d, size_t len)
{
	static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	if (len >= 8 && memcmp(d, png, 8) == 0)
		return "image/png";
	if (len >= 3 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff)
		return "image/jpeg";
	if (len >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0)
		return "image/webp";
	return NULL;
}

const enum msg *site_default_safety(unsigned *n)
{
	static const enum msg m[] = {M_TRUST_SAFETY_DEVICE, M_TRUST_SAFETY_FILES,
				     M_TRUST_SAFETY_WORDS, M_TRUST_SAFETY_RECEIPT};
	*n = sizeof m / sizeof m[0];
	return m;
}

const enum msg *site_default_privacy(unsigned *n)
{
	static const enum msg m[] = {M_TRUST_PRIVACY_STORED, M_TRUST_PRIVACY_READERS,
				     M_TRUST_PRIVACY_IDENTITY, M_TRUST_PRIVACY_KEPT};
	*n = sizeof m / sizeof m[0];
	return m;
}
