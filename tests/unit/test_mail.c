/* intake/mail.c: sample messages through GMime: charsets to UTF-8,
 * RFC 2047 subjects and names, RFC 2231 file names, HTML-only bodies,
 * attachment limits, what counts as identity, garbage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intake/mail.h"

static struct mail *parse(const char *text, enum mail_status want)
{
	struct mail *m = NULL;
	assert_int_equal(mail_parse(text, strlen(text), 10, &m), want);
	return m;
}

static const char *header(const struct mail *m, const char *name)
{
	for (unsigned i = 0; i < m->nheaders; i++) {
		if (strcasecmp(m->headers[i].name, name) == 0)
			return m->headers[i].value;
	}
	return NULL;
}

static void plain_and_identity(void **state)
{
	(void)state;
	struct mail *m = parse("Received: from pc (10.1.2.3) by mx\r\n"
			       "X-Originating-IP: [10.1.2.3]\r\n"
			       "From: \"Ivan P\" <ivan@example.kz>\r\n"
			       "Reply-To: other@example.kz\r\n"
			       "Subject: Hello\r\n"
			       "Content-Type: text/plain; charset=us-ascii\r\n"
			       "\r\n"
			       "The body.\r\n",
			       MAIL_OK);
	assert_string_equal(m->subject, "Hello");
	assert_string_equal(m->text, "The body.\r\n");
	assert_string_equal(m->from_address, "ivan@example.kz");
	assert_string_equal(m->from_name, "Ivan P");
	assert_non_null(header(m, "Received"));
	assert_non_null(header(m, "X-Originating-IP"));
	assert_non_null(header(m, "Reply-To"));
	assert_null(header(m, "Subject"));
	assert_null(header(m, "Content-Type"));
	assert_int_equal(m->nfiles, 0);
	assert_false(m->from_html);
	assert_false(m->automatic);
	assert_string_equal(m->language, "en");
	mail_free(m);
}

static void charsets_and_2047(void **state)
{
	(void)state;
	/* "Привет" in KOI8-R, subject "Қазақ" as RFC 2047 UTF-8 base64 */
	struct mail *m = parse("From: a@b.kz\r\n"
			       "Subject: =?UTF-8?B?0prQsNC30LDSmw==?=\r\n"
			       "Content-Type: text/plain; charset=koi8-r\r\n"
			       "Content-Transfer-Encoding: 8bit\r\n"
			       "\r\n"
			       "\xf0\xd2\xc9\xd7\xc5\xd4",
			       MAIL_OK);
	assert_string_equal(m->subject, "Қазақ");
	assert_string_equal(m->text, "Привет");
	assert_string_equal(m->language, "ru"); /* the body decides first */
	mail_free(m);
	/* "Мир" in ISO-8859-5, quoted-printable */
	m = parse("From: a@b.kz\r\nSubject: =?koi8-r?Q?=F0=D2=C9=D7=C5=D4?=\r\n"
		  "Content-Type: text/plain; charset=iso-8859-5\r\n"
		  "Content-Transfer-Encoding: quoted-printable\r\n\r\n=BC=D8=E0",
		  MAIL_OK);
	assert_string_equal(m->subject, "Привет");
	assert_string_equal(m->text, "Мир");
	mail_free(m);
}

static void html_only(void **state)
{
	(void)state;
	struct mail *m =
	    parse("From: a@b.kz\r\nSubject: x\r\n"
		  "Content-Type: text/html; charset=utf-8\r\n\r\n"
		  "<html><head><style>p{}</style></head><body><p>Қала&nbsp;&amp; "
		  "ауыл</p><p>two&#33; &#x41;</p><script>evil()</script></body></html>",
		  MAIL_OK);
	assert_true(m->from_html);
	assert_string_equal(m->text, "Қала & ауыл\ntwo! A");
	assert_string_equal(m->language, "kk");
	mail_free(m);
}

static const char multipart[] =
    "From: a@b.kz\r\nSubject: Re: 2026-000042 more\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=XX\r\n\r\n"
    "--XX\r\nContent-Type: multipart/alternative; boundary=YY\r\n\r\n"
    "--YY\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain text\r\n"
    "--YY\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>html text</p>\r\n"
    "--YY--\r\n"
    "--XX\r\nContent-Type: application/pdf\r\n"
    "Content-Disposition: attachment; filename*=utf-8''%D1%81%D1%87%D1%91%D1%82.pdf\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n"
    "--XX\r\nContent-Type: image/png; name=\"=?UTF-8?B?0YTQvtGC0L4ucG5n?=\"\r\n"
    "Content-Disposition: attachment\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\nAAEC\r\n"
    "--XX--\r\n";

