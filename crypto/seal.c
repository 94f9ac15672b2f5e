/* Sealed boxes, content keys and the two content formats (small blobs and
 * chunked streams). Formats and derivation are described in docs/keys.md. */
#include "crypto/seal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/secret.h"

struct content_key {
	unsigned char k[crypto_secretbox_KEYBYTES];
};

_Static_assert(crypto_secretbox_KEYBYTES == crypto_secretstream_xchacha20poly1305_KEYBYTES,
	       "one content key serves both formats");
_Static_assert(crypto_secretbox_KEYBYTES == crypto_generichash_BYTES, "derived key size");

/* Domain of content_key_derive(): BLAKE2b personalisation is 16 bytes,
 * this prefix and then the caller's context zero-padded to 8 bytes. */
#define DERIVE_PREFIX "hotline1"
#define DERIVE_CONTEXT_MAX 8

static size_t at_least_one(size_t n)
{
	return n == 0 ? 1 : n;
}

/* ---- sealed boxes ---- */

bool seal_to(const struct public_key *to, const void *plain, size_t len, unsigned char **out,
	     size_t *outlen)
{
	unsigned char *buf;

	*out = NULL;
	*outlen = 0;
	if (len > SIZE_MAX - crypto_box_SEALBYTES)
		return false;
	buf = malloc(len + crypto_box_SEALBYTES);
	if (buf == NULL)
		return false;
	if (crypto_box_seal(buf, plain, len, to->bytes) != 0)
		goto fail;
	*out = buf;
	*outlen = len + crypto_box_SEALBYTES;
	return true;

fail:
	free(buf);
	return false;
}

bool seal_open(const struct secret_key *sk, const unsigned char *sealed, size_t len,
	       unsigned char **plain, size_t *plainlen)
{
	unsigned char *buf;

	*plain = NULL;
	*plainlen = 0;
	if (len < crypto_box_SEALBYTES)
		return false;
	buf = sodium_malloc(at_least_one(len - crypto_box_SEALBYTES));
	if (buf == NULL)
		return false;
	if (!secret_key_unseal(sk, buf, sealed, len))
		goto fail;
	*plain = buf;
	*plainlen = len - crypto_box_SEALBYTES;
	return true;

fail:
	sodium_free(buf);
	return false;
}

void seal_plain_free(unsigned char *plain, size_t len)
{
	(void)len; /* sodium_free() knows the size and wipes it all */
	sodium_free(plain);
}

/* ---- content keys ---- */

/* Every report makes and drops content keys: they come from the kept
 * guarded blocks of crypto/secret.c, not from sodium_malloc() each time. */
static struct content_key *key_alloc(void)
{
	return secret_take(sizeof(struct content_key));
}

/* key must be writable (or NULL) */
static void key_release(struct content_key *key)
{
	secret_give(key, sizeof(*key));
}

/* Once filled in, a key is never written again. */
static struct content_key *key_seal_pages(struct content_key *key)
{
	sodium_mprotect_readonly(key);
	return key;
}

struct content_key *content_key_new(void)
{
	struct content_key *key = key_alloc();

	if (key == NULL)
		return NULL;
	crypto_secretbox_keygen(key->k);
	return key_seal_pages(key);
}

struct content_key *content_key_derive(const void *material, size_t len, const char *context)
{
	unsigned char personal[crypto_generichash_blake2b_PERSONALBYTES] = {0};
	size_t ctxlen;
	struct content_key *key;

	_Static_assert(sizeof DERIVE_PREFIX - 1 + DERIVE_CONTEXT_MAX == sizeof personal,
		       "prefix and context fill the personalisation");
	if (context == NULL || (material == NULL && len > 0))
		return NULL;
	ctxlen = strlen(context);
	if (ctxlen == 0 || ctxlen > DERIVE_CONTEXT_MAX)
		return NULL;
	memcpy(personal, DERIVE_PREFIX, sizeof DERIVE_PREFIX - 1);
	memcpy(personal + sizeof DERIVE_PREFIX - 1, context, ctxlen);

	key = key_alloc();
	if (key == NULL)
		return NULL;
	if (crypto_generichash_blake2b_salt_personal(key->k, sizeof key->k, material, len, NULL, 0,
						     NULL, personal) != 0) {
		key_release(key);
		return NULL;
	}
	return key_seal_pages(key);
}

