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

bool random_per_thread(void)
{
	/* Debian's libsodium 1.0.18 keeps this generator's state in
	 * thread-local storage (its .tbss is exactly one InternalRandom), so
	 * threads never share one; the shared part is set up by the first
	 * stir, which sodium_init() does on this thread before any other
	 * thread starts. */
	return randombytes_set_implementation(&randombytes_internal_implementation) == 0;
}
