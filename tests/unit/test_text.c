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
	const char *ok[] = {"", "plain", "Сенім телефоны: ұ ү қ ғ ң ә і ө һ", "line\r\nnext\ttab",
			    "emoji \xf0\x9f\x98\x80", "\xe2\x82\xac"};
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
		{"\xff", 1},		 /* never valid */
		{"\xc0\xaf", 2},	 /* overlong '/' */
		{"\xe0\x80\xaf", 3},	 /* overlong */
		{"\xed\xa0\x80", 3},	 /* surrogate */
		{"\xf4\x90\x80\x80", 4}, /* past U+10FFFF */
		{"\xd0", 1},		 /* truncated */
		{"a\0b", 3},		 /* NUL */
		{"bell\x07", 5},	 /* control */
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

static void html_sizes(void **state)
{
	(void)state;
	char out[32];
	html_size(out, sizeof(out), 25 * 1024 * 1024);
	assert_string_equal(out, "25 MB");
	html_size(out, sizeof(out), 512 * 1024);
	assert_string_equal(out, "512 KB");
	html_size(out, sizeof(out), 1536 * 1024);
	assert_string_equal(out, "1.5 MB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(utf8_accepts_text),
		cmocka_unit_test(utf8_refuses_bad_bytes),
		cmocka_unit_test(html_escapes_markup),
		cmocka_unit_test(html_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
