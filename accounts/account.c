#include "accounts/account.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto/keys.h"
#include "base/utf8.h"

struct account_kek {
	unsigned char key[crypto_secretbox_KEYBYTES];
};

/* Process-wide, set at start before the workers run (docs/staff.md,
 * "Accounts and keys"): read-only sodium_malloc memory. */
static unsigned char *server_secret;
static struct account_kdf current_kdf = {ACCOUNT_KDF_PEPPERED, crypto_pwhash_OPSLIMIT_MODERATE,
					 crypto_pwhash_MEMLIMIT_MODERATE};

#define SECRET_HEX (2 * ACCOUNT_SECRET_BYTES)

bool account_secret_generate(const char *path, char *err, size_t errlen)
{
	unsigned char bytes[ACCOUNT_SECRET_BYTES];
	char text[SECRET_HEX + 2];
	randombytes_buf(bytes, sizeof bytes);
	sodium_bin2hex(text, SECRET_HEX + 1, bytes, sizeof bytes);
	text[SECRET_HEX] = '\n';
	text[SECRET_HEX + 1] = '\0';
	bool ok = keys_file_create(path, 0600, text, SECRET_HEX + 1, err, errlen);
	sodium_memzero(bytes, sizeof bytes);
	sodium_memzero(text, sizeof text);
	return ok;
}

bool account_secret_load(const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		keys_set_err(err, errlen, "%s: cannot read it", path);
		return false;
	}
	/* the secret is what keeps a dump from testing passwords: a file the
	 * group or others may read is refused like ssh refuses its key */
	if (st.st_mode & 077) {
		keys_set_err(err, errlen, "%s: readable by others than its owner (chmod 0600)",
			     path);
		return false;
	}
	char text[256];
	size_t len = 0, got = 0;
	const char *end = NULL;
	unsigned char bytes[ACCOUNT_SECRET_BYTES];
	bool ok = false;
	if (!keys_file_read(path, text, sizeof text, &len, err, errlen))
		return false;
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
		len--;
	if (len != SECRET_HEX ||
	    sodium_hex2bin(bytes, sizeof bytes, text, len, NULL, &got, &end) != 0 ||
	    got != sizeof bytes || end != text + len) {
		keys_set_err(err, errlen, "%s: not an account secret file (%d hex digits expected)",
			     path, SECRET_HEX);
		goto fail;
	}
	ok = account_set_server_secret(bytes);
	if (!ok)
		keys_set_err(err, errlen, "out of memory");
fail:
	sodium_memzero(text, sizeof text);
	sodium_memzero(bytes, sizeof bytes);
	return ok;
}

bool account_set_server_secret(const unsigned char *secret)
{
	unsigned char *fresh = NULL;
	if (secret) {
		fresh = sodium_malloc(ACCOUNT_SECRET_BYTES);
		if (!fresh)
			return false;
		memcpy(fresh, secret, ACCOUNT_SECRET_BYTES);
		sodium_mprotect_readonly(fresh);
	}
	if (server_secret)
		sodium_free(server_secret); /* wipes it */
	server_secret = fresh;
	return true;
}

bool account_kdf_preset(const char *name, struct account_kdf *out)
{
	out->version = ACCOUNT_KDF_PEPPERED;
	if (strcmp(name, "interactive") == 0) {
		out->opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
		out->memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	} else if (strcmp(name, "moderate") == 0) {
		out->opslimit = crypto_pwhash_OPSLIMIT_MODERATE;
		out->memlimit = crypto_pwhash_MEMLIMIT_MODERATE;
	} else if (strcmp(name, "sensitive") == 0) {
		out->opslimit = crypto_pwhash_OPSLIMIT_SENSITIVE;
		out->memlimit = crypto_pwhash_MEMLIMIT_SENSITIVE;
	} else {
		return false;
	}
	return true;
}

void account_set_kdf(const struct account_kdf *kdf)
{
	current_kdf = *kdf;
}

void account_kdf_current(struct account_kdf *out)
{
	*out = current_kdf;
}

