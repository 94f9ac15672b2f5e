#include "base/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

static void buf_reserve(struct buf *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1) {
		if (cap > SIZE_MAX / 2)
			abort();
		cap *= 2;
	}
	char *data = realloc(b->data, cap);
	if (!data)
		abort();
	b->data = data;
	b->cap = cap;
}

void buf_add(struct buf *b, const void *data, size_t len)
{
	buf_reserve(b, len);
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		abort();
	buf_reserve(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *buf_steal(struct buf *b, size_t *len)
{
	if (!b->data)
		buf_reserve(b, 0), b->data[0] = '\0';
	char *data = b->data;
	if (len)
		*len = b->len;
	buf_init(b);
	return data;
}

void buf_reset(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

void buf_wipe(struct buf *b)
{
	if (b->data) {
		volatile char *p = b->data;
		for (size_t i = 0; i < b->cap; i++)
			p[i] = 0;
	}
	buf_reset(b);
}
