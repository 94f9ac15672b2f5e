/* Secrets in memory (docs/keys.md, "What memory holds"): guarded pages for
 * keys and clear text, and wiping that the compiler may not drop. Code
 * outside crypto/ holds its secrets through these, never through
 * libsodium itself. */
#ifndef HOTLINE_CRYPTO_SECRET_H
#define HOTLINE_CRYPTO_SECRET_H

#include <stddef.h>

#include "base/attr.h"

/* len bytes in guarded pages (a guard page on each side, locked out of
 * swap, excluded from core dumps); NULL when memory is short. */
void *secret_alloc(size_t len) MUST_CHECK;
/* Makes a block of secret_alloc() read-only, for a secret set once. */
void secret_readonly(void *p);
/* Wipes and releases a block of secret_alloc(); NULL is a no-op. */
void secret_free(void *p);

/* Overwrites n bytes with zeros in a way the compiler may not optimise
 * away: for passphrases and other secrets on the stack or the heap. */
void secret_wipe(void *p, size_t n);

#endif
