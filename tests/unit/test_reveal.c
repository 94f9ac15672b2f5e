/* The pure parts of revealing an identity (workflow/reveal.c): the
 * slow-down after wrong custodian passphrases, the approver's role and
 * the state names; and the refusal texts staff pages show for every
 * workflow code (staff/refusal.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "staff/refusal.h"
#include "workflow/reveal.h"

static void slow_down(void **state)
{
	(void)state;
	/* free, free, then 15 s doubling up to 15 minutes */
	assert_int_equal(reveal_delay_after(0), 0);
	assert_int_equal(reveal_delay_after(1), 0);
	assert_int_equal(reveal_delay_after(REVEAL_FREE_FAILURES), 0);
	assert_int_equal(reveal_delay_after(3), 15);
	assert_int_equal(reveal_delay_after(4), 30);
	assert_int_equal(reveal_delay_after(5), 60);
	assert_int_equal(reveal_delay_after(8), 480);
	assert_int_equal(reveal_delay_after(9), 900);
	assert_int_equal(reveal_delay_after(1000), 900);
	for (int n = 1; n < 40; n++)
		assert_true(reveal_delay_after(n) >= reveal_delay_after(n - 1));
}

static void approver(void **state)
{
	(void)state;
	struct reveal r;
	memset(&r, 0, sizeof(r));
	assert_string_equal(reveal_approver_role(&r), "director");
	r.director_named = true;
	assert_string_equal(reveal_approver_role(&r), "alternate");
}

static void check_open(void **state)
{
	(void)state;
	struct reveal r;
	struct wf_error e = {0};
	memset(&r, 0, sizeof(r));
	strcpy(r.id, "7");
	r.requested_by = 5;
	r.state = REVEAL_REQUESTED;
	assert_false(reveal_check_open(&r, 9, &e));
	assert_int_equal(e.code, WF_NOT_APPROVED);
	r.state = REVEAL_REJECTED;
	assert_false(reveal_check_open(&r, 9, &e));
	assert_int_equal(e.code, WF_REVEAL_STATE);
	r.state = REVEAL_REVEALED;
	assert_false(reveal_check_open(&r, 9, &e));
	assert_int_equal(e.code, WF_REVEAL_STATE);
	r.state = REVEAL_APPROVED;
	assert_false(reveal_check_open(&r, 5, &e));
	assert_int_equal(e.code, WF_CUSTODIAN_REQUESTER);
	assert_true(reveal_check_open(&r, 9, &e));
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
			if (other != WF_DB && other != WF_CRYPTO && code != WF_DB && code != WF_CRYPTO)
				assert_int_not_equal(m, refusal_text((enum wf_code)other));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(slow_down),
		cmocka_unit_test(approver),
		cmocka_unit_test(check_open),
		cmocka_unit_test(refusal_texts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
