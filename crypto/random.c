/* Thin wrappers so that code outside crypto/ draws random numbers without
 * including sodium.h. */
#include "crypto/random.h"

#include <sodium.h>

void random_bytes(void *buf, size_t len)
{
	randombytes_buf(buf, len);
}

uint32_t random_uniform(uint32_t upper)
{
	return randombytes_uniform(upper);
}
