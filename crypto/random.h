/* Random numbers from the operating system's generator, for code outside
 * crypto/ (salts, tokens, codes, names). */
#ifndef HOTLINE_CRYPTO_RANDOM_H
#define HOTLINE_CRYPTO_RANDOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/attr.h"

void random_bytes(void *buf, size_t len);
/* Uniform in 0..upper-1, without modulo bias. */
uint32_t random_uniform(uint32_t upper);

/* Before keys_init(), in a process that never forks and that draws a lot
 * (hotlined: about 34 draws per report): draws come from libsodium's own
 * generator (ChaCha20, one state per thread, seeded from getrandom() at
 * each thread's first draw, its key overwritten after every draw) instead
 * of one getrandom() system call each. After a fork() the child's first
 * draw aborts rather than repeat the parent's stream (docs/keys.md,
 * "Where random bytes come from"). false when libsodium refused. */
bool random_per_thread(void) MUST_CHECK;

#endif
