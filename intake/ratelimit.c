#include "intake/ratelimit.h"

#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/digest.h"
#include "crypto/random.h"

#define RL_SLOTS 8192
#define RL_PROBE 8
#define RL_WINDOW 3600

struct rl_slot {
	uint64_t id;
	unsigned failures;
	unsigned in_progress; /* admitted lookups not yet answered */
	time_t last;
};

struct ratelimit {
	unsigned char key[32];
	struct rl_slot slots[RL_SLOTS];
};

struct ratelimit *ratelimit_new(void)
{
	struct ratelimit *rl = calloc(1, sizeof(*rl));
	if (rl)
		random_bytes(rl->key, sizeof(rl->key));
	return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
	free(rl);
}

static uint64_t client_id(const struct ratelimit *rl, const struct sockaddr *addr)
{
	const void *bytes = "";
	size_t len = 0;
	if (addr && addr->sa_family == AF_INET) {
		bytes = &((const struct sockaddr_in *)addr)->sin_addr;
		len = sizeof(struct in_addr);
	} else if (addr && addr->sa_family == AF_INET6) {
		/* a /64 is one client: privacy addresses rotate within it */
		bytes = &((const struct sockaddr_in6 *)addr)->sin6_addr;
		len = 8;
	}
	unsigned char d[DIGEST_BYTES];
	digest_keyed(rl->key, sizeof(rl->key), bytes, len, d);
	uint64_t id;
	memcpy(&id, d, sizeof(id));
	return id | 1; /* 0 marks a free slot */
}

/* Whether b is a better slot to give away than a. */
static int busier(const struct rl_slot *a, const struct rl_slot *b)
{
	if ((a->in_progress != 0) != (b->in_progress != 0))
		return a->in_progress != 0;
	return b->last < a->last;
}

static struct rl_slot *find(struct ratelimit *rl, uint64_t id, time_t now, int create)
{
	size_t base = (size_t)(id % RL_SLOTS);
	struct rl_slot *victim = NULL;
	for (size_t i = 0; i < RL_PROBE; i++) {
		struct rl_slot *s = &rl->slots[(base + i) % RL_SLOTS];
		if (s->id == id) {
			if (now - s->last > RL_WINDOW) {
				s->failures = 0;
				s->last = now;
			}
			return s;
		}
		/* a free slot, else the one idle longest, sparing those with
		 * lookups in progress */
		if (!victim || (victim->id != 0 && (s->id == 0 || busier(victim, s))))
			victim = s;
	}
	if (!create)
		return NULL;
	victim->id = id;
	victim->failures = 0;
	victim->in_progress = 0;
	victim->last = now;
	return victim;
}

static unsigned slot_delay(const struct rl_slot *s, unsigned free_failures, unsigned max_delay)
{
	unsigned over = s->failures > free_failures ? s->failures - free_failures : 0;
	unsigned delay = over >= 31 ? max_delay : 1u << over;
	return delay > max_delay ? max_delay : delay;
}

unsigned ratelimit_delay(struct ratelimit *rl, const struct sockaddr *addr, unsigned free_failures,
			 unsigned max_delay, time_t now)
{
	struct rl_slot *s = find(rl, client_id(rl, addr), now, 0);
	if (!s || s->failures < free_failures)
		return 0;
	return slot_delay(s, free_failures, max_delay);
}

enum rl_verdict ratelimit_admit(struct ratelimit *rl, const struct sockaddr *addr,
				unsigned free_failures, unsigned max_delay, time_t now,
				unsigned *seconds, uint64_t *id)
{
	*id = client_id(rl, addr);
	struct rl_slot *s = find(rl, *id, now, 1);
	*seconds = 0;
	*seconds = slot_delay(s, free_failures, max_delay);
	if (s->failures < free_failures) {
		if (s->in_progress >= RATELIMIT_PARALLEL)
			return RL_BUSY;
		s->in_progress++;
		*seconds = 0;
		return RL_GO;
	}
	if (s->in_progress > 0)
		return RL_BUSY;
	s->in_progress++;
	return RL_WAIT;
}

void ratelimit_done(struct ratelimit *rl, uint64_t id)
{
	size_t base = (size_t)(id % RL_SLOTS);
	for (size_t i = 0; i < RL_PROBE; i++) {
		struct rl_slot *s = &rl->slots[(base + i) % RL_SLOTS];
		if (s->id == id) {
			if (s->in_progress > 0)
				s->in_progress--;
			return;
		}
	}
}

void ratelimit_failure(struct ratelimit *rl, const struct sockaddr *addr, time_t now)
{
	struct rl_slot *s = find(rl, client_id(rl, addr), now, 1);
	s->failures++;
	s->last = now;
}
