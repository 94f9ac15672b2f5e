/* base/i18n.c and the texts made from po/: every text present in all three
 * languages, same printf placeholders, valid UTF-8; language parsing and
 * Accept-Language negotiation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/i18n.h"

static const char *const msg_names[MSG_COUNT] = {
#define MSG(id, kk, ru, en) [id] = #id,
#include "texts.def"
#undef MSG
};

static const char *const lang_names[LANG_COUNT] = {"kk", "ru", "en"};

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
static int utf8_valid(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	while (*s) {
		unsigned char c = *s;
		size_t n;
		uint32_t cp, min;
		if (c < 0x80) {
			s++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			n = 1, cp = c & 0x1F, min = 0x80;
		} else if ((c & 0xF0) == 0xE0) {
			n = 2, cp = c & 0x0F, min = 0x800;
		} else if ((c & 0xF8) == 0xF0) {
			n = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return 0;
		}
		for (size_t i = 1; i <= n; i++) {
			if ((s[i] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		s += n + 1;
	}
	return 1;
}

/* Writes the printf conversions of fmt ("%u%s%s") into out; "%%" is not a
 * conversion. Returns 0 for a '%' that starts no complete conversion. */
static int placeholders(const char *fmt, char *out, size_t size)
{
	size_t o = 0;
	out[0] = '\0';
	for (const char *p = fmt; *p; p++) {
		if (*p != '%')
			continue;
		if (p[1] == '%') {
			p++;
			continue;
		}
		const char *start = p++;
		while (*p && strchr("-+ #0123456789.*hlLqjzt", *p))
			p++;
		if (!*p || !strchr("diouxXeEfFgGaAcsp", *p))
			return 0;
		size_t len = (size_t)(p - start) + 1;
		if (o + len + 1 > size)
			return 0;
		memcpy(out + o, start, len);
		o += len;
		out[o] = '\0';
	}
	return 1;
}

static int has_cyrillic(const char *s)
{
	/* U+0400..U+04FF are encoded as 0xD0..0xD3 followed by a continuation. */
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p >= 0xD0 && *p <= 0xD3 && (p[1] & 0xC0) == 0x80)
			return 1;
	return 0;
}

static void every_message_present(void **state)
{
	(void)state;
	int bad = 0;
	for (int id = 0; id < MSG_COUNT; id++) {
		for (int l = 0; l < LANG_COUNT; l++) {
			const char *s = i18n((enum lang)l, (enum msg)id);
			if (!s || !*s) {
				print_error("%s: %s text is empty\n", msg_names[id], lang_names[l]);
				bad++;
			}
		}
	}
	assert_int_equal(bad, 0);
}

static void kazakh_and_russian_are_cyrillic(void **state)
{
	(void)state;
	int bad = 0;
	for (int id = 0; id < MSG_COUNT; id++) {
		for (int l = LANG_KK; l <= LANG_RU; l++) {
			const char *s = i18n((enum lang)l, (enum msg)id);
			if (s && *s && !has_cyrillic(s)) {
				print_error("%s: %s text has no Cyrillic letter: %s\n",
					    msg_names[id], lang_names[l], s);
				bad++;
			}
		}
	}
	assert_int_equal(bad, 0);
}

static void placeholders_match(void **state)
{
	(void)state;
	int bad = 0;
	for (int id = 0; id < MSG_COUNT; id++) {
		char want[128], got[128];
		const char *en = i18n(LANG_EN, (enum msg)id);
		if (!placeholders(en, want, sizeof want)) {
			print_error("%s: en has a broken %% sequence\n", msg_names[id]);
			bad++;
			continue;
		}
		for (int l = 0; l < LANG_COUNT; l++) {
			const char *s = i18n((enum lang)l, (enum msg)id);
			if (!placeholders(s, got, sizeof got) || strcmp(want, got) != 0) {
				print_error("%s: %s placeholders \"%s\", en has \"%s\"\n",
					    msg_names[id], lang_names[l], got, want);
				bad++;
			}
		}
	}
	assert_int_equal(bad, 0);
}

static void placeholders_known(void **state)
{
	(void)state;
	char out[64];
	assert_true(placeholders("Up to %u files, each %s, all %s.", out, sizeof out));
	assert_string_equal(out, "%u%s%s");
	assert_true(placeholders("100%% sure", out, sizeof out));
	assert_string_equal(out, "");
	assert_false(placeholders("broken %", out, sizeof out));
	/* The file-limit texts are formatted with (unsigned, string, string). */
	assert_true(placeholders(i18n(LANG_KK, M_FORM_FILES_LIMIT), out, sizeof out));
	assert_string_equal(out, "%u%s%s");
	assert_true(placeholders(i18n(LANG_RU, M_ERR_TOO_LARGE), out, sizeof out));
	assert_string_equal(out, "%u%s%s");
}

