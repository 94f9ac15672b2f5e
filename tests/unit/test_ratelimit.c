/* The receipt-lookup slow-down: free failures, doubling, the cap, the
 * hour-long window, and that clients are kept apart. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "crypto/keys.h"
#include "intake/ratelimit.h"

static struct sockaddr_in addr(const char *ip)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}

static void doubles_then_caps(void **state)
{
	(void)state;
	struct ratelimit *rl = ratelimit_new();
	assert_non_null(rl);
	struct sockaddr_in a = addr("192.0.2.1");
	const struct sockaddr *sa = (const struct sockaddr *)&a;
	time_t now = 1000000;
	unsigned expect[] = {0, 0, 0, 1, 2, 4, 8, 8, 8};
	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		assert_int_equal(ratelimit_delay(rl, sa, 3, 8, now), expect[i]);
		ratelimit_failure(rl, sa, now);
	}
	ratelimit_free(rl);
}

static void clients_apart_and_window(void **state)
{
	(void)state;
	struct ratelimit *rl = ratelimit_new();
	struct sockaddr_in a = addr("192.0.2.1"), b = addr("192.0.2.2");
	time_t now = 1000000;
	for (int i = 0; i < 10; i++)
		ratelimit_failure(rl, (const struct sockaddr *)&a, now);
	assert_int_not_equal(ratelimit_delay(rl, (const struct sockaddr *)&a, 3, 30, now), 0);
	assert_int_equal(ratelimit_delay(rl, (const struct sockaddr *)&b, 3, 30, now), 0);
	/* an hour after the last failure the client starts afresh */
	assert_int_equal(ratelimit_delay(rl, (const struct sockaddr *)&a, 3, 30, now + 3601), 0);
	ratelimit_free(rl);
}

static void many_clients_do_not_crash(void **state)
{
	(void)state;
	struct ratelimit *rl = ratelimit_new();
	struct sockaddr_in a = addr("10.0.0.0");
	for (uint32_t i = 0; i < 100000; i++) {
		a.sin_addr.s_addr = htonl(0x0a000000u + i);
		ratelimit_failure(rl, (const struct sockaddr *)&a, 1000 + i);
	}
	/* the newest are still tracked */
	for (int k = 0; k < 5; k++)
		ratelimit_failure(rl, (const struct sockaddr *)&a, 200000);
	assert_int_not_equal(ratelimit_delay(rl, (const struct sockaddr *)&a, 3, 30, 200000), 0);
	ratelimit_free(rl);
}

static void lookups_in_progress_are_bounded(void **state)
{
	(void)state;
	struct ratelimit *rl = ratelimit_new();
	struct sockaddr_in a = addr("192.0.2.1"), b = addr("192.0.2.2");
	const struct sockaddr *sa = (const struct sockaddr *)&a, *sb = (const struct sockaddr *)&b;
	time_t now = 1000000;
	unsigned sec;
	uint64_t id[8], other;
	/* below the free failures: up to RATELIMIT_PARALLEL at once */
	uint64_t many[RATELIMIT_PARALLEL];
	for (int i = 0; i < RATELIMIT_PARALLEL; i++)
		assert_int_equal(ratelimit_admit(rl, sa, 3, 8, now, &sec, &many[i]), RL_GO);
	assert_int_equal(ratelimit_admit(rl, sa, 3, 8, now, &sec, &id[3]), RL_BUSY);
	assert_int_equal(sec, 1);
	for (int i = 3; i < RATELIMIT_PARALLEL; i++)
		ratelimit_done(rl, many[i]);
	for (int i = 0; i < 3; i++)
		id[i] = many[i];
	/* another client is not concerned */
	assert_int_equal(ratelimit_admit(rl, sb, 3, 8, now, &sec, &other), RL_GO);
	ratelimit_done(rl, other);
	/* the three were wrong: slowed, one at a time */
	for (int i = 0; i < 3; i++) {
		ratelimit_failure(rl, sa, now);
		ratelimit_done(rl, id[i]);
	}
	assert_int_equal(ratelimit_admit(rl, sa, 3, 8, now, &sec, &id[0]), RL_WAIT);
	assert_int_equal(sec, 1);
	for (int i = 0; i < 100; i++) {
		assert_int_equal(ratelimit_admit(rl, sa, 3, 8, now, &sec, &id[1]), RL_BUSY);
		assert_int_equal(sec, 1);
	}
	ratelimit_failure(rl, sa, now);
	ratelimit_done(rl, id[0]);
	assert_int_equal(ratelimit_admit(rl, sa, 3, 8, now, &sec, &id[0]), RL_WAIT);
	assert_int_equal(sec, 2);
	assert_int_equal(ratelimit_admit(rl, sa, 3, 8, now, &sec, &id[1]), RL_BUSY);
	assert_int_equal(sec, 2);
	ratelimit_done(rl, id[0]);
	/* a right receipt (no failure) leaves the delay as it was */
	assert_int_equal(ratelimit_admit(rl, sa, 3, 8, now, &sec, &id[0]), RL_WAIT);
	assert_int_equal(sec, 2);
	ratelimit_done(rl, id[0]);
	/* done more often than admitted does not make room */
	ratelimit_done(rl, id[0]);
	assert_int_equal(ratelimit_admit(rl, sa, 3, 8, now, &sec, &id[0]), RL_WAIT);
	assert_int_equal(ratelimit_admit(rl, sa, 3, 8, now, &sec, &id[1]), RL_BUSY);
	ratelimit_free(rl);
}

static void no_free_failures(void **state)
{
	(void)state;
	struct ratelimit *rl = ratelimit_new();
	struct sockaddr_in a = addr("192.0.2.1");
	const struct sockaddr *sa = (const struct sockaddr *)&a;
	unsigned sec;
	uint64_t id, id2;
	assert_int_equal(ratelimit_admit(rl, sa, 0, 8, 1000, &sec, &id), RL_WAIT);
	assert_int_equal(sec, 1);
	assert_int_equal(ratelimit_admit(rl, sa, 0, 8, 1000, &sec, &id2), RL_BUSY);
	ratelimit_free(rl);
}

int main(void)
{
	if (!keys_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(doubles_then_caps),
	    cmocka_unit_test(clients_apart_and_window),
	    cmocka_unit_test(many_clients_do_not_crash),
	    cmocka_unit_test(lookups_in_progress_are_bounded),
	    cmocka_unit_test(no_free_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
