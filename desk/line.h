/* The trust line's hours as the operator console shows them: open or
 * closed, and why (weekend, a holiday by its name, before or after hours),
 * and when it opens next. Pure: the calendar and the instant are passed in,
 * so the console and the tests agree on what "now" is (the console adds the
 * config's clock_offset, as the deadline scanner does). Seed 004 L190:
 * working days 09:00-18:00 Astana time. */
#ifndef HOTLINE_DESK_LINE_H
#define HOTLINE_DESK_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "workflow/calendar.h"

struct line_state {
	enum cal_line_status status;
	bool open;
	struct cal_day day;	   /* what the local day is; day.name valid as the calendar */
	struct cal_time now;	   /* local time at t */
	struct cal_time next_open; /* local time the line opens next; now when open */
};

struct line_state line_state_at(const struct calendar *cal, int64_t t);

/* The name of the holiday that closes the line, in lang: the law's holidays
 * are translated, Kurban Ait too; a calendar row's own note is given as
 * written. NULL when the day has no name to show (weekends, working days,
 * a moved day off without a note). */
const char *line_holiday_name(const struct cal_day *day, enum lang lang);

/* One or two sentences for people, e.g. "The trust line is closed: public
 * holiday, Victory Day. It opens next on 2026-05-11 09:00." Always
 * NUL-terminated, truncated to size. */
void line_describe(const struct line_state *s, enum lang lang, char *out, size_t size);

/* line_describe() as a <p class="line-status open|closed" data-status=...>,
 * escaped. */
void line_status_html(struct buf *b, const struct line_state *s, enum lang lang);

#endif
