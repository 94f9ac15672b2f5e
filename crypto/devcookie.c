/* Device cookies of the staff login: see crypto/devcookie.h. */
#include "crypto/devcookie.h"

#include <stdint.h>
#include <string.h>

#include <sodium.h>

#define BODY_BYTES (8 + DEVCOOKIE_NONCE_BYTES + 8)
#define TOKEN_BYTES (BODY_BYTES + crypto_auth_BYTES)

struct devcookie_key {
	unsigned char key[crypto_auth_KEYBYTES];
};

_Static_assert(DEVCOOKIE_TEXT_SIZE >=
		   sodium_base64_ENCODED_LEN(TOKEN_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
	       "device cookie text size");

struct devcookie_key *devcookie_key_new(void)
{
	struct devcookie_key *k = sodium_malloc(sizeof *k);
	if (!k)
		return NULL;
	crypto_auth_keygen(k->key);
	/* never written again: a stray write faults (docs/keys.md, "What
	 * memory holds") */
	sodium_mprotect_readonly(k);
	return k;
}

void devcookie_key_free(struct devcookie_key *k)
{
	if (k)
		sodium_free(k);
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

bool devcookie_make(const struct devcookie_key *k, long long user_id, time_t now,
		    char out[DEVCOOKIE_TEXT_SIZE])
{
	if (!k || user_id <= 0 || now < 0)
		return false;
	unsigned char tok[TOKEN_BYTES];
	put64(tok, (uint64_t)user_id);
	randombytes_buf(tok + 8, DEVCOOKIE_NONCE_BYTES);
	put64(tok + 8 + DEVCOOKIE_NONCE_BYTES, (uint64_t)now);
	crypto_auth(tok + BODY_BYTES, tok, BODY_BYTES, k->key);
	sodium_bin2base64(out, DEVCOOKIE_TEXT_SIZE, tok, sizeof tok,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(tok, sizeof tok);
	return true;
}

bool devcookie_check(const struct devcookie_key *k, const char *text, time_t now,
		     long long *user_id, unsigned char nonce[DEVCOOKIE_NONCE_BYTES])
{
	*user_id = 0;
	if (!k || !text || strlen(text) >= DEVCOOKIE_TEXT_SIZE)
		return false;
	unsigned char tok[TOKEN_BYTES];
	size_t len = 0;
	const char *end = NULL;
	if (sodium_base642bin(tok, sizeof tok, text, strlen(text), NULL, &len, &end,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len != sizeof tok || *end != '\0')
		return false;
	if (crypto_auth_verify(tok + BODY_BYTES, tok, BODY_BYTES, k->key) != 0)
		return false;
	uint64_t id = get64(tok);
	uint64_t issued = get64(tok + 8 + DEVCOOKIE_NONCE_BYTES);
	/* a minute of slack for a clock set back */
	if (id == 0 || id > INT64_MAX || now < 0 || issued > (uint64_t)now + 60 ||
	    (issued < (uint64_t)now && (uint64_t)now - issued > DEVCOOKIE_LIFETIME))
		return false;
	*user_id = (long long)id;
	memcpy(nonce, tok + 8, DEVCOOKIE_NONCE_BYTES);
	return true;
}
