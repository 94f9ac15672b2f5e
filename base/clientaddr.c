#include "base/clientaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Header lines looked at; more are a client's padding and only the last
 * ones (nearest to us) matter. */
#define XFF_MAX_LINES 16
/* One address as text, "[v6]" at most. */
#define ADDR_TEXT_MAX 64

/* An address as family and bytes: the sockaddr types are not read
 * through one another's pointers (strict aliasing). */
struct ipaddr {
	int family; /* AF_INET, AF_INET6 or AF_UNSPEC */
	unsigned char bytes[16];
};

static unsigned ip_bits(const struct ipaddr *a)
{
	return a->family == AF_INET ? 32 : a->family == AF_INET6 ? 128 : 0;
}

/* An IPv4-mapped IPv6 address becomes IPv4. */
static void ip_set(struct ipaddr *a, int family, const void *bytes)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	memset(a, 0, sizeof *a);
	a->family = family;
	if (family == AF_INET) {
		memcpy(a->bytes, bytes, 4);
	} else if (family == AF_INET6 && memcmp(bytes, mapped, sizeof mapped) == 0) {
		a->family = AF_INET;
		memcpy(a->bytes, (const unsigned char *)bytes + 12, 4);
	} else if (family == AF_INET6) {
		memcpy(a->bytes, bytes, 16);
	} else {
		a->family = AF_UNSPEC;
	}
}

static void ip_of_sockaddr(struct ipaddr *a, const struct sockaddr *sa)
{
	if (sa && sa->sa_family == AF_INET) {
		struct sockaddr_in in;
		memcpy(&in, sa, sizeof in);
		ip_set(a, AF_INET, &in.sin_addr);
	} else if (sa && sa->sa_family == AF_INET6) {
		struct sockaddr_in6 in6;
		memcpy(&in6, sa, sizeof in6);
		ip_set(a, AF_INET6, &in6.sin6_addr);
	} else {
		ip_set(a, AF_UNSPEC, NULL);
	}
}

static void ip_to_sockaddr(const struct ipaddr *a, struct sockaddr_storage *out)
{
	memset(out, 0, sizeof *out);
	if (a->family == AF_INET) {
		struct sockaddr_in in;
		memset(&in, 0, sizeof in);
		in.sin_family = AF_INET;
		memcpy(&in.sin_addr, a->bytes, 4);
		memcpy(out, &in, sizeof in);
	} else if (a->family == AF_INET6) {
		struct sockaddr_in6 in6;
		memset(&in6, 0, sizeof in6);
		in6.sin6_family = AF_INET6;
		memcpy(&in6.sin6_addr, a->bytes, 16);
		memcpy(out, &in6, sizeof in6);
	} else {
		out->ss_family = AF_UNSPEC;
	}
}

/* One address, "1.2.3.4", "::1" or "[::1]", len bytes of text. */
static bool parse_addr(const char *text, size_t len, struct ipaddr *out)
{
	char buf[ADDR_TEXT_MAX];
	if (len >= 2 && text[0] == '[' && text[len - 1] == ']') {
		text++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, text, len);
	buf[len] = '\0';
	unsigned char bytes[16];
	if (inet_pton(AF_INET, buf, bytes) == 1) {
		ip_set(out, AF_INET, bytes);
		return true;
	}
	if (inet_pton(AF_INET6, buf, bytes) == 1) {
		ip_set(out, AF_INET6, bytes);
		return true;
	}
	return false;
}

