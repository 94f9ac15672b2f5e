#include "base/pgarray.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The server refuses a parameter over 1 GB (MaxAllocSize) anyway. */
#define PGARRAY_MAX ((size_t)1 << 30)

static void put(struct pgarray *a, const void *bytes, size_t n)
{
	if (a->failed)
		return;
	if (n > PGARRAY_MAX - a->len) {
		a->failed = true;
		return;
	}
	if (a->len + n > a->cap) {
		size_t cap = a->cap ? a->cap : 256;
		while (cap < a->len + n)
			cap *= 2;
		unsigned char *d = realloc(a->data, cap);
		if (!d) {
			a->failed = true;
			return;
		}
		a->data = d;
		a->cap = cap;
	}
	memcpy(a->data + a->len, bytes, n);
	a->len += n;
}

static void put_int32(struct pgarray *a, int32_t v)
{
	uint32_t u = (uint32_t)v;
	unsigned char b[4] = {(unsigned char)(u >> 24), (unsigned char)(u >> 16),
			      (unsigned char)(u >> 8), (unsigned char)u};
	put(a, b, sizeof(b));
}

void pgarray_begin(struct pgarray *a, enum pgarray_type type, unsigned n)
{
	memset(a, 0, sizeof(*a));
	a->want = n;
	put_int32(a, 1);	     /* dimensions */
	put_int32(a, 0);	     /* flags: NULLs are told by their length -1 */
	put_int32(a, (int32_t)type); /* element type */
	put_int32(a, (int32_t)n);    /* elements */
	put_int32(a, 1);	     /* lower bound */
}

void pgarray_add(struct pgarray *a, const void *data, size_t len)
{
	a->count++;
	if (!data) {
		put_int32(a, -1);
		return;
	}
	if (len > PGARRAY_MAX) {
		a->failed = true;
		return;
	}
	put_int32(a, (int32_t)len);
	put(a, data, len);
}

void pgarray_add_text(struct pgarray *a, const char *s)
{
	pgarray_add(a, s, s ? strlen(s) : 0);
}

bool pgarray_done(const struct pgarray *a)
{
	return !a->failed && a->data && a->count == a->want;
}

void pgarray_free(struct pgarray *a)
{
	free(a->data);
	memset(a, 0, sizeof(*a));
}
