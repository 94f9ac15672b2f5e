/* Arrays in PostgreSQL's binary format (base/pgarray.h), byte for byte as
 * array_recv reads them: the header, NULLs as length -1, and refusal of a
 * count that does not match. The server's side of it is exercised by every
 * registration (hotline.register_batch, tests/integration). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/pgarray.h"

static void two_texts_and_a_null(void **state)
{
	(void)state;
	struct pgarray a;
	pgarray_begin(&a, PGARRAY_TEXT, 3);
	pgarray_add_text(&a, "web");
	pgarray_add_text(&a, NULL);
	pgarray_add(&a, "ab", 2);
	assert_true(pgarray_done(&a));
	static const unsigned char want[] = {
	    0,	  0,	0,    1,		   /* one dimension */
	    0,	  0,	0,    0,		   /* flags */
	    0,	  0,	0,    25,		   /* text */
	    0,	  0,	0,    3,		   /* three elements */
	    0,	  0,	0,    1,		   /* from 1 */
	    0,	  0,	0,    3,    'w', 'e', 'b', /* "web" */
	    0xff, 0xff, 0xff, 0xff,		   /* NULL */
	    0,	  0,	0,    2,    'a', 'b',	   /* "ab" */
	};
	assert_int_equal(a.len, sizeof(want));
	assert_memory_equal(a.data, want, sizeof(want));
	pgarray_free(&a);
	assert_null(a.data);
	pgarray_free(&a); /* a no-op */
}

static void empty_bytea_is_not_null(void **state)
{
	(void)state;
	struct pgarray a;
	pgarray_begin(&a, PGARRAY_BYTEA, 1);
	pgarray_add(&a, "", 0);
	assert_true(pgarray_done(&a));
	static const unsigned char tail[] = {0, 0, 0, 0};
	assert_int_equal(a.len, 20 + 4);
	assert_int_equal(a.data[11], 17);
	assert_memory_equal(a.data + 20, tail, 4);
	pgarray_free(&a);
}

static void wrong_count_is_refused(void **state)
{
	(void)state;
	struct pgarray a;
	pgarray_begin(&a, PGARRAY_INT8, 2);
	unsigned char one[8] = {0, 0, 0, 0, 0, 0, 0, 1};
	pgarray_add(&a, one, sizeof(one));
	assert_false(pgarray_done(&a));
	pgarray_add(&a, one, sizeof(one));
	assert_true(pgarray_done(&a));
	pgarray_add(&a, one, sizeof(one));
	assert_false(pgarray_done(&a));
	pgarray_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(two_texts_and_a_null),
	    cmocka_unit_test(empty_bytea_is_not_null),
	    cmocka_unit_test(wrong_count_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
