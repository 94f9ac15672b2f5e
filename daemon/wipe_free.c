/* free() and realloc() for hotlined: a freed block is zeroed first, so
 * what a reporter sent does not outlive its buffer in the heap, whoever
 * allocated it (our code, libmicrohttpd's post processor and responses,
 * libpq's results and buffers, GMime/GLib, jansson). Defined in the
 * executable, these interpose on the C library's for every shared library
 * too. glibc's own internal frees (inside printf, getaddrinfo) are not
 * seen; docs/keys.md lists what is and is not wiped.
 *
 * Cost: one memset over each freed block; measured in docs/keys.md.
 *
 * Not built into sanitizer builds: ASan replaces malloc itself, and a
 * block of its heap must not reach glibc's free. */
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__) &&                             \
    !defined(HOTLINE_NO_WIPE_FREE)

#include <errno.h>
#include <malloc.h>
#include <stddef.h>
#include <string.h>

/* glibc's exported entry points of its allocator */
void __libc_free(void *p);
void *__libc_malloc(size_t n);

/* A shrink that would give back at least this much makes a new block:
 * glibc would split the old one and free the tail unwiped. */
#define WIPE_SHRINK_SLACK 4096

void free(void *p)
{
	if (!p)
		return;
	explicit_bzero(p, malloc_usable_size(p));
	__libc_free(p);
}

void *realloc(void *p, size_t n)
{
	if (!p)
		return __libc_malloc(n);
	if (n == 0) {
		free(p);
		return NULL;
	}
	size_t have = malloc_usable_size(p);
	if (n <= have && have - n < WIPE_SHRINK_SLACK) {
		explicit_bzero((char *)p + n, have - n);
		return p;
	}
	/* never glibc's realloc: moving a block frees the old one unwiped */
	void *q = __libc_malloc(n);
	if (!q)
		return NULL;
	memcpy(q, p, n < have ? n : have);
	free(p);
	return q;
}

void *reallocarray(void *p, size_t count, size_t size)
{
	size_t n;
	if (__builtin_mul_overflow(count, size, &n)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, n);
}

#endif