static void all_utf8(void **state)
{
	(void)state;
	int bad = 0;
	for (int id = 0; id < MSG_COUNT; id++) {
		for (int l = 0; l < LANG_COUNT; l++) {
			const char *s = i18n((enum lang)l, (enum msg)id);
			if (!utf8_valid(s)) {
				print_error("%s: %s text is not valid UTF-8\n", msg_names[id],
					    lang_names[l]);
				bad++;
			}
			for (const char *p = s; *p; p++) {
				if ((unsigned char)*p < 0x20 || *p == 0x7f) {
					print_error("%s: %s text has a control character\n",
						    msg_names[id], lang_names[l]);
					bad++;
					break;
				}
			}
		}
	}
	assert_int_equal(bad, 0);
}

static void utf8_checker_works(void **state)
{
	(void)state;
	assert_true(utf8_valid("Сенім желісі — ok"));
	assert_false(utf8_valid("\xC0\xAF"));	      /* overlong '/' */
	assert_false(utf8_valid("\xED\xA0\x80"));     /* surrogate */
	assert_false(utf8_valid("\xF4\x90\x80\x80")); /* above U+10FFFF */
	assert_false(utf8_valid("\xD0"));	      /* truncated */
	assert_false(utf8_valid("\xFF"));
}

static void language_names(void **state)
{
	(void)state;
	assert_string_equal(i18n(LANG_KK, M_LANG_NAME), "Қазақша");
	assert_string_equal(i18n(LANG_RU, M_LANG_NAME), "Русский");
	assert_string_equal(i18n(LANG_EN, M_LANG_NAME), "English");
	assert_string_equal(i18n(LANG_KK, M_SITE_NAME), "Сенім желісі");
	assert_string_equal(i18n(LANG_RU, M_SITE_NAME), "Линия доверия");
}

static void codes(void **state)
{
	(void)state;
	assert_string_equal(i18n_code(LANG_KK), "kk");
	assert_string_equal(i18n_code(LANG_RU), "ru");
	assert_string_equal(i18n_code(LANG_EN), "en");
}

static void parse(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		enum lang want;
	} good[] = {
	    {"kk", LANG_KK},	{"kz", LANG_KK},    {"KK", LANG_KK},	     {"Kz", LANG_KK},
	    {"kk-KZ", LANG_KK}, {"kk-kz", LANG_KK}, {"ru", LANG_RU},	     {"RU", LANG_RU},
	    {"ru-RU", LANG_RU}, {"ru-KZ", LANG_RU}, {"en", LANG_EN},	     {"EN", LANG_EN},
	    {"en-US", LANG_EN}, {"en-GB", LANG_EN}, {"kk-Cyrl-KZ", LANG_KK},
	};
	static const char *const bad[] = {
	    "",	   "k",	  "de", "fr-FR", "kkk", "rus",	  "english", "en-",	    "ru RU",
	    " ru", "ru ", "*",	"e",	 "-ru", "ru;q=1", "ru,en",   "kk-\xD0\x9A",
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		enum lang l = LANG_COUNT;
		if (!i18n_parse(good[i].in, &l))
			fail_msg("i18n_parse(\"%s\") failed", good[i].in);
		if (l != good[i].want)
			fail_msg("i18n_parse(\"%s\") = %d, want %d", good[i].in, l, good[i].want);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		enum lang l = LANG_COUNT;
		if (i18n_parse(bad[i], &l))
			fail_msg("i18n_parse(\"%s\") accepted", bad[i]);
		assert_int_equal(l, LANG_COUNT); /* untouched */
	}
	enum lang l = LANG_RU;
	assert_false(i18n_parse(NULL, &l));
	assert_int_equal(l, LANG_RU);
}

