/* Hexadecimal text of bytes (cookies, tokens, secret files, bytea
 * literals). */
#ifndef HOTLINE_CRYPTO_HEX_H
#define HOTLINE_CRYPTO_HEX_H

#include <stdbool.h>
#include <stddef.h>

#include "base/attr.h"

/* Lower-case hex of len bytes; out must hold 2*len+1 bytes (NUL-ended). */
void hex_encode(char *out, const unsigned char *bin, size_t len);

/* True when the hexlen characters at hex are exactly 2*outlen hex digits
 * (either case); then out holds their bytes. Constant time in the
 * digits, like libsodium's sodium_hex2bin. */
bool hex_decode(unsigned char *out, size_t outlen, const char *hex, size_t hexlen) MUST_CHECK;

#endif