bool account_kdf_ok(const struct account_kdf *kdf)
{
	if (kdf->version == ACCOUNT_KDF_LEGACY)
		return true; /* its limits are fixed: INTERACTIVE */
	return kdf->version == ACCOUNT_KDF_PEPPERED &&
	       kdf->opslimit >= crypto_pwhash_OPSLIMIT_INTERACTIVE &&
	       kdf->opslimit <= crypto_pwhash_OPSLIMIT_SENSITIVE &&
	       kdf->memlimit >= crypto_pwhash_MEMLIMIT_INTERACTIVE &&
	       kdf->memlimit <= crypto_pwhash_MEMLIMIT_SENSITIVE;
}

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

struct account_kek *account_kek_derive_with(const char *password,
					    const unsigned char salt[ACCOUNT_SALT_BYTES],
					    const struct account_kdf *kdf)
{
	if (!account_kdf_ok(kdf) || (kdf->version == ACCOUNT_KDF_PEPPERED && !server_secret))
		return NULL;
	bool legacy = kdf->version == ACCOUNT_KDF_LEGACY;
	unsigned long long ops = legacy ? crypto_pwhash_OPSLIMIT_INTERACTIVE : kdf->opslimit;
	size_t mem = legacy ? crypto_pwhash_MEMLIMIT_INTERACTIVE : kdf->memlimit;
	struct account_kek *k = sodium_malloc(sizeof *k);
	unsigned char *stretched = sodium_malloc(crypto_secretbox_KEYBYTES);
	bool ok = k && stretched &&
		  crypto_pwhash(stretched, crypto_secretbox_KEYBYTES, password, strlen(password),
				salt, ops, mem, crypto_pwhash_ALG_ARGON2ID13) == 0;
	if (ok && legacy) {
		memcpy(k->key, stretched, sizeof k->key);
	} else if (ok) {
		/* keyed with the server secret: without the file, the stretched
		 * password (which a dump lets anyone compute for a guess) opens
		 * nothing */
		static const char label[] = "hotline account kek v2";
		crypto_generichash_state st;
		ok = crypto_generichash_init(&st, server_secret, ACCOUNT_SECRET_BYTES,
					     sizeof k->key) == 0 &&
		     crypto_generichash_update(&st, (const unsigned char *)label,
					       sizeof label - 1) == 0 &&
		     crypto_generichash_update(&st, stretched, crypto_secretbox_KEYBYTES) == 0 &&
		     crypto_generichash_final(&st, k->key, sizeof k->key) == 0;
		sodium_memzero(&st, sizeof st);
	}
	if (stretched)
		sodium_free(stretched);
	if (!ok) {
		if (k)
			sodium_free(k);
		return NULL;
	}
	return k;
}

struct account_kek *account_kek_derive(const char *password,
				       const unsigned char salt[ACCOUNT_SALT_BYTES])
{
	return account_kek_derive_with(password, salt, &current_kdf);
}

struct account_kek *account_kek_check(const char *password, const struct account_kdf *kdf,
				      const char *legacy_hash,
				      const unsigned char salt[ACCOUNT_SALT_BYTES],
				      const unsigned char *sk_wrapped, size_t sk_wrapped_len)
{
	bool legacy = kdf->version == ACCOUNT_KDF_LEGACY;
	if (legacy && (!legacy_hash || !account_verify_password(legacy_hash, password)))
		return NULL;
	struct account_kek *k = account_kek_derive_with(password, salt, kdf);
	unsigned char *plain = NULL;
	size_t plain_len = 0;
	if (k && !account_unwrap(k, sk_wrapped, sk_wrapped_len, &plain, &plain_len)) {
		account_kek_free(k);
		k = NULL;
	}
	account_plain_free(plain, plain_len);
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
	account_kdf_current(&out->kdf);
	randombytes_buf(out->salt, sizeof out->salt);
	struct account_kek *k = account_kek_derive_with(password, out->salt, &out->kdf);
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
