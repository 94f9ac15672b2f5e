/* crypto/receipt.c: the Damm check digit, formatting and parsing what a
 * person types, the keyed hash and the pepper file. */
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

#include "crypto/digest.h"
#include "crypto/keys.h"
#include "crypto/receipt.h"

/* 27 digits of pi and their Damm check digit (computed independently in
 * Python). */
#define SAMPLE "3141592653589793238462643382"

static enum receipt_error parse(const char *input, char *digits)
{
	return receipt_parse(input, strlen(input), digits);
}

static int group_setup(void **state)
{
	(void)state;
	return keys_init() ? 0 : -1;
}

static void damm_known_answers(void **state)
{
	(void)state;
	/* The textbook example (Damm 2004, Wikipedia). */
	assert_int_equal(receipt_check_digit("572", 3), '4');
	assert_int_equal(receipt_check_digit("5724", 4), '0');
	assert_int_equal(receipt_check_digit("", 0), '0');
	assert_int_equal(receipt_check_digit(SAMPLE, RECEIPT_DIGITS - 1),
			 SAMPLE[RECEIPT_DIGITS - 1]);
	assert_int_equal(receipt_check_digit(SAMPLE, RECEIPT_DIGITS), '0');
}

static void typos_detected(void **state)
{
	char typed[RECEIPT_DIGITS + 1], digits[RECEIPT_DIGITS + 1];
	int substitutions = 0, transpositions = 0;

	(void)state;
	assert_int_equal(parse(SAMPLE, digits), RECEIPT_OK);
	for (size_t i = 0; i < RECEIPT_DIGITS; i++) {
		for (char d = '0'; d <= '9'; d++) {
			if (d == SAMPLE[i])
				continue;
			memcpy(typed, SAMPLE, sizeof typed);
			typed[i] = d;
			assert_int_equal(parse(typed, digits), RECEIPT_BAD_CHECK);
			substitutions++;
		}
	}
	for (size_t i = 0; i + 1 < RECEIPT_DIGITS; i++) {
		if (SAMPLE[i] == SAMPLE[i + 1])
			continue;
		memcpy(typed, SAMPLE, sizeof typed);
		typed[i] = SAMPLE[i + 1];
		typed[i + 1] = SAMPLE[i];
		assert_int_equal(parse(typed, digits), RECEIPT_BAD_CHECK);
		transpositions++;
	}
	assert_int_equal(substitutions, RECEIPT_DIGITS * 9);
	assert_true(transpositions >= 20);
}

static void generate_format_parse(void **state)
{
	char digits[RECEIPT_DIGITS + 1], text[RECEIPT_TEXT_SIZE], back[RECEIPT_DIGITS + 1];
	int seen[10] = {0};

	(void)state;
	for (int round = 0; round < 1000; round++) {
		receipt_generate(digits);
		assert_int_equal(strlen(digits), RECEIPT_DIGITS);
		for (size_t i = 0; i < RECEIPT_DIGITS; i++) {
			assert_true(digits[i] >= '0' && digits[i] <= '9');
			if (i < RECEIPT_DIGITS - 1)
				seen[digits[i] - '0']++;
		}
		receipt_format(digits, text);
		assert_int_equal(strlen(text), RECEIPT_TEXT_SIZE - 1);
		for (size_t i = 0; i < RECEIPT_TEXT_SIZE - 1; i++)
			assert_int_equal(text[i] == ' ', i % 5 == 4);
		assert_int_equal(parse(text, back), RECEIPT_OK);
		assert_string_equal(back, digits);
	}
	/* 27000 uniform digits: each about 2700, far from 2000 or 3400 unless
	 * something is badly wrong. */
	for (int d = 0; d < 10; d++)
		assert_true(seen[d] > 2000 && seen[d] < 3400);
}

static void format_known_answer(void **state)
{
	char text[RECEIPT_TEXT_SIZE];

	(void)state;
	receipt_format(SAMPLE, text);
	assert_string_equal(text, "3141 5926 5358 9793 2384 6264 3382");
}

static void parse_accepts_what_people_type(void **state)
{
	char digits[RECEIPT_DIGITS + 1];

	(void)state;
	assert_int_equal(parse("3141-5926-5358-9793-2384-6264-3382", digits), RECEIPT_OK);
	assert_string_equal(digits, SAMPLE);
	memset(digits, 0, sizeof digits);
	assert_int_equal(parse("  3141 5926-5358\t9793  2384 - 6264 33 82 ", digits), RECEIPT_OK);
	assert_string_equal(digits, SAMPLE);
	assert_int_equal(parse("31415926535897932384626433 82", digits), RECEIPT_OK);
	assert_string_equal(digits, SAMPLE);
	/* Only len bytes are looked at. */
	assert_int_equal(receipt_parse(SAMPLE "99", RECEIPT_DIGITS, digits), RECEIPT_OK);
	assert_string_equal(digits, SAMPLE);
}

