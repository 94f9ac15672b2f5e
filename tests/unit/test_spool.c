/* The upload spool (intake/spool.c) and stream_encrypt_read (crypto/seal.c):
 * files written in pieces of every size read back byte for byte; the spool
 * file holds no plaintext; a changed byte is refused; closing deletes; the
 * cap refuses; stream_encrypt_read writes the stored stream format exactly
 * (stream_decrypt opens it, same length as stream_encrypt's). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "crypto/seal.h"
#include "intake/spool.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	snprintf(dir, sizeof(dir), "/tmp/test_spool.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}

static unsigned entries(void)
{
	DIR *d = opendir(dir);
	unsigned n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* The spool file's bytes, through /proc/self/fd. */
static unsigned char *disk_copy(size_t *len)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	unsigned char *out = NULL;
	while (!out && (e = readdir(d))) {
		char path[300], target[256];
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		ssize_t n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strncmp(target, dir, strlen(dir)) != 0 || target[strlen(dir)] != '/')
			continue;
		FILE *f = fopen(path, "rb");
		struct stat st;
		assert_non_null(f);
		assert_int_equal(fstat(fileno(f), &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
		out = malloc((size_t)st.st_size + 1);
		*len = fread(out, 1, (size_t)st.st_size, f);
		fclose(f);
	}
	closedir(d);
	return out;
}

static void test_round_trip(void **state)
{
	(void)state;
	static const size_t sizes[] = {
	    0, 1, SPOOL_CHUNK - 1, SPOOL_CHUNK, SPOOL_CHUNK + 1, 3 * SPOOL_CHUNK, 100000};
	char err[256];
	struct spool *s = spool_open(dir, 1 << 20, err, sizeof(err));
	assert_non_null(s);
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t len = sizes[k];
		unsigned char *plain = malloc(len + 1);
		for (size_t i = 0; i < len; i++)
			plain[i] = (unsigned char)("MARKER"[i % 6]);
		struct spool_upload *u = spool_upload_new(s);
		assert_non_null(u);
		assert_int_equal(spool_file_begin(u), SPOOL_OK);
		/* pieces of odd sizes, as the post processor hands them */
		for (size_t off = 0, piece = 1; off < len; off += piece, piece = piece * 3 + 1) {
			size_t n = len - off < piece ? len - off : piece;
			assert_int_equal(spool_file_write(u, plain + off, n), SPOOL_OK);
		}
		assert_int_equal(spool_file_end(u), SPOOL_OK);
		assert_int_equal(spool_file_size(u, 0), len);
		assert_int_equal(entries(), 0); /* unnamed */
		size_t disk_len = 0;
		unsigned char *disk = disk_copy(&disk_len);
		assert_non_null(disk);
		assert_true(disk_len >= len + 24 + 17);
		if (len >= 6)
			assert_null(memmem(disk, disk_len, "MARKER", 6));
		free(disk);
		assert_int_equal(spool_used(s), disk_len);

		/* read back through stream_encrypt_read: the stored format */
		struct content_key *key = content_key_new();
		struct spool_reader r;
		spool_reader_init(&r, u, 0);
		unsigned char *ct = NULL, *ct2 = NULL, *back = NULL;
		size_t ctlen = 0, ct2len = 0, backlen = 0;
		assert_true(stream_encrypt_read(key, len, spool_read, &r, &ct, &ctlen));
		assert_true(stream_encrypt(key, plain, len, &ct2, &ct2len));
		assert_int_equal(ctlen, ct2len);
		assert_true(stream_decrypt(key, ct, ctlen, &back, &backlen));
		assert_int_equal(backlen, len);
		assert_memory_equal(back, plain, len);
		free(ct);
		free(ct2);
		free(back);
		content_key_free(key);
		spool_upload_free(u);
		assert_int_equal(spool_used(s), 0);
		assert_int_equal(spool_files(s), 0);
		free(plain);
	}
	spool_close(s);
}

static void test_cap_and_reopen_cleans(void **state)
{
	(void)state;
	char err[256];
	struct spool *s = spool_open(dir, 10000, err, sizeof(err));
	assert_non_null(s);
	struct spool_upload *u = spool_upload_new(s);
	assert_int_equal(spool_file_begin(u), SPOOL_OK);
	unsigned char block[4096] = {0};
	enum spool_result r = SPOOL_OK;
	for (int i = 0; i < 10 && r == SPOOL_OK; i++)
		r = spool_file_write(u, block, sizeof(block));
	assert_int_equal(r, SPOOL_FULL);
	assert_true(spool_used(s) <= 10000);
	spool_upload_free(u);
	assert_int_equal(spool_used(s), 0);
	spool_close(s);

	/* a named file left there is removed when the spool opens */
	char path[128];
	snprintf(path, sizeof(path), "%s/left", dir);
	FILE *f = fopen(path, "w");
	fputs("x", f);
	fclose(f);
	assert_int_equal(entries(), 1);
	s = spool_open(dir, 10000, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(entries(), 0);
	struct stat st;
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	spool_close(s);
}

static void test_reader_refuses_a_short_ask(void **state)
{
	(void)state;
	char err[256];
	struct spool *s = spool_open(dir, 1 << 20, err, sizeof(err));
	struct spool_upload *u = spool_upload_new(s);
	assert_int_equal(spool_file_begin(u), SPOOL_OK);
	assert_int_equal(spool_file_write(u, "abc", 3), SPOOL_OK);
	/* not ended: nothing to read yet */
	struct spool_reader r;
	unsigned char buf[8];
	spool_reader_init(&r, u, 0);
	assert_false(spool_read(&r, buf, 3));
	assert_int_equal(spool_file_end(u), SPOOL_OK);
	spool_reader_init(&r, u, 0);
	assert_true(spool_read(&r, buf, 3));
	assert_memory_equal(buf, "abc", 3);
	assert_false(spool_read(&r, buf, 1)); /* past the end */
	spool_upload_free(u);
	spool_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_cap_and_reopen_cleans),
	    cmocka_unit_test(test_reader_refuses_a_short_ask),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
