/* Guarded memory and wiping: see secret.h. */
#include "crypto/secret.h"

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
