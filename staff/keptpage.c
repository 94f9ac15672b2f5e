/* The kept form given back: see keptpage.h. */
#include "staff/keptpage.h"

#include <string.h>
#include <time.h>

#include "base/log.h"
#include "staff/internal.h"

/* A value a person typed as text (several lines, or more than a few
 * words) is shown to read and edit; a choice, a number or a date goes
 * back as it was, unseen. */
static bool is_text(const char *value)
{
	return strchr(value, '\n') || strlen(value) > 40;
}

static void kept_render(struct staff_ctx *c, const char *path, const struct buf *fields)
{
	staff_page_begin(c, i18n(c->lang, M_KEPT_TITLE));
	staff_html(c, "<h1>");
	staff_text(c, M_KEPT_TITLE);
	staff_html(c, "</h1>\n<p id=\"kept-intro\">");
	staff_text(c, M_KEPT_INTRO);
	staff_html(c, "</p>\n");
	staff_form_open(c, path, false);
	size_t at = 0;
	const char *name, *value;
	unsigned n = 0;
	while (keptform_field_next(fields, &at, &name, &value)) {
		if (!is_text(value)) {
			staff_html(c, "<input type=\"hidden\" name=\"");
			staff_esc(c, name);
			staff_html(c, "\" value=\"");
			staff_esc(c, value);
			staff_html(c, "\">\n");
			continue;
		}
		n++;
		staff_html(c, "<label for=\"kept-%u\">", n);
		staff_text(c, M_KEPT_TEXT);
		staff_html(c, "</label>\n<textarea id=\"kept-%u\" name=\"", n);
		staff_esc(c, name);
		staff_html(c, "\" rows=\"8\">");
		staff_esc(c, value);
		staff_html(c, "</textarea>\n");
	}
	staff_html(c, "<p class=\"hint\">");
	staff_text(c, M_KEPT_OTHER_FIELDS);
	staff_html(c, "</p>\n<button type=\"submit\" id=\"kept-send\">");
	staff_text(c, M_KEPT_SEND);
	staff_html(c, "</button> <a href=\"/staff/\" id=\"kept-drop\">");
	staff_text(c, M_KEPT_DROP);
	staff_html(c, "</a>\n</form>\n");
	staff_page_end(c);
}

static void kept_get(struct staff_ctx *c)
{
	struct staff_priv *p = staff_priv(c);
	char path[512];
	struct buf fields;
	buf_init(&fields);
	/* only a staff page's own address goes back into the form's action */
	bool ok = keptform_take(p->srv->kept, staff_arg(c, "t"), c->user->id, time(NULL), path,
				sizeof path, &fields) &&
		  strncmp(path, "/staff/", 7) == 0 && !strpbrk(path, "\"<>?#");
	if (ok) {
		log_info("staff: a kept form was given back to user %lld", c->user->id);
		kept_render(c, path, &fields);
	} else {
		staff_error(c, 404, M_KEPT_GONE_TITLE, M_KEPT_GONE);
	}
	buf_wipe(&fields);
}

const struct staff_route staff_kept_routes[] = {
    {"GET", "/staff/kept", ROLES_ANY, kept_get, "kept"},
    {NULL, NULL, 0, NULL, NULL},
};
