/* Files kept across a returned form (intake/keep.c): a set taken by its
 * token once only, never by another token or after it expired; expiry
 * hands every expired set to its callback and keeps the others; a token
 * whose key part is wrong opens nothing and deletes the set; a removed
 * file's spool file is closed and the rest read back byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "intake/form.h"
#include "intake/keep.h"
#include "intake/spool.h"

static char dir[64];
static struct spool *spool;

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	snprintf(dir, sizeof(dir), "/tmp/test_keep.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	char err[256];
	spool = spool_open(dir, 1 << 20, err, sizeof(err));
	return spool ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	spool_close(spool);
	return rmdir(dir);
}

/* A form as intake/form.c leaves it: n files "fI.txt" holding "file I". */
static void fake_form(struct form *f, unsigned n)
{
	memset(f, 0, sizeof(*f));
	for (int i = 0; i < FIELD_COUNT; i++)
		buf_init(&f->fields[i]);
	f->up = spool_upload_new(spool);
	assert_non_null(f->up);
	f->files = calloc(n, sizeof(*f->files));
	for (unsigned i = 0; i < n; i++) {
		char text[32];
		snprintf(text, sizeof(text), "file %u", i);
		assert_int_equal(spool_file_begin(f->up), SPOOL_OK);
		assert_int_equal(spool_file_write(f->up, text, strlen(text)), SPOOL_OK);
		assert_int_equal(spool_file_end(f->up), SPOOL_OK);
		struct form_file *ff = &f->files[f->nfiles++];
		buf_init(&ff->name);
		buf_init(&ff->type);
		buf_printf(&ff->name, "f%u.txt", i);
		buf_puts(&ff->type, "text/plain");
		ff->len = strlen(text);
		ff->index = i;
	}
}

static struct keep_set *kept_of(unsigned n)
{
	struct form f;
	fake_form(&f, n);
	struct keep_set *s = keep_set_new();
	assert_non_null(s);
	assert_true(keep_set_add_form(s, &f));
	assert_int_equal(f.nfiles, 0);
	assert_null(f.up);
	form_free(&f); /* the files are the set's now: nothing closed */
	assert_int_equal(s->nfiles, n);
	return s;
}

static void read_back(const struct keep_file *kf, const char *want)
{
	struct spool_reader r;
	char got[32] = {0};
	spool_reader_init(&r, kf->up, kf->index);
	assert_true(spool_read(&r, got, kf->len));
	assert_string_equal(got, want);
}

static unsigned gone_count;

static void gone(struct keep_set *s, void *arg)
{
	(void)arg;
	gone_count++;
	keep_set_free(s);
}

static void test_token_once(void **state)
{
	(void)state;
	struct keep *k = keep_new();
	struct keep_set *s = kept_of(2);
	char token[KEEP_TOKEN_HEX + 1];
	assert_true(keep_put(k, s, 100, token));
	assert_int_equal(strlen(token), KEEP_TOKEN_HEX);
	assert_int_equal(keep_sets(k), 1);
	assert_int_equal(keep_bytes(k), 12);

	char other[KEEP_TOKEN_HEX + 1];
	memcpy(other, token, sizeof(other));
	other[0] = other[0] == 'a' ? 'b' : 'a';
	gone_count = 0;
	assert_null(keep_take(k, other, 10, gone, NULL));
	assert_null(keep_take(k, "", 10, gone, NULL));
	assert_null(keep_take(k, token, 100, gone, NULL)); /* expired */
	struct keep_set *t = keep_take(k, token, 99, gone, NULL);
	assert_ptr_equal(t, s);
	assert_null(keep_take(k, token, 99, gone, NULL)); /* once */
	assert_int_equal(gone_count, 0);
	assert_int_equal(keep_sets(k), 0);
	read_back(&t->files[0], "file 0");
	read_back(&t->files[1], "file 1");
	assert_int_equal(spool_files(spool), 2);
	keep_set_free(t);
	assert_int_equal(spool_files(spool), 0);
	keep_free(k);
}

static void test_remove(void **state)
{
	(void)state;
	struct keep_set *s = kept_of(3);
	keep_set_remove(s, 1);
	assert_int_equal(s->nfiles, 2);
	assert_int_equal(spool_files(spool), 2);
	assert_string_equal(s->files[1].name.data, "f2.txt");
	read_back(&s->files[0], "file 0");
	read_back(&s->files[1], "file 2");
	keep_set_remove(s, 7); /* no such file: nothing */
	assert_int_equal(s->nfiles, 2);
	keep_set_free(s);
	assert_int_equal(spool_files(spool), 0);
}

/* The id right, the key part wrong: the keys do not open, the set is
 * deleted; the files' keys were not readable while kept. */
static void test_wrong_key(void **state)
{
	(void)state;
	struct keep *k = keep_new();
	char token[KEEP_TOKEN_HEX + 1];
	assert_true(keep_put(k, kept_of(1), 100, token));
	token[KEEP_TOKEN_HEX - 1] = token[KEEP_TOKEN_HEX - 1] == '0' ? '1' : '0';
	gone_count = 0;
	assert_null(keep_take(k, token, 10, gone, NULL));
	assert_int_equal(gone_count, 1);
	assert_int_equal(keep_sets(k), 0);
	assert_int_equal(spool_files(spool), 0);
	keep_free(k);
}

static void test_expire(void **state)
{
	(void)state;
	struct keep *k = keep_new();
	char token[KEEP_TOKEN_HEX + 1];
	assert_true(keep_put(k, kept_of(1), 10, token));
	assert_true(keep_put(k, kept_of(1), 20, token));
	assert_true(keep_put(k, kept_of(1), 10, token));
	gone_count = 0;
	assert_int_equal(keep_expire(k, 9, gone, NULL), 0);
	assert_int_equal(keep_expire(k, 10, gone, NULL), 2);
	assert_int_equal(gone_count, 2);
	assert_int_equal(keep_sets(k), 1);
	assert_int_equal(spool_files(spool), 1);
	keep_free(k); /* frees the one left */
	assert_int_equal(spool_files(spool), 0);
}

static void test_table_full(void **state)
{
	(void)state;
	struct keep *k = keep_new();
	char token[KEEP_TOKEN_HEX + 1];
	for (unsigned i = 0; i < KEEP_MAX_SETS; i++) {
		struct keep_set *s = keep_set_new();
		assert_true(keep_put(k, s, 10, token));
	}
	struct keep_set *s = keep_set_new();
	assert_false(keep_put(k, s, 10, token));
	keep_set_free(s);
	keep_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_token_once), cmocka_unit_test(test_remove),
	    cmocka_unit_test(test_wrong_key),  cmocka_unit_test(test_expire),
	    cmocka_unit_test(test_table_full),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
