/* workflow/freetext.c: staff free text becomes a bytea parameter under the
 * case's key and reads back only with that key; a clear value of a row
 * written before migration 0022 reads as legacy; the hex never holds the
 * text (docs/keys.md, "Staff text"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "crypto/keys.h"
#include "crypto/seal.h"
#include "workflow/freetext.h"

/* A result of one row (sealed, clear) as libpq would give it in text
 * format; NULL values stay NULL. */
static PGresult *row(const char *sealed, const char *clear)
{
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	PGresAttDesc attrs[2] = {{.name = (char *)"sealed", .typid = 17, .typlen = -1},
				 {.name = (char *)"clear", .typid = 25, .typlen = -1}};
	assert_int_equal(PQsetResultAttrs(res, 2, attrs), 1);
	assert_int_equal(PQsetvalue(res, 0, 0, (char *)sealed, sealed ? (int)strlen(sealed) : -1),
			 1);
	assert_int_equal(PQsetvalue(res, 0, 1, (char *)clear, clear ? (int)strlen(clear) : -1), 1);
	return res;
}

static void sealed_reads_only_with_its_key(void **state)
{
	(void)state;
	assert_true(keys_init());
	struct content_key *key = content_key_new(), *other = content_key_new();
	const char *text = "Ахметов А.А., the head of accounting";
	char *hex = freetext_seal(key, text);
	assert_non_null(hex);
	assert_memory_equal(hex, "\\x", 2);
	/* nonce + secretbox: 40 bytes more than the text, as hex */
	assert_int_equal(strlen(hex), 2 + 2 * (strlen(text) + 40));
	assert_null(strstr(hex, "d090d185")); /* "Ах" in UTF-8 hex: not there */
	char *again = freetext_seal(key, text);
	assert_string_not_equal(hex, again); /* a fresh nonce each time */
	free(again);

	PGresult *res = row(hex, "ignored when sealed");
	char *out = NULL;
	assert_int_equal(freetext_open(key, res, 0, 0, 1, &out), FREETEXT_OPEN);
	assert_string_equal(out, text);
	freetext_free(out);
	assert_int_equal(freetext_open(other, res, 0, 0, 1, &out), FREETEXT_SEALED);
	assert_null(out);
	assert_int_equal(freetext_open(NULL, res, 0, 0, 1, &out), FREETEXT_SEALED);
	assert_null(out);
	PQclear(res);

	/* a row from before migration 0022: its clear value, key or not */
	res = row(NULL, "Old unit");
	assert_int_equal(freetext_open(NULL, res, 0, 0, 1, &out), FREETEXT_LEGACY);
	assert_string_equal(out, "Old unit");
	freetext_free(out);
	assert_int_equal(freetext_open(key, res, 0, 0, -1, &out), FREETEXT_NONE);
	PQclear(res);
	res = row(NULL, NULL);
	assert_int_equal(freetext_open(key, res, 0, 0, 1, &out), FREETEXT_NONE);
	assert_null(out);
	PQclear(res);

	/* no key, no parameter: a step refuses rather than store clear text */
	assert_null(freetext_seal(NULL, text));
	free(hex);
	content_key_free(key);
	content_key_free(other);
	freetext_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(sealed_reads_only_with_its_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