struct content_key *content_key_file_load(const char *path, char *err, size_t errlen)
{
	char text[2 * crypto_secretbox_KEYBYTES + 8];
	size_t len = 0;
	struct content_key *key = NULL;
	if (access(path, F_OK) != 0 && errno == ENOENT) {
		unsigned char raw[crypto_secretbox_KEYBYTES];
		randombytes_buf(raw, sizeof raw);
		sodium_bin2hex(text, sizeof text, raw, sizeof raw);
		sodium_memzero(raw, sizeof raw);
		size_t n = strlen(text);
		text[n++] = '\n';
		bool made = keys_file_create(path, 0600, text, n, err, errlen);
		sodium_memzero(text, sizeof text);
		if (!made)
			return NULL;
	}
	if (!keys_file_read(path, text, sizeof text, &len, err, errlen))
		return NULL;
	if (len > 0 && text[len - 1] == '\n')
		text[--len] = '\0';
	key = key_alloc();
	size_t bin_len = 0;
	if (key == NULL || len != 2 * crypto_secretbox_KEYBYTES ||
	    sodium_hex2bin(key->k, sizeof key->k, text, len, NULL, &bin_len, NULL) != 0 ||
	    bin_len != sizeof key->k) {
		snprintf(err, errlen, "%s: not a key file (64 hex digits)", path);
		sodium_memzero(text, sizeof text);
		key_release(key);
		return NULL;
	}
	sodium_memzero(text, sizeof text);
	return key_seal_pages(key);
}

void content_key_spool_dir(const char *outbox_key_file, char *out, size_t size)
{
	snprintf(out, size, "%s.d", outbox_key_file);
}

static bool spool_id_valid(const char *id)
{
	size_t n = strlen(id);
	if (n != CONTENT_KEY_ID_SIZE - 1)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return false;
	return true;
}

struct content_key *content_key_spool_new(const char *dir, char id[CONTENT_KEY_ID_SIZE], char *err,
					  size_t errlen)
{
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot make %s: %s", dir, strerror(errno));
		return NULL;
	}
	unsigned char raw[(CONTENT_KEY_ID_SIZE - 1) / 2];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(id, CONTENT_KEY_ID_SIZE, raw, sizeof raw);
	char path[4096];
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, id) >= sizeof path) {
		snprintf(err, errlen, "%s: path too long", dir);
		return NULL;
	}
	/* content_key_file_load() makes the file, O_EXCL, with a fresh key */
	return content_key_file_load(path, err, errlen);
}

struct content_key *content_key_spool_load(const char *dir, const char *id, char *err,
					   size_t errlen)
{
	char path[4096];
	if (!spool_id_valid(id)) {
		snprintf(err, errlen, "not a key name");
		return NULL;
	}
	snprintf(path, sizeof path, "%s/%s", dir, id);
	if (access(path, F_OK) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	return content_key_file_load(path, err, errlen);
}

void content_key_spool_erase(const char *dir, const char *id)
{
	char path[4096];
	if (!spool_id_valid(id))
		return;
	snprintf(path, sizeof path, "%s/%s", dir, id);
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0) {
		struct stat st;
		static const char zeros[128];
		if (fstat(fd, &st) == 0 && st.st_size > 0 && (size_t)st.st_size <= sizeof zeros &&
		    write(fd, zeros, (size_t)st.st_size) == st.st_size)
			(void)fsync(fd);
		close(fd);
	}
	(void)unlink(path);
}

void content_key_free(struct content_key *key)
{
	if (key == NULL)
		return;
	sodium_mprotect_readwrite(key);
	key_release(key);
}

bool content_key_seal(const struct content_key *key, const struct public_key *to,
		      unsigned char **out, size_t *outlen)
{
	return seal_to(to, key->k, sizeof key->k, out, outlen);
}

struct content_key *content_key_open(const struct secret_key *sk, const unsigned char *sealed,
				     size_t len)
{
	struct content_key *key;

	if (len != crypto_box_SEALBYTES + sizeof key->k)
		return NULL;
	key = key_alloc();
	if (key == NULL)
		return NULL;
	if (!secret_key_unseal(sk, key->k, sealed, len)) {
		key_release(key);
		return NULL;
	}
	return key_seal_pages(key);
}

/* ---- small blobs: nonce || secretbox ---- */

#define BLOB_OVERHEAD (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)

