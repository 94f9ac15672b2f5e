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

/* The same guarded blocks, for short-lived secrets of a fixed size made
 * and dropped again and again (per report): secret_give() wipes the block
 * and keeps it, guarded, locked and inaccessible (any access faults), for
 * the next secret_take() of that length (a few lengths, up to 128 blocks
 * each; the rest are released). secret_take() gives a writable block
 * whose bytes are unspecified (zeros when reused); NULL when memory is
 * short. secret_give() takes a writable block of exactly len bytes from
 * secret_take() or secret_alloc(); NULL is a no-op. */
void *secret_take(size_t len) MUST_CHECK;
void secret_give(void *p, size_t len);

/* Overwrites n bytes with zeros in a way the compiler may not optimise
 * away: for passphrases and other secrets on the stack or the heap. */
void secret_wipe(void *p, size_t n);

#endif
