/* What the settings page accepts (workflow/site.h): one-line values without
 * line breaks, texts up to their limit counted in characters as the
 * database counts them, e-mail addresses the mailer accepts, telephone
 * numbers of digits and the signs people write; a logo's type from its
 * bytes. Every key of the page has its kind. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "workflow/site.h"

static void values(void **state)
{
	(void)state;
	assert_int_equal(site_value_check(SITE_LINE, ""), SITE_OK);
	assert_int_equal(site_value_check(SITE_EMAIL, ""), SITE_OK); /* unset */
	assert_int_equal(site_value_check(SITE_LINE, "ТОО «Ромашка»"), SITE_OK);
	assert_int_equal(site_value_check(SITE_LINE, "one\ntwo"), SITE_BAD_LINE);
	assert_int_equal(site_value_check(SITE_TEXT, "one\ntwo"), SITE_OK);
	assert_int_equal(site_value_check(SITE_EMAIL, "trust@org.example.kz"), SITE_OK);
	assert_int_equal(site_value_check(SITE_EMAIL, "a@b.kz, c@d.kz"), SITE_BAD_EMAIL);
	assert_int_equal(site_value_check(SITE_EMAIL, "no address"), SITE_BAD_EMAIL);
	assert_int_equal(site_value_check(SITE_PHONE, "+7 (7172) 55-01-02"), SITE_OK);
	assert_int_equal(site_value_check(SITE_PHONE, "8 800"), SITE_OK);
	assert_int_equal(site_value_check(SITE_PHONE, "12"), SITE_BAD_PHONE);
	assert_int_equal(site_value_check(SITE_PHONE, "call me"), SITE_BAD_PHONE);
}

/* The limits count characters: 300 Cyrillic letters (600 bytes) fit. */
static void limits(void **state)
{
	(void)state;
	char line[2 * (SITE_LINE_MAX + 1) + 1] = "";
	for (int i = 0; i < SITE_LINE_MAX; i++)
		strcat(line, "ж");
	assert_int_equal(site_value_check(SITE_LINE, line), SITE_OK);
	strcat(line, "ж");
	assert_int_equal(site_value_check(SITE_LINE, line), SITE_TOO_LONG);
	char *text = malloc(SITE_TEXT_MAX + 2);
	assert_non_null(text);
	memset(text, 'x', SITE_TEXT_MAX);
	text[SITE_TEXT_MAX] = '\0';
	assert_int_equal(site_value_check(SITE_TEXT, text), SITE_OK);
	text[SITE_TEXT_MAX] = 'x';
	text[SITE_TEXT_MAX + 1] = '\0';
	assert_int_equal(site_value_check(SITE_TEXT, text), SITE_TOO_LONG);
	free(text);
}

static void keys(void **state)
{
	(void)state;
	enum site_kind k;
	assert_true(site_kind_of("compliance_email", &k) && k == SITE_EMAIL);
	assert_true(site_kind_of("trust_phone", &k) && k == SITE_PHONE);
	assert_true(site_kind_of("trust_privacy_kk", &k) && k == SITE_TEXT);
	assert_true(site_kind_of("organisation", &k) && k == SITE_LINE);
	assert_false(site_kind_of("reply_working_days", &k)); /* not this page's */
	char key[32];
	site_lang_key(key, sizeof key, "trust_hours", LANG_RU);
	assert_string_equal(key, "trust_hours_ru");
	for (int l = 0; l < LANG_COUNT; l++) {
		static const char *const bases[] = {"trust_hours", "trust_safety", "trust_privacy"};
		for (int b = 0; b < 3; b++) {
			site_lang_key(key, sizeof key, bases[b], (enum lang)l);
			assert_true(site_kind_of(key, &k));
		}
	}
}

static void logo_types(void **state)
{
	(void)state;
	static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0};
	static const unsigned char jpeg[] = {0xff, 0xd8, 0xff, 0xe0};
	static const unsigned char webp[] = "RIFF\x10\0\0\0WEBPVP8 ";
	static const unsigned char svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\">";
	assert_string_equal(site_logo_type(png, sizeof png), "image/png");
	assert_string_equal(site_logo_type(jpeg, sizeof jpeg), "image/jpeg");
	assert_string_equal(site_logo_type(webp, sizeof webp - 1), "image/webp");
	assert_null(site_logo_type(svg, sizeof svg - 1));
	assert_null(site_logo_type(png, 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(values),
	    cmocka_unit_test(limits),
	    cmocka_unit_test(keys),
	    cmocka_unit_test(logo_types),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
