/* libFuzzer harness: the trusted_proxies list and the X-Forwarded-For walk
 * (base/clientaddr.c), the header being whatever a client sends. Input:
 * the list, a newline, then header lines separated by newlines. Checks that
 * a list accepted by clientaddr_list_ok() names something; that from a peer
 * the list does not trust the peer is the client; that from a trusted peer
 * the client is an address (never none); and that when the walk ends at an
 * address no listed proxy has, anything a client puts to the left of the
 * first line changes nothing. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/clientaddr.h"

#define MAX_LINES 8

static int same(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET) {
		struct sockaddr_in x, y;
		memcpy(&x, a, sizeof x);
		memcpy(&y, b, sizeof y);
		return memcmp(&x.sin_addr, &y.sin_addr, sizeof x.sin_addr) == 0;
	}
	if (a->ss_family == AF_INET6) {
		struct sockaddr_in6 x, y;
		memcpy(&x, a, sizeof x);
		memcpy(&y, b, sizeof y);
		return memcmp(&x.sin6_addr, &y.sin6_addr, sizeof x.sin6_addr) == 0;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	if (strlen(text) != size) { /* a header holds no NUL */
		free(text);
		return 0;
	}
	char *list = text;
	const char *lines[MAX_LINES];
	size_t n = 0;
	char *nl = strchr(text, '\n');
	while (nl && n < MAX_LINES) {
		*nl = '\0';
		lines[n++] = nl + 1;
		nl = strchr(nl + 1, '\n');
	}
	if (nl)
		*nl = '\0';

	bool ok = clientaddr_list_ok(list);
	if (ok && strspn(list, " ,\t") == strlen(list))
		abort();

	struct sockaddr_in peer4;
	memset(&peer4, 0, sizeof peer4);
	peer4.sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", &peer4.sin_addr);
	struct sockaddr_storage peer, got;
	memset(&peer, 0, sizeof peer);
	memcpy(&peer, &peer4, sizeof peer4);
	const struct sockaddr *sa = (const struct sockaddr *)&peer4;

	const char *trusted = ok ? list : NULL;
	clientaddr_resolve(trusted, sa, lines, n, &got);
	bool peer_trusted = trusted && clientaddr_trusted(trusted, sa);
	if (!peer_trusted && !same(&got, &peer))
		abort();
	if (got.ss_family != AF_INET && got.ss_family != AF_INET6)
		abort();

	if (peer_trusted && n > 0 && !clientaddr_trusted(trusted, (const struct sockaddr *)&got)) {
		size_t len = strlen(lines[0]);
		char *spoofed = malloc(len + 16);
		if (!spoofed)
			abort();
		memcpy(spoofed, "6.6.6.6, ", 9);
		memcpy(spoofed + 9, lines[0], len + 1);
		const char *first = lines[0];
		lines[0] = spoofed;
		struct sockaddr_storage again;
		clientaddr_resolve(trusted, sa, lines, n, &again);
		lines[0] = first;
		if (!same(&got, &again))
			abort();
		free(spoofed);
	}
	free(text);
	return 0;
}
