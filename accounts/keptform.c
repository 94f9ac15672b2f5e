/* Forms kept across a session's end: see keptform.h. */
#include "accounts/keptform.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/digest.h"
#include "crypto/hex.h"
#include "crypto/random.h"
#include "crypto/secret.h"
#include "crypto/wrap.h"

struct kept {
	bool used;
	unsigned char key[DIGEST_BYTES]; /* hash of the token */
	long long user_id;
	time_t created;
	unsigned char *box; /* wrap_seal(path NUL fields) under the token's key */
	size_t len;
};

struct keptform_store {
	pthread_mutex_t lock;
	struct kept slots[KEPTFORM_MAX];
};

struct keptform_store *keptform_store_new(void)
{
	struct keptform_store *s = calloc(1, sizeof(*s));
	if (s)
		pthread_mutex_init(&s->lock, NULL);
	return s;
}

static void end(struct kept *k)
{
	free(k->box);
	memset(k, 0, sizeof *k);
}

void keptform_store_free(struct keptform_store *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < KEPTFORM_MAX; i++)
		end(&s->slots[i]);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

bool keptform_token_ok(const char *token)
{
	return token && strlen(token) == KEPTFORM_TOKEN_HEX &&
	       strspn(token, "0123456789abcdef") == KEPTFORM_TOKEN_HEX;
}

/* The token's two keys: where it is found (a hash) and what opens it (a
 * keyed hash with another input), neither the token itself. */
static bool token_keys(const char *token, unsigned char find[DIGEST_BYTES],
		       unsigned char open[WRAP_KEY_BYTES])
{
	unsigned char raw[32];
	if (!keptform_token_ok(token) || !hex_decode(raw, sizeof raw, token, KEPTFORM_TOKEN_HEX))
		return false;
	digest_blake2b(find, DIGEST_BYTES, raw, sizeof raw);
	static const char purpose[] = "hotline kept form v1";
	digest_keyed(raw, sizeof raw, purpose, sizeof purpose - 1, open);
	secret_wipe(raw, sizeof raw);
	return true;
}

void keptform_field_add(struct buf *fields, const char *name, const char *value, size_t len)
{
	buf_add(fields, name, strlen(name) + 1);
	buf_add(fields, value, len);
	buf_add(fields, "", 1);
}

bool keptform_field_next(const struct buf *fields, size_t *at, const char **name,
			 const char **value)
{
	if (!fields->data || *at >= fields->len)
		return false;
	*name = fields->data + *at;
	size_t n = strnlen(*name, fields->len - *at);
	if (*at + n + 1 >= fields->len)
		return false;
	*value = *name + n + 1;
	size_t v = strnlen(*value, fields->len - *at - n - 1);
	if (*at + n + 1 + v >= fields->len)
		return false;
	*at += n + 1 + v + 1;
	return true;
}

bool keptform_keep(struct keptform_store *s, long long user_id, const char *path,
		   const struct buf *fields, time_t now, char token_out[KEPTFORM_TOKEN_HEX + 1])
{
	size_t plen = strlen(path) + 1 + fields->len;
	if (plen > KEPTFORM_MAX_BYTES)
		return false;
	unsigned char raw[32], find[DIGEST_BYTES], open[WRAP_KEY_BYTES];
	random_bytes(raw, sizeof raw);
	hex_encode(token_out, raw, sizeof raw);
	secret_wipe(raw, sizeof raw);
	if (!token_keys(token_out, find, open))
		return false;
	struct buf plain;
	buf_init(&plain);
	buf_add(&plain, path, strlen(path) + 1);
	buf_add(&plain, fields->data ? fields->data : "", fields->len);
	unsigned char *box = malloc(plain.len + WRAP_OVERHEAD);
	if (!box)
		abort();
	wrap_seal(open, plain.data, plain.len, box);
	size_t len = plain.len + WRAP_OVERHEAD;
	buf_wipe(&plain);
	secret_wipe(open, sizeof open);
	pthread_mutex_lock(&s->lock);
	struct kept *slot = NULL;
	for (unsigned i = 0; i < KEPTFORM_MAX && !slot; i++) {
		struct kept *k = &s->slots[i];
		if (k->used && now - k->created > KEPTFORM_LIFETIME)
			end(k);
		if (!k->used)
			slot = k;
	}
	if (slot) {
		slot->used = true;
		memcpy(slot->key, find, sizeof slot->key);
		slot->user_id = user_id;
		slot->created = now;
		slot->box = box;
		slot->len = len;
	}
	pthread_mutex_unlock(&s->lock);
	if (!slot) {
		free(box);
		secret_wipe(token_out, KEPTFORM_TOKEN_HEX);
	}
	return slot != NULL;
}

bool keptform_take(struct keptform_store *s, const char *token, long long user_id, time_t now,
		   char *path, size_t path_size, struct buf *fields)
{
	unsigned char find[DIGEST_BYTES], open[WRAP_KEY_BYTES];
	if (!token_keys(token, find, open))
		return false;
	unsigned char *box = NULL;
	size_t len = 0;
	pthread_mutex_lock(&s->lock);
	for (unsigned i = 0; i < KEPTFORM_MAX; i++) {
		struct kept *k = &s->slots[i];
		if (!k->used || !digest_equal(k->key, find, DIGEST_BYTES))
			continue;
		/* once only, and only to its author */
		if (k->user_id == user_id && now - k->created <= KEPTFORM_LIFETIME) {
			box = k->box;
			len = k->len;
			k->box = NULL;
		}
		end(k);
		break;
	}
	pthread_mutex_unlock(&s->lock);
	bool ok = false;
	if (box && len > WRAP_OVERHEAD) {
		struct buf plain;
		buf_init(&plain);
		buf_add(&plain, box, len - WRAP_OVERHEAD); /* room for the plaintext */
		ok = wrap_open(open, box, len, (unsigned char *)plain.data);
		size_t n = ok ? strnlen(plain.data, plain.len) : 0;
		ok = ok && n < plain.len && n < path_size;
		if (ok) {
			memcpy(path, plain.data, n + 1);
			buf_add(fields, plain.data + n + 1, plain.len - n - 1);
		}
		buf_wipe(&plain);
	}
	free(box);
	secret_wipe(open, sizeof open);
	return ok;
}
