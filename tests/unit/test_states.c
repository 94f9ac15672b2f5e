/* Every transition of the case and investigation state machines: the
 * allowed ones are listed here by hand from the procedure; every other
 * pair must be refused with a reason. The states that end a case, in C and
 * in SQL (migrations/0027), are the same list. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "workflow/states.h"

static const struct {
	enum case_state from, to;
} case_ok[] = {
    {CASE_REGISTERED, CASE_TO_DIRECTOR},    {CASE_REGISTERED, CASE_REFERRED},
    {CASE_REGISTERED, CASE_NOT_CONSIDERED}, {CASE_REGISTERED, CASE_URGENT},
    {CASE_TO_DIRECTOR, CASE_ACKNOWLEDGED},  {CASE_TO_DIRECTOR, CASE_FORWARDED},
    {CASE_TO_DIRECTOR, CASE_INVESTIGATION}, {CASE_TO_DIRECTOR, CASE_CLOSED},
    {CASE_ACKNOWLEDGED, CASE_FORWARDED},    {CASE_ACKNOWLEDGED, CASE_INVESTIGATION},
    {CASE_ACKNOWLEDGED, CASE_CLOSED},	    {CASE_URGENT, CASE_FORWARDED},
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
			const char *why =
			    case_check_transition((enum case_state)a, (enum case_state)b);
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
				bool expect =
				    (b == a + 1 && !(b == INV_MEASURES_ADOPTED && no_measures)) ||
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
	assert_null(
	    investigation_check_transition(INV_SUBMITTED, INV_DECIDED, DECISION_STOP, false));
	const char *why = investigation_check_transition(INV_CONCLUSION_DRAFTED, INV_DECIDED,
							 DECISION_STOP, false);
	assert_non_null(why);
	assert_non_null(strstr(why, "submitted"));
	assert_non_null(
	    investigation_check_transition(INV_IN_PROGRESS, INV_SUBMITTED, DECISION_STOP, false));
	assert_string_equal(investigation_state_name(INV_SUBMITTED), "submitted");
}

/* Closed, referred, not considered, forwarded: over for the hotline, and
 * no move leaves them. */
static void ended_states(void **state)
{
	(void)state;
	for (int s = 0; s < CASE_STATE_COUNT; s++) {
		bool ended = s == CASE_CLOSED || s == CASE_REFERRED || s == CASE_NOT_CONSIDERED ||
			     s == CASE_FORWARDED;
		assert_int_equal(case_state_ended((enum case_state)s), ended);
		for (int to = 0; ended && to < CASE_STATE_COUNT; to++)
			assert_non_null(
			    case_check_transition((enum case_state)s, (enum case_state)to));
	}
}

/* hotline.case_ended() (migrations/0027) names the states case_state_ended()
 * knows, and no other. */
static void ended_states_in_sql(void **state)
{
	(void)state;
	FILE *f = fopen("migrations/0027_case_ended.sql", "r");
	assert_non_null(f);
	char line[512], list[512] = "";
	while (fgets(line, sizeof(line), f)) {
		const char *in = strstr(line, "p_state IN (");
		if (in)
			snprintf(list, sizeof(list), "%s", in);
	}
	fclose(f);
	assert_true(list[0]);
	int named = 0;
	for (int s = 0; s < CASE_STATE_COUNT; s++) {
		char quoted[40];
		snprintf(quoted, sizeof(quoted), "'%s'", case_state_name((enum case_state)s));
		bool in_sql = strstr(list, quoted) != NULL;
		assert_int_equal(in_sql, case_state_ended((enum case_state)s));
		named += in_sql;
	}
	int quotes = 0;
	for (const char *c = list; *c; c++)
		quotes += *c == '\'';
	assert_int_equal(quotes, 2 * named);
}

/* Recording the forward: an urgent case moves; a case the director
 * decided to forward (alone or with an investigation) is only recorded. */
static void forwarded_recorded(void **state)
{
	(void)state;
	for (int s = 0; s < CASE_STATE_COUNT; s++) {
		bool moves = true;
		const char *why = case_check_forwarded((enum case_state)s, &moves);
		if (s == CASE_URGENT) {
			assert_null(why);
			assert_true(moves);
			assert_null(case_check_transition(CASE_URGENT, CASE_FORWARDED));
		} else if (s == CASE_FORWARDED || s == CASE_INVESTIGATION) {
			assert_null(why);
			assert_false(moves);
		} else {
			assert_non_null(why);
			assert_false(moves);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_case_transition),
	    cmocka_unit_test(every_investigation_transition),
	    cmocka_unit_test(names_round_trip),
	    cmocka_unit_test(decision_only_after_submission),
	    cmocka_unit_test(ended_states),
	    cmocka_unit_test(ended_states_in_sql),
	    cmocka_unit_test(forwarded_recorded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