bool content_encrypt(const struct content_key *key, const void *plain, size_t len,
		     unsigned char **out, size_t *outlen)
{
	unsigned char *buf;

	*out = NULL;
	*outlen = 0;
	if (len > SIZE_MAX - BLOB_OVERHEAD)
		return false;
	buf = malloc(len + BLOB_OVERHEAD);
	if (buf == NULL)
		return false;
	randombytes_buf(buf, crypto_secretbox_NONCEBYTES);
	if (crypto_secretbox_easy(buf + crypto_secretbox_NONCEBYTES, plain, len, buf, key->k) != 0)
		goto fail;
	*out = buf;
	*outlen = len + BLOB_OVERHEAD;
	return true;

fail:
	free(buf);
	return false;
}

bool content_decrypt(const struct content_key *key, const unsigned char *in, size_t len,
		     unsigned char **plain, size_t *plainlen)
{
	unsigned char *buf;

	*plain = NULL;
	*plainlen = 0;
	if (len < BLOB_OVERHEAD)
		return false;
	buf = malloc(at_least_one(len - BLOB_OVERHEAD));
	if (buf == NULL)
		return false;
	if (crypto_secretbox_open_easy(buf, in + crypto_secretbox_NONCEBYTES,
				       len - crypto_secretbox_NONCEBYTES, in, key->k) != 0)
		goto fail;
	*plain = buf;
	*plainlen = len - BLOB_OVERHEAD;
	return true;

fail:
	free(buf);
	return false;
}

/* ---- streams: header || chunk... ----
 *
 * Every chunk but the last holds exactly STREAM_CHUNK bytes of plaintext;
 * the last holds 1..STREAM_CHUNK (0 only when the whole input is empty)
 * and is the only one tagged FINAL. The ciphertext chunk boundaries follow
 * from the length alone, so no framing is stored. */

#define STREAM_HEADER crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define STREAM_ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define STREAM_CIPHER_CHUNK (STREAM_CHUNK + STREAM_ABYTES)

bool stream_encrypt(const struct content_key *key, const void *plain, size_t len,
		    unsigned char **out, size_t *outlen)
{
	crypto_secretstream_xchacha20poly1305_state st;
	const unsigned char *p = plain;
	size_t chunks = len == 0 ? 1 : (len - 1) / STREAM_CHUNK + 1;
	size_t total, done = 0, pos;
	unsigned char *buf;

	*out = NULL;
	*outlen = 0;
	if (chunks > (SIZE_MAX - STREAM_HEADER) / STREAM_ABYTES ||
	    len > SIZE_MAX - STREAM_HEADER - chunks * STREAM_ABYTES)
		return false;
	total = STREAM_HEADER + chunks * STREAM_ABYTES + len;
	buf = malloc(total);
	if (buf == NULL)
		return false;
	if (crypto_secretstream_xchacha20poly1305_init_push(&st, buf, key->k) != 0)
		goto fail;
	pos = STREAM_HEADER;
	for (size_t i = 0; i < chunks; i++) {
		size_t n = len - done < STREAM_CHUNK ? len - done : STREAM_CHUNK;
		unsigned char tag = i + 1 == chunks
					? crypto_secretstream_xchacha20poly1305_TAG_FINAL
					: crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;

		if (crypto_secretstream_xchacha20poly1305_push(&st, buf + pos, NULL, p + done, n,
							       NULL, 0, tag) != 0)
			goto fail;
		done += n;
		pos += n + STREAM_ABYTES;
	}
	sodium_memzero(&st, sizeof st);
	*out = buf;
	*outlen = total;
	return true;

fail:
	sodium_memzero(&st, sizeof st);
	free(buf);
	return false;
}

/* The same stream as stream_encrypt(), its plaintext pulled a chunk at a
 * time: only one chunk of it is ever in memory, in guarded memory, so a
 * file read back from the upload spool never lies whole in clear in the
 * heap. The ciphertext is still one buffer (the database takes it as one
 * bytea parameter). */