static void parse_rejects(void **state)
{
	char digits[RECEIPT_DIGITS + 1];

	(void)state;
	assert_int_equal(parse("3141 5926 5358 9793 2384 6264 338O", digits), RECEIPT_BAD_CHAR);
	assert_int_equal(parse("abcd", digits), RECEIPT_BAD_CHAR);
	assert_int_equal(parse("3141.5926.5358.9793.2384.6264.3382", digits), RECEIPT_BAD_CHAR);
	assert_int_equal(parse("3141 5926 5358 9793 2384 6264 3382\n", digits), RECEIPT_BAD_CHAR);
	/* Full-width digits are not digits here. */
	assert_int_equal(parse("\xef\xbc\x93"
			       "141592653589793238462643382",
			       digits),
			 RECEIPT_BAD_CHAR);
	assert_int_equal(receipt_parse(SAMPLE "\0", RECEIPT_DIGITS + 1, digits), RECEIPT_BAD_CHAR);
	/* A letter counts as a letter even when the length is wrong too. */
	assert_int_equal(parse("12x", digits), RECEIPT_BAD_CHAR);

	assert_int_equal(parse("314159265358979323846264338", digits), RECEIPT_BAD_LENGTH);
	assert_int_equal(parse("31415926535897932384626433820", digits), RECEIPT_BAD_LENGTH);
	assert_int_equal(parse(SAMPLE SAMPLE, digits), RECEIPT_BAD_LENGTH);
	assert_int_equal(parse("", digits), RECEIPT_BAD_LENGTH);
	assert_int_equal(parse(" - ", digits), RECEIPT_BAD_LENGTH);
	assert_int_equal(parse("3141592653589793238462643383", digits), RECEIPT_BAD_CHECK);
}

/* Golden value from Python:
 * hashlib.blake2b(SAMPLE.encode(), key=bytes(range(0xa0, 0xc0)), digest_size=32). */
static void hash_known_answer(void **state)
{
	struct pepper pepper, other;
	unsigned char h1[RECEIPT_HASH_BYTES], h2[RECEIPT_HASH_BYTES];
	char hex[2 * RECEIPT_HASH_BYTES + 1];

	(void)state;
	for (size_t i = 0; i < PEPPER_BYTES; i++)
		pepper.bytes[i] = (unsigned char)(0xa0 + i);
	receipt_hash(&pepper, SAMPLE, h1);
	digest_hex(h1, sizeof h1, hex);
	assert_string_equal(hex,
			    "d074b0de351aacdb28aadd5800e808b3368a10a597583d53b9f4eec2d2f96c8a");
	receipt_hash(&pepper, SAMPLE, h2);
	assert_memory_equal(h1, h2, sizeof h1);

	other = pepper;
	other.bytes[0] ^= 1;
	receipt_hash(&other, SAMPLE, h2);
	assert_memory_not_equal(h1, h2, sizeof h1);
}

/* The follow-up proofs (docs/mail-intake.md): an address hashes the same
 * whatever its case and brackets, never as the receipt or token would. */
static void mail_proofs(void **state)
{
	struct pepper pepper;
	unsigned char a[RECEIPT_HASH_BYTES], b[RECEIPT_HASH_BYTES], c[RECEIPT_HASH_BYTES];
	char token[REPLY_TOKEN_CHARS + 1], lower[REPLY_TOKEN_CHARS + 1];

	(void)state;
	for (size_t i = 0; i < PEPPER_BYTES; i++)
		pepper.bytes[i] = (unsigned char)(0xa0 + i);
	receipt_sender_hash(&pepper, "Reporter@Mail.Example.KZ", a);
	receipt_sender_hash(&pepper, " <reporter@mail.example.kz> ", b);
	assert_memory_equal(a, b, sizeof a);
	receipt_sender_hash(&pepper, "reporter2@mail.example.kz", c);
	assert_memory_not_equal(a, c, sizeof a);

	receipt_reply_token(token);
	assert_int_equal(strlen(token), REPLY_TOKEN_CHARS);
	assert_int_equal(strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), REPLY_TOKEN_CHARS);
	for (size_t i = 0; i <= REPLY_TOKEN_CHARS; i++)
		lower[i] = (char)(token[i] >= 'A' && token[i] <= 'Z' ? token[i] + 32 : token[i]);
	receipt_token_hash(&pepper, token, a);
	receipt_token_hash(&pepper, lower, b);
	assert_memory_equal(a, b, sizeof a);

	/* the same bytes as an address, a token and a receipt hash apart */
	receipt_sender_hash(&pepper, SAMPLE, a);
	receipt_hash(&pepper, SAMPLE, b);
	assert_memory_not_equal(a, b, sizeof a);
}

