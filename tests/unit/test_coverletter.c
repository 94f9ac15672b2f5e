/* The cover letter's page (staff/coverletter.h): byte for byte the page
 * the letter has always been (tests/unit/coverletter.exp, written by the
 * renderer before it left workflow/), every value escaped, the style
 * linked for the staff pages and inline in the file hotlinectl writes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "staff/coverletter.h"

#define EXPECTED "tests/unit/coverletter.exp"

static struct procedure_letter letter(char *doc)
{
	struct procedure_letter l = {
	    .reg_no = "2026-000042",
	    .registered = "01.12.2026",
	    .decided = "03.12.2026",
	    .doc = doc,
	    .files = "3",
	    .organisation = "ТОО \"Ромашка\" <&>",
	};
	return l;
}

static void same_page_as_before(void **state)
{
	(void)state;
	FILE *f = fopen(EXPECTED, "rb");
	assert_non_null(f);
	static char want[8192];
	size_t n = fread(want, 1, sizeof(want), f);
	fclose(f);
	assert_true(n > 0 && n < sizeof(want));
	struct procedure_letter l = letter("Приказ № 5 <b>&\"'");
	struct buf out;
	buf_init(&out);
	coverletter_render(&l, NULL, &out);
	assert_int_equal(out.len, n);
	assert_memory_equal(out.data, want, n);
	/* inline style: a file to print */
	assert_non_null(strstr(out.data, coverletter_css));
	assert_null(strstr(out.data, "<b>"));
	buf_reset(&out);
}

static void linked_style_and_no_document(void **state)
{
	(void)state;
	struct procedure_letter l = letter("");
	struct buf out;
	buf_init(&out);
	coverletter_render(&l, "/staff/case.css", &out);
	assert_non_null(strstr(out.data, "<link rel=\"stylesheet\" href=\"/staff/case.css\">"));
	assert_null(strstr(out.data, "<style>"));
	assert_non_null(strstr(out.data, "Решение руководителя от 03.12.2026.</p>"));
	assert_non_null(strstr(out.data, "<span id=\"letter-reg-no\">2026-000042</span>"));
	buf_reset(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(same_page_as_before),
	    cmocka_unit_test(linked_style_and_no_document),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
