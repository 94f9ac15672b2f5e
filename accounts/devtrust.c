#include "accounts/devtrust.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct dslot {
	unsigned char nonce[DEVCOOKIE_NONCE_BYTES];
	unsigned failures; /* 0: free */
	time_t last;
};

struct devtrust {
	pthread_mutex_t lock;
	struct dslot slots[DEVTRUST_SLOTS];
};

struct devtrust *devtrust_new(void)
{
	struct devtrust *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	pthread_mutex_init(&d->lock, NULL);
	return d;
}

void devtrust_free(struct devtrust *d)
{
	if (!d)
		return;
	pthread_mutex_destroy(&d->lock);
	free(d);
}

/* A slot whose cookie has expired is of no use any more. */
static struct dslot *find(struct devtrust *d, const unsigned char *nonce, time_t now,
			  struct dslot **free_slot)
{
	if (free_slot)
		*free_slot = NULL;
	for (unsigned i = 0; i < DEVTRUST_SLOTS; i++) {
		struct dslot *s = &d->slots[i];
		if (s->failures && now - s->last > DEVCOOKIE_LIFETIME)
			memset(s, 0, sizeof *s);
		if (!s->failures) {
			if (free_slot && !*free_slot)
				*free_slot = s;
			continue;
		}
		if (memcmp(s->nonce, nonce, DEVCOOKIE_NONCE_BYTES) == 0)
			return s;
	}
	return NULL;
}

bool devtrust_ok(struct devtrust *d, const unsigned char nonce[DEVCOOKIE_NONCE_BYTES], time_t now)
{
	pthread_mutex_lock(&d->lock);
	struct dslot *free_slot;
	struct dslot *s = find(d, nonce, now, &free_slot);
	/* a cookie the full table cannot count is not trusted (fail closed) */
	bool ok = s ? s->failures < DEVTRUST_MAX_FAILURES : free_slot != NULL;
	pthread_mutex_unlock(&d->lock);
	return ok;
}

unsigned devtrust_take(struct devtrust *d, const unsigned char nonce[DEVCOOKIE_NONCE_BYTES],
		       time_t now)
{
	pthread_mutex_lock(&d->lock);
	struct dslot *free_slot;
	struct dslot *s = find(d, nonce, now, &free_slot);
	unsigned n = 0;
	if (s && s->failures < DEVTRUST_MAX_FAILURES) {
		n = ++s->failures;
		s->last = now;
	} else if (!s && free_slot) {
		memcpy(free_slot->nonce, nonce, DEVCOOKIE_NONCE_BYTES);
		free_slot->failures = n = 1;
		free_slot->last = now;
	}
	/* else worn out, or the table is full: not trusted (fail closed;
	 * evicting another's count would forgive it) */
	pthread_mutex_unlock(&d->lock);
	return n;
}

void devtrust_give_back(struct devtrust *d, const unsigned char nonce[DEVCOOKIE_NONCE_BYTES])
{
	pthread_mutex_lock(&d->lock);
	struct dslot *s = find(d, nonce, time(NULL), NULL);
	if (s && --s->failures == 0)
		memset(s, 0, sizeof *s);
	pthread_mutex_unlock(&d->lock);
}
