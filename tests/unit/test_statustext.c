/* The status page's choice of texts (intake/statustext.h) over every
 * combination of its facts: a report that names the director never reads
 * "the director" as the one who has it, is told or decides; an ended case
 * says it is finished (once its materials have gone) and never that it
 * waits; "not considered" always comes with its reason and what the
 * reporter can still do. The texts per row are the integration test's
 * (test_status_texts.py, against docs/http.md). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "intake/statustext.h"

static const char *const decisions[] = {"", "forward", "investigate", "forward_and_investigate",
					"no_grounds"};
static const char *const inv_decisions[] = {"", "stop", "hand_over", "disciplinary",
					    "other_measures"};

static bool has(const struct status_line *l, size_t n, enum msg m)
{
	for (size_t i = 0; i < n; i++) {
		if (l[i].text == m)
			return true;
	}
	return false;
}

/* Calls check for every combination of the facts. */
static void each_case(void (*check)(const struct status_facts *f))
{
	for (int s = 0; s < CASE_STATE_COUNT; s++)
		for (int bits = 0; bits < 64; bits++)
			for (int inv = -1; inv < INV_STATE_COUNT; inv++)
				for (size_t d = 0; d < sizeof(decisions) / sizeof(decisions[0]);
				     d++)
					for (size_t e = 0;
					     e < sizeof(inv_decisions) / sizeof(inv_decisions[0]);
					     e++) {
						struct status_facts f = {
						    .state = (enum case_state)s,
						    .state_known = true,
						    .anonymous = bits & 1,
						    .director_named = bits & 2,
						    .considers_anonymous = bits & 4,
						    .self_report = bits & 8,
						    .materials_sent = bits & 16,
						    .unit_recorded = bits & 32,
						    .decision = decisions[d],
						    .has_investigation = inv >= 0,
						    .inv = inv >= 0 ? (enum investigation_state)inv
								    : INV_ORDERED,
						    .inv_decision = inv_decisions[e],
						};
						check(&f);
					}
}

static const enum msg director_texts[] = {
    M_STATUS_HEAD_TO_DIRECTOR,
    M_STATUS_HEAD_ACK_DIRECTOR,
    M_STATUS_HEAD_SUBMITTED_DIRECTOR,
    M_STATUS_TEXT_DIRECTOR_WHO,
    M_STATUS_TEXT_ACK_DIRECTOR,
    M_STATUS_TEXT_INV_DIRECTOR,
    M_STATUS_TEXT_INV_TO_ORDER_DIRECTOR,
    M_STATUS_TEXT_SUBMITTED_DIRECTOR,
    M_STATUS_TEXT_REG_NEXT,
};

static void check_director(const struct status_facts *f)
{
	struct status_line l[STATUSTEXT_MAX];
	size_t n = statustext_lines(f, l, STATUSTEXT_MAX);
	enum msg head = statustext_headline(f);
	for (size_t i = 0; i < sizeof(director_texts) / sizeof(director_texts[0]); i++) {
		if (f->director_named) {
			assert_int_not_equal(head, director_texts[i]);
			assert_false(has(l, n, director_texts[i]));
		}
	}
	enum msg due;
	assert_true(statustext_deadline("director_notice", f->director_named, &due));
	assert_int_equal(due, f->director_named ? M_STATUS_DUE_ALTERNATE : M_STATUS_DUE_DIRECTOR);
}

static void director_named_reads_the_alternate(void **state)
{
	(void)state;
	each_case(check_director);
}

static void check_ended(const struct status_facts *f)
{
	struct status_line l[STATUSTEXT_MAX];
	size_t n = statustext_lines(f, l, STATUSTEXT_MAX);
	assert_true(n > 0 && n <= STATUSTEXT_MAX);
	enum msg head = statustext_headline(f);
	assert_int_not_equal(head, M_STATUS_HEAD_OTHER);
	bool ended = case_state_ended(f->state);
	if (ended) {
		assert_int_not_equal(head, M_STATUS_HEAD_REGISTERED);
		/* forwarded: finished once the materials have gone */
		assert_int_equal(has(l, n, M_STATUS_TEXT_FINISHED),
				 f->state != CASE_FORWARDED || f->materials_sent);
	} else {
		assert_false(has(l, n, M_STATUS_TEXT_FINISHED));
	}
	if (f->state == CASE_NOT_CONSIDERED) {
		assert_true(has(l, n, M_STATUS_TEXT_NOT_CONSIDERED));
		assert_true(has(l, n, M_STATUS_TEXT_NOT_CONSIDERED_CAN));
		assert_int_equal(has(l, n, M_STATUS_TEXT_NOT_CONSIDERED_UNIT), f->unit_recorded);
	}
	/* the 6.3 warning before triage only where the rule applies */
	assert_int_equal(has(l, n, M_STATUS_TEXT_REG_ANON_RULE),
			 f->state == CASE_REGISTERED && f->anonymous && !f->considers_anonymous);
	/* a reply is promised to a named reporter only */
	if (f->anonymous)
		assert_false(has(l, n, M_STATUS_TEXT_NAMED_REPLY));
	/* every id once */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			assert_string_not_equal(l[i].id, l[j].id);
}

static void ended_cases_say_so(void **state)
{
	(void)state;
	each_case(check_ended);
}

static void unknown_state_says_little(void **state)
{
	(void)state;
	struct status_facts f = {.state_known = false, .decision = "", .inv_decision = ""};
	struct status_line l[STATUSTEXT_MAX];
	assert_int_equal(statustext_headline(&f), M_STATUS_HEAD_OTHER);
	assert_int_equal(statustext_lines(&f, l, STATUSTEXT_MAX), 0);
	enum msg m;
	assert_false(statustext_deadline("material_request", false, &m));
	assert_true(statustext_self_report("gift"));
	assert_false(statustext_self_report("corruption"));
	assert_false(statustext_self_report(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(director_named_reads_the_alternate),
	    cmocka_unit_test(ended_cases_say_so),
	    cmocka_unit_test(unknown_state_says_little),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
