/* Slows down clients that try many wrong receipts. Clients are told apart
 * by their address, which is kept only as a keyed hash (random key made at
 * start) in memory and never logged. Behind a reverse proxy every client
 * has the proxy's address: then the limit applies to all together. */
#ifndef HOTLINE_INTAKE_RATELIMIT_H
#define HOTLINE_INTAKE_RATELIMIT_H

#include <sys/socket.h>
#include <time.h>

struct ratelimit;

struct ratelimit *ratelimit_new(void) __attribute__((warn_unused_result));
void ratelimit_free(struct ratelimit *rl);

/* Seconds to wait before answering this client's next lookup: 0 for the
 * first free_failures wrong lookups within an hour, then 1, 2, 4, ... up
 * to max_delay. */
unsigned ratelimit_delay(struct ratelimit *rl, const struct sockaddr *addr, unsigned free_failures,
			 unsigned max_delay, time_t now);
void ratelimit_failure(struct ratelimit *rl, const struct sockaddr *addr, time_t now);

#endif
