/* The trust line's hours: see line.h. */
#include "desk/line.h"

#include <stdio.h>
#include <string.h>

#include "base/html.h"

struct line_state line_state_at(const struct calendar *cal, int64_t t)
{
	struct line_state s;
	memset(&s, 0, sizeof(s));
	s.now = calendar_local_time(t);
	s.day = calendar_day_kind(cal, s.now.date);
	s.status = calendar_line_status(cal, t);
	s.open = s.status == CAL_LINE_OPEN;
	s.next_open = calendar_local_time(calendar_next_working_moment(cal, t));
	return s;
}

/* The law's holidays by the English name workflow/calendar.c gives them. */
static const struct {
	const char *name;
	enum msg text;
} holiday_names[] = {
    {"New Year", M_HOLIDAY_NEW_YEAR},
    {"Orthodox Christmas", M_HOLIDAY_CHRISTMAS},
    {"International Women's Day", M_HOLIDAY_WOMEN},
    {"Constitution Day", M_HOLIDAY_CONSTITUTION},
    {"Nauryz meiramy", M_HOLIDAY_NAURYZ},
    {"Kazakhstan People's Unity Day", M_HOLIDAY_UNITY},
    {"Defender of the Fatherland Day", M_HOLIDAY_DEFENDER},
    {"Victory Day", M_HOLIDAY_VICTORY},
    {"Capital Day", M_HOLIDAY_CAPITAL},
    {"Republic Day", M_HOLIDAY_REPUBLIC},
    {"Independence Day", M_HOLIDAY_INDEPENDENCE},
};

const char *line_holiday_name(const struct cal_day *day, enum lang lang)
{
	if (day->kind != CAL_DAY_HOLIDAY && day->kind != CAL_DAY_HOLIDAY_MOVED &&
	    day->kind != CAL_DAY_OFF_MOVED)
		return NULL;
	const char *name = day->name ? day->name : "";
	for (size_t i = 0; i < sizeof(holiday_names) / sizeof(holiday_names[0]); i++) {
		if (strcmp(name, holiday_names[i].name) == 0)
			return i18n(lang, holiday_names[i].text);
	}
	/* Rows of hotline.calendar_days: their notes are written by whoever
	 * keeps the calendar; Kurban Ait's is known. */
	if (strncmp(name, "Kurban Ait", 10) == 0)
		return i18n(lang, M_HOLIDAY_KURBAN_AIT);
	if (day->kind == CAL_DAY_OFF_MOVED || !name[0] ||
	    strcmp(name, "holiday (calendar_days)") == 0)
		return NULL;
	return name;
}

void line_describe(const struct line_state *s, enum lang lang, char *out, size_t size)
{
	if (size == 0)
		return;
	char first[512];
	const char *holiday = line_holiday_name(&s->day, lang);
	switch (s->status) {
	case CAL_LINE_OPEN:
		snprintf(out, size, "%s", i18n(lang, M_LINE_OPEN));
		return;
	case CAL_LINE_WEEKEND:
		snprintf(first, sizeof(first), "%s", i18n(lang, M_LINE_WEEKEND));
		break;
	case CAL_LINE_HOLIDAY:
		if (holiday && s->day.kind == CAL_DAY_HOLIDAY_MOVED) {
			char iso[CAL_DATE_SIZE], from[48];
			cal_date_format(s->day.moved_from, iso);
			html_date(from, sizeof(from), lang, iso);
			snprintf(first, sizeof(first), i18n(lang, M_LINE_HOLIDAY_MOVED), holiday,
				 from);
		} else if (holiday) {
			snprintf(first, sizeof(first), i18n(lang, M_LINE_HOLIDAY_NAMED), holiday);
		} else {
			snprintf(first, sizeof(first), "%s", i18n(lang, M_LINE_HOLIDAY));
		}
		break;
	case CAL_LINE_BEFORE_HOURS:
		snprintf(first, sizeof(first), "%s", i18n(lang, M_LINE_BEFORE_HOURS));
		break;
	case CAL_LINE_AFTER_HOURS:
	default:
		snprintf(first, sizeof(first), "%s", i18n(lang, M_LINE_AFTER_HOURS));
		break;
	}
	/* as its readers write a moment, with its zone: the line keeps
	 * Astana's hours */
	char iso[32], date[CAL_DATE_SIZE], moment[48], when[128], next[256];
	cal_date_format(s->next_open.date, date);
	snprintf(iso, sizeof(iso), "%s %02d:%02d", date, s->next_open.hour, s->next_open.minute);
	html_date(moment, sizeof(moment), lang, iso);
	snprintf(when, sizeof(when), "%s (%s)", moment, i18n(lang, M_TIME_ZONE));
	snprintf(next, sizeof(next), i18n(lang, M_LINE_NEXT_OPEN), when);
	snprintf(out, size, "%s %s", first, next);
}

void line_status_html(struct buf *b, const struct line_state *s, enum lang lang)
{
	char text[1024];
	line_describe(s, lang, text, sizeof(text));
	html_f(b, "<p class=\"line-status %s\" id=\"line-status\" data-status=\"%s\">",
	       s->open ? "open" : "closed", calendar_line_status_name(s->status));
	html_escape_str(b, text);
	html_markup(b, "</p>\n");
}
