/* Text that crosses the trust boundary: UTF-8 validation of form input and
 * HTML escaping of everything shown back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/html.h"
#include "base/utf8.h"

static void utf8_accepts_text(void **state)
{
	(void)state;
	const char *ok[] = {"",
			    "plain",
			    "Сенім телефоны: ұ ү қ ғ ң ә і ө һ",
			    "line\r\nnext\ttab",
			    "emoji \xf0\x9f\x98\x80",
			    "\xe2\x82\xac"};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		assert_true(utf8_valid_text(ok[i], strlen(ok[i])));
}

static void utf8_refuses_bad_bytes(void **state)
{
	(void)state;
	const struct {
		const char *s;
		size_t len;
	} bad[] = {
	    {"\xff", 1},		     /* never valid */
	    {"\xc0\xaf", 2},		     /* overlong '/' */
	    {"\xe0\x80\xaf", 3},	     /* overlong */
	    {"\xed\xa0\x80", 3},	     /* surrogate */
	    {"\xf4\x90\x80\x80", 4},	     /* past U+10FFFF */
	    {"\xd0", 1},		     /* truncated */
	    {"a\0b", 3},		     /* NUL */
	    {"bell\x07", 5},		     /* control */
	    {"\xcf\xf0\xe8\xe2\xe5\xf2", 6}, /* "Привет" in cp1251 */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(utf8_valid_text(bad[i].s, bad[i].len));
}

static void html_escapes_markup(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b);
	html_escape_str(&b, "<script>alert('x')</script> & \"q\"");
	assert_string_equal(b.data, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; "
				    "&quot;q&quot;");
	buf_reset(&b);
	html_escape_str(&b, "Қазақша ok");
	assert_string_equal(b.data, "Қазақша ok");
	buf_reset(&b);
}

/* html_f: the format is markup, every %s and %c value is escaped, numbers
 * print as printf prints them (issue 15: one page writer). */
static void html_f_escapes_every_value(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b);
	html_f(&b, "<a href=\"/x?q=%s\" class=\"%s\">%c%c</a>", "1&b=<2>", "q\"'", '<', 'k');
	assert_string_equal(b.data,
			    "<a href=\"/x?q=1&amp;b=&lt;2&gt;\" class=\"q&quot;&#39;\">&lt;k</a>");
	buf_reset(&b);
	html_f(&b, "%d|%03d|%-4s|%4s|%.2s|%.*s|%lld|%zu|%u|%x|%.1f|100%%|%ld", -7, 5, "<", "ab",
	       "<<<", 3, "a&bcd", 1234567890123LL, (size_t)42, 7u, 255u, 2.25, 9L);
	assert_string_equal(b.data,
			    "-7|005|&lt;   |  ab|&lt;&lt;|a&amp;b|1234567890123|42|7|ff|2.2|"
			    "100%|9");
	buf_reset(&b);
	const char *volatile none = NULL; /* a NULL value writes nothing */
	html_f(&b, "%s", none);
	html_markup(&b, "<br>");
	html_msg(&b, LANG_EN, M_SITE_NAME);
	assert_string_equal(b.data, "<br>Trust line");
	buf_reset(&b);
}

static void html_sizes(void **state)
{
	(void)state;
	char out[32];
	html_size(out, sizeof(out), LANG_EN, 25 * 1024 * 1024);
	assert_string_equal(out, "25 MB");
	html_size(out, sizeof(out), LANG_EN, 512 * 1024);
	assert_string_equal(out, "512 KB");
	html_size(out, sizeof(out), LANG_EN, 1536 * 1024);
	assert_string_equal(out, "1.5 MB");
	html_size(out, sizeof(out), LANG_RU, 1536 * 1024);
	assert_string_equal(out, "1,5 МБ");
	html_size(out, sizeof(out), LANG_KK, 300);
	assert_string_equal(out, "1 КБ");
	html_size(out, sizeof(out), LANG_RU, 25 * 1024 * 1024);
	assert_string_equal(out, "25 МБ");
}

static void html_dates(void **state)
{
	(void)state;
	char out[40];
	html_date(out, sizeof(out), LANG_RU, "2026-12-07");
	assert_string_equal(out, "07.12.2026");
	html_date(out, sizeof(out), LANG_KK, "2026-03-18 09:05:33+05");
	assert_string_equal(out, "18.03.2026 09:05");
	html_date(out, sizeof(out), LANG_EN, "2026-12-07T14:05");
	assert_string_equal(out, "7 Dec 2026, 14:05");
	html_date(out, sizeof(out), LANG_EN, "2026-12-07");
	assert_string_equal(out, "7 Dec 2026");
	html_date(out, sizeof(out), LANG_RU, "2026-13-07");
	assert_string_equal(out, "2026-13-07");
	html_date(out, sizeof(out), LANG_RU, "soon");
	assert_string_equal(out, "soon");
	html_date(out, sizeof(out), LANG_RU, NULL);
	assert_string_equal(out, "");
	html_month(out, sizeof(out), LANG_KK, 2025, 1);
	assert_string_equal(out, "01.2025");
	html_month(out, sizeof(out), LANG_EN, 2026, 12);
	assert_string_equal(out, "Dec 2026");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(utf8_accepts_text),   cmocka_unit_test(utf8_refuses_bad_bytes),
	    cmocka_unit_test(html_escapes_markup), cmocka_unit_test(html_f_escapes_every_value),
	    cmocka_unit_test(html_sizes),	   cmocka_unit_test(html_dates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
