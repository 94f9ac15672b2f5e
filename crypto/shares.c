/* The unmasking key's shares and their files. The format is described in
 * docs/keys.md ("Share files"); keep the two in step. The wrapping is the
 * secret key file's (crypto/keys.c): Argon2id of the holder's passphrase,
 * XChaCha20-Poly1305 with the whole header as additional data. */
#include "crypto/shares.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libgfshare.h>
#include <sodium.h>

#define SHARE_MAGIC "hotline-key-share-v1"
#define SHARE_KDF "argon2id13"
#define SHARE_FILE_MAX 1024
#define SHARE_BYTES crypto_box_SECRETKEYBYTES

struct share {
	unsigned char value[SHARE_BYTES];
	unsigned char pk[crypto_box_PUBLICKEYBYTES];
	unsigned index, threshold, count;
	char role[16];
	char split[17];
};

static const char *const roles[] = {"custodian",  "director", "alternate",
				    "compliance", "other",    NULL};

bool shares_role_valid(const char *role)
{
	for (int i = 0; role && roles[i]; i++)
		if (strcmp(role, roles[i]) == 0)
			return true;
	return false;
}

void shares_fingerprint(const struct public_key *pk, char out[SHARES_FINGERPRINT_SIZE])
{
	unsigned char sum[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(sum, pk->bytes, sizeof pk->bytes);
	sodium_bin2hex(out, SHARES_FINGERPRINT_SIZE, sum, 8);
}

/* libgfshare draws the polynomial's coefficients through this pointer and
 * overwrites its buffers with it before freeing them. */
static void fill_random(unsigned char *buf, unsigned int len)
{
	randombytes_buf(buf, len);
}

/* ---- the file ---- */

struct share_header {
	unsigned char pk[crypto_box_PUBLICKEYBYTES];
	unsigned long long index, threshold, count, opslimit, memlimit;
	char role[16];
	char split[17]; /* 16 hex digits, random per split */
	unsigned char salt[crypto_pwhash_SALTBYTES];
	unsigned char nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
	unsigned char ct[SHARE_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES];
	size_t header_len;
};

static bool wrapping_key(unsigned char *key, const char *passphrase, const struct share_header *h)
{
	return crypto_pwhash(key, crypto_aead_xchacha20poly1305_ietf_KEYBYTES, passphrase,
			     strlen(passphrase), h->salt, h->opslimit, (size_t)h->memlimit,
			     crypto_pwhash_ALG_ARGON2ID13) == 0;
}

static void append(char *text, size_t *used, const char *fmt, const char *value)
{
	*used += (size_t)snprintf(text + *used, SHARE_FILE_MAX - *used, fmt, value);
	if (*used >= SHARE_FILE_MAX)
		abort();
}

static void append_b64(char *text, size_t *used, const char *name, const unsigned char *bin,
		       size_t len)
{
	char b64[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
	char line[160];
	if (len > 64)
		abort();
	sodium_bin2base64(b64, sizeof b64, bin, len, sodium_base64_VARIANT_ORIGINAL);
	snprintf(line, sizeof line, "%s %s\n", name, b64);
	append(text, used, "%s", line);
}

/* The file's text up to and including the nonce line: what the wrapping
 * authenticates, so that a changed index, threshold, role or key fails
 * like a wrong passphrase. */
static size_t header_text(char *text, const struct share_header *h)
{
	size_t used = 0;
	char fp[SHARES_FINGERPRINT_SIZE], line[128];
	struct public_key pk;
	memcpy(pk.bytes, h->pk, sizeof pk.bytes);
	shares_fingerprint(&pk, fp);
	append(text, &used, "%s\n", SHARE_MAGIC);
	append_b64(text, &used, "public", h->pk, sizeof h->pk);
	append(text, &used, "fingerprint %s\n", fp);
	append(text, &used, "split %s\n", h->split);
	snprintf(line, sizeof line, "share %llu\nthreshold %llu\nshares %llu\n", h->index,
		 h->threshold, h->count);
	append(text, &used, "%s", line);
	append(text, &used, "holder %s\n", h->role);
	snprintf(line, sizeof line, "kdf %s\nopslimit %llu\nmemlimit %llu\n", SHARE_KDF,
		 h->opslimit, h->memlimit);
	append(text, &used, "%s", line);
	append_b64(text, &used, "salt", h->salt, sizeof h->salt);
	append_b64(text, &used, "nonce", h->nonce, sizeof h->nonce);
	return used;
}

/* Wraps one share under its holder's passphrase and writes the file. */
static bool write_share(const struct share_holder *holder, const unsigned char *value,
			struct share_header *h, char *err, size_t errlen)
{
	char text[SHARE_FILE_MAX];
	unsigned char *key = sodium_malloc(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
	bool ok = false;
	if (!key) {
		keys_set_err(err, errlen, "out of memory");
		return false;
	}
	randombytes_buf(h->salt, sizeof h->salt);
	randombytes_buf(h->nonce, sizeof h->nonce);
	size_t used = header_text(text, h);
	if (!wrapping_key(key, holder->passphrase, h)) {
		keys_set_err(err, errlen,
			     "cannot derive the key: out of memory (Argon2id needs "
			     "%llu MiB)",
			     h->memlimit >> 20);
		goto done;
	}
	crypto_aead_xchacha20poly1305_ietf_encrypt(h->ct, NULL, value, SHARE_BYTES,
						   (const unsigned char *)text, used, NULL,
						   h->nonce, key);
	append_b64(text, &used, "wrapped", h->ct, sizeof h->ct);
	ok = keys_file_create(holder->path, 0600, text, used, err, errlen);
done:
	sodium_free(key);
	return ok;
}

/* Checks the holders and that none of their files (nor pub_path, when
 * given) exists yet. */
static bool check_holders(const char *pub_path, const struct share_holder *holders, unsigned n,
			  unsigned threshold, char *err, size_t errlen)
{
	struct stat st;
	if (n < 2 || n > SHARES_MAX || threshold < 2 || threshold > n) {
		keys_set_err(err, errlen, "need 2 <= threshold <= shares <= %d (got %u of %u)",
			     SHARES_MAX, threshold, n);
		return false;
	}
	for (unsigned i = 0; i < n; i++) {
		if (!shares_role_valid(holders[i].role)) {
			keys_set_err(err, errlen,
				     "unknown holder role '%s' (custodian, director, "
				     "alternate, compliance or other)",
				     holders[i].role ? holders[i].role : "");
			return false;
		}
		if (!holders[i].passphrase || !*holders[i].passphrase) {
			keys_set_err(err, errlen, "empty passphrase for the share of %s",
				     holders[i].role);
			return false;
		}
		for (unsigned j = 0; j < i; j++) {
			if (strcmp(holders[i].path, holders[j].path) == 0) {
				keys_set_err(err, errlen, "two shares to the same file %s",
					     holders[i].path);
				return false;
			}
		}
		/* fail before the slow part; O_EXCL is what really guards */
		if (lstat(holders[i].path, &st) == 0 ||
		    (pub_path && strcmp(holders[i].path, pub_path) == 0)) {
			keys_set_err(err, errlen, "%s already exists; refusing to overwrite it",
				     holders[i].path);
			return false;
		}
	}
	if (pub_path && lstat(pub_path, &st) == 0) {
		keys_set_err(err, errlen, "%s already exists; refusing to overwrite it", pub_path);
		return false;
	}
	return true;
}

/* Splits sk into the holders' share files (a fresh random polynomial);
 * on failure removes the files it wrote. */
static bool split_key(const struct secret_key *sk, const struct share_holder *holders, unsigned n,
		      unsigned threshold, char *err, size_t errlen)
{
	bool ok = false;
	unsigned written = 0;
	unsigned char nrs[SHARES_MAX];
	unsigned char *secret = sodium_malloc(SHARE_BYTES);
	unsigned char *value = sodium_malloc(SHARE_BYTES);
	gfshare_ctx *ctx = NULL;
	if (!secret || !value) {
		keys_set_err(err, errlen, "out of memory");
		goto done;
	}
	gfshare_fill_rand = fill_random;
	for (unsigned i = 0; i < n; i++)
		nrs[i] = (unsigned char)(i + 1); /* 0 is the secret itself */
	ctx = gfshare_ctx_init_enc(nrs, n, (unsigned char)threshold, SHARE_BYTES);
	if (!ctx) {
		keys_set_err(err, errlen, "out of memory");
		goto done;
	}
	memcpy(secret, secret_key_raw(sk), SHARE_BYTES);
	gfshare_ctx_enc_setsecret(ctx, secret);
	struct share_header h = {0};
	struct public_key pk;
	secret_key_public(sk, &pk);
	memcpy(h.pk, pk.bytes, sizeof h.pk);
	h.threshold = threshold;
	h.count = n;
	h.opslimit = crypto_pwhash_OPSLIMIT_MODERATE;
	h.memlimit = crypto_pwhash_MEMLIMIT_MODERATE;
	unsigned char split_id[8];
	randombytes_buf(split_id, sizeof split_id);
	sodium_bin2hex(h.split, sizeof h.split, split_id, sizeof split_id);
	for (written = 0; written < n; written++) {
		gfshare_ctx_enc_getshare(ctx, (unsigned char)written, value);
		h.index = written + 1;
		snprintf(h.role, sizeof h.role, "%s", holders[written].role);
		if (!write_share(&holders[written], value, &h, err, errlen))
			goto done;
	}
	ok = true;
done:
	if (!ok)
		for (unsigned i = 0; i < written && i < n; i++)
			unlink(holders[i].path);
	if (ctx)
		gfshare_ctx_free(ctx);
	sodium_free(value);
	sodium_free(secret);
	return ok;
}

bool shares_split(const char *pub_path, const struct share_holder *holders, unsigned n,
		  unsigned threshold, char *err, size_t errlen)
{
	if (!check_holders(pub_path, holders, n, threshold, err, errlen))
		return false;
	struct secret_key *sk = secret_key_generate();
	if (!sk) {
		keys_set_err(err, errlen, "out of memory");
		return false;
	}
	bool ok = split_key(sk, holders, n, threshold, err, errlen);
	if (ok) {
		struct public_key pk;
		char pub_text[128];
		char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
		secret_key_public(sk, &pk);
		sodium_bin2base64(b64, sizeof b64, pk.bytes, sizeof pk.bytes,
				  sodium_base64_VARIANT_ORIGINAL);
		int len = snprintf(pub_text, sizeof pub_text, "hotline-public-key-v1 %s\n", b64);
		ok = keys_file_create(pub_path, 0644, pub_text, (size_t)len, err, errlen);
		if (!ok)
			for (unsigned i = 0; i < n; i++)
				unlink(holders[i].path);
	}
	secret_key_free(sk);
	return ok;
}

bool shares_resplit(const struct secret_key *sk, const struct share_holder *holders, unsigned n,
		    unsigned threshold, char *err, size_t errlen)
{
	return check_holders(NULL, holders, n, threshold, err, errlen) &&
	       split_key(sk, holders, n, threshold, err, errlen);
}

/* ---- reading ---- */

struct cursor {
	const char *p, *end;
};

static bool next_line(struct cursor *c, const char **line, size_t *len)
{
	if (c->p >= c->end)
		return false;
	const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
	*line = c->p;
	*len = nl ? (size_t)(nl - c->p) : (size_t)(c->end - c->p);
	c->p = nl ? nl + 1 : c->end;
	return true;
}

/* The next line, if it is "name VALUE": its value, NUL-terminated in buf. */
static bool field(struct cursor *c, const char *name, char *buf, size_t size)
{
	const char *line;
	size_t len, n = strlen(name);
	if (!next_line(c, &line, &len) || len <= n + 1 || memcmp(line, name, n) != 0 ||
	    line[n] != ' ' || len - n - 1 >= size)
		return false;
	memcpy(buf, line + n + 1, len - n - 1);
	buf[len - n - 1] = '\0';
	return true;
}

static bool b64_field(struct cursor *c, const char *name, unsigned char *out, size_t outlen)
{
	char buf[160];
	size_t got = 0;
	const char *stop = NULL;
	if (!field(c, name, buf, sizeof buf))
		return false;
	if (sodium_base642bin(out, outlen, buf, strlen(buf), NULL, &got, &stop,
			      sodium_base64_VARIANT_ORIGINAL) != 0)
		return false;
	return *stop == '\0' && got == outlen;
}

static bool number_field(struct cursor *c, const char *name, unsigned long long *out)
{
	char buf[24];
	if (!field(c, name, buf, sizeof buf) || !*buf || strspn(buf, "0123456789") != strlen(buf))
		return false;
	*out = strtoull(buf, NULL, 10);
	return *out < ULLONG_MAX;
}

static bool parse_share(const char *path, const char *text, size_t len, struct share_header *h,
			char *err, size_t errlen)
{
	struct cursor c = {text, text + len};
	char buf[64], fp[SHARES_FINGERPRINT_SIZE];
	const char *line;
	size_t linelen;
	if (!next_line(&c, &line, &linelen) || linelen != strlen(SHARE_MAGIC) ||
	    memcmp(line, SHARE_MAGIC, linelen) != 0) {
		keys_set_err(err, errlen,
			     "%s is not a share of an unmasking key (first line is not "
			     "'%s')",
			     path, SHARE_MAGIC);
		return false;
	}
	struct public_key pk;
	if (!b64_field(&c, "public", h->pk, sizeof h->pk) ||
	    !field(&c, "fingerprint", buf, sizeof buf))
		goto damaged;
	memcpy(pk.bytes, h->pk, sizeof pk.bytes);
	shares_fingerprint(&pk, fp);
	if (strcmp(fp, buf) != 0 || !field(&c, "split", h->split, sizeof h->split) ||
	    strlen(h->split) != 16 || strspn(h->split, "0123456789abcdef") != 16)
		goto damaged;
	if (!number_field(&c, "share", &h->index) ||
	    !number_field(&c, "threshold", &h->threshold) ||
	    !number_field(&c, "shares", &h->count) || !field(&c, "holder", h->role, sizeof h->role))
		goto damaged;
	if (h->count < 2 || h->count > SHARES_MAX || h->threshold < 2 || h->threshold > h->count ||
	    h->index < 1 || h->index > h->count || !shares_role_valid(h->role))
		goto damaged;
	if (!field(&c, "kdf", buf, sizeof buf) || strcmp(buf, SHARE_KDF) != 0 ||
	    !number_field(&c, "opslimit", &h->opslimit) ||
	    !number_field(&c, "memlimit", &h->memlimit))
		goto damaged;
	/* a damaged or hostile file must not make us spin for hours */
	if (h->opslimit < crypto_pwhash_OPSLIMIT_MIN ||
	    h->opslimit > crypto_pwhash_OPSLIMIT_SENSITIVE ||
	    h->memlimit < crypto_pwhash_MEMLIMIT_MIN ||
	    h->memlimit > crypto_pwhash_MEMLIMIT_SENSITIVE)
		goto damaged;
	if (!b64_field(&c, "salt", h->salt, sizeof h->salt) ||
	    !b64_field(&c, "nonce", h->nonce, sizeof h->nonce))
		goto damaged;
	h->header_len = (size_t)(c.p - text);
	if (text[h->header_len - 1] != '\n' || !b64_field(&c, "wrapped", h->ct, sizeof h->ct))
		goto damaged;
	for (; c.p < c.end; c.p++)
		if (*c.p != '\n' && *c.p != '\r' && *c.p != ' ')
			goto damaged;
	return true;
damaged:
	keys_set_err(err, errlen, "%s: damaged share file", path);
	return false;
}

struct share *share_load(const char *path, const char *passphrase, char *err, size_t errlen)
{
	char text[SHARE_FILE_MAX];
	size_t len;
	struct share_header h = {0};
	if (!keys_file_read(path, text, sizeof text, &len, err, errlen) ||
	    !parse_share(path, text, len, &h, err, errlen))
		return NULL;
	unsigned char *key = sodium_malloc(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
	struct share *s = sodium_malloc(sizeof *s);
	if (!key || !s) {
		keys_set_err(err, errlen, "out of memory");
		goto fail;
	}
	if (!wrapping_key(key, passphrase, &h)) {
		keys_set_err(err, errlen, "%s: cannot derive the key: out of memory", path);
		goto fail;
	}
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(s->value, NULL, NULL, h.ct, sizeof h.ct,
						       (const unsigned char *)text, h.header_len,
						       h.nonce, key) != 0) {
		keys_set_err(err, errlen, "%s: wrong passphrase or damaged share file", path);
		goto fail;
	}
	memcpy(s->pk, h.pk, sizeof s->pk);
	s->index = (unsigned)h.index;
	s->threshold = (unsigned)h.threshold;
	s->count = (unsigned)h.count;
	snprintf(s->role, sizeof s->role, "%s", h.role);
	snprintf(s->split, sizeof s->split, "%s", h.split);
	sodium_free(key);
	sodium_mprotect_readonly(s);
	return s;
fail:
	sodium_free(key);
	sodium_free(s);
	return NULL;
}

unsigned share_index(const struct share *s)
{
	return s->index;
}

unsigned share_threshold(const struct share *s)
{
	return s->threshold;
}

unsigned share_count(const struct share *s)
{
	return s->count;
}

const char *share_role(const struct share *s)
{
	return s->role;
}

void share_free(struct share *s)
{
	sodium_free(s);
}

struct secret_key *shares_combine(struct share *const *shares, unsigned k, char *err, size_t errlen)
{
	if (k == 0) {
		keys_set_err(err, errlen, "no share given");
		return NULL;
	}
	const struct share *first = shares[0];
	for (unsigned i = 1; i < k; i++) {
		const struct share *s = shares[i];
		if (sodium_memcmp(s->pk, first->pk, sizeof s->pk) != 0 ||
		    s->threshold != first->threshold || s->count != first->count) {
			keys_set_err(
			    err, errlen,
			    "the shares are not of the same key: share %u (%s) and share %u "
			    "(%s) belong to different splits",
			    first->index, first->role, s->index, s->role);
			return NULL;
		}
		if (strcmp(s->split, first->split) != 0) {
			keys_set_err(
			    err, errlen,
			    "the shares are not of the same split: share %u (%s) is of split "
			    "%s, share %u (%s) of split %s; the key was split again, use "
			    "shares of one split only",
			    first->index, first->role, first->split, s->index, s->role, s->split);
			return NULL;
		}
		for (unsigned j = 0; j < i; j++) {
			if (shares[j]->index == s->index) {
				keys_set_err(err, errlen, "share %u is given twice", s->index);
				return NULL;
			}
		}
	}
	if (k < first->threshold) {
		keys_set_err(err, errlen, "%u share%s given, %u of the %u are needed", k,
			     k == 1 ? "" : "s", first->threshold, first->count);
		return NULL;
	}
	unsigned char nrs[SHARES_MAX];
	for (unsigned i = 0; i < k && i < SHARES_MAX; i++)
		nrs[i] = (unsigned char)shares[i]->index;
	gfshare_fill_rand = fill_random;
	gfshare_ctx *ctx = gfshare_ctx_init_dec(nrs, k, SHARE_BYTES);
	unsigned char *raw = sodium_malloc(SHARE_BYTES);
	struct secret_key *sk = NULL;
	if (!ctx || !raw) {
		keys_set_err(err, errlen, "out of memory");
		goto done;
	}
	for (unsigned i = 0; i < k; i++)
		gfshare_ctx_dec_giveshare(ctx, (unsigned char)i, (unsigned char *)shares[i]->value);
	gfshare_ctx_dec_extract(ctx, raw);
	sk = secret_key_from_raw(raw);
	if (!sk) {
		keys_set_err(err, errlen, "out of memory");
		goto done;
	}
	struct public_key pk;
	secret_key_public(sk, &pk);
	if (sodium_memcmp(pk.bytes, first->pk, sizeof pk.bytes) != 0) {
		keys_set_err(err, errlen,
			     "the shares do not rebuild the key they name: one of them "
			     "is damaged or from another split");
		secret_key_free(sk);
		sk = NULL;
	}
done:
	if (ctx)
		gfshare_ctx_free(ctx);
	sodium_free(raw);
	return sk;
}
