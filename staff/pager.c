/* Paged staff lists: see pager.h. */
#include "staff/pager.h"

#include <stdio.h>
#include <string.h>

void pager_count(struct staff_ctx *c, const char *id, enum msg text, long n)
{
	char line[160];
	if (n > PAGER_COUNT_CAP) {
		char more[64];
		snprintf(more, sizeof(more), i18n(c->lang, M_PAGE_MORE_THAN), PAGER_COUNT_CAP);
		snprintf(line, sizeof(line), "%s", i18n(c->lang, text));
		/* the text's %d becomes the "more than" words */
		char *d = strstr(line, "%d");
		if (d) {
			char tail[160];
			snprintf(tail, sizeof(tail), "%s", d + 2);
			snprintf(d, sizeof(line) - (size_t)(d - line), "%s%s", more, tail);
		}
	} else {
		snprintf(line, sizeof(line), i18n(c->lang, text), (int)n);
	}
	staff_html(c, "<p class=\"count\" id=\"%s\">", id);
	staff_esc(c, line);
	staff_html(c, "</p>\n");
}

void pager_nav(struct staff_ctx *c, const char *id, const char *first_href, const char *next_href)
{
	if (!first_href && !next_href)
		return;
	staff_html(c, "<nav class=\"pages\" id=\"%s-pages\">", id);
	if (first_href) {
		staff_html(c, "<a id=\"%s-first\" href=\"", id);
		staff_esc(c, first_href);
		staff_html(c, "\">");
		staff_text(c, M_PAGE_FIRST);
		staff_html(c, "</a> ");
	}
	if (next_href) {
		staff_html(c, "<a id=\"%s-next\" rel=\"next\" href=\"", id);
		staff_esc(c, next_href);
		staff_html(c, "\">");
		staff_text(c, M_ARCH_NEXT);
		staff_html(c, "</a>");
	}
	staff_html(c, "</nav>\n");
}

bool pager_date_ok(const char *s)
{
	int y, m, d;
	char tail;
	return strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && y >= 1900 &&
	       y <= 2999 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

bool pager_id_ok(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n <= 18 && strspn(s, "0123456789") == n;
}
