/* Who receives each notice (workflow/recipient.h), case by case: the
 * director, or the alternate recipient when the case names the director
 * or is not triaged yet; escalations of the triage and of the director's
 * own notice go past the director; compliance gets what it has to act
 * on. The table is the rule as docs/procedure.md states it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "workflow/recipient.h"

#define C RECIPIENT_COMPLIANCE
#define D RECIPIENT_DIRECTOR
#define A RECIPIENT_ALTERNATE
#define NONE (-1)

static const struct {
	enum notice_kind kind;
	const char *deadline;
	bool named, triaged;
	int to[RECIPIENT_MAX]; /* NONE pads */
} rules[] = {
    /* the director's new case (004 p.10.6) */
    {NOTICE_DIRECTOR_NEW, "director_notice", false, true, {D, NONE}},
    {NOTICE_DIRECTOR_NEW, "director_notice", true, true, {A, NONE}},
    /* urgent: compliance forwards it, the director is told */
    {NOTICE_URGENT, "urgent_forward", false, true, {C, D}},
    {NOTICE_URGENT, "urgent_forward", true, true, {C, A}},
    {NOTICE_INVESTIGATION_ORDERED, "investigation", false, true, {C, D}},
    {NOTICE_INVESTIGATION_ORDERED, "investigation", true, true, {C, A}},
    /* management decides on the conclusion (004 p.7.11) */
    {NOTICE_CONCLUSION_SUBMITTED, "investigation", false, true, {D, NONE}},
    {NOTICE_CONCLUSION_SUBMITTED, "investigation", true, true, {A, NONE}},
    /* a new appeal: compliance triages it, nobody else has read it */
    {NOTICE_REGISTERED, "triage", false, false, {C, NONE}},
    {NOTICE_REGISTERED, "triage", true, false, {C, NONE}},
    {NOTICE_REPORTER_MESSAGE, NULL, false, true, {C, NONE}},
    {NOTICE_REPORTER_MESSAGE, NULL, true, true, {C, NONE}},
    /* triage: reminded to compliance; escalated one level up, never to
     * the director (nobody checked whether the report names them) */
    {NOTICE_REMINDER, "triage", false, false, {C, NONE}},
    {NOTICE_REMINDER, "triage", true, false, {C, NONE}},
    {NOTICE_OVERDUE, "triage", false, false, {A, C}},
    {NOTICE_OVERDUE, "triage", true, false, {A, C}},
    {NOTICE_OVERDUE, "triage", false, true, {A, C}},
    /* the reply: compliance writes it (004 L196); late, it goes up */
    {NOTICE_REMINDER, "reply", false, true, {C, NONE}},
    {NOTICE_REMINDER, "reply", true, true, {C, NONE}},
    {NOTICE_OVERDUE, "reply", false, true, {C, D}},
    {NOTICE_OVERDUE, "reply", true, true, {C, A}},
    {NOTICE_OVERDUE, "reply", false, false, {C, A}},
    /* the director's own duty: reminded to them (or the alternate);
     * late, the alternate and compliance are told */
    {NOTICE_REMINDER, "director_notice", false, true, {D, NONE}},
    {NOTICE_REMINDER, "director_notice", true, true, {A, NONE}},
    {NOTICE_REMINDER, "director_notice", false, false, {A, NONE}},
    {NOTICE_OVERDUE, "director_notice", false, true, {A, C}},
    {NOTICE_OVERDUE, "director_notice", true, true, {A, C}},
    /* materials are compliance's to chase */
    {NOTICE_REMINDER, "material_request", false, true, {C, NONE}},
    {NOTICE_OVERDUE, "material_request", true, true, {C, NONE}},
    /* the investigation and the urgent forward: both */
    {NOTICE_REMINDER, "investigation", false, true, {C, D}},
    {NOTICE_OVERDUE, "investigation", false, true, {C, D}},
    {NOTICE_OVERDUE, "investigation", true, true, {C, A}},
    {NOTICE_REMINDER, "urgent_forward", false, true, {C, D}},
    {NOTICE_OVERDUE, "urgent_forward", true, true, {C, A}},
    {NOTICE_OVERDUE, "urgent_forward", false, false, {C, A}},
};

static void case_by_case(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		enum recipient got[RECIPIENT_MAX];
		int n = recipient_list(rules[i].kind, rules[i].deadline, rules[i].named,
				       rules[i].triaged, got);
		int want = rules[i].to[1] == NONE ? 1 : 2;
		print_message("rule %zu: kind %d %s named %d triaged %d\n", i, rules[i].kind,
			      rules[i].deadline ? rules[i].deadline : "-", rules[i].named,
			      rules[i].triaged);
		assert_int_equal(n, want);
		for (int r = 0; r < n; r++)
			assert_int_equal(got[r], rules[i].to[r]);
	}
}

/* The one rule under every notice: the director, unless the case names
 * the director or is not triaged yet. */
static void director_or_alternate(void **state)
{
	(void)state;
	assert_int_equal(recipient_director(false, true), RECIPIENT_DIRECTOR);
	assert_int_equal(recipient_director(true, true), RECIPIENT_ALTERNATE);
	assert_int_equal(recipient_director(false, false), RECIPIENT_ALTERNATE);
	assert_int_equal(recipient_director(true, false), RECIPIENT_ALTERNATE);
}

/* Whatever the notice, the director is never told of a case that names
 * them or that nobody has triaged. */
static void never_the_director_when_named(void **state)
{
	(void)state;
	static const char *const deadlines[] = {"triage",	   "reply",
						"director_notice", "material_request",
						"investigation",   "urgent_forward"};
	for (int k = NOTICE_DIRECTOR_NEW; k <= NOTICE_REPORTER_MESSAGE; k++) {
		for (size_t d = 0; d < sizeof(deadlines) / sizeof(deadlines[0]); d++) {
			for (int named = 0; named < 2; named++) {
				for (int triaged = 0; triaged < 2; triaged++) {
					enum recipient got[RECIPIENT_MAX];
					int n = recipient_list((enum notice_kind)k, deadlines[d],
							       named, triaged, got);
					assert_in_range(n, 1, RECIPIENT_MAX);
					for (int r = 0; r < n; r++) {
						if (named || !triaged)
							assert_int_not_equal(got[r],
									     RECIPIENT_DIRECTOR);
					}
				}
			}
		}
	}
}

static void settings_keys(void **state)
{
	(void)state;
	assert_string_equal(recipient_setting(RECIPIENT_COMPLIANCE), "compliance_email");
	assert_string_equal(recipient_setting(RECIPIENT_DIRECTOR), "director_email");
	assert_string_equal(recipient_setting(RECIPIENT_ALTERNATE), "alternate_email");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(case_by_case),
	    cmocka_unit_test(director_or_alternate),
	    cmocka_unit_test(never_the_director_when_named),
	    cmocka_unit_test(settings_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