/* One entry of the list, "address" or "address/prefix". */
static bool parse_entry(const char *text, size_t len, struct ipaddr *net, unsigned *prefix)
{
	const char *slash = memchr(text, '/', len);
	size_t alen = slash ? (size_t)(slash - text) : len;
	if (!parse_addr(text, alen, net))
		return false;
	unsigned bits = ip_bits(net);
	*prefix = bits;
	if (!slash)
		return true;
	const char *p = slash + 1;
	size_t plen = len - alen - 1;
	if (plen == 0 || plen > 3)
		return false;
	unsigned v = 0;
	for (size_t i = 0; i < plen; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	if (v > bits)
		return false;
	*prefix = v;
	return true;
}

static bool in_net(const struct ipaddr *a, const struct ipaddr *net, unsigned prefix)
{
	if (a->family != net->family || a->family == AF_UNSPEC)
		return false;
	unsigned whole = prefix / 8, rest = prefix % 8;
	if (memcmp(a->bytes, net->bytes, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (a->bytes[whole] & mask) == (net->bytes[whole] & mask);
}

static bool is_sep(char c)
{
	return c == ',' || c == ' ' || c == '\t';
}

/* Calls fn on every entry of list; stops and returns false when fn does
 * or an entry is malformed (*bad then true). */
static bool each_entry(const char *list, bool *bad,
		       bool (*fn)(const struct ipaddr *net, unsigned prefix, void *arg), void *arg)
{
	*bad = false;
	const char *p = list ? list : "";
	for (;;) {
		while (is_sep(*p))
			p++;
		if (!*p)
			return true;
		const char *start = p;
		while (*p && !is_sep(*p))
			p++;
		struct ipaddr net;
		unsigned prefix;
		if (!parse_entry(start, (size_t)(p - start), &net, &prefix)) {
			*bad = true;
			return false;
		}
		if (!fn(&net, prefix, arg))
			return false;
	}
}

static bool keep_going(const struct ipaddr *net, unsigned prefix, void *arg)
{
	(void)net;
	(void)prefix;
	(*(unsigned *)arg)++;
	return true;
}

bool clientaddr_list_ok(const char *list)
{
	bool bad;
	unsigned n = 0;
	return each_entry(list, &bad, keep_going, &n) && !bad && n > 0;
}

static bool not_in(const struct ipaddr *net, unsigned prefix, void *arg)
{
	return !in_net(arg, net, prefix);
}

static bool trusted_addr(const char *list, const struct ipaddr *a)
{
	if (a->family == AF_UNSPEC)
		return false;
	bool bad;
	/* each_entry returns false when not_in found it (or on a bad entry,
	 * which config_parse has refused already) */
	return !each_entry(list, &bad, not_in, (void *)a) && !bad;
}

bool clientaddr_trusted(const char *list, const struct sockaddr *addr)
{
	struct ipaddr a;
	ip_of_sockaddr(&a, addr);
	return trusted_addr(list, &a);
}

void clientaddr_resolve(const char *trusted, const struct sockaddr *peer, const char *const *xff,
			size_t n, struct sockaddr_storage *out)
{
	struct ipaddr client;
	ip_of_sockaddr(&client, peer);
	if (trusted && *trusted && trusted_addr(trusted, &client)) {
		/* From the nearest hop outwards: the last line, its last entry
		 * first. Every hop so far was a trusted proxy; the first that is
		 * not is the client. An entry that is no address stops the walk
		 * at the last proxy (then all behind it count as one client).
		 * Every hop a trusted proxy: the farthest is the client. */
		bool done = false;
		for (size_t h = n; h-- > 0 && !done;) {
			const char *line = xff[h];
			size_t end = strlen(line);
			while (end > 0 && !done) {
				while (end > 0 && is_sep(line[end - 1]))
					end--;
				size_t start = end;
				while (start > 0 && !is_sep(line[start - 1]))
					start--;
				if (start == end)
					break;
				struct ipaddr hop;
				if (!parse_addr(line + start, end - start, &hop)) {
					done = true;
					break;
				}
				client = hop;
				done = !trusted_addr(trusted, &client);
				end = start;
			}
		}
	}
	ip_to_sockaddr(&client, out);
}

struct xff_lines {
	const char *v[XFF_MAX_LINES];
	size_t n;
};

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *value)
{
	(void)kind;
	struct xff_lines *x = cls;
	if (!key || !value || strcasecmp(key, "X-Forwarded-For") != 0)
		return MHD_YES;
	if (x->n == XFF_MAX_LINES) {
		memmove(x->v, x->v + 1, (XFF_MAX_LINES - 1) * sizeof x->v[0]);
		x->n--;
	}
	x->v[x->n++] = value;
	return MHD_YES;
}

void clientaddr_of(const char *trusted, struct MHD_Connection *conn, struct sockaddr_storage *out)
{
	const union MHD_ConnectionInfo *info =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *peer = info ? info->client_addr : NULL;
	struct xff_lines x = {.n = 0};
	if (trusted && *trusted)
		MHD_get_connection_values(conn, MHD_HEADER_KIND, collect, &x);
	clientaddr_resolve(trusted, peer, x.v, x.n, out);
}