static void attachments_2231_2047(void **state)
{
	(void)state;
	struct mail *m = parse(multipart, MAIL_OK);
	assert_string_equal(m->text, "plain text");
	assert_false(m->from_html);
	assert_int_equal(m->nfiles, 2);
	assert_string_equal(m->files[0].name, "счёт.pdf");
	assert_string_equal(m->files[0].type, "application/pdf");
	assert_int_equal(m->files[0].len, 5);
	assert_memory_equal(m->files[0].data, "hello", 5);
	assert_string_equal(m->files[1].name, "фото.png");
	assert_int_equal(m->files[1].len, 3);
	assert_string_equal(m->reg_no, "2026-000042");
	mail_free(m);

	m = NULL;
	assert_int_equal(mail_parse(multipart, strlen(multipart), 1, &m),
			 MAIL_TOO_MANY_ATTACHMENTS);
	assert_int_equal(m->nfiles, 1);
	assert_int_equal(m->files_dropped, 1);
	mail_free(m);
}

static void automatic(void **state)
{
	(void)state;
	static const char *const autos[] = {
	    "From: a@b.kz\r\nAuto-Submitted: auto-replied\r\n\r\nx",
	    "From: a@b.kz\r\nPrecedence: bulk\r\n\r\nx",
	    "From: a@b.kz\r\nList-Id: <l.b.kz>\r\n\r\nx",
	    "From: MAILER-DAEMON@b.kz\r\n\r\nx",
	    "From: a@b.kz\r\nReturn-Path: <>\r\n\r\nx",
	};
	for (size_t i = 0; i < sizeof(autos) / sizeof(autos[0]); i++) {
		struct mail *m = parse(autos[i], MAIL_OK);
		assert_true(m->automatic);
		mail_free(m);
	}
	struct mail *m = parse("From: a@b.kz\r\nAuto-Submitted: no\r\n\r\nx", MAIL_OK);
	assert_false(m->automatic);
	mail_free(m);
}

static void garbage(void **state)
{
	(void)state;
	char junk[2000];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(0x80 + (i * 37) % 120);
	struct mail *m = (struct mail *)1;
	assert_int_equal(mail_parse(junk, sizeof(junk), 10, &m), MAIL_UNREADABLE);
	assert_null(m);
	assert_int_equal(mail_parse("", 0, 10, &m), MAIL_UNREADABLE);
}

static void helpers(void **state)
{
	(void)state;
	char reg[16];
	assert_true(mail_find_reg_no("Re: [2026-000123]", reg));
	assert_string_equal(reg, "2026-000123");
	assert_false(mail_find_reg_no("12026-000123", reg));
	assert_false(mail_find_reg_no("2026-0001234", reg)); /* seven digits only from 1000000 */
	assert_true(mail_find_reg_no("Re: [2026-1000000] thanks", reg));
	assert_string_equal(reg, "2026-1000000");
	assert_true(mail_find_reg_no("2027-12345678", reg));
	assert_string_equal(reg, "2027-12345678");
	assert_false(mail_find_reg_no("2027-123456789", reg));
	assert_false(mail_find_reg_no("2026-00012", reg));
	char *s = mail_clean_text("a\xff"
				  "b\x01\tc",
				  6);
	assert_string_equal(s, "a\xef\xbf\xbd"
			       "b\tc");
	free(s);
	assert_null(mail_guess_language("123 !!"));
}

/* Where a follow-up's receipt or reply token is found (docs/mail-intake.md). */
static void proofs(void **state)
{
	(void)state;
	size_t start, end;
	const char *t = "code: 1234 5678-9012 3456\t7890 1234 5678.";
	assert_true(mail_find_receipt(t, 0, &start, &end));
	assert_int_equal(start, 6);
	assert_int_equal(end, strlen(t) - 1);
	assert_false(mail_find_receipt(t, end, &start, &end));
	/* 27 or 29 digits, or two spaces between groups: no receipt */
	assert_false(mail_find_receipt("1234 5678 9012 3456 7890 1234 567", 0, &start, &end));
	assert_false(mail_find_receipt("1234567890123456789012345678 9", 0, &start, &end));
	assert_false(mail_find_receipt("1234  5678901234567890123456 78", 0, &start, &end));
	assert_true(
	    mail_find_receipt("2026-000123 and 1234567890123456789012345678", 0, &start, &end));
	assert_int_equal(start, 16);

	const char *s = "Re: Registered as 2026-000123 [#ABCDEFGHIJKLMNOPQRSTUVWX]";
	assert_true(mail_find_token(s, 0, 24, &start));
	assert_int_equal(start, 32);
	assert_true(mail_find_token("ref #abcdefghijklmnopqrstuvwx", 0, 24, &start));
	assert_false(mail_find_token("#ABCDEFGHIJKLMNOPQRSTUVWXY", 0, 24, &start)); /* 25 */
	assert_false(mail_find_token("#ABCDEFGHIJKLMNOPQRSTUVW1", 0, 24, &start));  /* not base32 */
	assert_false(mail_find_token("#ABCDEFGHIJKLMNOPQRSTUVWX", 1, 24, &start));
}

int main(void)
{
	mail_init();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(plain_and_identity),
	    cmocka_unit_test(charsets_and_2047),
	    cmocka_unit_test(html_only),
	    cmocka_unit_test(attachments_2231_2047),
	    cmocka_unit_test(automatic),
	    cmocka_unit_test(garbage),
	    cmocka_unit_test(helpers),
	    cmocka_unit_test(proofs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
