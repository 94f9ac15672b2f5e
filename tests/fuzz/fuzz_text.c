/* libFuzzer harness: utf8_valid_text() (base/utf8.c) against a plain
 * reference decoder, and html_escape() (base/html.c, base/buf.c): the
 * output holds none of < > " ' and no bare &, and unescaping it gives the
 * input back byte for byte. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/html.h"
#include "base/utf8.h"

/* The same rules written the slow, obvious way. */
static bool reference_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned c = s[i];
		if (c < 0x80) {
			if (c == 0x7f || (c < 0x20 && c != '\t' && c != '\r' && c != '\n'))
				return false;
			i++;
			continue;
		}
		size_t need;
		uint32_t cp, min;
		if ((c & 0xe0) == 0xc0) {
			need = 1, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			need = 2, cp = c & 0x0f, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			need = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return false;
		}
		if (i + need >= len) /* the last byte of the sequence is past the end */
			return false;
		for (size_t k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += need + 1;
	}
	return true;
}

static const struct {
	const char *entity;
	char ch;
} entities[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};

static void check_escape(const char *s, size_t len)
{
	struct buf b;
	buf_init(&b);
	html_escape(&b, s, len);
	if (len > 0 && !b.data)
		abort();
	/* Unescape while checking that nothing dangerous is left. */
	char *back = malloc(len + 1);
	if (!back)
		abort();
	size_t n = 0;
	for (size_t i = 0; i < b.len;) {
		char c = b.data[i];
		if (c == '<' || c == '>' || c == '"' || c == '\'')
			abort();
		if (c != '&') {
			if (n >= len)
				abort();
			back[n++] = c;
			i++;
			continue;
		}
		size_t e = 0;
		while (e < sizeof entities / sizeof entities[0]) {
			size_t el = strlen(entities[e].entity);
			if (b.len - i >= el && memcmp(b.data + i, entities[e].entity, el) == 0)
				break;
			e++;
		}
		if (e == sizeof entities / sizeof entities[0] || n >= len)
			abort(); /* a bare '&' or an entity we never write */
		back[n++] = entities[e].ch;
		i += strlen(entities[e].entity);
	}
	if (n != len || (len > 0 && memcmp(back, s, len) != 0))
		abort();
	free(back);
	buf_reset(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy so ASan sees any read past len. */
	char *s = malloc(size ? size : 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	if (utf8_valid_text(s, size) != reference_valid((const unsigned char *)s, size))
		abort();
	check_escape(s, size);
	free(s);
	return 0;
}
