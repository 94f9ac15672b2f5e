/* Random numbers from the operating system's generator, for code outside
 * crypto/ (salts, tokens, codes, names). */
#ifndef HOTLINE_CRYPTO_RANDOM_H
#define HOTLINE_CRYPTO_RANDOM_H

#include <stddef.h>
#include <stdint.h>

void random_bytes(void *buf, size_t len);
/* Uniform in 0..upper-1, without modulo bias. */
uint32_t random_uniform(uint32_t upper);

#endif
