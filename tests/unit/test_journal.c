/* The journal's numbering and chain rules, with golden values computed
 * independently (Python hashlib) from the same canonical text that
 * migrations/0001_init.sql hashes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/digest.h"
#include "crypto/keys.h"
#include "workflow/journal.h"

static void reg_no_format(void **state)
{
	(void)state;
	char out[JOURNAL_REG_NO_SIZE];
	assert_true(journal_format_reg_no(2026, 17, out));
	assert_string_equal(out, "2026-000017");
	assert_true(journal_format_reg_no(2027, 999999, out));
	assert_string_equal(out, "2027-999999");
	assert_false(journal_format_reg_no(2026, 0, out));
	assert_true(journal_format_reg_no(2026, 1000000, out)); /* all its digits, none cut */
	assert_string_equal(out, "2026-1000000");
	assert_true(journal_format_reg_no(2026, JOURNAL_SEQ_MAX, out));
	assert_string_equal(out, "2026-99999999");
	assert_false(journal_format_reg_no(2026, JOURNAL_SEQ_MAX + 1, out));
	assert_false(journal_format_reg_no(1999, 1, out));
}

static void reg_no_parse(void **state)
{
	(void)state;
	int year, seq;
	assert_true(journal_parse_reg_no("2026-000017", &year, &seq));
	assert_int_equal(year, 2026);
	assert_int_equal(seq, 17);
	assert_false(journal_parse_reg_no("2026-00017", &year, &seq));
	assert_false(journal_parse_reg_no("2026/000017", &year, &seq));
	assert_false(journal_parse_reg_no("2026-0000a7", &year, &seq));
	assert_false(journal_parse_reg_no("2026-000000", &year, &seq));
	assert_true(journal_parse_reg_no("2026-1000000", &year, &seq));
	assert_int_equal(seq, 1000000);
	assert_true(journal_parse_reg_no("2026-99999999", &year, &seq));
	assert_int_equal(seq, 99999999);
	assert_false(journal_parse_reg_no("2026-0100000", &year, &seq)); /* not canonical */
	assert_false(journal_parse_reg_no("2026-100000000", &year, &seq));
}

static void year_in_almaty(void **state)
{
	(void)state;
	/* 2025-12-31 19:00 UTC is 2026-01-01 00:00 in Almaty (UTC+5) */
	assert_int_equal(journal_year(1767207600), 2026);
	assert_int_equal(journal_year(1767207599), 2025);
	/* 2023-12-31 18:00 UTC is already 2024 in Almaty, then UTC+6 */
	assert_int_equal(journal_year(1704045600), 2024);
	assert_int_equal(journal_year(1704045599), 2023);
}

static void canonical_and_hash_golden(void **state)
{
	(void)state;
	unsigned char digest[DIGEST_BYTES], prev[DIGEST_BYTES] = {0}, hash[DIGEST_BYTES];
	digest_sha256("abc", 3, digest);
	struct buf b;
	buf_init(&b);
	journal_canonical(&b, "2026-000017", 1774000000123456LL, "web", digest);
	assert_string_equal(b.data,
			    "v1|2026-000017|1774000000123456|web|"
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	journal_row_hash(prev, b.data, b.len, hash);
	char hex[2 * DIGEST_BYTES + 1];
	digest_hex(hash, DIGEST_BYTES, hex);
	assert_string_equal(hex,
			    "5d60b40e6ffedb7b9ce4867562c169ca8093f2b6ad003c72c2d8d04fcb91401e");
	/* any change to the row or its link changes the hash */
	prev[0] = 1;
	unsigned char other[DIGEST_BYTES];
	journal_row_hash(prev, b.data, b.len, other);
	assert_memory_not_equal(hash, other, DIGEST_BYTES);
	buf_reset(&b);
}

static void content_digest_golden(void **state)
{
	(void)state;
	const unsigned char k[] = {1, 2}, c[] = {3}, i[] = {4, 5};
	unsigned char out[DIGEST_BYTES], anon[DIGEST_BYTES];
	char hex[2 * DIGEST_BYTES + 1];
	journal_content_digest(k, 2, c, 1, i, 2, out);
	digest_hex(out, DIGEST_BYTES, hex);
	assert_string_equal(hex,
			    "74f81fe167d99b4cb41d6d0ccda82278caee9f3e2f25d5e5a3936ff3dcec60d0");
	journal_content_digest(k, 2, c, 1, NULL, 0, anon);
	assert_memory_not_equal(out, anon, DIGEST_BYTES);
}

int main(void)
{
	if (!keys_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(reg_no_format),	     cmocka_unit_test(reg_no_parse),
	    cmocka_unit_test(year_in_almaty),	     cmocka_unit_test(canonical_and_hash_golden),
	    cmocka_unit_test(content_digest_golden),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
