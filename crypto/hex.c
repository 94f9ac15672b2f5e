/* Hex through libsodium's constant-time codec: see hex.h. */
#include "crypto/hex.h"

#include <sodium.h>

void hex_encode(char *out, const unsigned char *bin, size_t len)
{
	sodium_bin2hex(out, 2 * len + 1, bin, len);
}

bool hex_decode(unsigned char *out, size_t outlen, const char *hex, size_t hexlen)
{
	size_t got = 0;
	return sodium_hex2bin(out, outlen, hex, hexlen, NULL, &got, NULL) == 0 && got == outlen;
}
