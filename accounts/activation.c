#include "accounts/activation.h"

#include <ctype.h>
#include <string.h>

#include "crypto/digest.h"
#include "crypto/random.h"
#include "crypto/secret.h"

static const char alphabet[] = "abcdefghijkmnpqrstuvwxyz23456789"; /* 32, no l o 0 1 */

void activation_code_new(char out[ACTIVATION_CODE_SIZE])
{
	size_t o = 0;
	for (int g = 0; g < 4; g++) {
		if (g)
			out[o++] = '-';
		for (int i = 0; i < 5; i++)
			out[o++] = alphabet[random_uniform(32)];
	}
	out[o] = '\0';
}

bool activation_code_hash(const char *login, const char *typed,
			  unsigned char out[ACTIVATION_HASH_BYTES])
{
	char code[21];
	size_t n = 0;
	for (const char *p = typed; *p; p++) {
		if (*p == ' ' || *p == '-')
			continue;
		char ch = (char)tolower((unsigned char)*p);
		if (n == 20 || !strchr(alphabet, ch) || ch == '\0')
			return false;
		code[n++] = ch;
	}
	if (n != 20)
		return false;
	code[n] = '\0';
	static const char label[] = "hotline activation v1";
	struct digest_state st;
	digest_init(&st, NULL, 0, ACTIVATION_HASH_BYTES);
	digest_update(&st, label, sizeof label);
	digest_update(&st, login, strlen(login) + 1);
	digest_update(&st, code, n);
	digest_final(&st, out, ACTIVATION_HASH_BYTES);
	secret_wipe(code, sizeof code);
	secret_wipe(&st, sizeof st);
	return true;
}

void activation_fingerprint(const unsigned char public_key[32], char out[FINGERPRINT_TEXT_SIZE])
{
	unsigned char h[32];
	digest_blake2b(h, sizeof h, public_key, 32);
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (int i = 0; i < 16; i++) {
		if (i && i % 2 == 0)
			out[o++] = ' ';
		out[o++] = hex[h[i] >> 4];
		out[o++] = hex[h[i] & 15];
	}
	out[o] = '\0';
}
