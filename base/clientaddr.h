/* The address of the client a slow-down counts against (staff logins,
 * accounts/throttle.h; receipt lookups, intake/ratelimit.h). Behind a reverse
 * proxy every TCP peer is the proxy: the operator lists the proxies in
 * trusted_proxies (docs/config.md), and only when the peer is one of them
 * is the client taken from X-Forwarded-For: the right-most address that is
 * not itself a trusted proxy (the left part of the header is whatever the
 * client chose to send). From any other peer the header is ignored.
 *
 * The address is used only to key an in-memory counter (as a keyed hash):
 * never logged, never stored (docs/http.md, "Client addresses"). */
#ifndef HOTLINE_BASE_CLIENTADDR_H
#define HOTLINE_BASE_CLIENTADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include <microhttpd.h>

/* Whether list is a valid trusted_proxies value: addresses (IPv4 or IPv6)
 * or networks (address/prefix), separated by commas and spaces. */
bool clientaddr_list_ok(const char *list);

/* Whether addr is in list (NULL or "" : the empty list). */
bool clientaddr_trusted(const char *list, const struct sockaddr *addr);

/* The client of a request whose TCP peer is peer (may be NULL: unknown)
 * and whose X-Forwarded-For header lines are xff[0..n-1], in the order
 * received. *out gets AF_INET, AF_INET6 or AF_UNSPEC (no address known);
 * an IPv4-mapped IPv6 address is given as IPv4. */
void clientaddr_resolve(const char *trusted, const struct sockaddr *peer, const char *const *xff,
			size_t n, struct sockaddr_storage *out);

/* The same for a libmicrohttpd connection. */
void clientaddr_of(const char *trusted, struct MHD_Connection *conn, struct sockaddr_storage *out);

#endif