bool stream_encrypt_read(const struct content_key *key, size_t len, stream_read_fn read, void *cls,
			 unsigned char **out, size_t *outlen)
{
	crypto_secretstream_xchacha20poly1305_state st;
	size_t chunks = len == 0 ? 1 : (len - 1) / STREAM_CHUNK + 1;
	size_t total, done = 0, pos;
	unsigned char *buf, *plain;

	*out = NULL;
	*outlen = 0;
	if (chunks > (SIZE_MAX - STREAM_HEADER) / STREAM_ABYTES ||
	    len > SIZE_MAX - STREAM_HEADER - chunks * STREAM_ABYTES)
		return false;
	total = STREAM_HEADER + chunks * STREAM_ABYTES + len;
	plain = secret_take(STREAM_CHUNK); /* one per report with a file */
	if (plain == NULL)
		return false;
	buf = malloc(total);
	if (buf == NULL) {
		secret_give(plain, STREAM_CHUNK);
		return false;
	}
	if (crypto_secretstream_xchacha20poly1305_init_push(&st, buf, key->k) != 0)
		goto fail;
	pos = STREAM_HEADER;
	for (size_t i = 0; i < chunks; i++) {
		size_t n = len - done < STREAM_CHUNK ? len - done : STREAM_CHUNK;
		unsigned char tag = i + 1 == chunks
					? crypto_secretstream_xchacha20poly1305_TAG_FINAL
					: crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;

		if (n > 0 && !read(cls, plain, n))
			goto fail;
		if (crypto_secretstream_xchacha20poly1305_push(&st, buf + pos, NULL, plain, n, NULL,
							       0, tag) != 0)
			goto fail;
		done += n;
		pos += n + STREAM_ABYTES;
	}
	sodium_memzero(&st, sizeof st);
	secret_give(plain, STREAM_CHUNK);
	*out = buf;
	*outlen = total;
	return true;

fail:
	sodium_memzero(&st, sizeof st);
	secret_give(plain, STREAM_CHUNK);
	free(buf);
	return false;
}

bool stream_decrypt(const struct content_key *key, const unsigned char *in, size_t len,
		    unsigned char **plain, size_t *plainlen)
{
	crypto_secretstream_xchacha20poly1305_state st;
	size_t body, chunks, cap, pos, done = 0;
	unsigned char *buf;

	*plain = NULL;
	*plainlen = 0;
	if (len < STREAM_HEADER + STREAM_ABYTES)
		return false;
	body = len - STREAM_HEADER;
	chunks = (body - 1) / STREAM_CIPHER_CHUNK + 1;
	/* A last chunk too short to hold its tag and MAC is a cut stream. */
	if (body - (chunks - 1) * STREAM_CIPHER_CHUNK < STREAM_ABYTES)
		return false;
	cap = body - chunks * STREAM_ABYTES;
	buf = malloc(at_least_one(cap));
	if (buf == NULL)
		return false;
	if (crypto_secretstream_xchacha20poly1305_init_pull(&st, in, key->k) != 0)
		goto fail;
	pos = STREAM_HEADER;
	for (size_t i = 0; i < chunks; i++) {
		size_t clen = len - pos < STREAM_CIPHER_CHUNK ? len - pos : STREAM_CIPHER_CHUNK;
		unsigned long long n = 0;
		unsigned char tag = 0;
		bool last = i + 1 == chunks;

		if (crypto_secretstream_xchacha20poly1305_pull(&st, buf + done, &n, &tag, in + pos,
							       clen, NULL, 0) != 0)
			goto fail;
		/* FINAL exactly on the last chunk: earlier means data was
		 * appended, missing means the stream was cut short. */
		if (tag != (last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
				 : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE))
			goto fail;
		/* Only the sole chunk of an empty input may be empty. */
		if (n == 0 && chunks != 1)
			goto fail;
		done += (size_t)n;
		pos += clen;
	}
	sodium_memzero(&st, sizeof st);
	*plain = buf;
	*plainlen = done;
	return true;

fail:
	sodium_memzero(&st, sizeof st);
	sodium_memzero(buf, at_least_one(cap));
	free(buf);
	return false;
}

/* ---- the reporter's key pair ---- */

bool reporter_public_key_derive(const void *receipt, size_t len,
				unsigned char out[KEYS_PUBLIC_BYTES])
{
	_Static_assert(KEYS_PUBLIC_BYTES == crypto_scalarmult_BYTES, "an X25519 public key");
	struct content_key *seed = content_key_derive(receipt, len, REPORTER_KEY_CONTEXT);
	if (seed == NULL)
		return false;
	bool ok = crypto_scalarmult_base(out, seed->k) == 0;
	content_key_free(seed);
	return ok;
}

struct secret_key *reporter_key_derive(const void *receipt, size_t len)
{
	_Static_assert(sizeof(((struct content_key *)0)->k) == KEYS_SECRET_BYTES,
		       "a derived key is an X25519 secret key");
	struct content_key *seed = content_key_derive(receipt, len, REPORTER_KEY_CONTEXT);
	if (seed == NULL)
		return NULL;
	struct secret_key *sk = secret_key_from_raw(seed->k);
	content_key_free(seed);
	return sk;
}
