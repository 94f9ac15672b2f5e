/* A growable byte buffer, for pages and SQL parameters. Allocation failure
 * aborts: a daemon that cannot allocate a few kilobytes cannot answer. */
#ifndef HOTLINE_BASE_BUF_H
#define HOTLINE_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data; /* always NUL-terminated once anything was added */
	size_t len;
	size_t cap;
};

void buf_init(struct buf *b);
void buf_add(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Hands the bytes to the caller (free()) and empties b. */
char *buf_steal(struct buf *b, size_t *len);
void buf_reset(struct buf *b);
/* Wipes the bytes before freeing (for buffers that held report text). */
void buf_wipe(struct buf *b);

#endif
