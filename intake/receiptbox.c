#include "intake/receiptbox.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hex.h"
#include "crypto/random.h"

#define SECRET_BYTES 32

struct slot {
	bool used;
	bool shown;
	time_t expires;
	uint64_t order; /* when it was put, for the eviction */
	unsigned char secret[SECRET_BYTES];
	struct receiptbox_entry entry;
};

struct receiptbox {
	unsigned capacity;
	unsigned used;
	uint64_t next_order;
	struct slot *slots;
};

struct receiptbox *receiptbox_new(unsigned capacity)
{
	if (capacity == 0 || capacity > 65536)
		return NULL;
	struct receiptbox *box = calloc(1, sizeof(*box));
	if (!box)
		return NULL;
	box->slots = calloc(capacity, sizeof(*box->slots));
	if (!box->slots) {
		free(box);
		return NULL;
	}
	box->capacity = capacity;
	return box;
}

static void slot_wipe(struct receiptbox *box, struct slot *s)
{
	if (s->used)
		box->used--;
	explicit_bzero(s, sizeof(*s));
}

void receiptbox_free(struct receiptbox *box)
{
	if (!box)
		return;
	explicit_bzero(box->slots, box->capacity * sizeof(*box->slots));
	free(box->slots);
	free(box);
}

/* A free slot, or the one to give up: the oldest already shown, else the
 * oldest of all. */
static struct slot *slot_for_new(struct receiptbox *box, time_t now)
{
	struct slot *oldest = NULL, *oldest_shown = NULL;
	for (unsigned i = 0; i < box->capacity; i++) {
		struct slot *s = &box->slots[i];
		if (s->used && s->expires <= now)
			slot_wipe(box, s);
		if (!s->used)
			return s;
		if (!oldest || s->order < oldest->order)
			oldest = s;
		if (s->shown && (!oldest_shown || s->order < oldest_shown->order))
			oldest_shown = s;
	}
	struct slot *victim = oldest_shown ? oldest_shown : oldest;
	slot_wipe(box, victim);
	return victim;
}

void receiptbox_put(struct receiptbox *box, const struct receiptbox_entry *e, time_t now,
		    unsigned lifetime, char *token)
{
	struct slot *s = slot_for_new(box, now);
	s->used = true;
	s->shown = false;
	s->expires = now + (time_t)lifetime;
	s->order = box->next_order++;
	random_bytes(s->secret, sizeof(s->secret));
	s->entry = *e;
	box->used++;
	snprintf(token, 5, "%04x", (unsigned)(s - box->slots));
	hex_encode(token + 4, s->secret, sizeof(s->secret));
}

static bool same_secret(const unsigned char *a, const unsigned char *b)
{
	unsigned char diff = 0;
	for (size_t i = 0; i < SECRET_BYTES; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

bool receiptbox_get(struct receiptbox *box, const char *token, time_t now,
		    struct receiptbox_entry *out)
{
	if (!token || strlen(token) != RECEIPTBOX_TOKEN_SIZE - 1)
		return false;
	unsigned char index[2], secret[SECRET_BYTES];
	if (!hex_decode(index, sizeof(index), token, 4) ||
	    !hex_decode(secret, sizeof(secret), token + 4, 2 * SECRET_BYTES))
		return false;
	unsigned i = (unsigned)index[0] << 8 | index[1];
	if (i >= box->capacity)
		return false;
	struct slot *s = &box->slots[i];
	bool ok = s->used && same_secret(s->secret, secret);
	explicit_bzero(secret, sizeof(secret));
	if (!ok)
		return false;
	if (s->expires <= now) {
		slot_wipe(box, s);
		return false;
	}
	s->shown = true;
	*out = s->entry;
	return true;
}

unsigned receiptbox_sweep(struct receiptbox *box, time_t now)
{
	for (unsigned i = 0; i < box->capacity; i++) {
		struct slot *s = &box->slots[i];
		if (s->used && s->expires <= now)
			slot_wipe(box, s);
	}
	return box->used;
}
