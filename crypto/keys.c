/* Key pairs and their files. The formats are described in docs/keys.md;
 * keep the two in step. */
#include "crypto/keys.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/secret.h"

#define PUBLIC_MAGIC "hotline-public-key-v1"
#define SECRET_MAGIC "hotline-secret-key-v1"
#define SECRET_KDF "argon2id13"
/* Big enough for either file with room to spare; anything larger is not
 * one of ours. */
#define KEY_FILE_MAX 1024

struct secret_key {
	unsigned char pk[crypto_box_PUBLICKEYBYTES];
	unsigned char sk[crypto_box_SECRETKEYBYTES];
};

_Static_assert(KEYS_PUBLIC_BYTES == crypto_box_PUBLICKEYBYTES, "public key size");
_Static_assert(crypto_box_SECRETKEYBYTES == crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
	       "one wrapping key size");

void keys_set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

bool keys_init(void)
{
	return sodium_init() >= 0;
}

/* ---- small files ---- */

static bool write_all(int fd, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

bool keys_file_create(const char *path, mode_t mode, const void *data, size_t len, char *err,
		      size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);

	if (fd < 0) {
		if (errno == EEXIST)
			keys_set_err(err, errlen, "%s already exists; refusing to overwrite it",
				     path);
		else
			keys_set_err(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return false;
	}
	/* The umask must not widen nor narrow what we were asked for: a
	 * public key the daemon user cannot read is as wrong as a secret
	 * anyone can. */
	if (fchmod(fd, mode) != 0 || !write_all(fd, data, len) || fsync(fd) != 0) {
		keys_set_err(err, errlen, "cannot write %s: %s", path, strerror(errno));
		goto fail;
	}
	if (close(fd) != 0) {
		fd = -1;
		keys_set_err(err, errlen, "cannot write %s: %s", path, strerror(errno));
		goto fail;
	}
	return true;

fail:
	if (fd >= 0)
		close(fd);
	unlink(path);
	return false;
}

bool keys_file_read(const char *path, char *buf, size_t size, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	size_t have = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		keys_set_err(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return false;
	}
	if (fstat(fd, &st) != 0) {
		keys_set_err(err, errlen, "cannot read %s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		keys_set_err(err, errlen, "%s is not a regular file", path);
		goto fail;
	}
	for (;;) {
		ssize_t n;

		if (have + 1 >= size) {
			keys_set_err(err, errlen, "%s is too large to be a hotline key file", path);
			goto fail;
		}
		n = read(fd, buf + have, size - 1 - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			keys_set_err(err, errlen, "cannot read %s: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		have += (size_t)n;
	}
	close(fd);
	buf[have] = '\0';
	*len = have;
	return true;

fail:
	close(fd);
	return false;
}

/* ---- parsing helpers for our line-based files ---- */

struct cursor {
	const char *p;
	const char *end;
};

/* The next line without its '\n'. Every line ends in '\n' except that the
 * last one may have lost it to an editor. */
static bool next_line(struct cursor *c, const char **line, size_t *len)
{
	const char *nl;

	if (c->p >= c->end)
		return false;
	nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
	*line = c->p;
	if (nl == NULL) {
		*len = (size_t)(c->end - c->p);
		c->p = c->end;
	} else {
		*len = (size_t)(nl - c->p);
		c->p = nl + 1;
	}
	return true;
}

/* "name value": the value of the line if it is called name. */
static bool line_field(const char *line, size_t len, const char *name, const char **value,
		       size_t *vlen)
{
	size_t n = strlen(name);

	if (len <= n + 1 || memcmp(line, name, n) != 0 || line[n] != ' ')
		return false;
	*value = line + n + 1;
	*vlen = len - n - 1;
	return true;
}

static bool b64_exact(const char *s, size_t n, unsigned char *out, size_t outlen)
{
	size_t got = 0;
	const char *stop = NULL;

	if (sodium_base642bin(out, outlen, s, n, NULL, &got, &stop,
			      sodium_base64_VARIANT_ORIGINAL) != 0)
		return false;
	return stop == s + n && got == outlen;
}

static bool parse_u64(const char *s, size_t n, unsigned long long *out)
{
	unsigned long long v = 0;

	if (n == 0 || n > 20)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v > (ULLONG_MAX - (unsigned)(s[i] - '0')) / 10)
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return true;
}

static bool only_space(const char *p, const char *end)
{
	for (; p < end; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			return false;
	return true;
}

/* Appends "name base64(bin)\n" to text (text has room for KEY_FILE_MAX). */
static void append_b64(char *text, size_t *used, const char *name, const unsigned char *bin,
		       size_t len)
{
	char b64[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];

	if (len > 64)
		abort();
	sodium_bin2base64(b64, sizeof b64, bin, len, sodium_base64_VARIANT_ORIGINAL);
	*used += (size_t)snprintf(text + *used, KEY_FILE_MAX - *used, "%s %s\n", name, b64);
	if (*used >= KEY_FILE_MAX)
		abort();
}

/* ---- public keys ---- */

bool keys_load_public(const char *path, struct public_key *out, char *err, size_t errlen)
{
	char text[KEY_FILE_MAX];
	size_t len;
	struct cursor c;
	const char *line, *value;
	size_t linelen, vlen;

	if (!keys_file_read(path, text, sizeof text, &len, err, errlen))
		return false;
	c = (struct cursor){text, text + len};
	if (!next_line(&c, &line, &linelen)) {
		keys_set_err(err, errlen, "%s is empty, not a hotline public key file", path);
		return false;
	}
	if (linelen >= strlen(SECRET_MAGIC) &&
	    memcmp(line, SECRET_MAGIC, strlen(SECRET_MAGIC)) == 0) {
		keys_set_err(err, errlen,
			     "%s is a secret key file; give the public key file written with it",
			     path);
		return false;
	}
	if (!line_field(line, linelen, PUBLIC_MAGIC, &value, &vlen)) {
		keys_set_err(err, errlen, "%s is not a hotline public key file (no '%s' line)",
			     path, PUBLIC_MAGIC);
		return false;
	}
	while (vlen > 0 && (value[vlen - 1] == ' ' || value[vlen - 1] == '\r'))
		vlen--;
	if (!b64_exact(value, vlen, out->bytes, sizeof out->bytes) || !only_space(c.p, c.end)) {
		keys_set_err(err, errlen, "%s: damaged public key file", path);
		return false;
	}
	return true;
}

/* ---- secret keys ---- */

/* Fields of a secret key file; the authenticated header is the file's text
 * from its start up to and including the nonce line. */
struct wrapped {
	unsigned char pk[crypto_box_PUBLICKEYBYTES];
	unsigned long long opslimit;
	unsigned long long memlimit;
	unsigned char salt[crypto_pwhash_SALTBYTES];
	unsigned char nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
	unsigned char ct[crypto_box_SECRETKEYBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES];
	size_t header_len;
};

static bool wrapping_key(unsigned char *key, const char *passphrase, const struct wrapped *w)
{
	return crypto_pwhash(key, crypto_aead_xchacha20poly1305_ietf_KEYBYTES, passphrase,
			     strlen(passphrase), w->salt, w->opslimit, (size_t)w->memlimit,
			     crypto_pwhash_ALG_ARGON2ID13) == 0;
}

static bool parse_secret_file(const char *path, const char *text, size_t len, struct wrapped *w,
			      char *err, size_t errlen)
{
	struct cursor c = {text, text + len};
	const char *line = text, *value;
	size_t linelen = 0, vlen;

	if (!next_line(&c, &line, &linelen) || linelen != strlen(SECRET_MAGIC) ||
	    memcmp(line, SECRET_MAGIC, linelen) != 0) {
		if (linelen > strlen(PUBLIC_MAGIC) &&
		    memcmp(line, PUBLIC_MAGIC, strlen(PUBLIC_MAGIC)) == 0)
			keys_set_err(err, errlen,
				     "%s is a public key file; give the secret key file", path);
		else
			keys_set_err(err, errlen,
				     "%s is not a hotline secret key file (first line is not '%s')",
				     path, SECRET_MAGIC);
		return false;
	}
	if (!next_line(&c, &line, &linelen) ||
	    !line_field(line, linelen, "public", &value, &vlen) ||
	    !b64_exact(value, vlen, w->pk, sizeof w->pk))
		goto damaged;
	if (!next_line(&c, &line, &linelen) || !line_field(line, linelen, "kdf", &value, &vlen))
		goto damaged;
	if (vlen != strlen(SECRET_KDF) || memcmp(value, SECRET_KDF, vlen) != 0) {
		keys_set_err(err, errlen, "%s: unsupported key derivation '%.*s'", path, (int)vlen,
			     value);
		return false;
	}
	if (!next_line(&c, &line, &linelen) ||
	    !line_field(line, linelen, "opslimit", &value, &vlen) ||
	    !parse_u64(value, vlen, &w->opslimit))
		goto damaged;
	if (!next_line(&c, &line, &linelen) ||
	    !line_field(line, linelen, "memlimit", &value, &vlen) ||
	    !parse_u64(value, vlen, &w->memlimit))
		goto damaged;
	/* A damaged or hostile file must not make us spin for hours or
	 * allocate all memory: accept nothing above the SENSITIVE presets. */
	if (w->opslimit < crypto_pwhash_OPSLIMIT_MIN ||
	    w->opslimit > crypto_pwhash_OPSLIMIT_SENSITIVE ||
	    w->memlimit < crypto_pwhash_MEMLIMIT_MIN ||
	    w->memlimit > crypto_pwhash_MEMLIMIT_SENSITIVE) {
		keys_set_err(err, errlen,
			     "%s: Argon2id limits out of range (opslimit %llu, memlimit %llu)",
			     path, w->opslimit, w->memlimit);
		return false;
	}
	if (!next_line(&c, &line, &linelen) || !line_field(line, linelen, "salt", &value, &vlen) ||
	    !b64_exact(value, vlen, w->salt, sizeof w->salt))
		goto damaged;
	if (!next_line(&c, &line, &linelen) || !line_field(line, linelen, "nonce", &value, &vlen) ||
	    !b64_exact(value, vlen, w->nonce, sizeof w->nonce))
		goto damaged;
	w->header_len = (size_t)(c.p - text);
	if (!next_line(&c, &line, &linelen) ||
	    !line_field(line, linelen, "wrapped", &value, &vlen) ||
	    !b64_exact(value, vlen, w->ct, sizeof w->ct) || !only_space(c.p, c.end))
		goto damaged;
	/* The nonce line must have ended in '\n' for the header to be what
	 * was authenticated; next_line() only tolerates a missing one last. */
	if (text[w->header_len - 1] != '\n')
		goto damaged;
	return true;

damaged:
	keys_set_err(err, errlen, "%s: damaged secret key file", path);
	return false;
}

struct secret_key *keys_load_secret(const char *sec_path, const char *passphrase, char *err,
				    size_t errlen)
{
	char text[KEY_FILE_MAX];
	size_t len;
	struct wrapped w;
	unsigned char check[crypto_box_PUBLICKEYBYTES];
	unsigned char *key = NULL;
	struct secret_key *sk = NULL;

	if (!keys_file_read(sec_path, text, sizeof text, &len, err, errlen))
		return NULL;
	if (!parse_secret_file(sec_path, text, len, &w, err, errlen))
		return NULL;
	key = sodium_malloc(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
	sk = sodium_malloc(sizeof *sk);
	if (key == NULL || sk == NULL) {
		keys_set_err(err, errlen, "out of memory");
		goto fail;
	}
	if (!wrapping_key(key, passphrase, &w)) {
		keys_set_err(err, errlen,
			     "%s: cannot derive the key: out of memory (Argon2id needs %llu MiB)",
			     sec_path, w.memlimit >> 20);
		goto fail;
	}
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(sk->sk, NULL, NULL, w.ct, sizeof w.ct,
						       (const unsigned char *)text, w.header_len,
						       w.nonce, key) != 0) {
		keys_set_err(err, errlen, "%s: wrong passphrase or damaged key file", sec_path);
		goto fail;
	}
	memcpy(sk->pk, w.pk, sizeof sk->pk);
	if (crypto_scalarmult_base(check, sk->sk) != 0 ||
	    sodium_memcmp(check, sk->pk, sizeof check) != 0) {
		keys_set_err(err, errlen, "%s: damaged key file (secret and public parts differ)",
			     sec_path);
		goto fail;
	}
	sodium_free(key);
	sodium_mprotect_readonly(sk);
	return sk;

fail:
	sodium_free(key);
	sodium_free(sk);
	return NULL;
}

bool keys_generate(const char *pub_path, const char *sec_path, const char *passphrase, char *err,
		   size_t errlen)
{
	struct stat st;
	struct wrapped w;
	char sec_text[KEY_FILE_MAX];
	char pub_text[KEY_FILE_MAX];
	size_t used = 0, pub_used = 0;
	unsigned char *key = NULL;
	struct secret_key *sk = NULL;

	if (passphrase == NULL || passphrase[0] == '\0') {
		keys_set_err(err, errlen, "empty passphrase");
		return false;
	}
	if (strcmp(pub_path, sec_path) == 0) {
		keys_set_err(err, errlen, "the public and secret key files must differ");
		return false;
	}
	/* Fail before the slow part; O_EXCL below is what really guards. */
	if (lstat(sec_path, &st) == 0) {
		keys_set_err(err, errlen, "%s already exists; refusing to overwrite it", sec_path);
		return false;
	}
	if (lstat(pub_path, &st) == 0) {
		keys_set_err(err, errlen, "%s already exists; refusing to overwrite it", pub_path);
		return false;
	}

	key = sodium_malloc(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
	sk = sodium_malloc(sizeof *sk);
	if (key == NULL || sk == NULL) {
		keys_set_err(err, errlen, "out of memory");
		goto fail;
	}
	if (crypto_box_keypair(sk->pk, sk->sk) != 0) {
		keys_set_err(err, errlen, "cannot make a key pair");
		goto fail;
	}
	memcpy(w.pk, sk->pk, sizeof w.pk);
	w.opslimit = crypto_pwhash_OPSLIMIT_MODERATE;
	w.memlimit = crypto_pwhash_MEMLIMIT_MODERATE;
	randombytes_buf(w.salt, sizeof w.salt);
	randombytes_buf(w.nonce, sizeof w.nonce);

	used = (size_t)snprintf(sec_text, sizeof sec_text, "%s\n", SECRET_MAGIC);
	append_b64(sec_text, &used, "public", w.pk, sizeof w.pk);
	used += (size_t)snprintf(sec_text + used, sizeof sec_text - used,
				 "kdf %s\nopslimit %llu\nmemlimit %llu\n", SECRET_KDF, w.opslimit,
				 w.memlimit);
	append_b64(sec_text, &used, "salt", w.salt, sizeof w.salt);
	append_b64(sec_text, &used, "nonce", w.nonce, sizeof w.nonce);
	w.header_len = used;

	if (!wrapping_key(key, passphrase, &w)) {
		keys_set_err(err, errlen,
			     "cannot derive the key: out of memory (Argon2id needs %llu MiB)",
			     w.memlimit >> 20);
		goto fail;
	}
	crypto_aead_xchacha20poly1305_ietf_encrypt(w.ct, NULL, sk->sk, sizeof sk->sk,
						   (const unsigned char *)sec_text, w.header_len,
						   NULL, w.nonce, key);
	append_b64(sec_text, &used, "wrapped", w.ct, sizeof w.ct);

	append_b64(pub_text, &pub_used, PUBLIC_MAGIC, sk->pk, sizeof sk->pk);

	if (!keys_file_create(sec_path, 0600, sec_text, used, err, errlen))
		goto fail;
	if (!keys_file_create(pub_path, 0644, pub_text, pub_used, err, errlen)) {
		unlink(sec_path);
		goto fail;
	}
	sodium_free(key);
	sodium_free(sk);
	return true;

fail:
	sodium_free(key);
	sodium_free(sk);
	return false;
}

void secret_key_public(const struct secret_key *sk, struct public_key *out)
{
	memcpy(out->bytes, sk->pk, sizeof out->bytes);
}

/* A case key pair is made (and the holder's opened) for every report:
 * kept guarded blocks (crypto/secret.c), not sodium_malloc() each time. */
static struct secret_key *secret_key_alloc(void)
{
	return secret_take(sizeof(struct secret_key));
}

struct secret_key *secret_key_generate(void)
{
	struct secret_key *sk = secret_key_alloc();
	if (!sk)
		return NULL;
	crypto_box_keypair(sk->pk, sk->sk);
	sodium_mprotect_readonly(sk);
	return sk;
}

struct secret_key *secret_key_from_raw(const unsigned char raw[KEYS_SECRET_BYTES])
{
	_Static_assert(KEYS_SECRET_BYTES == crypto_box_SECRETKEYBYTES, "secret key size");
	struct secret_key *sk = secret_key_alloc();
	if (!sk)
		return NULL;
	memcpy(sk->sk, raw, sizeof sk->sk);
	crypto_scalarmult_base(sk->pk, sk->sk);
	sodium_mprotect_readonly(sk);
	return sk;
}

const unsigned char *secret_key_raw(const struct secret_key *sk)
{
	return sk->sk;
}

void secret_key_free(struct secret_key *sk)
{
	if (sk == NULL)
		return;
	/* writable again, then wiped and kept (or released) */
	sodium_mprotect_readwrite(sk);
	secret_give(sk, sizeof(*sk));
}

bool secret_key_unseal(const struct secret_key *sk, unsigned char *out, const unsigned char *sealed,
		       size_t len)
{
	if (len < crypto_box_SEALBYTES)
		return false;
	return crypto_box_seal_open(out, sealed, len, sk->pk, sk->sk) == 0;
}
