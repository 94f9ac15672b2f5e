/* Issue 13's pure parts: the notice of a reporter's new message says which
 * case and where, nothing else; the archive's visibility rule for lists
 * (casefile_visibility) agrees with the case page's (casefile_visible) for
 * every combination of roles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "staff/casefile.h"
#include "workflow/notice.h"

static void reporter_message_notice(void **state)
{
	(void)state;
	struct notice n;
	struct notice_facts f = {.reg_no = "2026-000042",
				 .console_url = "https://hotline.example.kz/staff/",
				 .organisation = "KazStandart"};
	notice_build(&n, NOTICE_REPORTER_MESSAGE, &f);
	assert_non_null(strstr(n.subject.data, "2026-000042"));
	assert_non_null(strstr(n.subject.data, "новое сообщение заявителя"));
	assert_non_null(strstr(n.body.data, "№ 2026-000042 өтініш бойынша"));
	assert_non_null(strstr(n.body.data, "https://hotline.example.kz/staff/"));
	assert_non_null(strstr(n.body.data, "KazStandart"));
	/* no due date, no placeholder left, no text of anyone */
	assert_null(strstr(n.body.data, "%"));
	assert_null(strstr(n.body.data, "(null)"));
	notice_free(&n);
}

static void visibility_agrees(void **state)
{
	(void)state;
	for (unsigned roles = 0; roles < (1u << ROLE_COUNT); roles++) {
		const char *mode = casefile_visibility(roles);
		for (int named = 0; named < 2; named++) {
			bool listed = strcmp(mode, "all") == 0 ||
				      (strcmp(mode, "named") == 0 && named) ||
				      (strcmp(mode, "not_named") == 0 && !named);
			assert_int_equal(listed, casefile_visible(roles, named, false));
		}
	}
	/* the director never sees a case naming the director, whatever else */
	unsigned dc = ROLE_BIT(ROLE_DIRECTOR) | ROLE_BIT(ROLE_COMPLIANCE);
	assert_false(casefile_visible(dc, true, false));
	assert_string_equal(casefile_visibility(dc), "not_named");
	assert_string_equal(casefile_visibility(ROLE_BIT(ROLE_COMPLIANCE)), "all");
	assert_string_equal(casefile_visibility(ROLE_BIT(ROLE_ALTERNATE)), "named");
	assert_string_equal(casefile_visibility(ROLE_BIT(ROLE_COMMISSION)), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(reporter_message_notice),
	    cmocka_unit_test(visibility_agrees),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