static void pepper_file_round_trip(void **state)
{
	char dir[] = "/tmp/hotline-test-receipt-XXXXXX";
	char path[128], bad[128], err[256] = "", text[80] = "";
	struct pepper *p1, *p2;
	struct stat st;
	unsigned char h1[RECEIPT_HASH_BYTES], h2[RECEIPT_HASH_BYTES];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/pepper", dir);
	snprintf(bad, sizeof bad, "%s/bad", dir);

	assert_true(pepper_generate(path, err, sizeof err));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(text, sizeof text, f));
	fclose(f);
	assert_int_equal(strlen(text), 2 * PEPPER_BYTES + 1);
	assert_int_equal(strspn(text, "0123456789abcdef"), 2 * PEPPER_BYTES);
	assert_int_equal(text[2 * PEPPER_BYTES], '\n');

	assert_non_null(p1 = pepper_load(path, err, sizeof err));
	assert_non_null(p2 = pepper_load(path, err, sizeof err));
	assert_true(p1 != p2);
	assert_memory_equal(p1->bytes, p2->bytes, PEPPER_BYTES);
	receipt_hash(p1, SAMPLE, h1);
	receipt_hash(p2, SAMPLE, h2);
	assert_memory_equal(h1, h2, sizeof h1);
	pepper_free(p2);

	/* Never replaced: a new pepper would orphan every stored receipt. */
	assert_false(pepper_generate(path, err, sizeof err));
	assert_non_null(strstr(err, "already exists"));
	assert_non_null(p2 = pepper_load(path, err, sizeof err));
	assert_memory_equal(p1->bytes, p2->bytes, PEPPER_BYTES);
	pepper_free(p2);
	pepper_free(p1);
	pepper_free(NULL);

	f = fopen(bad, "w");
	assert_non_null(f);
	fputs("not hex at all\n", f);
	fclose(f);
	assert_null(pepper_load(bad, err, sizeof err));
	assert_non_null(strstr(err, "not a pepper file"));
	f = fopen(bad, "w");
	assert_non_null(f);
	fputs("a0a1a2a3\n", f);
	fclose(f);
	assert_null(pepper_load(bad, err, sizeof err));
	unlink(bad);
	assert_null(pepper_load(bad, err, sizeof err));
	assert_non_null(strstr(err, "cannot open"));

	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* The pepper a process loads is in read-only guarded pages (docs/keys.md,
 * "What memory holds"): a write to it kills the writer with SIGSEGV, which
 * ordinary heap memory would not; the memory before it is a guard page. */
static void pepper_memory_is_guarded(void **state)
{
	char dir[] = "/tmp/hotline-test-receipt-XXXXXX";
	char path[128], err[256] = "";
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/pepper", dir);
	assert_true(pepper_generate(path, err, sizeof err));
	struct pepper *p = pepper_load(path, err, sizeof err);
	assert_non_null(p);
	unsigned char first = p->bytes[0]; /* readable */
	for (int what = 0; what < 2; what++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			struct rlimit none = {0, 0};
			setrlimit(RLIMIT_CORE, &none);
			signal(SIGSEGV, SIG_DFL); /* cmocka catches it otherwise */
			signal(SIGSEGV, SIG_DFL); /* cmocka catches it otherwise */
			volatile unsigned char *at = what == 0 ? (volatile unsigned char *)p->bytes
							       : (volatile unsigned char *)p - 4096;
			at[0] = (unsigned char)(first + 1);
			_exit(0);
		}
		int status = 0;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status));
		assert_int_equal(WTERMSIG(status), SIGSEGV);
	}
	assert_int_equal(p->bytes[0], first);
	pepper_free(p);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(damm_known_answers),
	    cmocka_unit_test(typos_detected),
	    cmocka_unit_test(generate_format_parse),
	    cmocka_unit_test(format_known_answer),
	    cmocka_unit_test(parse_accepts_what_people_type),
	    cmocka_unit_test(parse_rejects),
	    cmocka_unit_test(hash_known_answer),
	    cmocka_unit_test(mail_proofs),
	    cmocka_unit_test(pepper_file_round_trip),
	    cmocka_unit_test(pepper_memory_is_guarded),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
