/* One-time activation codes and key fingerprints (accounts/activation.c).
 * Expected values computed independently with Python's hashlib.blake2b
 * (digest_size=32). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "accounts/activation.h"

static void code_shape_and_alphabet(void **state)
{
	(void)state;
	for (int n = 0; n < 200; n++) {
		char code[ACTIVATION_CODE_SIZE];
		activation_code_new(code);
		assert_int_equal(strlen(code), 23);
		for (int i = 0; i < 23; i++) {
			if (i % 6 == 5)
				assert_int_equal(code[i], '-');
			else
				assert_non_null(
				    strchr("abcdefghijkmnpqrstuvwxyz23456789", code[i]));
		}
		unsigned char h[ACTIVATION_HASH_BYTES];
		assert_true(activation_code_hash("someone", code, h));
	}
	char one[ACTIVATION_CODE_SIZE], two[ACTIVATION_CODE_SIZE];
	activation_code_new(one);
	activation_code_new(two);
	assert_string_not_equal(one, two);
}

static void code_hash_known_answer_and_typing(void **state)
{
	(void)state;
	static const char want[] =
	    "7b6a92686b30f5629b3b9a624fdb9ceb3c0246d1af1c259db3c1a73b1ee0ff68";
	unsigned char h[ACTIVATION_HASH_BYTES], again[ACTIVATION_HASH_BYTES];
	char hex[2 * ACTIVATION_HASH_BYTES + 1];
	assert_true(activation_code_hash("aigerim", "abcde-fghij-k2345-6789m", h));
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	assert_string_equal(hex, want);
	/* as a person may type it: upper case, spaces, no dashes */
	assert_true(activation_code_hash("aigerim", " ABCDE FGHIJ k2345 6789M ", again));
	assert_memory_equal(h, again, sizeof h);
	/* bound to the login */
	assert_true(activation_code_hash("aigerim2", "abcde-fghij-k2345-6789m", again));
	assert_memory_not_equal(h, again, sizeof h);
	/* not a code: too short, too long, outside the alphabet (l, o, 0, 1) */
	assert_false(activation_code_hash("aigerim", "abcde-fghij-k2345-6789", h));
	assert_false(activation_code_hash("aigerim", "abcde-fghij-k2345-6789mm", h));
	assert_false(activation_code_hash("aigerim", "abcde-fghij-k2345-6789l", h));
	assert_false(activation_code_hash("aigerim", "abcde-fghij-k2345-67890", h));
	assert_false(activation_code_hash("aigerim", "", h));
}

static void fingerprint_known_answer(void **state)
{
	(void)state;
	unsigned char pk[32];
	for (int i = 0; i < 32; i++)
		pk[i] = (unsigned char)i;
	char fp[FINGERPRINT_TEXT_SIZE];
	activation_fingerprint(pk, fp);
	assert_string_equal(fp, "cb2f 5160 fc1f 7e05 a55e f49d 340b 48da");
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(code_shape_and_alphabet),
	    cmocka_unit_test(code_hash_known_answer_and_typing),
	    cmocka_unit_test(fingerprint_known_answer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
