/* crypto/devcookie.c and accounts/devtrust.c: a device cookie is trusted only
 * as made by this key, for its account, within its lifetime, and for no
 * more than DEVTRUST_MAX_FAILURES tries that failed, each counted before
 * it is checked (docs/staff.md, "Failed logins"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto/devcookie.h"
#include "crypto/keys.h"
#include "accounts/devtrust.h"

static void test_cookie(void **state)
{
	(void)state;
	assert_true(keys_init());
	struct devcookie_key *k = devcookie_key_new(), *other = devcookie_key_new();
	assert_non_null(k);
	assert_non_null(other);
	time_t now = 1800000000;
	char a[DEVCOOKIE_TEXT_SIZE], b[DEVCOOKIE_TEXT_SIZE];
	assert_true(devcookie_make(k, 42, now, a));
	assert_true(devcookie_make(k, 42, now, b));
	assert_string_not_equal(a, b); /* a fresh nonce each time */
	long long who = 0;
	unsigned char na[DEVCOOKIE_NONCE_BYTES], nb[DEVCOOKIE_NONCE_BYTES];
	assert_true(devcookie_check(k, a, now + 10, &who, na));
	assert_int_equal(who, 42);
	assert_true(devcookie_check(k, b, now, &who, nb));
	assert_memory_not_equal(na, nb, sizeof na);
	/* another key (a restart), every altered character, junk, expiry */
	assert_false(devcookie_check(other, a, now, &who, na));
	assert_int_equal(who, 0);
	for (size_t i = 0; a[i]; i++) {
		char c[DEVCOOKIE_TEXT_SIZE];
		memcpy(c, a, sizeof c);
		c[i] = c[i] == 'A' ? 'B' : 'A';
		assert_false(devcookie_check(k, c, now, &who, na));
	}
	char longer[DEVCOOKIE_TEXT_SIZE + 2];
	snprintf(longer, sizeof longer, "%sA", a);
	assert_false(devcookie_check(k, longer, now, &who, na));
	assert_false(devcookie_check(k, "", now, &who, na));
	assert_false(devcookie_check(k, NULL, now, &who, na));
	assert_true(devcookie_check(k, a, now + DEVCOOKIE_LIFETIME, &who, na));
	assert_false(devcookie_check(k, a, now + DEVCOOKIE_LIFETIME + 1, &who, na));
	assert_false(devcookie_check(k, a, now - 61, &who, na));
	assert_false(devcookie_make(k, 0, now, a));
	devcookie_key_free(k);
	devcookie_key_free(other);
}

static void test_trust(void **state)
{
	(void)state;
	struct devtrust *d = devtrust_new();
	assert_non_null(d);
	time_t now = 1800000000;
	unsigned char n1[DEVCOOKIE_NONCE_BYTES], n2[DEVCOOKIE_NONCE_BYTES];
	memset(n1, 1, sizeof n1);
	memset(n2, 2, sizeof n2);
	for (unsigned i = 1; i < DEVTRUST_MAX_FAILURES; i++) {
		assert_int_equal(devtrust_take(d, n1, now), i);
		assert_true(devtrust_ok(d, n1, now));
	}
	assert_int_equal(devtrust_take(d, n1, now), DEVTRUST_MAX_FAILURES);
	assert_false(devtrust_ok(d, n1, now));
	assert_int_equal(devtrust_take(d, n1, now), 0); /* no more tries */
	assert_false(devtrust_ok(d, n1, now + 3600));	/* time does not forgive */
	assert_true(devtrust_ok(d, n2, now));		/* another cookie: its own */
	/* a success gives its try back; earlier failures stay */
	assert_int_equal(devtrust_take(d, n2, now), 1);
	assert_int_equal(devtrust_take(d, n2, now), 2);
	devtrust_give_back(d, n2);
	assert_int_equal(devtrust_take(d, n2, now), 2);
	devtrust_give_back(d, n2);
	devtrust_give_back(d, n2);
	assert_true(devtrust_ok(d, n2, now)); /* back to none: its slot is free */
	/* full: a cookie that cannot be counted gives no trust */
	unsigned char n[DEVCOOKIE_NONCE_BYTES];
	memset(n, 0, sizeof n);
	for (unsigned i = 0; i < DEVTRUST_SLOTS - 1; i++) { /* n1 holds one */
		memcpy(n, &i, sizeof i);
		n[15] = 0x7f;
		assert_int_equal(devtrust_take(d, n, now), 1);
	}
	assert_false(devtrust_ok(d, n2, now));
	assert_int_equal(devtrust_take(d, n2, now), 0);
	assert_true(devtrust_ok(d, n, now)); /* counted ones keep their count */
	devtrust_free(d);
}

/* The key is in read-only guarded pages (docs/keys.md, "What memory
 * holds"): a write kills the writer with SIGSEGV; the cookies it makes
 * still check. */
static void test_key_memory(void **state)
{
	(void)state;
	assert_true(keys_init());
	struct devcookie_key *k = devcookie_key_new();
	assert_non_null(k);
	char a[DEVCOOKIE_TEXT_SIZE];
	assert_true(devcookie_make(k, 7, 1800000000, a));
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit none = {0, 0};
		setrlimit(RLIMIT_CORE, &none);
		signal(SIGSEGV, SIG_DFL); /* cmocka catches it otherwise */
		((volatile unsigned char *)k)[0] ^= 1;
		_exit(0);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSEGV);
	long long who = 0;
	unsigned char n[DEVCOOKIE_NONCE_BYTES];
	assert_true(devcookie_check(k, a, 1800000000, &who, n));
	devcookie_key_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cookie),
	    cmocka_unit_test(test_trust),
	    cmocka_unit_test(test_key_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
