/* Slows down clients that try many wrong receipts, and bounds how many
 * lookups one client may have in progress (docs/http.md, "Wrong lookups").
 * Clients are told apart by their address, which is kept only as a keyed
 * hash (random key made at start) in memory and never logged. Behind a
 * reverse proxy listed in trusted_proxies the address is the one its
 * X-Forwarded-For names (base/clientaddr.h); behind one not listed,
 * every client has the proxy's address and the limits apply to all
 * together. */
#ifndef HOTLINE_INTAKE_RATELIMIT_H
#define HOTLINE_INTAKE_RATELIMIT_H

#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "base/attr.h"

struct ratelimit;

struct ratelimit *ratelimit_new(void) MUST_CHECK;
void ratelimit_free(struct ratelimit *rl);

/* Seconds to wait before answering this client's next lookup: 0 for the
 * first free_failures wrong lookups within an hour, then 1, 2, 4, ... up
 * to max_delay. */
unsigned ratelimit_delay(struct ratelimit *rl, const struct sockaddr *addr, unsigned free_failures,
			 unsigned max_delay, time_t now);
void ratelimit_failure(struct ratelimit *rl, const struct sockaddr *addr, time_t now);

enum rl_verdict {
	RL_GO,	 /* look it up now */
	RL_WAIT, /* look it up after *seconds */
	RL_BUSY, /* refuse at once; the client may try again after *seconds */
};

/* Lookups one client may have in progress at once while it is not slowed
 * down (docs/http.md). */
#define RATELIMIT_PARALLEL 8

/* Admits one lookup of this client. While its wrong lookups within the
 * hour are fewer than free_failures, the lookup goes at once, up to
 * RATELIMIT_PARALLEL in progress together. Beyond that the client is
 * slowed down and may have ONE lookup in progress, which waits
 * ratelimit_delay() seconds. Any other lookup is refused (RL_BUSY) with
 * the delay a new lookup would get (at least 1) in *seconds. A lookup not
 * refused is in progress until ratelimit_done(rl, *id). */
enum rl_verdict ratelimit_admit(struct ratelimit *rl, const struct sockaddr *addr,
				unsigned free_failures, unsigned max_delay, time_t now,
				unsigned *seconds, uint64_t *id);
void ratelimit_done(struct ratelimit *rl, uint64_t id);

#endif
