#include "accounts/totp.h"

#include <liboath/oath.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/digest.h"
#include "crypto/secret.h"

bool totp_init(void)
{
	return oath_init() == OATH_OK;
}

bool totp_code(const unsigned char *secret, size_t len, time_t now, unsigned digits, char *out)
{
	if (digits < 6 || digits > 8)
		return false;
	return oath_totp_generate((const char *)secret, len, now, TOTP_STEP,
				  OATH_TOTP_DEFAULT_START_TIME, digits, out) == OATH_OK;
}

bool totp_check(const unsigned char *secret, size_t len, time_t now, int64_t last_step,
		const char *code, int64_t *step)
{
	if (strlen(code) != TOTP_DIGITS)
		return false;
	for (int i = 0; i < TOTP_DIGITS; i++) {
		if (code[i] < '0' || code[i] > '9')
			return false;
	}
	int64_t here = (int64_t)now / TOTP_STEP;
	bool found = false;
	int64_t found_step = 0;
	/* every step of the window is computed and compared: the time taken
	 * does not tell which one matched */
	for (int64_t s = here - TOTP_WINDOW; s <= here + TOTP_WINDOW; s++) {
		char want[TOTP_DIGITS + 1];
		if (!totp_code(secret, len, (time_t)(s * TOTP_STEP), TOTP_DIGITS, want))
			return false;
		bool match = digest_equal(want, code, TOTP_DIGITS);
		secret_wipe(want, sizeof want);
		if (match && s > last_step && !found) {
			found = true;
			found_step = s;
		}
	}
	if (found)
		*step = found_step;
	return found;
}

bool totp_base32(const unsigned char *secret, size_t len, char out[TOTP_BASE32_SIZE])
{
	char *b32 = NULL;
	size_t b32len = 0;
	if (oath_base32_encode((const char *)secret, len, &b32, &b32len) != OATH_OK)
		return false;
	size_t o = 0;
	for (size_t i = 0; i < b32len && b32[i] != '=' && o + 1 < TOTP_BASE32_SIZE; i++)
		out[o++] = b32[i];
	out[o] = '\0';
	secret_wipe(b32, b32len);
	free(b32);
	return true;
}

bool totp_base32_decode(const char *text, unsigned char *out, size_t *len)
{
	char *raw = NULL;
	size_t rawlen = 0;
	if (oath_base32_decode(text, strlen(text), &raw, &rawlen) != OATH_OK)
		return false;
	bool ok = rawlen <= *len;
	if (ok) {
		memcpy(out, raw, rawlen);
		*len = rawlen;
	}
	secret_wipe(raw, rawlen);
	free(raw);
	return ok;
}
