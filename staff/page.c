/* Writing the staff page (staff/staff.h): the answer's body, through the
 * one page writer of base/html.h, which escapes every value unless the
 * function's name says markup. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/html.h"
#include "staff/staff.h"

void staff_esc(struct staff_ctx *c, const char *text)
{
	html_escape_str(&c->body, text ? text : "");
}

void staff_text(struct staff_ctx *c, enum msg id)
{
	html_msg(&c->body, c->lang, id);
}

void staff_html(struct staff_ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	html_vf(&c->body, fmt, ap);
	va_end(ap);
}

void staff_markup(struct staff_ctx *c, const char *markup)
{
	html_markup(&c->body, markup);
}

void staff_date_str(const struct staff_ctx *c, const char *iso, char *out, size_t outlen)
{
	char date[48];
	html_date(date, sizeof(date), c->lang, iso);
	/* html_date() keeps the hour only of "YYYY-MM-DD HH:MM..." */
	bool moment = iso && strlen(iso) >= 16 && strcmp(date, iso) != 0 && iso[13] == ':';
	if (moment)
		snprintf(out, outlen, "%s (%s)", date, i18n(c->lang, M_TIME_ZONE));
	else
		snprintf(out, outlen, "%s", date);
}

void staff_date(struct staff_ctx *c, const char *iso)
{
	char text[96];
	staff_date_str(c, iso, text, sizeof(text));
	staff_esc(c, text);
}

void staff_size(struct staff_ctx *c, long long bytes)
{
	char text[32];
	html_size(text, sizeof(text), c->lang, bytes > 0 ? (size_t)bytes : 0);
	staff_esc(c, text);
}

void staff_redirect(struct staff_ctx *c, const char *path)
{
	snprintf(c->location, sizeof c->location, "%s", path);
	buf_wipe(&c->body);
	buf_init(&c->body);
}
