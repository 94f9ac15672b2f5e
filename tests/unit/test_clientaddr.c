/* base/clientaddr.c: which address a slow-down counts against. The
 * X-Forwarded-For header is believed only from a listed proxy, and then
 * only its right-most address that is not itself a listed proxy: what a
 * client writes to the left of the proxy's entry changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "base/clientaddr.h"

static struct sockaddr_storage v4(const char *text)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	in->sin_family = AF_INET;
	in->sin_port = htons(4242);
	assert_int_equal(inet_pton(AF_INET, text, &in->sin_addr), 1);
	return ss;
}

static struct sockaddr_storage v6(const char *text)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	struct sockaddr_in6 *in = (struct sockaddr_in6 *)&ss;
	in->sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, text, &in->sin6_addr), 1);
	return ss;
}

/* The client as text, "" when none is known. */
static const char *who(const char *trusted, const struct sockaddr_storage *peer,
		       const char *const *xff, size_t n)
{
	static char out[INET6_ADDRSTRLEN];
	struct sockaddr_storage ss;
	clientaddr_resolve(trusted, (const struct sockaddr *)peer, xff, n, &ss);
	out[0] = '\0';
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, out, sizeof out);
	else if (ss.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, out, sizeof out);
	return out;
}

static void test_list(void **state)
{
	(void)state;
	assert_true(clientaddr_list_ok("127.0.0.1"));
	assert_true(clientaddr_list_ok("127.0.0.1, ::1"));
	assert_true(clientaddr_list_ok(" 10.0.0.0/8,192.168.1.7 fd00::/8 "));
	assert_false(clientaddr_list_ok(""));
	assert_false(clientaddr_list_ok(" , "));
	assert_false(clientaddr_list_ok("localhost"));
	assert_false(clientaddr_list_ok("10.0.0.0/33"));
	assert_false(clientaddr_list_ok("10.0.0.0/x"));
	assert_false(clientaddr_list_ok("10.0.0.1/"));
	assert_false(clientaddr_list_ok("::1/129"));
	assert_false(clientaddr_list_ok("1.2.3.4:80"));

	struct sockaddr_storage a = v4("10.1.2.3"), b = v4("10.2.0.1"), c = v6("fd00::5"),
				m = v6("::ffff:10.1.2.3");
	const char *list = "10.1.0.0/16, fd00::/8";
	assert_true(clientaddr_trusted(list, (struct sockaddr *)&a));
	assert_false(clientaddr_trusted(list, (struct sockaddr *)&b));
	assert_true(clientaddr_trusted(list, (struct sockaddr *)&c));
	assert_true(clientaddr_trusted(list, (struct sockaddr *)&m)); /* mapped = IPv4 */
	assert_false(clientaddr_trusted(NULL, (struct sockaddr *)&a));
	assert_false(clientaddr_trusted("10.1.2.4", (struct sockaddr *)&a));
	assert_true(clientaddr_trusted("10.1.2.0/31, 10.1.2.2/31", (struct sockaddr *)&a));
}

static void test_resolve(void **state)
{
	(void)state;
	struct sockaddr_storage proxy = v4("127.0.0.1"), stranger = v4("203.0.113.9");
	const char *one[] = {"198.51.100.7"};
	const char *spoofed[] = {"1.1.1.1, 198.51.100.7"};
	const char *chain[] = {"1.1.1.1, 198.51.100.7, 10.0.0.2"};
	const char *lines[] = {"1.1.1.1", "198.51.100.7 ,10.0.0.2"};
	const char *junk[] = {"not-an-address"};
	const char *junk_left[] = {"x, 198.51.100.7"};
	const char *junk_right[] = {"198.51.100.7, x"};
	const char *all_proxies[] = {"10.0.0.3, 10.0.0.2"};
	const char *six[] = {"[2001:db8::1]"};
	const char *empty[] = {""};

	/* no list: the peer, whatever the header says */
	assert_string_equal(who(NULL, &proxy, one, 1), "127.0.0.1");
	/* the peer is no listed proxy: the header is ignored */
	assert_string_equal(who("127.0.0.1", &stranger, one, 1), "203.0.113.9");
	/* from the proxy: its entry */
	assert_string_equal(who("127.0.0.1", &proxy, one, 1), "198.51.100.7");
	/* a client's own X-Forwarded-For, appended to by the proxy: the
	 * client's part does not count */
	assert_string_equal(who("127.0.0.1", &proxy, spoofed, 1), "198.51.100.7");
	/* two proxies: the right-most one not listed */
	assert_string_equal(who("127.0.0.1, 10.0.0.0/8", &proxy, chain, 1), "198.51.100.7");
	/* a second header line counts as appended to the first */
	assert_string_equal(who("127.0.0.1, 10.0.0.0/8", &proxy, lines, 2), "198.51.100.7");
	/* no header, or an empty one: the proxy */
	assert_string_equal(who("127.0.0.1", &proxy, NULL, 0), "127.0.0.1");
	assert_string_equal(who("127.0.0.1", &proxy, empty, 1), "127.0.0.1");
	/* not an address: the last proxy; junk left of the client is not read */
	assert_string_equal(who("127.0.0.1", &proxy, junk, 1), "127.0.0.1");
	assert_string_equal(who("127.0.0.1", &proxy, junk_left, 1), "198.51.100.7");
	assert_string_equal(who("127.0.0.1", &proxy, junk_right, 1), "127.0.0.1");
	/* every hop a listed proxy: the farthest */
	assert_string_equal(who("127.0.0.1, 10.0.0.0/8", &proxy, all_proxies, 1), "10.0.0.3");
	assert_string_equal(who("127.0.0.1", &proxy, six, 1), "2001:db8::1");
	/* no peer known */
	assert_string_equal(who("127.0.0.1", NULL, one, 1), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_list),
	    cmocka_unit_test(test_resolve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
