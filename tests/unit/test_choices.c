/* Whether a reporter gives their name (intake/choices.h): contact details
 * are never dropped unasked, on the public form and the staff forms alike;
 * and the triage of an anonymous appeal under p.6.3 with the organisation's
 * policy (workflow/procedure.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "intake/choices.h"
#include "workflow/procedure.h"

static void identity_choices(void **state)
{
	(void)state;
	assert_int_equal(choices_identity("named", true), CHOICES_NAMED);
	assert_int_equal(choices_identity("named", false), CHOICES_NAMED_EMPTY);
	assert_int_equal(choices_identity("anonymous", true), CHOICES_ASK);
	assert_int_equal(choices_identity("anonymous", false), CHOICES_ANONYMOUS);
	assert_int_equal(choices_identity("anonymous_drop", true), CHOICES_ANONYMOUS);
	assert_int_equal(choices_identity("anonymous_drop", false), CHOICES_ANONYMOUS);
	/* nothing chosen (or something unknown): the details decide */
	assert_int_equal(choices_identity("", true), CHOICES_NAMED);
	assert_int_equal(choices_identity(NULL, true), CHOICES_NAMED);
	assert_int_equal(choices_identity("Anonymous", true), CHOICES_NAMED);
	assert_int_equal(choices_identity("", false), CHOICES_ANONYMOUS);
}

static void identity_radios(void **state)
{
	(void)state;
	const struct choices_identity_labels l = {M_FORM_ANONYMOUS, M_FORM_NAMED, M_FORM_ASK_NAMED,
						  M_FORM_ASK_DROP};
	struct buf b;
	buf_init(&b);
	choices_identity_radios(&b, LANG_EN, "anonymous", false, &l);
	assert_non_null(strstr(b.data, "value=\"anonymous\" checked"));
	assert_null(strstr(b.data, "anonymous_drop"));
	assert_null(strstr(b.data, "required"));
	buf_wipe(&b);
	/* the question: two answers, none chosen for the reporter, one needed */
	choices_identity_radios(&b, LANG_EN, "anonymous", true, &l);
	assert_non_null(strstr(b.data, "value=\"named\" required"));
	assert_non_null(strstr(b.data, "value=\"anonymous_drop\" required"));
	assert_null(strstr(b.data, "checked"));
	assert_null(strstr(b.data, "value=\"anonymous\""));
	buf_wipe(&b);
}

static void anonymous_triage(void **state)
{
	(void)state;
	assert_false(procedure_considers_anonymous(NULL));
	assert_false(procedure_considers_anonymous("off"));
	assert_false(procedure_considers_anonymous(""));
	assert_true(procedure_considers_anonymous("on"));
	assert_true(procedure_considers_anonymous("YES"));
	/* anonymous: not considered or urgent; corruption only by the policy */
	assert_null(procedure_triage_refusal(true, TRIAGE_ANONYMOUS, false));
	assert_null(procedure_triage_refusal(true, TRIAGE_URGENT, false));
	assert_null(procedure_triage_refusal(true, TRIAGE_NOT_CORRUPTION, false));
	assert_non_null(strstr(procedure_triage_refusal(true, TRIAGE_CORRUPTION, false), "crime"));
	assert_null(procedure_triage_refusal(true, TRIAGE_CORRUPTION, true));
	/* named: can be answered */
	assert_null(procedure_triage_refusal(false, TRIAGE_CORRUPTION, false));
	assert_non_null(procedure_triage_refusal(false, TRIAGE_ANONYMOUS, true));
	assert_non_null(procedure_triage_refusal(false, TRIAGE_URGENT, false));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(identity_choices),
	    cmocka_unit_test(identity_radios),
	    cmocka_unit_test(anonymous_triage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
