/* base/mailmsg.c: a whole notice byte for byte, base64 known answers,
 * RFC 2047 subjects cut between characters and within the line limit,
 * header injection refused, addresses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mailmsg.h"

/* 2023-11-14 22:13:20 UTC, a Tuesday. */
#define SOME_DATE ((time_t)1700000000)

static char *build(const char *subject, const char *body)
{
	struct mailmsg m = {
	    .outbox_id = 42,
	    .from = "notices@hotline.example.kz",
	    .to = "director@example.kz",
	    .subject = subject,
	    .body = body,
	    .date = SOME_DATE,
	};
	struct buf out;
	buf_init(&out);
	mailmsg_build(&out, &m);
	return buf_steal(&out, NULL);
}

static void golden_message(void **state)
{
	(void)state;
	char *text = build("Reminder: 2026-000042", "Due on 2026-12-01.\nConsole: https://x/\n");
	assert_string_equal(text, "From: notices@hotline.example.kz\r\n"
				  "To: director@example.kz\r\n"
				  "Subject: Reminder: 2026-000042\r\n"
				  "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
				  "Message-ID: <hotline-outbox-42@hotline.example.kz>\r\n"
				  "Auto-Submitted: auto-generated\r\n"
				  "MIME-Version: 1.0\r\n"
				  "Content-Type: text/plain; charset=utf-8\r\n"
				  "Content-Transfer-Encoding: base64\r\n"
				  "\r\n"
				  "RHVlIG9uIDIwMjYtMTItMDEuDQpDb25zb2xlOiBodHRwczovL3gvDQo=\r\n");
	free(text);
}

static void golden_encoded_subject(void **state)
{
	(void)state;
	/* Two-byte letters: the 39-byte word would end inside "ж", so the
	 * first word takes 38 bytes and "жалоба" goes to the second. */
	char *text = build("Напоминание о сроке: жалоба", "");
	const char *subject = strstr(text, "Subject:");
	assert_non_null(subject);
	const char *end = strstr(subject, "\r\nDate:");
	assert_non_null(end);
	char *line = strndup(subject, (size_t)(end - subject));
	assert_string_equal(
	    line, "Subject: =?UTF-8?B?0J3QsNC/0L7QvNC40L3QsNC90LjQtSDQviDRgdGA0L7QutC1OiA=?=\r\n"
		  " =?UTF-8?B?0LbQsNC70L7QsdCw?=");
	free(line);
	/* An empty body is an empty part. */
	assert_non_null(strstr(text, "base64\r\n\r\n"));
	assert_int_equal(text[strlen(text) - 1], '\n');
	assert_string_equal(strstr(text, "base64\r\n\r\n"), "base64\r\n\r\n");
	free(text);
}

static const unsigned char *b64_value(char c)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = strchr(alphabet, c);
	return (const unsigned char *)p;
}

/* Decodes one encoded-word's base64 (no padding issues: we made it). */
static size_t b64_decode(const char *in, size_t len, unsigned char *out)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < len && in[i] != '='; i++) {
		assert_non_null(b64_value(in[i]));
		acc = (acc << 6) | (uint32_t)(strchr(alphabet, in[i]) - alphabet);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	return n;
}

static bool valid_utf8(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t n = s[i] < 0x80 ? 1 : (s[i] >> 5) == 6 ? 2 : (s[i] >> 4) == 14 ? 3 : 4;
		if (i + n > len)
			return false;
		for (size_t k = 1; k < n; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
		i += n;
	}
	return true;
}

/* Long mixed subjects: every word decodes to whole characters, the words
 * give back the subject, every line is at most 76 characters. */
static void long_subjects_fold(void **state)
{
	(void)state;
	static const char *const subjects[] = {
	    "Жаңа өтініш 2026-000042: директордың шешімі керек / Новое обращение ждёт решения "
	    "директора — срок 2026-12-01 ✓ 😀",
	    "ұүқғңәіөһ ұүқғңәіөһ ұүқғңәіөһ ұүқғңәіөһ ұүқғңәіөһ ұүқғңәіөһ ұүқғңәіөһ",
	    "€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€",
	    "A plain ASCII subject that is far too long to stay on one line, because it keeps "
	    "going and going and going past two hundred characters, which is where we encode it "
	    "so that it folds into lines of a readable length for everyone involved.",
	};
	for (size_t i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++) {
		char *text = build(subjects[i], "x");
		const char *p = strstr(text, "Subject:") + strlen("Subject:");
		const char *end = strstr(p, "\r\nDate:");
		unsigned char decoded[1024];
		size_t got = 0;
		const char *line_start = strstr(text, "Subject:");
		while (p < end) {
			const char *word = strstr(p, "=?UTF-8?B?");
			assert_non_null(word);
			assert_true(word < end);
			word += strlen("=?UTF-8?B?");
			const char *word_end = strstr(word, "?=");
			assert_non_null(word_end);
			unsigned char part[64];
			size_t n = b64_decode(word, (size_t)(word_end - word), part);
			assert_true(n > 0 && n <= 39);
			assert_true(valid_utf8(part, n));
			memcpy(decoded + got, part, n);
			got += n;
			p = word_end + 2;
			/* the line ends here or at the next fold */
			const char *eol = strstr(p, "\r\n");
			if (eol == p || eol == end) {
				assert_true(p - line_start <= 76);
				line_start = p + 2;
			}
		}
		assert_int_equal(got, strlen(subjects[i]));
		assert_memory_equal(decoded, subjects[i], got);
		free(text);
	}
}