static void negotiate(void **state)
{
	(void)state;
	static const struct {
		const char *header;
		enum lang fallback, want;
	} cases[] = {
	    {"kk-KZ,ru;q=0.8", LANG_EN, LANG_KK},
	    {"en;q=0.1, ru;q=0.9", LANG_KK, LANG_RU},
	    {"de, fr", LANG_KK, LANG_KK},
	    {"de, fr", LANG_RU, LANG_RU},
	    {"", LANG_RU, LANG_RU},
	    {"ru;q=0", LANG_KK, LANG_KK},
	    {"ru;q=0.000", LANG_EN, LANG_EN},
	    {"ru", LANG_KK, LANG_RU},
	    {"ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7", LANG_KK, LANG_RU},
	    {"en-US,en;q=0.9,ru;q=0.8,kk;q=0.7", LANG_KK, LANG_EN},
	    {"de-DE,de;q=0.9,kk;q=0.5,ru;q=0.4", LANG_EN, LANG_KK},
	    {"*", LANG_RU, LANG_RU},
	    {"*;q=1, en;q=0.2", LANG_KK, LANG_EN},
	    /* ties: the first listed wins */
	    {"ru, en", LANG_KK, LANG_RU},
	    {"en;q=0.5, ru;q=0.5", LANG_KK, LANG_EN},
	    {"en;q=0.5, ru;q=0.50", LANG_KK, LANG_EN},
	    /* later and higher wins */
	    {"en;q=0.3, kk;q=0.31", LANG_RU, LANG_KK},
	    {"en;q=0.999, kk", LANG_RU, LANG_KK},
	    /* case, whitespace, kz, underscores */
	    {"  KZ ;  Q = 0.7 ,RU;q=0.6", LANG_EN, LANG_KK},
	    {"\tru_RU\t", LANG_EN, LANG_RU},
	    /* other parameters are ignored */
	    {"ru;level=1;q=0.4, en;q=0.3", LANG_KK, LANG_RU},
	    /* malformed q: the element is skipped */
	    {"ru;q=2, en;q=0.1", LANG_KK, LANG_EN},
	    {"ru;q=abc, en;q=0.1", LANG_KK, LANG_EN},
	    {"ru;q=0.12345, en;q=0.1", LANG_KK, LANG_EN},
	    {"ru;q=1.5", LANG_KK, LANG_KK},
	    {"ru;q=-1", LANG_KK, LANG_KK},
	    {"ru;q=", LANG_KK, LANG_KK},
	    /* q=1.0 and q=1.000 are allowed */
	    {"en;q=0.9, ru;q=1.000", LANG_KK, LANG_RU},
	    /* garbage around valid entries */
	    {",,,;;;,ru", LANG_KK, LANG_RU},
	    {";q=1, en", LANG_KK, LANG_EN},
	    {"ru en", LANG_KK, LANG_KK},
	    {"\xFF\xFE, kk", LANG_RU, LANG_KK},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		enum lang got = i18n_negotiate(cases[i].header, cases[i].fallback);
		if (got != cases[i].want)
			fail_msg("i18n_negotiate(\"%s\", %s) = %s, want %s", cases[i].header,
				 lang_names[cases[i].fallback], i18n_code(got),
				 lang_names[cases[i].want]);
	}
	assert_int_equal(i18n_negotiate(NULL, LANG_KK), LANG_KK);
	assert_int_equal(i18n_negotiate(NULL, LANG_EN), LANG_EN);
}

static void negotiate_junk(void **state)
{
	(void)state;
	size_t n = 10 * 1024;
	char *junk = malloc(n + 1);
	assert_non_null(junk);
	/* deterministic pseudo-random bytes, no NUL, no language tag */
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		char c = (char)(x % 255 + 1);
		junk[i] = c;
	}
	junk[n] = '\0';
	/* whatever it contains, it must not crash and must give a language */
	enum lang got = i18n_negotiate(junk, LANG_RU);
	assert_true(got < LANG_COUNT);

	/* junk with no usable tag at all gives the fallback */
	for (size_t i = 0; i < n; i++)
		junk[i] = "x;=q,. \t9"[i % 9];
	assert_int_equal(i18n_negotiate(junk, LANG_RU), LANG_RU);
	assert_int_equal(i18n_negotiate(junk, LANG_KK), LANG_KK);

	/* one very long tag */
	memset(junk, 'r', n);
	assert_int_equal(i18n_negotiate(junk, LANG_EN), LANG_EN);
	/* a long region suffix is still a valid tag */
	junk[0] = 'r', junk[1] = 'u', junk[2] = '-';
	memset(junk + 3, 'A', n - 3);
	assert_int_equal(i18n_negotiate(junk, LANG_EN), LANG_RU);
	/* thousands of commas */
	memset(junk, ',', n);
	memcpy(junk + n - 2, "kk", 2);
	assert_int_equal(i18n_negotiate(junk, LANG_EN), LANG_KK);
	/* thousands of semicolons after a tag */
	memset(junk, ';', n);
	memcpy(junk, "ru", 2);
	assert_int_equal(i18n_negotiate(junk, LANG_EN), LANG_RU);
	free(junk);
}

static void out_of_range(void **state)
{
	(void)state;
	assert_non_null(i18n(LANG_COUNT, M_SITE_NAME));
	assert_non_null(i18n(LANG_KK, MSG_COUNT));
	assert_non_null(i18n_code(LANG_COUNT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_message_present),
	    cmocka_unit_test(kazakh_and_russian_are_cyrillic),
	    cmocka_unit_test(placeholders_known),
	    cmocka_unit_test(placeholders_match),
	    cmocka_unit_test(utf8_checker_works),
	    cmocka_unit_test(all_utf8),
	    cmocka_unit_test(language_names),
	    cmocka_unit_test(codes),
	    cmocka_unit_test(parse),
	    cmocka_unit_test(negotiate),
	    cmocka_unit_test(negotiate_junk),
	    cmocka_unit_test(out_of_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
