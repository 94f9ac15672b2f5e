#include "staff/account.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/keys.h"
#include "intake/utf8.h"

struct account_kek {
	unsigned char key[crypto_secretbox_KEYBYTES];
};

bool account_hash_password(const char *password, char out[ACCOUNT_HASH_SIZE])
{
	return crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				 crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
}

bool account_verify_password(const char *hash, const char *password)
{
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

bool account_dummy_hash(char out[ACCOUNT_HASH_SIZE])
{
	/* The encoded form crypto_pwhash_str writes, with the same limits, a
	 * random salt and a random "hash": verifying against it does the same
	 * Argon2id work as against a real one, yet making it costs no
	 * Argon2id run (which would take 64 MiB at start, the daemon's
	 * high-water mark while it serves only reports). */
	unsigned char salt[crypto_pwhash_SALTBYTES], tag[32];
	char salt64[sodium_base64_ENCODED_LEN(sizeof salt, sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];
	char tag64[sodium_base64_ENCODED_LEN(sizeof tag, sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];

	randombytes_buf(salt, sizeof salt);
	randombytes_buf(tag, sizeof tag);
	sodium_bin2base64(salt64, sizeof salt64, salt, sizeof salt,
			  sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	sodium_bin2base64(tag64, sizeof tag64, tag, sizeof tag,
			  sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	int n = snprintf(out, ACCOUNT_HASH_SIZE, "%sv=19$m=%zu,t=%llu,p=1$%s$%s",
			 crypto_pwhash_STRPREFIX, (size_t)crypto_pwhash_MEMLIMIT_INTERACTIVE / 1024,
			 (unsigned long long)crypto_pwhash_OPSLIMIT_INTERACTIVE, salt64, tag64);
	/* Well formed and with the limits of account_hash_password, or refused. */
	return n > 0 && (size_t)n < ACCOUNT_HASH_SIZE &&
	       crypto_pwhash_str_needs_rehash(out, crypto_pwhash_OPSLIMIT_INTERACTIVE,
					      crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
}

struct account_kek *account_kek_derive(const char *password,
				       const unsigned char salt[ACCOUNT_SALT_BYTES])
{
	struct account_kek *k = sodium_malloc(sizeof *k);
	if (!k)
		return NULL;
	if (crypto_pwhash(k->key, sizeof k->key, password, strlen(password), salt,
			  crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
			  crypto_pwhash_ALG_ARGON2ID13) != 0) {
		sodium_free(k);
		return NULL;
	}
	return k;
}

void account_kek_free(struct account_kek *k)
{
	if (k)
		sodium_free(k);
}

bool account_wrap(const struct account_kek *k, const void *plain, size_t len, unsigned char **out,
		  size_t *outlen)
{
	*outlen = ACCOUNT_WRAP_OVERHEAD + len;
	*out = malloc(*outlen);
	if (!*out)
		return false;
	randombytes_buf(*out, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(*out + crypto_secretbox_NONCEBYTES, plain, len, *out, k->key);
	return true;
}

bool account_unwrap(const struct account_kek *k, const unsigned char *in, size_t len,
		    unsigned char **plain, size_t *plainlen)
{
	*plain = NULL;
	*plainlen = 0;
	if (!in || len < ACCOUNT_WRAP_OVERHEAD)
		return false;
	size_t n = len - ACCOUNT_WRAP_OVERHEAD;
	unsigned char *p = sodium_malloc(n ? n : 1);
	if (!p)
		return false;
	if (crypto_secretbox_open_easy(p, in + crypto_secretbox_NONCEBYTES,
				       len - crypto_secretbox_NONCEBYTES, in, k->key) != 0) {
		sodium_free(p);
		return false;
	}
	*plain = p;
	*plainlen = n;
	return true;
}

void account_plain_free(unsigned char *plain, size_t len)
{
	(void)len;
	if (plain)
		sodium_free(plain);
}

void account_generate_password(char out[ACCOUNT_GENERATED_SIZE])
{
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyz23456789"; /* 32, no l o 0 1 */
	size_t o = 0;
	for (int g = 0; g < 4; g++) {
		if (g)
			out[o++] = '-';
		for (int i = 0; i < 5; i++)
			out[o++] = alphabet[randombytes_uniform(32)];
	}
	out[o] = '\0';
}

bool account_password_ok(const char *password)
{
	size_t len = strlen(password);
	if (len > ACCOUNT_PASSWORD_MAX || !utf8_valid_text(password, len))
		return false;
	size_t chars = 0;
	for (const unsigned char *p = (const unsigned char *)password; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return false;
		if ((*p & 0xc0) != 0x80)
			chars++;
	}
	return chars >= ACCOUNT_PASSWORD_MIN;
}

bool account_secrets_new(const char *password, struct account_secrets *out)
{
	memset(out, 0, sizeof *out);
	if (!account_hash_password(password, out->hash))
		return false;
	randombytes_buf(out->salt, sizeof out->salt);
	struct account_kek *k = account_kek_derive(password, out->salt);
	struct secret_key *sk = secret_key_generate();
	bool ok = false;
	if (k && sk) {
		struct public_key pk;
		secret_key_public(sk, &pk);
		memcpy(out->public_key, pk.bytes, sizeof out->public_key);
		ok = account_wrap(k, secret_key_raw(sk), KEYS_SECRET_BYTES, &out->sk_wrapped,
				  &out->sk_wrapped_len);
	}
	account_kek_free(k);
	secret_key_free(sk);
	if (!ok)
		account_secrets_free(out);
	return ok;
}

void account_secrets_free(struct account_secrets *s)
{
	free(s->sk_wrapped);
	sodium_memzero(s, sizeof *s);
}

bool account_login_ok(const char *login)
{
	size_t n = strlen(login);
	if (n < 1 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = login[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      (i > 0 && (ch == '.' || ch == '_' || ch == '-'))))
			return false;
	}
	return true;
}
