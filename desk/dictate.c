/* A receipt for dictation: see dictate.h. */
#include "desk/dictate.h"

#include <stdio.h>
#include <string.h>

#include "crypto/receipt.h"
#include "base/html.h"

static const enum msg digit_words[10] = {M_DIGIT_0, M_DIGIT_1, M_DIGIT_2, M_DIGIT_3, M_DIGIT_4,
					 M_DIGIT_5, M_DIGIT_6, M_DIGIT_7, M_DIGIT_8, M_DIGIT_9};

void dictate_words(const char *group, size_t n, enum lang lang, char *out, size_t size)
{
	if (size == 0)
		return;
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n && used < size; i++) {
		if (group[i] < '0' || group[i] > '9')
			continue;
		int w = snprintf(out + used, size - used, "%s%s", used ? " " : "",
				 i18n(lang, digit_words[group[i] - '0']));
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

void dictate_receipt_html(struct buf *b, const char *digits, enum lang lang)
{
	char text[RECEIPT_TEXT_SIZE];
	receipt_format(digits, text);
	html_markup(b, "<p class=\"receipt-whole\"><code class=\"receipt\" id=\"receipt\">");
	html_escape_str(b, text);
	html_markup(b, "</code></p>\n<ol class=\"dictation\" id=\"dictation\">\n");
	for (size_t at = 0; at < RECEIPT_DIGITS; at += 4) {
		char words[256];
		dictate_words(digits + at, 4, lang, words, sizeof(words));
		html_markup(b, "<li><span class=\"group\">");
		html_escape(b, digits + at, 4);
		html_markup(b, "</span> <span class=\"spoken\">");
		html_escape_str(b, words);
		html_markup(b, "</span></li>\n");
	}
	html_markup(b, "</ol>\n");
}
