/* Guarded memory and wiping: see secret.h. */
#include "crypto/secret.h"

#include <pthread.h>
#include <stdbool.h>

#include <sodium.h>

void *secret_alloc(size_t len)
{
	return sodium_malloc(len);
}

void secret_readonly(void *p)
{
	sodium_mprotect_readonly(p);
}

void secret_free(void *p)
{
	sodium_free(p);
}

void secret_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}

/* ---- kept blocks ----
 *
 * sodium_malloc() and sodium_free() cost about ten system calls between
 * them (mmap, three mprotect, mlock, madvise; munlock, madvise, munmap),
 * and each mprotect() and munmap() flushes the TLB of every core running
 * one of hotlined's threads. Every report makes and drops several
 * short-lived secrets of a few fixed sizes, so released blocks are kept,
 * wiped and inaccessible, per size, and handed out again: still
 * sodium_malloc() blocks, with their guard pages, locked out of swap and
 * out of core dumps. Keeping them inaccessible costs two mprotect() per
 * secret and measured no dearer than keeping them writable (0.40, 0.38,
 * 0.40 against 0.40, 0.39, 0.39 ms of CPU per report at 64 clients). */
#define KEEP_SIZES 6
/* At 64 clients a registration batch holds up to 64 case key pairs, so
 * each size keeps up to 128 blocks, but no more than 512 KiB of locked
 * pages per size (a 64 KiB stream chunk: 7 blocks), 3 MiB in all, well
 * inside LimitMEMLOCK=64M (deploy/hotlined.service). */
#define KEEP_MAX 128
#define KEEP_PAGES 128
#define KEEP_PAGE 4096

struct kept {
	size_t len; /* 0: this row is unused */
	size_t n, max;
	void *blocks[KEEP_MAX];
};

static struct kept kept[KEEP_SIZES];
static pthread_mutex_t kept_lock = PTHREAD_MUTEX_INITIALIZER;

/* The row for len, claiming a free one if there is none yet; NULL when
 * every row holds another size. Called with kept_lock held. */
static struct kept *kept_row(size_t len, bool claim)
{
	for (size_t i = 0; i < KEEP_SIZES; i++)
		if (kept[i].len == len)
			return &kept[i];
	if (!claim)
		return NULL;
	for (size_t i = 0; i < KEEP_SIZES; i++)
		if (kept[i].len == 0) {
			/* the data pages, plus one for the canary's room */
			size_t pages = len / KEEP_PAGE + 1;
			kept[i].len = len;
			kept[i].max = pages > KEEP_PAGES ? 0 : KEEP_PAGES / pages;
			if (kept[i].max > KEEP_MAX)
				kept[i].max = KEEP_MAX;
			return &kept[i];
		}
	return NULL;
}

void *secret_take(size_t len)
{
	void *p = NULL;

	pthread_mutex_lock(&kept_lock);
	struct kept *row = kept_row(len, false);
	if (row && row->n > 0)
		p = row->blocks[--row->n];
	pthread_mutex_unlock(&kept_lock);
	if (p == NULL)
		return sodium_malloc(len);
	sodium_mprotect_readwrite(p);
	return p;
}

void secret_give(void *p, size_t len)
{
	if (p == NULL)
		return;
	sodium_memzero(p, len);
	pthread_mutex_lock(&kept_lock);
	struct kept *row = kept_row(len, true);
	if (row && row->n < row->max) {
		/* kept out of reach: any read or write of it faults, as it
		 * would if it were unmapped */
		sodium_mprotect_noaccess(p);
		row->blocks[row->n++] = p;
		p = NULL;
	}
	pthread_mutex_unlock(&kept_lock);
	sodium_free(p); /* NULL when kept */
}
