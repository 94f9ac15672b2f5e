/* intake/receiptbox.c: the receipts of reports just sent, kept for the
 * receipt page under an opaque token for a short time, then wiped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/keys.h"
#include "intake/receiptbox.h"

static int group_setup(void **state)
{
	(void)state;
	return keys_init() ? 0 : -1;
}

static struct receiptbox_entry entry(const char *reg_no)
{
	struct receiptbox_entry e;
	memset(&e, 0, sizeof(e));
	snprintf(e.receipt, sizeof(e.receipt), "%s", "3141592653589793238462643382");
	snprintf(e.reg_no, sizeof(e.reg_no), "%s", reg_no);
	snprintf(e.registered_at, sizeof(e.registered_at), "%s", "2026-12-07 14:05");
	snprintf(e.director_involved, sizeof(e.director_involved), "%s", "no");
	return e;
}

static void put_then_get_until_expiry(void **state)
{
	(void)state;
	struct receiptbox *box = receiptbox_new(8);
	assert_non_null(box);
	struct receiptbox_entry e = entry("2026-000001"), got;
	char token[RECEIPTBOX_TOKEN_SIZE];
	receiptbox_put(box, &e, 1000, 900, token);
	assert_int_equal(strlen(token), RECEIPTBOX_TOKEN_SIZE - 1);
	/* the token says nothing of the receipt */
	assert_null(strstr(token, "3141"));
	/* shown again and again (reload, Back, another language) */
	for (int i = 0; i < 5; i++) {
		memset(&got, 0, sizeof(got));
		assert_true(receiptbox_get(box, token, 1000 + 899, &got));
		assert_string_equal(got.receipt, e.receipt);
		assert_string_equal(got.reg_no, "2026-000001");
		assert_string_equal(got.registered_at, "2026-12-07 14:05");
		assert_string_equal(got.director_involved, "no");
	}
	/* gone at its time, and stays gone */
	assert_false(receiptbox_get(box, token, 1900, &got));
	assert_false(receiptbox_get(box, token, 1000, &got));
	receiptbox_free(box);
}

static void wrong_tokens_are_refused(void **state)
{
	(void)state;
	struct receiptbox *box = receiptbox_new(4);
	struct receiptbox_entry e = entry("2026-000002"), got;
	char token[RECEIPTBOX_TOKEN_SIZE], other[RECEIPTBOX_TOKEN_SIZE];
	receiptbox_put(box, &e, 0, 60, token);
	memcpy(other, token, sizeof(other));
	other[10] = other[10] == '0' ? '1' : '0'; /* one digit of the secret */
	assert_false(receiptbox_get(box, other, 1, &got));
	memcpy(other, token, sizeof(other));
	other[0] = 'f'; /* another slot */
	assert_false(receiptbox_get(box, other, 1, &got));
	assert_false(receiptbox_get(box, "", 1, &got));
	assert_false(receiptbox_get(box, NULL, 1, &got));
	assert_false(receiptbox_get(box, "0000zz", 1, &got));
	other[RECEIPTBOX_TOKEN_SIZE - 2] = '\0'; /* one digit short */
	assert_false(receiptbox_get(box, other, 1, &got));
	/* the right one still works */
	assert_true(receiptbox_get(box, token, 1, &got));
	receiptbox_free(box);
}

static void a_slot_reused_refuses_the_old_token(void **state)
{
	(void)state;
	struct receiptbox *box = receiptbox_new(1);
	struct receiptbox_entry a = entry("2026-000003"), b = entry("2026-000004"), got;
	char ta[RECEIPTBOX_TOKEN_SIZE], tb[RECEIPTBOX_TOKEN_SIZE];
	receiptbox_put(box, &a, 0, 60, ta);
	receiptbox_put(box, &b, 1, 60, tb);
	assert_false(receiptbox_get(box, ta, 2, &got));
	assert_true(receiptbox_get(box, tb, 2, &got));
	assert_string_equal(got.reg_no, "2026-000004");
	receiptbox_free(box);
}

/* A full box gives up a receipt already shown before one never shown. */
static void full_box_keeps_the_unshown(void **state)
{
	(void)state;
	struct receiptbox *box = receiptbox_new(3);
	struct receiptbox_entry got;
	char t[4][RECEIPTBOX_TOKEN_SIZE];
	const char *regs[4] = {"2026-000010", "2026-000011", "2026-000012", "2026-000013"};
	for (int i = 0; i < 3; i++) {
		struct receiptbox_entry e = entry(regs[i]);
		receiptbox_put(box, &e, i, 600, t[i]);
	}
	assert_true(receiptbox_get(box, t[1], 5, &got)); /* the second was shown */
	struct receiptbox_entry e = entry(regs[3]);
	receiptbox_put(box, &e, 6, 600, t[3]);
	assert_true(receiptbox_get(box, t[0], 7, &got)); /* the oldest, never shown, kept */
	assert_false(receiptbox_get(box, t[1], 7, &got));
	assert_true(receiptbox_get(box, t[2], 7, &got));
	assert_true(receiptbox_get(box, t[3], 7, &got));
	receiptbox_free(box);
}

static void sweep_wipes_what_expired(void **state)
{
	(void)state;
	struct receiptbox *box = receiptbox_new(4);
	struct receiptbox_entry got, e = entry("2026-000020");
	char a[RECEIPTBOX_TOKEN_SIZE], b[RECEIPTBOX_TOKEN_SIZE];
	receiptbox_put(box, &e, 0, 10, a);
	receiptbox_put(box, &e, 0, 100, b);
	assert_int_equal(receiptbox_sweep(box, 5), 2);
	assert_int_equal(receiptbox_sweep(box, 10), 1);
	assert_int_equal(receiptbox_sweep(box, 100), 0);
	assert_false(receiptbox_get(box, b, 50, &got));
	receiptbox_free(box);
	receiptbox_free(NULL);
	assert_null(receiptbox_new(0));
	assert_null(receiptbox_new(65537));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(put_then_get_until_expiry),
	    cmocka_unit_test(wrong_tokens_are_refused),
	    cmocka_unit_test(a_slot_reused_refuses_the_old_token),
	    cmocka_unit_test(full_box_keeps_the_unshown),
	    cmocka_unit_test(sweep_wipes_what_expired),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
