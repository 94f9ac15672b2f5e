#include "accounts/session.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/digest.h"
#include "crypto/hex.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "crypto/secret.h"

struct session {
	bool used;
	unsigned char key[DIGEST_BYTES]; /* hash of the id */
	long long user_id;
	int epoch;
	char csrf[SESSION_CSRF_HEX + 1];
	struct secret_key *case_key;
	time_t created, last_seen;
};

struct session_store {
	pthread_mutex_t lock;
	struct session slots[SESSION_MAX];
};

struct session_store *session_store_new(void)
{
	struct session_store *s = calloc(1, sizeof(*s));
	if (s)
		pthread_mutex_init(&s->lock, NULL);
	return s;
}

static void wipe(struct session *x)
{
	secret_key_free(x->case_key);
	secret_wipe(x, sizeof *x);
}

void session_store_free(struct session_store *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < SESSION_MAX; i++) {
		if (s->slots[i].used)
			wipe(&s->slots[i]);
	}
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static bool id_key(const char *id, unsigned char key[DIGEST_BYTES])
{
	unsigned char raw[32];
	if (!id || strlen(id) != SESSION_ID_HEX || !hex_decode(raw, sizeof raw, id, SESSION_ID_HEX))
		return false;
	digest_blake2b(key, DIGEST_BYTES, raw, sizeof raw);
	secret_wipe(raw, sizeof raw);
	return true;
}

static struct session *find(struct session_store *s, const unsigned char *key)
{
	for (unsigned i = 0; i < SESSION_MAX; i++) {
		if (s->slots[i].used && digest_equal(s->slots[i].key, key, DIGEST_BYTES))
			return &s->slots[i];
	}
	return NULL;
}

bool session_create(struct session_store *s, long long user_id, int epoch,
		    struct secret_key *case_key, char id_out[SESSION_ID_HEX + 1],
		    char csrf_out[SESSION_CSRF_HEX + 1])
{
	unsigned char raw[32], csrf[32];
	random_bytes(raw, sizeof raw);
	random_bytes(csrf, sizeof csrf);
	hex_encode(id_out, raw, sizeof raw);
	hex_encode(csrf_out, csrf, sizeof csrf);
	secret_wipe(raw, sizeof raw);
	time_t now = time(NULL);
	pthread_mutex_lock(&s->lock);
	struct session *slot = NULL;
	for (unsigned i = 0; i < SESSION_MAX && !slot; i++) {
		if (!s->slots[i].used)
			slot = &s->slots[i];
	}
	if (!slot) {
		/* the oldest one past its lifetime, if any */
		for (unsigned i = 0; i < SESSION_MAX; i++) {
			if (now - s->slots[i].created > SESSION_LIFETIME) {
				wipe(&s->slots[i]);
				slot = &s->slots[i];
				break;
			}
		}
	}
	bool ok = slot != NULL;
	if (ok) {
		slot->used = true;
		id_key(id_out, slot->key);
		slot->user_id = user_id;
		slot->epoch = epoch;
		memcpy(slot->csrf, csrf_out, sizeof slot->csrf);
		slot->case_key = case_key;
		slot->created = slot->last_seen = now;
	} else {
		secret_key_free(case_key);
	}
	pthread_mutex_unlock(&s->lock);
	return ok;
}

bool session_lookup(struct session_store *s, const char *id, unsigned idle_seconds, time_t now,
		    struct session_view *out)
{
	memset(out, 0, sizeof *out);
	unsigned char key[DIGEST_BYTES];
	if (!id_key(id, key))
		return false;
	pthread_mutex_lock(&s->lock);
	struct session *x = find(s, key);
	bool ok = false;
	if (x) {
		if (now - x->last_seen > (time_t)idle_seconds ||
		    now - x->created > SESSION_LIFETIME) {
			out->expired = true;
			out->user_id = x->user_id;
			wipe(x);
		} else {
			x->last_seen = now;
			out->user_id = x->user_id;
			out->epoch = x->epoch;
			memcpy(out->csrf, x->csrf, sizeof out->csrf);
			out->case_key =
			    x->case_key ? secret_key_from_raw(secret_key_raw(x->case_key)) : NULL;
			ok = true;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return ok;
}

void session_end(struct session_store *s, const char *id)
{
	unsigned char key[DIGEST_BYTES];
	if (!id_key(id, key))
		return;
	pthread_mutex_lock(&s->lock);
	struct session *x = find(s, key);
	if (x)
		wipe(x);
	pthread_mutex_unlock(&s->lock);
}

void session_end_user(struct session_store *s, long long user_id)
{
	pthread_mutex_lock(&s->lock);
	for (unsigned i = 0; i < SESSION_MAX; i++) {
		if (s->slots[i].used && s->slots[i].user_id == user_id)
			wipe(&s->slots[i]);
	}
	pthread_mutex_unlock(&s->lock);
}

void session_view_clear(struct session_view *v)
{
	secret_key_free(v->case_key);
	secret_wipe(v, sizeof *v);
}

unsigned session_count(struct session_store *s)
{
	unsigned n = 0;
	pthread_mutex_lock(&s->lock);
	for (unsigned i = 0; i < SESSION_MAX; i++)
		n += s->slots[i].used;
	pthread_mutex_unlock(&s->lock);
	return n;
}

unsigned session_holders(struct session_store *s, unsigned idle_seconds, time_t now,
			 long long *user_ids, struct secret_key **keys, unsigned max)
{
	unsigned n = 0;
	pthread_mutex_lock(&s->lock);
	for (unsigned i = 0; i < SESSION_MAX && n < max; i++) {
		struct session *x = &s->slots[i];
		if (!x->used || !x->case_key || now - x->last_seen > (time_t)idle_seconds ||
		    now - x->created > SESSION_LIFETIME)
			continue;
		bool seen = false;
		for (unsigned j = 0; j < n && !seen; j++)
			seen = user_ids[j] == x->user_id;
		if (seen)
			continue;
		keys[n] = secret_key_from_raw(secret_key_raw(x->case_key));
		if (!keys[n])
			continue;
		user_ids[n++] = x->user_id;
	}
	pthread_mutex_unlock(&s->lock);
	return n;
}
