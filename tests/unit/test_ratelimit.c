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

int main(void)
{
	if (!crypto_init())
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(doubles_then_caps),
		cmocka_unit_test(clients_apart_and_window),
		cmocka_unit_test(many_clients_do_not_crash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
