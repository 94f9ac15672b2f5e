/* Every transition of the case and investigation state machines: the
 * allowed ones are listed here by hand from the procedure; every other
 * pair must be refused with a reason. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "workflow/states.h"

static const struct {
	enum case_state from, to;
} case_ok[] = {
	{CASE_REGISTERED, CASE_TO_DIRECTOR},	{CASE_REGISTERED, CASE_REFERRED},
	{CASE_REGISTERED, CASE_NOT_CONSIDERED}, {CASE_REGISTERED, CASE_URGENT},
	{CASE_TO_DIRECTOR, CASE_ACKNOWLEDGED},	{CASE_TO_DIRECTOR, CASE_FORWARDED},
	{CASE_TO_DIRECTOR, CASE_INVESTIGATION}, {CASE_TO_DIRECTOR, CASE_CLOSED},
	{CASE_ACKNOWLEDGED, CASE_FORWARDED},	{CASE_ACKNOWLEDGED, CASE_INVESTIGATION},
	{CASE_ACKNOWLEDGED, CASE_CLOSED},	{CASE_URGENT, CASE_FORWARDED},
	{CASE_INVESTIGATION, CASE_CLOSED},
};

static bool case_listed(enum case_state a, enum case_state b)
{
	for (size_t i = 0; i < sizeof(case_ok) / sizeof(case_ok[0]); i++) {
		if (case_ok[i].from == a && case_ok[i].to == b)
			return true;
	}
	return false;
}

static void every_case_transition(void **state)
{
	(void)state;
	int allowed = 0;
	for (int a = 0; a < CASE_STATE_COUNT; a++) {
		for (int b = 0; b < CASE_STATE_COUNT; b++) {
			const char *why = case_check_transition((enum case_state)a,
								(enum case_state)b);
			if (case_listed((enum case_state)a, (enum case_state)b)) {
				assert_null(why);
				allowed++;
			} else {
				assert_non_null(why);
				assert_true(strlen(why) > 10);
			}
		}
	}
	assert_int_equal(allowed, (int)(sizeof(case_ok) / sizeof(case_ok[0])));
}

static void every_investigation_transition(void **state)
{
	(void)state;
	for (int d = 0; d < DECISION_COUNT; d++) {
		bool no_measures = d == DECISION_STOP || d == DECISION_HAND_OVER;
		for (int a = 0; a < INV_STATE_COUNT; a++) {
			for (int b = 0; b < INV_STATE_COUNT; b++) {
				bool decided = a >= INV_DECIDED;
				bool expect = (b == a + 1 &&
					       !(b == INV_MEASURES_ADOPTED && no_measures)) ||
					      (a == INV_DECIDED && b == INV_CLOSED && no_measures);
				const char *why = investigation_check_transition(
					(enum investigation_state)a, (enum investigation_state)b,
					(enum investigation_decision)d, decided);
				if (expect)
					assert_null(why);
				else
					assert_non_null(why);
			}
		}
	}
}

static void names_round_trip(void **state)
{
	(void)state;
	for (int s = 0; s < CASE_STATE_COUNT; s++) {
		enum case_state back;
		assert_true(case_state_parse(case_state_name((enum case_state)s), &back));
		assert_int_equal(back, s);
	}
	for (int s = 0; s < INV_STATE_COUNT; s++) {
		enum investigation_state back;
		assert_true(investigation_state_parse(
			investigation_state_name((enum investigation_state)s), &back));
		assert_int_equal(back, s);
	}
	for (int s = 0; s < DECISION_COUNT; s++) {
		enum investigation_decision back;
		assert_true(investigation_decision_parse(
			investigation_decision_name((enum investigation_decision)s), &back));
		assert_int_equal(back, s);
	}
	enum case_state cs;
	assert_false(case_state_parse("suspended", &cs));
}

/* The commission submits, management decides (004 p.7.10-7.11): no
 * decision on a conclusion that was only drafted. */
static void decision_only_after_submission(void **state)
{
	(void)state;
	assert_null(investigation_check_transition(INV_CONCLUSION_DRAFTED, INV_SUBMITTED,
						   DECISION_STOP, false));
	assert_null(investigation_check_transition(INV_SUBMITTED, INV_DECIDED, DECISION_STOP,
						   false));
	const char *why = investigation_check_transition(INV_CONCLUSION_DRAFTED, INV_DECIDED,
							 DECISION_STOP, false);
	assert_non_null(why);
	assert_non_null(strstr(why, "submitted"));
	assert_non_null(investigation_check_transition(INV_IN_PROGRESS, INV_SUBMITTED,
						       DECISION_STOP, false));
	assert_string_equal(investigation_state_name(INV_SUBMITTED), "submitted");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_case_transition),
		cmocka_unit_test(every_investigation_transition),
		cmocka_unit_test(names_round_trip),
		cmocka_unit_test(decision_only_after_submission),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