/* Line breaks or an encoded-word lookalike in a subject cannot make a
 * header of their own. */
static void subject_injection(void **state)
{
	(void)state;
	char *text = build("Hi\r\nBcc: spy@example.kz", "x");
	const char *headers_end = strstr(text, "\r\n\r\n");
	assert_non_null(headers_end);
	char *headers = strndup(text, (size_t)(headers_end - text));
	assert_null(strstr(headers, "Bcc"));
	assert_null(strstr(headers, "\r\nBcc"));
	/* Control characters became blanks: "Hi  Bcc: spy@example.kz". */
	assert_non_null(strstr(headers, "Subject: =?UTF-8?B?SGkgIEJjYzogc3B5QGV4YW1wbGUua3o=?="));
	free(headers);
	free(text);

	text = build("=?UTF-8?B?QWRtaW4=?=", "x");
	assert_null(strstr(text, "Subject: =?UTF-8?B?QWRtaW4=?=\r\n"));
	free(text);
}

static void body_line_ends(void **state)
{
	(void)state;
	char *a = build("s", "one\ntwo\r\nthree\rfour");
	char *b = build("s", "one\r\ntwo\r\nthree\r\nfour");
	assert_string_equal(a, b);
	/* "one\r\ntwo\r\nthree\r\nfour" */
	assert_non_null(strstr(a, "\r\n\r\nb25lDQp0d28NCnRocmVlDQpmb3Vy\r\n"));
	free(a);
	free(b);
}

static void base64_known_answers(void **state)
{
	(void)state;
	static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const out[] = {"",	      "Zg==",	  "Zm8=",    "Zm9v",
					  "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		struct buf b;
		buf_init(&b);
		mailmsg_base64(&b, (const unsigned char *)in[i], strlen(in[i]), 0);
		assert_string_equal(b.data, out[i]);
		buf_reset(&b);
	}
	/* 60 bytes: 80 characters, wrapped at 76. */
	unsigned char zeros[60] = {0};
	struct buf b;
	buf_init(&b);
	mailmsg_base64(&b, zeros, sizeof(zeros), 76);
	assert_int_equal(b.len, 80 + 4);
	assert_memory_equal(b.data + 76, "\r\n", 2);
	assert_string_equal(b.data + 78, "AAAA\r\n");
	buf_reset(&b);
}

static void addresses(void **state)
{
	(void)state;
	static const char *const good[] = {
	    "a@b",
	    "director@example.kz",
	    "first.last+tag@mail.example.kz",
	    "o'brien@xn--80ak6aa92e.com",
	    "!#$%&'*+-/=?^_`{|}~@example.kz",
	    "x@a-b.c-d.kz",
	};
	static const char *const bad[] = {
	    NULL,
	    "",
	    "director",
	    "@example.kz",
	    "director@",
	    "a@b@c",
	    "a b@example.kz",
	    "a@example.kz\r\nBcc: x@y",
	    "a@example.kz>",
	    "<a@example.kz>",
	    "Name <a@example.kz>",
	    "a,b@example.kz",
	    "a;b@example.kz",
	    "a@example.kz.",
	    "a@.example.kz",
	    "a@-x.kz",
	    "a@x-.kz",
	    ".a@example.kz",
	    "a..b@example.kz",
	    "a@exa_mple.kz",
	    "\"a\"@example.kz",
	    "a@[127.0.0.1]",
	    "директор@example.kz",
	    "a@пример.kz",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!mailmsg_address_ok(good[i]))
			fail_msg("refused: %s", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mailmsg_address_ok(bad[i]))
			fail_msg("accepted: %s", bad[i]);
	char local[80], domain[300];
	memset(local, 'a', 65);
	strcpy(local + 65, "@example.kz");
	assert_false(mailmsg_address_ok(local)); /* local part over 64 */
	memset(domain, 'a', 64);
	strcpy(domain + 64, ".kz");
	char addr[400];
	snprintf(addr, sizeof(addr), "a@%s", domain);
	assert_false(mailmsg_address_ok(addr)); /* label over 63 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(golden_message),	  cmocka_unit_test(golden_encoded_subject),
	    cmocka_unit_test(long_subjects_fold), cmocka_unit_test(subject_injection),
	    cmocka_unit_test(body_line_ends),	  cmocka_unit_test(base64_known_answers),
	    cmocka_unit_test(addresses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
