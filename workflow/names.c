#include "workflow/names.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint32_t fold(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 0x20;
	if (c >= 0x410 && c <= 0x42f) /* А..Я */
		return c + 0x20;
	if (c == 0x401 || c == 0x451) /* Ё, ё read as е */
		return 0x435;
	if (c >= 0x400 && c <= 0x40f) /* Ѐ..Џ, І */
		return c + 0x50;
	switch (c) {
	case 0x4d8: /* Ә */
	case 0x492: /* Ғ */
	case 0x49a: /* Қ */
	case 0x4a2: /* Ң */
	case 0x4e8: /* Ө */
	case 0x4b0: /* Ұ */
	case 0x4ae: /* Ү */
	case 0x4ba: /* Һ */
		return c + 1;
	default:
		return c;
	}
}

static bool is_letter(uint32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 0x400 && c <= 0x4ff) || c == '-' || c == '\'';
}

/* Decodes text into folded code points; invalid bytes become spaces. */
static size_t decode(const char *s, size_t len, uint32_t *out)
{
	size_t n = 0;
	for (size_t i = 0; i < len;) {
		unsigned char b = (unsigned char)s[i];
		uint32_t c;
		size_t k;
		if (b < 0x80) {
			c = b;
			k = 1;
		} else if ((b & 0xe0) == 0xc0 && i + 1 < len) {
			c = ((uint32_t)(b & 0x1f) << 6) | ((unsigned char)s[i + 1] & 0x3f);
			k = 2;
		} else if ((b & 0xf0) == 0xe0 && i + 2 < len) {
			c = ((uint32_t)(b & 0x0f) << 12) | (((unsigned char)s[i + 1] & 0x3f) << 6) |
			    ((unsigned char)s[i + 2] & 0x3f);
			k = 3;
		} else {
			c = ' ';
			k = 1;
		}
		out[n++] = fold(c);
		i += k;
	}
	return n;
}

/* needle occurs in hay at a word start */
static bool occurs(const uint32_t *hay, size_t nh, const uint32_t *needle, size_t nn)
{
	if (nn == 0 || nn > nh)
		return false;
	for (size_t i = 0; i + nn <= nh; i++) {
		if (i > 0 && is_letter(hay[i - 1]))
			continue;
		if (memcmp(hay + i, needle, nn * sizeof(uint32_t)) == 0)
			return true;
	}
	return false;
}

bool names_mentioned(const char *text, size_t len, const char *person)
{
	size_t plen = strlen(person);
	uint32_t *hay = malloc((len + 1) * sizeof(uint32_t));
	uint32_t *who = malloc((plen + 1) * sizeof(uint32_t));
	bool found = false;
	if (!hay || !who)
		abort();
	size_t nh = decode(text, len, hay);
	size_t np = decode(person, plen, who);
	size_t start = 0;
	while (start < np && !is_letter(who[start]))
		start++;
	size_t end = start;
	while (end < np && is_letter(who[end]))
		end++;
	if (end - start >= 3)
		found = occurs(hay, nh, who + start, end - start);
	if (!found && np - start >= 3)
		found = occurs(hay, nh, who + start, np - start);
	free(hay);
	free(who);
	return found;
}
