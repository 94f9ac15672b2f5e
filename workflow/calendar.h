/* The working-day calendar of Kazakhstan and the clock of Asia/Almaty:
 * which days count for deadlines given in working days, and when the trust
 * line is open. Pure arithmetic: no database, no time zone files, no global
 * state; safe to use from any thread on a calendar nobody is changing.
 *
 * A day is a working day when it is Monday to Friday and not a public
 * holiday, and no day off has moved onto it; the rules of the Law "On
 * holidays" and the Labour Code are built in (docs/calendar.md). What
 * changes every year comes from hotline.calendar_days
 * (migrations/0002_calendar.sql) through calendar_set(): the first day of
 * Kurban Ait, and the ministry's moves of days off and of working Saturdays. */
#ifndef HOTLINE_WORKFLOW_CALENDAR_H
#define HOTLINE_WORKFLOW_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/attr.h"

/* A civil date (proleptic Gregorian). Dates are values: pass them around
 * freely. */
struct cal_date {
	int year, month, day;
};

/* "YYYY-MM-DD" and its terminating NUL */
#define CAL_DATE_SIZE 11

/* The trust line's hours on a working day, local time: [09:00, 18:00). */
#define CALENDAR_OPEN_HOUR 9
#define CALENDAR_CLOSE_HOUR 18

/* Year 1..9999 and a day that exists in that month. */
bool cal_date_valid(struct cal_date d);
/* <0, 0, >0 as a is before, the same as, after b. */
int cal_date_compare(struct cal_date a, struct cal_date b);
/* 1 = Monday .. 7 = Sunday (ISO 8601). */
int cal_date_weekday(struct cal_date d);
/* n calendar days later (earlier if n < 0). */
struct cal_date cal_date_add_days(struct cal_date d, int n);
/* Calendar days from a to b: b - a, negative if b is before a. */
int cal_date_days_between(struct cal_date a, struct cal_date b);
/* Exactly "YYYY-MM-DD" of a valid date; false for anything else, out is
 * then left alone. */
bool cal_date_parse(const char *s, struct cal_date *out) MUST_CHECK;
/* "YYYY-MM-DD" */
void cal_date_format(struct cal_date d, char out[CAL_DATE_SIZE]);
/* Exactly "YYYY-MM" with year 1..9999 and month 1..12 (a month typed in a
 * form); false for anything else, *year and *month then left alone. */
bool cal_month_parse(const char *s, int *year, int *month) MUST_CHECK;

/* Local time in Asia/Almaty. Kazakhstan went over to a single zone, UTC+5,
 * on 2024-03-01 00:00 local time (tzdata 2024a); Almaty was UTC+6 before
 * (from 2004-10-31; earlier daylight saving time is not modelled).
 * Computed, never through TZ and localtime(). */
struct cal_time {
	struct cal_date date;
	int hour, minute, second;
};
/* Seconds east of UTC in force at the instant t. */
int calendar_utc_offset(int64_t t);
struct cal_time calendar_local_time(int64_t t);
struct cal_date calendar_local_date(int64_t t);
/* The instant of hour:minute local time on d. The hour the clocks went back
 * (2024-02-29 23:00-24:00) happened twice; the first is given. */
int64_t calendar_epoch(struct cal_date d, int hour, int minute);

/* What a row of hotline.calendar_days says about a day. */
enum cal_kind {
	/* A holiday on top of the law's fixed ones, whose day off is not moved
	 * when it falls on a weekend: the first day of Kurban Ait. */
	CAL_HOLIDAY,
	/* A weekday made a day off by a move of days of rest. */
	CAL_OFF,
	/* A day made working, usually the Saturday whose rest moved away. */
	CAL_WORK,
};

/* The years a row may be set in (calendar_check_row, hotlinectl calendar):
 * the clock of Asia/Almaty is modelled from 2004 (calendar_utc_offset), and
 * no moved day of rest is known a lifetime ahead. */
#define CALENDAR_FIRST_YEAR 2004
#define CALENDAR_LAST_YEAR 2100

/* Whether a new row of kind on d says something the rules do not: `work`
 * only on a Saturday or Sunday (the weekend day worked for a moved day of
 * rest), `off` only on Monday-Friday (the weekday made free), any day for
 * `holiday` (Kurban Ait is kept even on a Sunday); d within
 * CALENDAR_FIRST_YEAR..CALENDAR_LAST_YEAR. False with the reason, for
 * people, in why (always NUL-terminated, truncated to size). The rows
 * already in the table are loaded by calendar_set() unchecked. */
