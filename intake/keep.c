/* Files kept across a returned report form: see keep.h. */
#include "intake/keep.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/hex.h"
#include "crypto/random.h"
#include "crypto/secret.h"
#include "intake/form.h"
#include "intake/spool.h"

struct keep {
	struct keep_set *head;
	unsigned sets;
};

struct keep *keep_new(void)
{
	return calloc(1, sizeof(struct keep));
}

void keep_free(struct keep *k)
{
	if (!k)
		return;
	while (k->head) {
		struct keep_set *s = k->head;
		k->head = s->next;
		keep_set_free(s);
	}
	free(k);
}

unsigned keep_sets(const struct keep *k)
{
	return k->sets;
}

size_t keep_bytes(const struct keep *k)
{
	size_t n = 0;
	for (const struct keep_set *s = k->head; s; s = s->next)
		n += keep_set_bytes(s);
	return n;
}

size_t keep_slices(const struct keep *k)
{
	size_t n = 0;
	for (const struct keep_set *s = k->head; s; s = s->next)
		n += s->slice;
	return n;
}

struct keep_set *keep_set_new(void)
{
	return calloc(1, sizeof(struct keep_set));
}

bool keep_set_add_form(struct keep_set *s, struct form *f)
{
	if (!f->up || f->nfiles == 0)
		return true;
	struct spool_upload **ups = realloc(s->ups, sizeof(*ups) * (s->nups + 1));
	if (!ups)
		return false;
	s->ups = ups;
	struct keep_file *files = realloc(s->files, sizeof(*files) * (s->nfiles + f->nfiles));
	if (!files)
		return false;
	s->files = files;
	s->ups[s->nups++] = f->up;
	for (unsigned i = 0; i < f->nfiles; i++) {
		struct form_file *ff = &f->files[i];
		s->files[s->nfiles++] = (struct keep_file){
		    .name = ff->name,
		    .type = ff->type,
		    .len = ff->len,
		    .up = f->up,
		    .index = ff->index,
		};
		buf_init(&ff->name);
		buf_init(&ff->type);
	}
	f->up = NULL;
	free(f->files);
	f->files = NULL;
	f->nfiles = 0;
	return true;
}

void keep_set_remove(struct keep_set *s, unsigned i)
{
	if (i >= s->nfiles)
		return;
	struct keep_file *kf = &s->files[i];
	spool_file_drop(kf->up, kf->index); /* its blocks are freed now */
	buf_wipe(&kf->name);
	buf_wipe(&kf->type);
	memmove(kf, kf + 1, sizeof(*kf) * (s->nfiles - i - 1));
	s->nfiles--;
}

size_t keep_set_bytes(const struct keep_set *s)
{
	size_t n = 0;
	for (unsigned i = 0; i < s->nfiles; i++)
		n += s->files[i].len;
	return n;
}

void keep_set_free(struct keep_set *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < s->nfiles; i++) {
		buf_wipe(&s->files[i].name);
		buf_wipe(&s->files[i].type);
	}
	free(s->files);
	for (unsigned i = 0; i < s->nups; i++)
		spool_upload_free(s->ups[i]); /* closes the files, wipes the key */
	free(s->ups);
	free(s->wrapped);
	free(s);
}

_Static_assert(sizeof(*((struct keep_set *)0)->wrapped) == SPOOL_WRAPPED_BYTES, "wrapped size");
_Static_assert(KEEP_TOKEN_BYTES - KEEP_ID_BYTES == SPOOL_WRAP_KEY_BYTES, "token key size");

bool keep_put(struct keep *k, struct keep_set *s, time_t expires, char token[KEEP_TOKEN_HEX + 1])
{
	if (k->sets >= KEEP_MAX_SETS)
		return false;
	free(s->wrapped);
	s->wrapped = calloc(s->nups ? s->nups : 1, sizeof(*s->wrapped));
	unsigned char *raw = secret_take(KEEP_TOKEN_BYTES);
	if (!s->wrapped || !raw) {
		secret_give(raw, KEEP_TOKEN_BYTES);
		return false;
	}
	random_bytes(raw, KEEP_TOKEN_BYTES);
	for (unsigned i = 0; i < s->nups; i++)
		spool_upload_wrap(s->ups[i], raw + KEEP_ID_BYTES, s->wrapped[i]);
	memcpy(s->id, raw, KEEP_ID_BYTES);
	hex_encode(token, raw, KEEP_TOKEN_BYTES);
	secret_give(raw, KEEP_TOKEN_BYTES);
	s->expires = expires;
	s->next = k->head;
	k->head = s;
	k->sets++;
	return true;
}

/* Compares every byte whatever differs first: the time taken tells
 * nothing of a token. */
static bool id_equal(const unsigned char *a, const unsigned char *b)
{
	unsigned char d = 0;
	for (size_t i = 0; i < KEEP_ID_BYTES; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

struct keep_set *keep_take(struct keep *k, const char *token, time_t now,
			   void (*gone)(struct keep_set *s, void *arg), void *arg)
{
	if (!token || strlen(token) != KEEP_TOKEN_HEX)
		return NULL;
	unsigned char *raw = secret_take(KEEP_TOKEN_BYTES);
	if (!raw)
		return NULL;
	struct keep_set *found = NULL;
	if (!hex_decode(raw, KEEP_TOKEN_BYTES, token, KEEP_TOKEN_HEX))
		goto done;
	for (struct keep_set **p = &k->head; *p; p = &(*p)->next) {
		struct keep_set *s = *p;
		if (!id_equal(s->id, raw))
			continue;
		if (now >= s->expires)
			goto done; /* keep_expire() frees it */
		*p = s->next;
		s->next = NULL;
		k->sets--;
		for (unsigned i = 0; i < s->nups; i++) {
			if (!spool_upload_unwrap(s->ups[i], raw + KEEP_ID_BYTES, s->wrapped[i])) {
				gone(s, arg);
				goto done;
			}
		}
		found = s;
		break;
	}
done:
	secret_give(raw, KEEP_TOKEN_BYTES);
	return found;
}

unsigned keep_expire(struct keep *k, time_t now, void (*gone)(struct keep_set *s, void *arg),
		     void *arg)
{
	unsigned n = 0;
	struct keep_set **p = &k->head;
	while (*p) {
		struct keep_set *s = *p;
		if (now < s->expires) {
			p = &s->next;
			continue;
		}
		*p = s->next;
		s->next = NULL;
		k->sets--;
		n++;
		gone(s, arg);
	}
	return n;
}
