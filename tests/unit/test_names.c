/* A person named in a report is recognised whatever the letter case and
 * the grammatical ending. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "workflow/names.h"

static bool in(const char *text, const char *person)
{
	return names_mentioned(text, strlen(text), person);
}

static void surnames_match(void **state)
{
	(void)state;
	assert_true(in("Начальник АХЕТОВ требовал деньги", "Ахетов Марат Сейтович"));
	assert_true(in("деньги передали Ахетову лично", "Ахетов Марат"));
	assert_true(in("бастық Әбенов пара сұрады", "ӘБЕНОВ Қайрат"));
	assert_true(in("Smith asked for a bribe", "smith john"));
	assert_true(in("Ёлкин и другие", "Елкин Иван"));
}

static void others_do_not(void **state)
{
	(void)state;
	assert_false(in("Начальник Петров требовал деньги", "Ахетов Марат"));
	/* inside another word is not a mention */
	assert_false(in("Мухаметов", "Хаметов Ильяс"));
	/* too short a surname alone does not count */
	assert_false(in("Ли сказал", "Ли"));
	assert_false(in("", "Ахетов"));
	assert_false(in("bad \xff bytes", "Ахетов"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(surnames_match),
		cmocka_unit_test(others_do_not),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