bool calendar_check_row(struct cal_date d, enum cal_kind kind, char *why, size_t size) MUST_CHECK;

/* "holiday", "off", "work" (the text in hotline.calendar_days.kind). */
const char *calendar_kind_name(enum cal_kind kind);
bool calendar_kind_parse(const char *s, enum cal_kind *out) MUST_CHECK;

struct calendar;

/* The law's rules and no rows. NULL only when out of memory. */
struct calendar *calendar_new(void) MUST_CHECK;
/* calendar_free(NULL) is a no-op. */
void calendar_free(struct calendar *cal);

/* Adds the row for d, or replaces the one there was: one row per day, as in
 * the table. note is copied (NULL is taken as ""). False for an invalid
 * date or kind, or when out of memory; the calendar is then unchanged. */
bool calendar_set(struct calendar *cal, struct cal_date d, enum cal_kind kind,
		  const char *note) MUST_CHECK;
/* Removes the row for d: the day goes back to the rules. False if there was
 * none. */
bool calendar_unset(struct calendar *cal, struct cal_date d);
/* calendar_set() from the text of a row: "YYYY-MM-DD", "holiday" | "off" |
 * "work", the note. False if the date or kind is not understood. */
bool calendar_load_row(struct calendar *cal, const char *day, const char *kind,
		       const char *note) MUST_CHECK;

/* Why a day is what it is, most specific reason first: a row of the table
 * wins over the rules, a holiday over a weekend. */
enum cal_day_kind {
	CAL_DAY_WORKING,       /* Monday-Friday, nothing else */
	CAL_DAY_WORK_MOVED,    /* made working by a CAL_WORK row */
	CAL_DAY_WEEKEND,       /* Saturday or Sunday */
	CAL_DAY_HOLIDAY,       /* a holiday of the law or a CAL_HOLIDAY row */
	CAL_DAY_HOLIDAY_MOVED, /* the day off of a holiday that fell on a weekend */
	CAL_DAY_OFF_MOVED,     /* made a day off by a CAL_OFF row */
};

struct cal_day {
	enum cal_day_kind kind;
	bool working;
	/* The holiday's name (English), or the note of the row; "" for plain
	 * working days and weekends. Valid until the calendar is changed or
	 * freed. */
	const char *name;
	/* For CAL_DAY_HOLIDAY_MOVED: the holiday whose day off this is. */
	struct cal_date moved_from;
};

struct cal_day calendar_day_kind(const struct calendar *cal, struct cal_date d);
bool calendar_is_working_day(const struct calendar *cal, struct cal_date d);
/* One line for people, e.g. "holiday: Victory Day", "day off moved from
 * holiday 2026-05-09 (Victory Day)", "working day: <note>". Always
 * NUL-terminated, truncated to size. */
void calendar_describe(const struct calendar *cal, struct cal_date d, char *out, size_t size);

/* The n-th working day after from; from itself is never counted, whatever
 * it is. n = 0 gives from if it is a working day, else the first working day
 * after it ("the same day, or the next working day"). n < 0 counts back: the
 * |n|-th working day before from. Ten working days from an order of
 * 2026-03-18 are calendar_add_working_days(cal, 2026-03-18, 10). */
struct cal_date calendar_add_working_days(const struct calendar *cal, struct cal_date from, int n);
/* The number of working days in (a, b]: a not counted, b counted. Negative
 * the other way round: between(a, b) == -between(b, a), 0 for a == b. So
 * calendar_working_days_between(cal, d, calendar_add_working_days(cal, d,
 * n)) == n for every n > 0. */
int calendar_working_days_between(const struct calendar *cal, struct cal_date a, struct cal_date b);

/* Whether the trust line is open at t, or why not. */
enum cal_line_status {
	CAL_LINE_OPEN,
	CAL_LINE_WEEKEND,      /* a Saturday or Sunday that is not working */
	CAL_LINE_HOLIDAY,      /* a holiday, or a day off moved onto a weekday */
	CAL_LINE_BEFORE_HOURS, /* a working day, before 09:00 */
	CAL_LINE_AFTER_HOURS,  /* a working day, from 18:00 */
};
enum cal_line_status calendar_line_status(const struct calendar *cal, int64_t t);
/* "open", "weekend", "holiday", "before_hours", "after_hours" */
const char *calendar_line_status_name(enum cal_line_status s);
/* t itself when the line is open then; else the next opening: 09:00 of the
 * same day before hours, otherwise 09:00 of the next working day. */
int64_t calendar_next_working_moment(const struct calendar *cal, int64_t t);

#endif
