/* Ed25519 key files and signatures; formats in docs/keys.md. */
#include "crypto/sign.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/keys.h"

#define PUBLIC_MAGIC "hotline-checkpoint-public-v1"
#define SECRET_MAGIC "hotline-checkpoint-secret-v1"
#define FILE_MAX 512

struct sign_secret {
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
};

_Static_assert(SIGN_PUBLIC_BYTES == crypto_sign_PUBLICKEYBYTES, "public key size");
_Static_assert(SIGN_B64_SIZE ==
		   sodium_base64_ENCODED_LEN(crypto_sign_BYTES, sodium_base64_VARIANT_ORIGINAL),
	       "signature size");

/* "MAGIC base64\n" with trailing spaces or a lost newline tolerated. */
static bool parse_one_line(const char *text, size_t len, const char *magic, unsigned char *out,
			   size_t outlen)
{
	size_t m = strlen(magic);
	if (len <= m + 1 || memcmp(text, magic, m) != 0 || text[m] != ' ')
		return false;
	const char *v = text + m + 1;
	size_t vlen = len - m - 1;
	while (vlen > 0 && (v[vlen - 1] == '\n' || v[vlen - 1] == ' ' || v[vlen - 1] == '\r'))
		vlen--;
	size_t got = 0;
	const char *stop = NULL;
	if (sodium_base642bin(out, outlen, v, vlen, NULL, &got, &stop,
			      sodium_base64_VARIANT_ORIGINAL) != 0)
		return false;
	return stop == v + vlen && got == outlen;
}

static size_t one_line(char *text, const char *magic, const unsigned char *bin, size_t len)
{
	char b64[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
	if (len > 64)
		abort();
	sodium_bin2base64(b64, sizeof b64, bin, len, sodium_base64_VARIANT_ORIGINAL);
	int n = snprintf(text, FILE_MAX, "%s %s\n", magic, b64);
	if (n < 0 || n >= FILE_MAX)
		abort();
	return (size_t)n;
}

bool sign_keys_generate(const char *pub_path, const char *sec_path, char *err, size_t errlen)
{
	struct stat st;
	if (strcmp(pub_path, sec_path) == 0) {
		keys_set_err(err, errlen, "the public and secret key files must differ");
		return false;
	}
	if (lstat(pub_path, &st) == 0) {
		keys_set_err(err, errlen, "%s already exists; refusing to overwrite it", pub_path);
		return false;
	}
	unsigned char *seed = sodium_malloc(crypto_sign_SEEDBYTES);
	char *sec_text = sodium_malloc(FILE_MAX);
	struct sign_secret *sk = sodium_malloc(sizeof *sk);
	bool ok = false;
	if (!seed || !sec_text || !sk) {
		keys_set_err(err, errlen, "out of memory");
		goto out;
	}
	randombytes_buf(seed, crypto_sign_SEEDBYTES);
	crypto_sign_seed_keypair(sk->pk, sk->sk, seed);
	size_t slen = one_line(sec_text, SECRET_MAGIC, seed, crypto_sign_SEEDBYTES);
	char pub_text[FILE_MAX];
	size_t plen = one_line(pub_text, PUBLIC_MAGIC, sk->pk, sizeof sk->pk);
	if (!keys_file_create(sec_path, 0600, sec_text, slen, err, errlen))
		goto out;
	if (!keys_file_create(pub_path, 0644, pub_text, plen, err, errlen)) {
		unlink(sec_path);
		goto out;
	}
	ok = true;
out:
	sodium_free(seed);
	sodium_free(sec_text);
	sodium_free(sk);
	return ok;
}

bool sign_load_public(const char *path, struct sign_public *out, char *err, size_t errlen)
{
	char text[FILE_MAX];
	size_t len;
	if (!keys_file_read(path, text, sizeof text, &len, err, errlen))
		return false;
	if (len > strlen(SECRET_MAGIC) && memcmp(text, SECRET_MAGIC, strlen(SECRET_MAGIC)) == 0) {
		keys_set_err(err, errlen,
			     "%s is the secret checkpoint key; give the public key file", path);
		return false;
	}
	if (!parse_one_line(text, len, PUBLIC_MAGIC, out->bytes, sizeof out->bytes)) {
		keys_set_err(err, errlen, "%s is not a checkpoint public key file ('%s ...')", path,
			     PUBLIC_MAGIC);
		return false;
	}
	return true;
}

struct sign_secret *sign_load_secret(const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		keys_set_err(err, errlen, "cannot open %s", path);
		return NULL;
	}
	/* The key proves the chains to people outside the server: a file
	 * others could read (or swap) proves nothing. */
	if (st.st_mode & 077) {
		keys_set_err(err, errlen,
			     "%s may be read or written by others (mode %03o); "
			     "chmod 600 it",
			     path, (unsigned)(st.st_mode & 0777));
		return NULL;
	}
	char *text = sodium_malloc(FILE_MAX);
	unsigned char *seed = sodium_malloc(crypto_sign_SEEDBYTES);
	struct sign_secret *sk = sodium_malloc(sizeof *sk);
	size_t len = 0;
	if (!text || !seed || !sk) {
		keys_set_err(err, errlen, "out of memory");
		goto fail;
	}
	if (!keys_file_read(path, text, FILE_MAX, &len, err, errlen))
		goto fail;
	if (!parse_one_line(text, len, SECRET_MAGIC, seed, crypto_sign_SEEDBYTES)) {
		keys_set_err(err, errlen, "%s is not a checkpoint secret key file ('%s ...')", path,
			     SECRET_MAGIC);
		goto fail;
	}
	crypto_sign_seed_keypair(sk->pk, sk->sk, seed);
	sodium_free(text);
	sodium_free(seed);
	sodium_mprotect_readonly(sk);
	return sk;
fail:
	sodium_free(text);
	sodium_free(seed);
	sodium_free(sk);
	return NULL;
}

struct sign_secret *sign_secret_generate(void)
{
	struct sign_secret *sk = sodium_malloc(sizeof *sk);
	if (!sk)
		return NULL;
	crypto_sign_keypair(sk->pk, sk->sk);
	sodium_mprotect_readonly(sk);
	return sk;
}

void sign_secret_public(const struct sign_secret *sk, struct sign_public *out)
{
	memcpy(out->bytes, sk->pk, sizeof out->bytes);
}

void sign_secret_free(struct sign_secret *sk)
{
	sodium_free(sk);
}

void sign_key_id(const struct sign_public *pk, char out[SIGN_KEY_ID_SIZE])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, pk->bytes, sizeof pk->bytes);
	sodium_bin2hex(out, SIGN_KEY_ID_SIZE, h, (SIGN_KEY_ID_SIZE - 1) / 2);
}

void sign_text(const struct sign_secret *sk, const char *text, size_t len, char out[SIGN_B64_SIZE])
{
	unsigned char sig[crypto_sign_BYTES];
	crypto_sign_detached(sig, NULL, (const unsigned char *)text, len, sk->sk);
	sodium_bin2base64(out, SIGN_B64_SIZE, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
}

bool sign_text_verify(const struct sign_public *pk, const char *text, size_t len, const char *b64)
{
	unsigned char sig[crypto_sign_BYTES];
	size_t got = 0;
	const char *stop = NULL;
	size_t blen = strlen(b64);
	if (sodium_base642bin(sig, sizeof sig, b64, blen, NULL, &got, &stop,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    stop != b64 + blen || got != sizeof sig)
		return false;
	return crypto_sign_verify_detached(sig, (const unsigned char *)text, len, pk->bytes) == 0;
}
