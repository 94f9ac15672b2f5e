#include "accounts/throttle.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/digest.h"
#include "crypto/random.h"
#include "crypto/secret.h"

#define THROTTLE_SLOTS 4096

struct slot {
	unsigned char key[THROTTLE_KEY_BYTES];
	unsigned failures;
	time_t last;
	time_t until;
};

struct throttle {
	pthread_mutex_t lock;
	unsigned char hash_key[DIGEST_BYTES];
	struct slot slots[THROTTLE_SLOTS];
};

unsigned throttle_delay(unsigned failures)
{
	if (failures <= THROTTLE_FREE)
		return 0;
	unsigned n = failures - THROTTLE_FREE - 1;
	if (n >= 5)
		return THROTTLE_MAX_DELAY;
	unsigned d = 1u << n;
	return d > THROTTLE_MAX_DELAY ? THROTTLE_MAX_DELAY : d;
}

struct throttle *throttle_new(void)
{
	struct throttle *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	pthread_mutex_init(&t->lock, NULL);
	random_bytes(t->hash_key, sizeof t->hash_key);
	return t;
}

void throttle_free(struct throttle *t)
{
	if (!t)
		return;
	pthread_mutex_destroy(&t->lock);
	secret_wipe(t, sizeof *t);
	free(t);
}

void throttle_key(struct throttle *t, char kind, const void *data, size_t len,
		  unsigned char out[THROTTLE_KEY_BYTES])
{
	struct digest_state st;
	digest_init(&st, t->hash_key, sizeof t->hash_key, THROTTLE_KEY_BYTES);
	digest_update(&st, &kind, 1);
	digest_update(&st, data, len);
	digest_final(&st, out, THROTTLE_KEY_BYTES);
}

static struct slot *find(struct throttle *t, const unsigned char *key, time_t now, bool make)
{
	struct slot *free_slot = NULL, *oldest = NULL;
	for (unsigned i = 0; i < THROTTLE_SLOTS; i++) {
		struct slot *s = &t->slots[i];
		if (s->failures && now - s->last > THROTTLE_FORGET && now >= s->until)
			memset(s, 0, sizeof *s);
		if (!s->failures) {
			if (!free_slot)
				free_slot = s;
			continue;
		}
		if (memcmp(s->key, key, THROTTLE_KEY_BYTES) == 0)
			return s;
		if (!oldest || s->last < oldest->last)
			oldest = s;
	}
	if (!make)
		return NULL;
	struct slot *s = free_slot ? free_slot : oldest;
	memset(s, 0, sizeof *s);
	memcpy(s->key, key, THROTTLE_KEY_BYTES);
	return s;
}

unsigned throttle_wait(struct throttle *t, const unsigned char key[THROTTLE_KEY_BYTES], time_t now)
{
	pthread_mutex_lock(&t->lock);
	struct slot *s = find(t, key, now, false);
	unsigned wait = s && s->until > now ? (unsigned)(s->until - now) : 0;
	pthread_mutex_unlock(&t->lock);
	return wait;
}

unsigned throttle_fail(struct throttle *t, const unsigned char key[THROTTLE_KEY_BYTES], time_t now)
{
	pthread_mutex_lock(&t->lock);
	struct slot *s = find(t, key, now, true);
	s->failures++;
	s->last = now;
	unsigned d = throttle_delay(s->failures);
	s->until = now + d;
	pthread_mutex_unlock(&t->lock);
	return d;
}

void throttle_clear(struct throttle *t, const unsigned char key[THROTTLE_KEY_BYTES])
{
	pthread_mutex_lock(&t->lock);
	struct slot *s = find(t, key, time(NULL), false);
	if (s)
		memset(s, 0, sizeof *s);
	pthread_mutex_unlock(&t->lock);
}
