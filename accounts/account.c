#include "accounts/account.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto/digest.h"
#include "crypto/hex.h"
#include "crypto/keys.h"
#include "crypto/password.h"
#include "crypto/random.h"
#include "crypto/secret.h"
#include "crypto/wrap.h"
#include "base/utf8.h"

struct account_kek {
	unsigned char key[WRAP_KEY_BYTES];
};

/* Process-wide, set at start before the workers run (docs/staff.md,
 * "Accounts and keys"): read-only secret_alloc memory. */
static unsigned char *server_secret;
static struct account_kdf current_kdf = {ACCOUNT_KDF_PEPPERED, PASSWORD_OPS_MODERATE,
					 PASSWORD_MEM_MODERATE};

#define SECRET_HEX (2 * ACCOUNT_SECRET_BYTES)

bool account_secret_generate(const char *path, char *err, size_t errlen)
{
	unsigned char bytes[ACCOUNT_SECRET_BYTES];
	char text[SECRET_HEX + 2];
	random_bytes(bytes, sizeof bytes);
	hex_encode(text, bytes, sizeof bytes);
	text[SECRET_HEX] = '\n';
	text[SECRET_HEX + 1] = '\0';
	bool ok = keys_file_create(path, 0600, text, SECRET_HEX + 1, err, errlen);
	secret_wipe(bytes, sizeof bytes);
	secret_wipe(text, sizeof text);
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
	size_t len = 0;
	unsigned char bytes[ACCOUNT_SECRET_BYTES];
	bool ok = false;
	if (!keys_file_read(path, text, sizeof text, &len, err, errlen))
		return false;
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
		len--;
	if (len != SECRET_HEX || !hex_decode(bytes, sizeof bytes, text, len)) {
		keys_set_err(err, errlen, "%s: not an account secret file (%d hex digits expected)",
			     path, SECRET_HEX);
		goto fail;
	}
	ok = account_set_server_secret(bytes);
	if (!ok)
		keys_set_err(err, errlen, "out of memory");
fail:
	secret_wipe(text, sizeof text);
	secret_wipe(bytes, sizeof bytes);
	return ok;
}

bool account_set_server_secret(const unsigned char *secret)
{
	unsigned char *fresh = NULL;
	if (secret) {
		fresh = secret_alloc(ACCOUNT_SECRET_BYTES);
		if (!fresh)
			return false;
		memcpy(fresh, secret, ACCOUNT_SECRET_BYTES);
		secret_readonly(fresh);
	}
	if (server_secret)
		secret_free(server_secret); /* wipes it */
	server_secret = fresh;
	return true;
}

bool account_kdf_preset(const char *name, struct account_kdf *out)
{
	out->version = ACCOUNT_KDF_PEPPERED;
	if (strcmp(name, "interactive") == 0) {
		out->opslimit = PASSWORD_OPS_INTERACTIVE;
		out->memlimit = PASSWORD_MEM_INTERACTIVE;
	} else if (strcmp(name, "moderate") == 0) {
		out->opslimit = PASSWORD_OPS_MODERATE;
		out->memlimit = PASSWORD_MEM_MODERATE;
	} else if (strcmp(name, "sensitive") == 0) {
		out->opslimit = PASSWORD_OPS_SENSITIVE;
		out->memlimit = PASSWORD_MEM_SENSITIVE;
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
	return kdf->version == ACCOUNT_KDF_PEPPERED && kdf->opslimit >= PASSWORD_OPS_INTERACTIVE &&
	       kdf->opslimit <= PASSWORD_OPS_SENSITIVE &&
	       kdf->memlimit >= PASSWORD_MEM_INTERACTIVE && kdf->memlimit <= PASSWORD_MEM_SENSITIVE;
}

bool account_hash_password(const char *password, char out[ACCOUNT_HASH_SIZE])
{
	return password_hash(password, out);
}

bool account_verify_password(const char *hash, const char *password)
{
	return password_verify(hash, password);
}

bool account_dummy_hash(char out[ACCOUNT_HASH_SIZE])
{
	return password_dummy_hash(out);
}

struct account_kek *account_kek_derive_with(const char *password,
					    const unsigned char salt[ACCOUNT_SALT_BYTES],
					    const struct account_kdf *kdf)
{
	if (!account_kdf_ok(kdf) || (kdf->version == ACCOUNT_KDF_PEPPERED && !server_secret))
		return NULL;
	bool legacy = kdf->version == ACCOUNT_KDF_LEGACY;
	unsigned long long ops = legacy ? PASSWORD_OPS_INTERACTIVE : kdf->opslimit;
	size_t mem = legacy ? PASSWORD_MEM_INTERACTIVE : kdf->memlimit;
	struct account_kek *k = secret_alloc(sizeof *k);
	unsigned char *stretched = secret_alloc(WRAP_KEY_BYTES);
	bool ok =
	    k && stretched && password_stretch(stretched, WRAP_KEY_BYTES, password, salt, ops, mem);
	if (ok && legacy) {
		memcpy(k->key, stretched, sizeof k->key);
	} else if (ok) {
		/* keyed with the server secret: without the file, the stretched
		 * password (which a dump lets anyone compute for a guess) opens
		 * nothing */
		static const char label[] = "hotline account kek v2";
		struct digest_state st;
		digest_init(&st, server_secret, ACCOUNT_SECRET_BYTES, sizeof k->key);
		digest_update(&st, label, sizeof label - 1);
		digest_update(&st, stretched, WRAP_KEY_BYTES);
		digest_final(&st, k->key, sizeof k->key);
		secret_wipe(&st, sizeof st);
	}
	if (stretched)
		secret_free(stretched);
	if (!ok) {
		if (k)
			secret_free(k);
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
		secret_free(k);
}

bool account_wrap(const struct account_kek *k, const void *plain, size_t len, unsigned char **out,
		  size_t *outlen)
{
	*outlen = ACCOUNT_WRAP_OVERHEAD + len;
	*out = malloc(*outlen);
	if (!*out)
		return false;
	wrap_seal(k->key, plain, len, *out);
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
	unsigned char *p = secret_alloc(n ? n : 1);
	if (!p)
		return false;
	if (!wrap_open(k->key, in, len, p)) {
		secret_free(p);
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
		secret_free(plain);
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
	random_bytes(out->salt, sizeof out->salt);
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
	secret_wipe(s, sizeof *s);
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
