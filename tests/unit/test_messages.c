/* Issue 13's pure parts: the notice of a reporter's new message says which
 * case and where, nothing else; the archive's visibility rule for lists
 * (casefile_visibility) agrees with the case page's (casefile_visible) for
 * every combination of roles, flag and triage (issue 14: the director sees
 * nothing before triage). */
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
			for (int triaged = 0; triaged < 2; triaged++) {
				/* what CASEFILE_VISIBILITY_SQL says, in C */
				bool listed =
				    strcmp(mode, "all") == 0 ||
				    (strcmp(mode, "named") == 0 && named) ||
				    (strcmp(mode, "triaged_not_named") == 0 && !named && triaged);
				assert_int_equal(listed,
						 casefile_visible(roles, named, triaged, false));
			}
		}
	}
	/* the director never sees a case naming the director, whatever else */
	unsigned dc = ROLE_BIT(ROLE_DIRECTOR) | ROLE_BIT(ROLE_COMPLIANCE);
	assert_false(casefile_visible(dc, true, true, false));
	assert_string_equal(casefile_visibility(dc), "triaged_not_named");
	/* nor any appeal before triage (issue 14), named or not, escalated or
	 * not: a "don't know" is not a "no" until compliance decides it */
	unsigned d = ROLE_BIT(ROLE_DIRECTOR);
	assert_false(casefile_visible(d, false, false, false));
	assert_false(casefile_visible(d, false, false, true));
	assert_true(casefile_visible(d, false, true, false));
	/* the alternate sees a named appeal from registration, and an
	 * escalated one */
	unsigned a = ROLE_BIT(ROLE_ALTERNATE);
	assert_true(casefile_visible(a, true, false, false));
	assert_true(casefile_visible(a, false, false, true));
	assert_false(casefile_visible(a, false, true, false));
	/* the list's SQL spells the same three modes */
	assert_non_null(strstr(CASEFILE_VISIBILITY_SQL("$1"), "'triaged_not_named' AND NOT "
							      "c.director_named AND c.state <> "
							      "'registered'"));
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
