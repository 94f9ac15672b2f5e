/* Writing the staff page (staff/staff.h): the answer's body, through the
 * one page writer of base/html.h, which escapes every value unless the
 * function's name says markup. */
#include <stdarg.h>
#include <stdio.h>

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

void staff_redirect(struct staff_ctx *c, const char *path)
{
	snprintf(c->location, sizeof c->location, "%s", path);
	buf_wipe(&c->body);
	buf_init(&c->body);
}
