/* The pure parts of revealing an identity (workflow/reveal.c): the
 * approver's role, the custodian's check before a release and the state
 * names; and the refusal texts staff pages show for every
 * workflow code (staff/refusal.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "staff/refusal.h"
#include "workflow/reveal.h"

static void approver(void **state)
{
	(void)state;
	struct reveal r;
	memset(&r, 0, sizeof(r));
	assert_string_equal(reveal_approver_role(&r), "director");
	r.director_named = true;
	assert_string_equal(reveal_approver_role(&r), "alternate");
}

static void check_release(void **state)
{
	(void)state;
	struct reveal r;
	struct wf_error e = {0};
	memset(&r, 0, sizeof(r));
	strcpy(r.id, "7");
	r.requested_by = 5;
	r.state = REVEAL_REQUESTED;
	assert_false(reveal_check_release(&r, 9, &e));
	assert_int_equal(e.code, WF_NOT_APPROVED);
	r.state = REVEAL_REJECTED;
	assert_false(reveal_check_release(&r, 9, &e));
	assert_int_equal(e.code, WF_REVEAL_STATE);
	r.state = REVEAL_REVEALED;
	assert_false(reveal_check_release(&r, 9, &e));
	assert_int_equal(e.code, WF_REVEAL_STATE);
	r.state = REVEAL_APPROVED;
	assert_false(reveal_check_release(&r, 5, &e));
	assert_int_equal(e.code, WF_CUSTODIAN_REQUESTER);
	assert_true(reveal_check_release(&r, 9, &e));
	assert_string_equal(reveal_state_name(REVEAL_APPROVED), "approved");
}

/* Every refusal a person can act on has its own text; only the database
 * and encryption fall back to the generic one. */
static void refusal_texts(void **state)
{
	(void)state;
	for (int code = WF_OK + 1; code < WF_CODE_COUNT; code++) {
		enum msg m = refusal_text((enum wf_code)code);
		if (code == WF_DB || code == WF_CRYPTO)
			assert_int_equal(m, M_WF_FAILED);
		else
			assert_int_not_equal(m, M_WF_FAILED);
		for (int other = code + 1; other < WF_CODE_COUNT; other++) {
			if (other != WF_DB && other != WF_CRYPTO && code != WF_DB &&
			    code != WF_CRYPTO)
				assert_int_not_equal(m, refusal_text((enum wf_code)other));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(approver),
	    cmocka_unit_test(check_release),
	    cmocka_unit_test(refusal_texts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
