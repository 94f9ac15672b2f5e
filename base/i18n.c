/* Texts of the public pages in three languages and the choice of language
 * (?lang=, cookie, Accept-Language). No allocation anywhere: the header is
 * scanned once in place. */
#include "base/i18n.h"

#include <stddef.h>
#include <string.h>

static const char *const texts[MSG_COUNT][LANG_COUNT] = {
#define MSG(id, kk, ru, en) [id] = {kk, ru, en},
#include "texts.def"
#undef MSG
};

static const char *const codes[LANG_COUNT] = {"kk", "ru", "en"};

const char *i18n(enum lang lang, enum msg id)
{
	if ((unsigned)lang >= LANG_COUNT)
		lang = LANG_EN;
	if ((unsigned)id >= MSG_COUNT)
		return "";
	return texts[id][lang];
}

const char *i18n_code(enum lang lang)
{
	if ((unsigned)lang >= LANG_COUNT)
		return codes[LANG_EN];
	return codes[lang];
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* s[0..n) is a language tag: two letters naming kk (or kz), ru or en,
 * optionally followed by '-' or '_' and a non-empty suffix of letters,
 * digits, '-' and '_' (region, script, ...). */
static bool parse_n(const char *s, size_t n, enum lang *out)
{
	if (n < 2)
		return false;
	char a = lower(s[0]), b = lower(s[1]);
	enum lang l;
	if (a == 'k' && (b == 'k' || b == 'z'))
		l = LANG_KK;
	else if (a == 'r' && b == 'u')
		l = LANG_RU;
	else if (a == 'e' && b == 'n')
		l = LANG_EN;
	else
		return false;
	if (n > 2) {
		if ((s[2] != '-' && s[2] != '_') || n == 3)
			return false;
		for (size_t i = 3; i < n; i++)
			if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_')
				return false;
	}
	if (out)
		*out = l;
	return true;
}

bool i18n_parse(const char *code, enum lang *out)
{
	if (!code)
		return false;
	return parse_n(code, strlen(code), out);
}

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* Parses a qvalue ("0", "0.5", "1", "1.000") in s[0..n) into thousandths. */
static bool parse_q(const char *s, size_t n, int *q)
{
	if (n == 0 || (s[0] != '0' && s[0] != '1'))
		return false;
	int v = (s[0] - '0') * 1000;
	if (n > 1) {
		if (s[1] != '.' || n > 5)
			return false;
		int scale = 100;
		for (size_t i = 2; i < n; i++, scale /= 10) {
			if (s[i] < '0' || s[i] > '9')
				return false;
			v += (s[i] - '0') * scale;
		}
	}
	if (v > 1000)
		return false;
	*q = v;
	return true;
}

/* One element of the header, s[0..n): "tag *( OWS ; OWS param )".
 * Returns false when it is not usable (unknown tag, "*", bad q). */
static bool parse_element(const char *s, size_t n, enum lang *lang, int *q)
{
	size_t i = 0;
	while (i < n && is_ows(s[i]))
		i++;
	size_t tag = i;
	while (i < n && s[i] != ';' && !is_ows(s[i]))
		i++;
	if (!parse_n(s + tag, i - tag, lang))
		return false;
	*q = 1000;
	while (i < n) {
		while (i < n && is_ows(s[i]))
			i++;
		if (i == n)
			break;
		if (s[i] != ';')
			return false;
		i++;
		while (i < n && is_ows(s[i]))
			i++;
		size_t name = i;
		while (i < n && s[i] != '=' && s[i] != ';' && !is_ows(s[i]))
			i++;
		size_t name_len = i - name;
		while (i < n && is_ows(s[i]))
			i++;
		size_t val = i, val_len = 0;
		if (i < n && s[i] == '=') {
			i++;
			while (i < n && is_ows(s[i]))
				i++;
			val = i;
			while (i < n && s[i] != ';' && !is_ows(s[i]))
				i++;
			val_len = i - val;
		}
		if (name_len == 1 && lower(s[name]) == 'q') {
			if (!parse_q(s + val, val_len, q))
				return false;
		}
	}
	return true;
}

enum lang i18n_negotiate(const char *accept_language, enum lang fallback)
{
	if (!accept_language)
		return fallback;
	enum lang best = fallback;
	int best_q = 0;
	const char *p = accept_language;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		enum lang l;
		int q;
		if (parse_element(p, n, &l, &q) && q > best_q) {
			best = l;
			best_q = q;
		}
		if (!end)
			break;
		p = end + 1;
	}
	return best;
}
