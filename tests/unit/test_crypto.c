/* crypto/digest.c, crypto/keys.c, crypto/seal.c and the small wrappers
 * (hex, wrap, password, records): known answers, round
 * trips, and that every kind of damage is refused. The key pair is made
 * once for the group (Argon2id MODERATE costs about half a second). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

/* Only for sizes and to check a derived key from outside; the code under
 * test is the only production user of libsodium. */
#include <sodium.h>

#include "crypto/digest.h"
#include "crypto/hex.h"
#include "crypto/keys.h"
#include "crypto/password.h"
#include "crypto/random.h"
#include "crypto/records.h"
#include "crypto/seal.h"
#include "crypto/secret.h"
#include "crypto/wrap.h"

#define PASSPHRASE "correct horse battery staple"

static char dir[64];
static char pub_path[128], sec_path[128];
static struct secret_key *sk;
static struct public_key pk;

static void path_in_dir(char *out, size_t size, const char *name)
{
	int n = snprintf(out, size, "%s/%s", dir, name);

	assert_true(n > 0 && (size_t)n < size);
}

static void hex_to_bin(const char *hex, unsigned char *out, size_t len)
{
	assert_int_equal(strlen(hex), 2 * len);
	for (size_t i = 0; i < len; i++) {
		unsigned v;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (unsigned char)v;
	}
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 4096);
	size_t n;

	assert_non_null(f);
	assert_non_null(buf);
	n = fread(buf, 1, 4095, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static int group_setup(void **state)
{
	char err[256] = "";

	(void)state;
	if (!keys_init())
		return -1;
	strcpy(dir, "/tmp/hotline-test-crypto-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(pub_path, sizeof pub_path, "%s/case.pub", dir);
	snprintf(sec_path, sizeof sec_path, "%s/case.sec", dir);
	if (!keys_generate(pub_path, sec_path, PASSPHRASE, err, sizeof err)) {
		fprintf(stderr, "keys_generate: %s\n", err);
		return -1;
	}
	sk = keys_load_secret(sec_path, PASSPHRASE, err, sizeof err);
	if (sk == NULL) {
		fprintf(stderr, "keys_load_secret: %s\n", err);
		return -1;
	}
	if (!keys_load_public(pub_path, &pk, err, sizeof err)) {
		fprintf(stderr, "keys_load_public: %s\n", err);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	char cmd[128];

	(void)state;
	secret_key_free(sk);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- digest ---- */

static void sha256_known_answer(void **state)
{
	unsigned char out[DIGEST_BYTES];
	char hex[2 * DIGEST_BYTES + 1];

	(void)state;
	digest_sha256("abc", 3, out);
	digest_hex(out, sizeof out, hex);
	assert_string_equal(hex,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* Golden values from Python: hashlib.blake2b(data, key=key, digest_size=32). */
static void keyed_known_answer(void **state)
{
	unsigned char key[64], out[DIGEST_BYTES];
	char hex[2 * DIGEST_BYTES + 1];

	(void)state;
	for (size_t i = 0; i < sizeof key; i++)
		key[i] = (unsigned char)i;
	digest_keyed(key, 32, "hotline", 7, out);
	digest_hex(out, sizeof out, hex);
	assert_string_equal(hex,
			    "d0abb5d3b1bb5339b02eeb1becbefa7a13edd51457ab7ea532be7edf66e9102d");
	digest_keyed(key, 64, "", 0, out);
	digest_hex(out, sizeof out, hex);
	assert_string_equal(hex,
			    "2fa9fbd9be36437de204e139e97d402bce68c828f43391608c891b5faed8a98a");
}

static void hex_equal_random_wipe(void **state)
{
	unsigned char a[4] = {0x00, 0x0f, 0xa0, 0xff}, b[4], zero[16] = {0}, buf[16];
	char hex[9];

	(void)state;
	digest_hex(a, sizeof a, hex);
	assert_string_equal(hex, "000fa0ff");
	digest_hex(a, 0, hex);
	assert_string_equal(hex, "");
	memcpy(b, a, sizeof b);
	assert_int_equal(digest_equal(a, b, sizeof a), 1);
	b[3] ^= 1;
	assert_int_equal(digest_equal(a, b, sizeof a), 0);
	for (int i = 0; i < 1000; i++)
		assert_true(random_uniform(10) < 10);
	random_bytes(buf, sizeof buf);
	assert_int_equal(digest_equal(buf, zero, sizeof buf), 0); /* 2^-128 to fail */
	secret_wipe(buf, sizeof buf);
	assert_memory_equal(buf, zero, sizeof buf);
}

/* The wrappers code outside crypto/ calls instead of libsodium give what
 * libsodium itself gives for the same call (the files, cookies and hashes
 * they made before stay readable). */
static void digest_pieces_match_libsodium(void **state)
{
	unsigned char key[32], want[32], got[32];
	struct digest_state st;

	(void)state;
	for (size_t i = 0; i < sizeof key; i++)
		key[i] = (unsigned char)(7 * i);
	crypto_generichash(want, 16, (const unsigned char *)"kindpiece", 9, key, sizeof key);
	digest_init(&st, key, sizeof key, 16);
	digest_update(&st, "kind", 4);
	digest_update(&st, "piece", 5);
	digest_final(&st, got, 16);
	assert_memory_equal(got, want, 16);
	crypto_generichash(want, 32, (const unsigned char *)"label\0login", 11, NULL, 0);
	digest_init(&st, NULL, 0, 32);
	digest_update(&st, "label", 6);
	digest_update(&st, "login", 5);
	digest_final(&st, got, 32);
	assert_memory_equal(got, want, 32);
	crypto_generichash(want, 32, key, sizeof key, NULL, 0);
	digest_blake2b(got, 32, key, sizeof key);
	assert_memory_equal(got, want, 32);
}

static void hex_round_trip_and_refusals(void **state)
{
	unsigned char in[3] = {0xab, 0x01, 0xff}, out[3];
	char text[7];

	(void)state;
	hex_encode(text, in, sizeof in);
	assert_string_equal(text, "ab01ff");
	assert_true(hex_decode(out, sizeof out, text, 6));
	assert_memory_equal(out, in, sizeof in);
	assert_true(hex_decode(out, sizeof out, "AB01FF", 6));
	assert_memory_equal(out, in, sizeof in);
	assert_false(hex_decode(out, sizeof out, "ab01f", 5));	  /* odd */
	assert_false(hex_decode(out, sizeof out, "ab01", 4));	  /* short */
	assert_false(hex_decode(out, sizeof out, "ab01ffaa", 8)); /* long */
	assert_false(hex_decode(out, sizeof out, "ab01fg", 6));	  /* not hex */
}

static void wrap_is_secretbox(void **state)
{
	unsigned char key[WRAP_KEY_BYTES], box[WRAP_OVERHEAD + 5], plain[5];

	(void)state;
	random_bytes(key, sizeof key);
	wrap_seal(key, "hello", 5, box);
	assert_int_equal(crypto_secretbox_open_easy(plain, box + crypto_secretbox_NONCEBYTES,
						    sizeof box - crypto_secretbox_NONCEBYTES, box,
						    key),
			 0);
	assert_memory_equal(plain, "hello", 5);
	memset(plain, 0, sizeof plain);
	assert_true(wrap_open(key, box, sizeof box, plain));
	assert_memory_equal(plain, "hello", 5);
	box[sizeof box - 1] ^= 1;
	assert_false(wrap_open(key, box, sizeof box, plain));
	assert_false(wrap_open(key, box, WRAP_OVERHEAD - 1, plain));
}

static void password_dummy_is_well_formed(void **state)
{
	char hash[PASSWORD_HASH_SIZE];

	(void)state;
	assert_true(password_dummy_hash(hash));
	assert_int_equal(strncmp(hash, "$argon2id$v=19$m=65536,t=2,p=1$", 31), 0);
	assert_int_equal(crypto_pwhash_str_needs_rehash(hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
							crypto_pwhash_MEMLIMIT_INTERACTIVE),
			 0);
}

static void records_round_trip(void **state)
{
	unsigned char key[RECORDS_KEY_BYTES], header[RECORDS_HEADER_BYTES];
	unsigned char c1[3 + RECORDS_ABYTES], c2[2 + RECORDS_ABYTES], out[3];
	unsigned long long clen = 0, plen = 0;
	unsigned char tag = 0;
	struct records_state push, pull;

	(void)state;
	records_keygen(key);
	records_push_init(&push, header, key);
	assert_true(
	    records_push(&push, c1, &clen, (const unsigned char *)"abc", 3, RECORDS_TAG_MESSAGE));
	assert_int_equal(clen, sizeof c1);
	assert_true(
	    records_push(&push, c2, &clen, (const unsigned char *)"de", 2, RECORDS_TAG_FINAL));
	assert_true(records_pull_init(&pull, header, key));
	assert_true(records_pull(&pull, out, &plen, &tag, c1, sizeof c1));
	assert_int_equal(plen, 3);
	assert_int_equal(tag, RECORDS_TAG_MESSAGE);
	assert_memory_equal(out, "abc", 3);
	assert_true(records_pull(&pull, out, &plen, &tag, c2, sizeof c2));
	assert_int_equal(tag, RECORDS_TAG_FINAL);
	assert_memory_equal(out, "de", 2);
	assert_true(records_pull_init(&pull, header, key));
	assert_false(records_pull(&pull, out, &plen, &tag, c2, sizeof c2)); /* out of order */
}

/* ---- key files ---- */

static void key_file_modes_and_format(void **state)
{
	struct stat st;
	char *text;

	(void)state;
	assert_int_equal(stat(pub_path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(stat(sec_path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	text = read_text(pub_path);
	assert_int_equal(strncmp(text, "hotline-public-key-v1 ", 22), 0);
	assert_int_equal(strlen(text), 22 + 44 + 1);
	free(text);

	text = read_text(sec_path);
	assert_int_equal(strncmp(text, "hotline-secret-key-v1\npublic ", 29), 0);
	assert_non_null(strstr(text, "\nkdf argon2id13\nopslimit 3\nmemlimit 268435456\nsalt "));
	assert_non_null(strstr(text, "\nnonce "));
	assert_non_null(strstr(text, "\nwrapped "));
	free(text);
}

static void secret_matches_public_file(void **state)
{
	struct public_key from_secret;

	(void)state;
	secret_key_public(sk, &from_secret);
	assert_memory_equal(from_secret.bytes, pk.bytes, KEYS_PUBLIC_BYTES);
}

static void wrong_passphrase_refused(void **state)
{
	char err[256] = "";
	struct secret_key *other;

	(void)state;
	other = keys_load_secret(sec_path, "correct horse battery stapler", err, sizeof err);
	assert_null(other);
	assert_non_null(strstr(err, "wrong passphrase or damaged key file"));
}

static void refuses_to_overwrite(void **state)
{
	char err[256] = "", fresh[128];
	struct public_key again;
	struct stat st;

	(void)state;
	assert_false(keys_generate(pub_path, sec_path, PASSPHRASE, err, sizeof err));
	assert_non_null(strstr(err, "already exists"));
	/* A fresh public path next to an existing secret: nothing created. */
	path_in_dir(fresh, sizeof fresh, "fresh.pub");
	assert_false(keys_generate(fresh, sec_path, PASSPHRASE, err, sizeof err));
	assert_int_equal(stat(fresh, &st), -1);
	/* The old pair is untouched. */
	assert_true(keys_load_public(pub_path, &again, err, sizeof err));
	assert_memory_equal(again.bytes, pk.bytes, KEYS_PUBLIC_BYTES);
	assert_false(keys_file_create(pub_path, 0600, "x", 1, err, sizeof err));
	assert_non_null(strstr(err, "already exists"));
}

/* text with the first from replaced by to; malloc'd. */
static char *replace_once(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	char *out;

	assert_non_null(at);
	out = malloc(strlen(text) - strlen(from) + strlen(to) + 1);
	assert_non_null(out);
	memcpy(out, text, (size_t)(at - text));
	strcpy(out + (at - text), to);
	strcat(out, at + strlen(from));
	return out;
}

static void damaged_files_refused(void **state)
{
	char err[256] = "", path[128];
	char *text = read_text(sec_path);
	char *changed;
	char *p;
	struct public_key junk;

	(void)state;
	/* opslimit is authenticated: 3 -> 2 must not just weaken the file. */
	path_in_dir(path, sizeof path, "ops.sec");
	changed = replace_once(text, "opslimit 3\n", "opslimit 2\n");
	write_text(path, changed);
	free(changed);
	assert_null(keys_load_secret(path, PASSPHRASE, err, sizeof err));
	assert_non_null(strstr(err, "wrong passphrase or damaged key file"));

	/* Absurd limits are refused before Argon2id runs. */
	path_in_dir(path, sizeof path, "huge.sec");
	changed = replace_once(text, "opslimit 3\n", "opslimit 99999999\n");
	write_text(path, changed);
	free(changed);
	assert_null(keys_load_secret(path, PASSPHRASE, err, sizeof err));
	assert_non_null(strstr(err, "out of range"));

	/* Another key derivation than the one we know. */
	path_in_dir(path, sizeof path, "kdf.sec");
	changed = replace_once(text, "kdf argon2id13\n", "kdf scrypt\n");
	write_text(path, changed);
	free(changed);
	assert_null(keys_load_secret(path, PASSPHRASE, err, sizeof err));
	assert_non_null(strstr(err, "unsupported key derivation 'scrypt'"));

	/* One changed character of the wrapped key. */
	path_in_dir(path, sizeof path, "wrapped.sec");
	p = strstr(text, "\nwrapped ");
	assert_non_null(p);
	p[10] = p[10] == 'A' ? 'B' : 'A';
	write_text(path, text);
	assert_null(keys_load_secret(path, PASSPHRASE, err, sizeof err));
	assert_non_null(strstr(err, "wrong passphrase or damaged key file"));

	/* Truncated: no wrapped line. */
	path_in_dir(path, sizeof path, "short.sec");
	*p = '\0';
	write_text(path, text);
	assert_null(keys_load_secret(path, PASSPHRASE, err, sizeof err));
	assert_non_null(strstr(err, "damaged secret key file"));
	free(text);

	/* Mixed-up files and junk. */
	assert_null(keys_load_secret(pub_path, PASSPHRASE, err, sizeof err));
	assert_non_null(strstr(err, "public key file"));
	assert_false(keys_load_public(sec_path, &junk, err, sizeof err));
	assert_non_null(strstr(err, "secret key file"));
	path_in_dir(path, sizeof path, "junk.pub");
	write_text(path, "hotline-public-key-v1 AAAA\n");
	assert_false(keys_load_public(path, &junk, err, sizeof err));
	assert_non_null(strstr(err, "damaged public key file"));
	path_in_dir(path, sizeof path, "other.pub");
	write_text(path, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI\n");
	assert_false(keys_load_public(path, &junk, err, sizeof err));
	assert_non_null(strstr(err, "not a hotline public key file"));
	path_in_dir(path, sizeof path, "missing.pub");
	assert_false(keys_load_public(path, &junk, err, sizeof err));
	assert_non_null(strstr(err, "cannot open"));
}

/* ---- sealed boxes ---- */

static void seal_round_trip(void **state)
{
	static const char msg[] = "Иван Петров, +7 701 000 00 00";
	unsigned char *sealed = NULL, *plain = NULL;
	size_t sealed_len = 0, plain_len = 0;

	(void)state;
	assert_true(seal_to(&pk, msg, sizeof msg, &sealed, &sealed_len));
	assert_int_equal(sealed_len, sizeof msg + crypto_box_SEALBYTES);
	assert_true(seal_open(sk, sealed, sealed_len, &plain, &plain_len));
	assert_int_equal(plain_len, sizeof msg);
	assert_memory_equal(plain, msg, sizeof msg);
	seal_plain_free(plain, plain_len);

	sealed[sealed_len - 1] ^= 1;
	assert_false(seal_open(sk, sealed, sealed_len, &plain, &plain_len));
	assert_null(plain);
	assert_false(seal_open(sk, sealed, crypto_box_SEALBYTES - 1, &plain, &plain_len));
	free(sealed);

	assert_true(seal_to(&pk, "", 0, &sealed, &sealed_len));
	assert_true(seal_open(sk, sealed, sealed_len, &plain, &plain_len));
	assert_int_equal(plain_len, 0);
	seal_plain_free(plain, plain_len);
	free(sealed);
	seal_plain_free(NULL, 0);
}

static void seal_with_wrong_key_fails(void **state)
{
	struct public_key other;
	unsigned char other_sk[crypto_box_SECRETKEYBYTES];
	unsigned char *sealed = NULL, *plain = NULL;
	size_t sealed_len = 0, plain_len = 0;

	(void)state;
	crypto_box_keypair(other.bytes, other_sk);
	assert_true(seal_to(&other, "secret", 6, &sealed, &sealed_len));
	assert_false(seal_open(sk, sealed, sealed_len, &plain, &plain_len));
	assert_null(plain);
	free(sealed);
}

/* ---- content keys and blobs ---- */

static void content_round_trip_and_tamper(void **state)
{
	static const char msg[] = "the director asked for a gift";
	struct content_key *key = content_key_new(), *other = content_key_new();
	unsigned char *enc = NULL, *plain = NULL;
	size_t enc_len = 0, plain_len = 0;

	(void)state;
	assert_non_null(key);
	assert_non_null(other);
	assert_true(content_encrypt(key, msg, strlen(msg), &enc, &enc_len));
	assert_int_equal(enc_len, strlen(msg) + 24 + 16);
	assert_true(content_decrypt(key, enc, enc_len, &plain, &plain_len));
	assert_int_equal(plain_len, strlen(msg));
	assert_memory_equal(plain, msg, plain_len);
	free(plain);

	assert_false(content_decrypt(other, enc, enc_len, &plain, &plain_len));
	assert_null(plain);
	/* Every single flipped bit, in nonce, MAC and text alike. */
	for (size_t i = 0; i < enc_len; i++) {
		enc[i] ^= 0x01;
		assert_false(content_decrypt(key, enc, enc_len, &plain, &plain_len));
		enc[i] ^= 0x01;
	}
	assert_false(content_decrypt(key, enc, enc_len - 1, &plain, &plain_len));
	assert_false(content_decrypt(key, enc, 39, &plain, &plain_len));
	free(enc);

	assert_true(content_encrypt(key, "", 0, &enc, &enc_len));
	assert_int_equal(enc_len, 40);
	assert_true(content_decrypt(key, enc, enc_len, &plain, &plain_len));
	assert_int_equal(plain_len, 0);
	free(plain);
	free(enc);

	content_key_free(key);
	content_key_free(other);
	content_key_free(NULL);
}

static void content_key_seal_round_trip(void **state)
{
	struct content_key *key = content_key_new(), *opened;
	unsigned char *sealed = NULL, *enc = NULL, *plain = NULL;
	size_t sealed_len = 0, enc_len = 0, plain_len = 0;

	(void)state;
	assert_non_null(key);
	assert_true(content_key_seal(key, &pk, &sealed, &sealed_len));
	assert_int_equal(sealed_len, 32 + crypto_box_SEALBYTES);
	opened = content_key_open(sk, sealed, sealed_len);
	assert_non_null(opened);
	assert_true(content_encrypt(key, "x", 1, &enc, &enc_len));
	assert_true(content_decrypt(opened, enc, enc_len, &plain, &plain_len));
	assert_int_equal(plain_len, 1);
	assert_int_equal(plain[0], 'x');
	free(plain);
	free(enc);
	content_key_free(opened);

	assert_null(content_key_open(sk, sealed, sealed_len - 1));
	sealed[0] ^= 1;
	assert_null(content_key_open(sk, sealed, sealed_len));
	free(sealed);
	content_key_free(key);
}

static void content_key_derive_separates_contexts(void **state)
{
	static const char receipt[] = "0123456789012345678901234567";
	struct content_key *a = content_key_derive(receipt, 28, "reporter");
	struct content_key *b = content_key_derive(receipt, 28, "reporter");
	struct content_key *c = content_key_derive(receipt, 28, "msg");
	struct content_key *d = content_key_derive("0123456789012345678901234568", 28, "reporter");
	unsigned char *enc = NULL, *plain = NULL;
	size_t enc_len = 0, plain_len = 0;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_non_null(d);
	assert_true(content_encrypt(a, "hello", 5, &enc, &enc_len));
	assert_true(content_decrypt(b, enc, enc_len, &plain, &plain_len));
	assert_memory_equal(plain, "hello", 5);
	free(plain);
	assert_false(content_decrypt(c, enc, enc_len, &plain, &plain_len));
	assert_false(content_decrypt(d, enc, enc_len, &plain, &plain_len));
	free(enc);

	assert_null(content_key_derive(receipt, 28, "ninechars"));
	assert_null(content_key_derive(receipt, 28, ""));
	assert_null(content_key_derive(receipt, 28, NULL));
	content_key_free(a);
	content_key_free(b);
	content_key_free(c);
	content_key_free(d);
}

/* The derivation is a stored format (the reporter's copy of messages
 * depends on it), so pin it. Golden values from Python:
 * hashlib.blake2b(material, digest_size=32, person=b"hotline1" + context). */
static void content_key_derive_known_answer(void **state)
{
	static const struct {
		const char *context;
		const char *hex;
	} cases[] = {
	    {"reporter", "2e518024056d70bfaf1bd6cd604e829b9173d0151aebb415d44ede1203a16aee"},
	    {"msg", "9717875f0658b2337fbfb594e1dbbcea443a08fe32cb2a90754faf377c69966c"},
	};
	struct public_key box_pk;
	unsigned char box_sk[crypto_box_SECRETKEYBYTES], raw[32], want[32];

	(void)state;
	crypto_box_keypair(box_pk.bytes, box_sk);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct content_key *key =
		    content_key_derive("0123456789012345678901234567", 28, cases[i].context);
		unsigned char *sealed = NULL;
		size_t sealed_len = 0;

		assert_non_null(key);
		assert_true(content_key_seal(key, &box_pk, &sealed, &sealed_len));
		assert_int_equal(
		    crypto_box_seal_open(raw, sealed, sealed_len, box_pk.bytes, box_sk), 0);
		hex_to_bin(cases[i].hex, want, sizeof want);
		assert_memory_equal(raw, want, sizeof want);
		free(sealed);
		content_key_free(key);
	}
}

/* ---- streams ---- */

#define HEADER crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define ABYTES crypto_secretstream_xchacha20poly1305_ABYTES

static unsigned char *pattern(size_t len)
{
	unsigned char *p = malloc(len ? len : 1);

	assert_non_null(p);
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 31 + (i >> 8));
	return p;
}

static void stream_round_trip_sizes(void **state)
{
	static const size_t sizes[] = {0,
				       1,
				       STREAM_CHUNK - 1,
				       STREAM_CHUNK,
				       STREAM_CHUNK + 1,
				       2 * STREAM_CHUNK,
				       3 * STREAM_CHUNK + 5};
	struct content_key *key = content_key_new();

	(void)state;
	assert_non_null(key);
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		size_t len = sizes[i];
		size_t chunks = len == 0 ? 1 : (len + STREAM_CHUNK - 1) / STREAM_CHUNK;
		unsigned char *in = pattern(len), *enc = NULL, *out = NULL;
		size_t enc_len = 0, out_len = 0;

		assert_true(stream_encrypt(key, in, len, &enc, &enc_len));
		assert_int_equal(enc_len, HEADER + len + chunks * ABYTES);
		assert_true(stream_decrypt(key, enc, enc_len, &out, &out_len));
		assert_int_equal(out_len, len);
		if (len > 0)
			assert_memory_equal(out, in, len);
		free(out);
		free(enc);
		free(in);
	}
	content_key_free(key);
}

static void stream_damage_rejected(void **state)
{
	const size_t len = 3 * STREAM_CHUNK + 5;
	const size_t cchunk = STREAM_CHUNK + ABYTES;
	struct content_key *key = content_key_new(), *other = content_key_new();
	unsigned char *in = pattern(len), *enc = NULL, *out = NULL, *copy;
	size_t enc_len = 0, out_len = 0;

	(void)state;
	assert_true(stream_encrypt(key, in, len, &enc, &enc_len));
	copy = malloc(enc_len + 64);
	assert_non_null(copy);

	/* Truncated: at every chunk boundary, one byte short, header only. */
	for (size_t k = 0; k <= 3; k++)
		assert_false(stream_decrypt(key, enc, HEADER + k * cchunk, &out, &out_len));
	assert_false(stream_decrypt(key, enc, enc_len - 1, &out, &out_len));
	assert_false(stream_decrypt(key, enc, HEADER + ABYTES - 1, &out, &out_len));
	assert_false(stream_decrypt(key, enc, 0, &out, &out_len));
	assert_null(out);

	/* Reordered: chunks 1 and 2 swapped. */
	memcpy(copy, enc, enc_len);
	memcpy(copy + HEADER + cchunk, enc + HEADER + 2 * cchunk, cchunk);
	memcpy(copy + HEADER + 2 * cchunk, enc + HEADER + cchunk, cchunk);
	assert_false(stream_decrypt(key, copy, enc_len, &out, &out_len));

	/* Modified: one bit in the header, in a middle chunk, in the last. */
	{
		const size_t where[] = {0, HEADER + cchunk + 100, enc_len - 1};

		for (size_t i = 0; i < 3; i++) {
			memcpy(copy, enc, enc_len);
			copy[where[i]] ^= 0x80;
			assert_false(stream_decrypt(key, copy, enc_len, &out, &out_len));
		}
	}

	/* Extended: anything after the FINAL chunk. */
	memcpy(copy, enc, enc_len);
	memset(copy + enc_len, 0, 64);
	assert_false(stream_decrypt(key, copy, enc_len + 1, &out, &out_len));
	assert_false(stream_decrypt(key, copy, enc_len + ABYTES, &out, &out_len));

	/* A whole second stream appended to the first. */
	{
		unsigned char *two = malloc(2 * enc_len);

		assert_non_null(two);
		memcpy(two, enc, enc_len);
		memcpy(two + enc_len, enc, enc_len);
		assert_false(stream_decrypt(key, two, 2 * enc_len, &out, &out_len));
		free(two);
	}

	assert_false(stream_decrypt(other, enc, enc_len, &out, &out_len));
	assert_null(out);
	/* And the original still opens. */
	assert_true(stream_decrypt(key, enc, enc_len, &out, &out_len));
	assert_int_equal(out_len, len);
	free(out);

	free(copy);
	free(enc);
	free(in);
	content_key_free(key);
	content_key_free(other);
}

/* An empty file is header + one FINAL chunk; cutting that chunk, or a
 * stream that ends on a full non-FINAL chunk, is not an empty file. */
static void stream_empty_consistent(void **state)
{
	struct content_key *key = content_key_new();
	unsigned char *enc = NULL, *out = NULL, *big = NULL, *in = pattern(2 * STREAM_CHUNK);
	size_t enc_len = 0, out_len = 0, big_len = 0;

	(void)state;
	assert_true(stream_encrypt(key, "", 0, &enc, &enc_len));
	assert_int_equal(enc_len, HEADER + ABYTES);
	assert_true(stream_decrypt(key, enc, enc_len, &out, &out_len));
	assert_int_equal(out_len, 0);
	free(out);
	assert_false(stream_decrypt(key, enc, HEADER, &out, &out_len));

	/* 2 full chunks: the first alone is a MESSAGE chunk, not FINAL. */
	assert_true(stream_encrypt(key, in, 2 * STREAM_CHUNK, &big, &big_len));
	assert_false(stream_decrypt(key, big, HEADER + STREAM_CHUNK + ABYTES, &out, &out_len));
	free(big);
	free(enc);
	free(in);
	content_key_free(key);
}

/* A write to p kills the writer with SIGSEGV: p is in read-only pages
 * (docs/keys.md, "What memory holds"). Forked, so the test goes on. */
static void assert_write_faults(void *p)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit none = {0, 0};
		setrlimit(RLIMIT_CORE, &none);
		signal(SIGSEGV, SIG_DFL); /* cmocka catches it otherwise */
		((volatile unsigned char *)p)[0] ^= 1;
		_exit(0);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSEGV);
}

/* The outbox key file: made 0600 on first load, the same key after. */
static void content_key_file_made_once(void **state)
{
	(void)state;
	char path[128], err[256] = "";
	struct stat st;
	path_in_dir(path, sizeof(path), "outbox.key");
	struct content_key *a = content_key_file_load(path, err, sizeof(err));
	assert_non_null(a);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 65);
	struct content_key *b = content_key_file_load(path, err, sizeof(err));
	assert_non_null(b);
	unsigned char *ct = NULL, *plain = NULL;
	size_t ctlen = 0, plainlen = 0;
	assert_true(content_encrypt(a, "receipt", 7, &ct, &ctlen));
	assert_true(content_decrypt(b, ct, ctlen, &plain, &plainlen));
	assert_memory_equal(plain, "receipt", 7);
	free(ct);
	free(plain);
	/* the daemon holds it for its lifetime: read-only guarded pages */
	assert_write_faults(a);
	content_key_free(a);
	content_key_free(b);
	char bad[128];
	path_in_dir(bad, sizeof(bad), "bad.key");
	write_text(bad, "not hex\n");
	assert_null(content_key_file_load(bad, err, sizeof(err)));
	assert_non_null(strstr(err, "64 hex digits"));
}

/* An acknowledgment's own key (docs/mail-intake.md): made in a new file of
 * a 0700 folder, loaded back by its name, gone after the erase; names that
 * are not ours (a path, upper case) are refused. */
static void content_key_spool(void **state)
{
	(void)state;
	char keyfile[128], spool[160], id[CONTENT_KEY_ID_SIZE], path[256], err[256] = "";
	struct stat st;
	path_in_dir(keyfile, sizeof(keyfile), "spool-outbox.key");
	content_key_spool_dir(keyfile, spool, sizeof(spool));
	assert_non_null(strstr(spool, "spool-outbox.key.d"));
	struct content_key *a = content_key_spool_new(spool, id, err, sizeof(err));
	assert_non_null(a);
	assert_int_equal(strlen(id), CONTENT_KEY_ID_SIZE - 1);
	assert_int_equal(stat(spool, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(path, sizeof(path), "%s/%s", spool, id);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	struct content_key *b = content_key_spool_load(spool, id, err, sizeof(err));
	assert_non_null(b);
	unsigned char *ct = NULL, *plain = NULL;
	size_t ctlen = 0, plainlen = 0;
	assert_true(content_encrypt(a, "ack", 3, &ct, &ctlen));
	assert_true(content_decrypt(b, ct, ctlen, &plain, &plainlen));
	free(plain);
	content_key_free(b);
	char other[CONTENT_KEY_ID_SIZE];
	struct content_key *c = content_key_spool_new(spool, other, err, sizeof(err));
	assert_non_null(c);
	assert_string_not_equal(id, other);
	plain = NULL;
	assert_false(content_decrypt(c, ct, ctlen, &plain, &plainlen));
	content_key_free(c);
	content_key_spool_erase(spool, id);
	assert_int_not_equal(stat(path, &st), 0);
	assert_null(content_key_spool_load(spool, id, err, sizeof(err)));
	content_key_spool_erase(spool, id); /* gone already: quiet */
	assert_null(content_key_spool_load(spool, "../spool-outbox.key", err, sizeof(err)));
	assert_null(
	    content_key_spool_load(spool, "ABCDEF0123456789ABCDEF0123456789", err, sizeof(err)));
	content_key_spool_erase(spool, other);
	free(ct);
	content_key_free(a);
}

/* Keys come back from the reuse pool wiped, and more keys than the pool
 * holds are made and released without harm. */
static void content_keys_reused_fresh(void **state)
{
	(void)state;
	enum { N = 200 };
	struct content_key *keys[N];
	unsigned char *ct[N];
	size_t ctlen[N];
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < N; i++) {
			keys[i] = content_key_new();
			assert_non_null(keys[i]);
			assert_true(content_encrypt(keys[i], "x", 1, &ct[i], &ctlen[i]));
		}
		for (int i = 0; i < N; i++) {
			unsigned char *plain = NULL;
			size_t plen = 0;
			assert_true(content_decrypt(keys[i], ct[i], ctlen[i], &plain, &plen));
			assert_int_equal(plen, 1);
			free(plain);
			/* a key never opens what another made */
			if (i > 0)
				assert_false(
				    content_decrypt(keys[i - 1], ct[i], ctlen[i], &plain, &plen));
		}
		for (int i = 0; i < N; i++) {
			content_key_free(keys[i]);
			free(ct[i]);
		}
	}
	content_key_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(content_keys_reused_fresh),
	    cmocka_unit_test(sha256_known_answer),
	    cmocka_unit_test(keyed_known_answer),
	    cmocka_unit_test(hex_equal_random_wipe),
	    cmocka_unit_test(digest_pieces_match_libsodium),
	    cmocka_unit_test(hex_round_trip_and_refusals),
	    cmocka_unit_test(wrap_is_secretbox),
	    cmocka_unit_test(password_dummy_is_well_formed),
	    cmocka_unit_test(records_round_trip),
	    cmocka_unit_test(key_file_modes_and_format),
	    cmocka_unit_test(secret_matches_public_file),
	    cmocka_unit_test(wrong_passphrase_refused),
	    cmocka_unit_test(refuses_to_overwrite),
	    cmocka_unit_test(damaged_files_refused),
	    cmocka_unit_test(seal_round_trip),
	    cmocka_unit_test(seal_with_wrong_key_fails),
	    cmocka_unit_test(content_round_trip_and_tamper),
	    cmocka_unit_test(content_key_seal_round_trip),
	    cmocka_unit_test(content_key_derive_separates_contexts),
	    cmocka_unit_test(content_key_derive_known_answer),
	    cmocka_unit_test(stream_round_trip_sizes),
	    cmocka_unit_test(stream_damage_rejected),
	    cmocka_unit_test(stream_empty_consistent),
	    cmocka_unit_test(content_key_file_made_once),
	    cmocka_unit_test(content_key_spool),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
