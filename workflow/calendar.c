#include "workflow/calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Dates are handled as days since 1970-01-01 (Howard Hinnant's civil-date
 * algorithms), which makes weekdays, differences and stepping plain integer
 * arithmetic. */

static int64_t floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

static int64_t days_from_civil(struct cal_date d)
{
	int64_t y = (int64_t)d.year - (d.month <= 2);
	int64_t era = floor_div(y, 400);
	int64_t yoe = y - era * 400;
	int64_t mp = (d.month + 9) % 12;
	int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static struct cal_date civil_from_days(int64_t z)
{
	z += 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	struct cal_date d = {
	    .year = (int)(yoe + era * 400 + (m <= 2)),
	    .month = (int)m,
	    .day = (int)(doy - (153 * mp + 2) / 5 + 1),
	};
	return d;
}

/* 1 = Monday .. 7 = Sunday; 1970-01-01 was a Thursday. */
static int weekday_of_days(int64_t z)
{
	return (int)((z % 7 + 7 + 3) % 7) + 1;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool cal_date_valid(struct cal_date d)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (d.year < 1 || d.year > 9999 || d.month < 1 || d.month > 12 || d.day < 1)
		return false;
	return d.day <= mdays[d.month - 1] + (d.month == 2 && leap(d.year));
}

int cal_date_compare(struct cal_date a, struct cal_date b)
{
	if (a.year != b.year)
		return a.year < b.year ? -1 : 1;
	if (a.month != b.month)
		return a.month < b.month ? -1 : 1;
	if (a.day != b.day)
		return a.day < b.day ? -1 : 1;
	return 0;
}

int cal_date_weekday(struct cal_date d)
{
	return weekday_of_days(days_from_civil(d));
}

struct cal_date cal_date_add_days(struct cal_date d, int n)
{
	return civil_from_days(days_from_civil(d) + n);
}

int cal_date_days_between(struct cal_date a, struct cal_date b)
{
	return (int)(days_from_civil(b) - days_from_civil(a));
}

bool cal_date_parse(const char *s, struct cal_date *out)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	int v[3] = {0, 0, 0};
	static const int start[3] = {0, 5, 8}, len[3] = {4, 2, 2};
	for (int f = 0; f < 3; f++) {
		for (int i = start[f]; i < start[f] + len[f]; i++) {
			if (s[i] < '0' || s[i] > '9')
				return false;
			v[f] = v[f] * 10 + (s[i] - '0');
		}
	}
	struct cal_date d = {v[0], v[1], v[2]};
	if (!cal_date_valid(d))
		return false;
	*out = d;
	return true;
}

bool cal_month_parse(const char *s, int *year, int *month)
{
	if (!s || strlen(s) != 7 || s[4] != '-')
		return false;
	int v[2] = {0, 0};
	static const int start[2] = {0, 5}, len[2] = {4, 2};
	for (int f = 0; f < 2; f++) {
		for (int i = start[f]; i < start[f] + len[f]; i++) {
			if (s[i] < '0' || s[i] > '9')
				return false;
			v[f] = v[f] * 10 + (s[i] - '0');
		}
	}
	if (v[0] < 1 || v[1] < 1 || v[1] > 12)
		return false;
	*year = v[0];
	*month = v[1];
	return true;
}

void cal_date_format(struct cal_date d, char out[CAL_DATE_SIZE])
{
	/* Out-of-range years never reach a deadline: zeros, same length. */
	bool ok = cal_date_valid(d);
	int v[3] = {ok ? d.year : 0, ok ? d.month : 0, ok ? d.day : 0};
	static const int start[3] = {0, 5, 8}, len[3] = {4, 2, 2};
	for (int f = 0; f < 3; f++) {
		for (int i = start[f] + len[f] - 1; i >= start[f]; i--) {
			out[i] = (char)('0' + v[f] % 10);
			v[f] /= 10;
		}
	}
	out[4] = out[7] = '-';
	out[10] = '\0';
}

/* Asia/Almaty: UTC+6 until 2024-03-01 00:00 local, which was
 * 2024-02-29 18:00 UTC; UTC+5 from then on. */
#define ALMATY_SWITCH_UTC INT64_C(1709229600)
#define ALMATY_SWITCH_LOCAL (ALMATY_SWITCH_UTC + 6 * 3600)

int calendar_utc_offset(int64_t t)
{
	return t >= ALMATY_SWITCH_UTC ? 5 * 3600 : 6 * 3600;
}

struct cal_time calendar_local_time(int64_t t)
{
	int64_t local = t + calendar_utc_offset(t);
	int64_t days = floor_div(local, 86400);
	int64_t s = local - days * 86400;
	struct cal_time lt = {
	    .date = civil_from_days(days),
	    .hour = (int)(s / 3600),
	    .minute = (int)(s / 60 % 60),
	    .second = (int)(s % 60),
	};
	return lt;
}

struct cal_date calendar_local_date(int64_t t)
{
	return calendar_local_time(t).date;
}

int64_t calendar_epoch(struct cal_date d, int hour, int minute)
{
	int64_t local = days_from_civil(d) * 86400 + (int64_t)hour * 3600 + (int64_t)minute * 60;
	return local - (local < ALMATY_SWITCH_LOCAL ? 6 * 3600 : 5 * 3600);
}

/* The holidays of the Law "On holidays in the Republic of Kazakhstan"
 * (art. 1-2, as amended in 2022: 25 October back, 1 December and 17
 * December gone), with the Constitution of 2026: Constitution Day is the day
 * of its referendum, 15 March, from 2027; 30 August is no holiday from 2026
 * (docs/calendar.md). Earlier changes of the law are not modelled.
 * moves: a day off that falls on a Saturday or Sunday moves to the next
 * working day (the Law, art. 5), except the religious holidays: Orthodox
 * Christmas here, Kurban Ait from the table. */
struct holiday_rule {
	int month, day;
	bool moves;
	int first_year, last_year;
	const char *name;
};

static const struct holiday_rule rules[] = {
    {1, 1, true, 1, 9999, "New Year"},
    {1, 2, true, 1, 9999, "New Year"},
    {1, 7, false, 1, 9999, "Orthodox Christmas"},
    {3, 8, true, 1, 9999, "International Women's Day"},
    {3, 15, true, 2027, 9999, "Constitution Day"},
    {3, 21, true, 1, 9999, "Nauryz meiramy"},
    {3, 22, true, 1, 9999, "Nauryz meiramy"},
    {3, 23, true, 1, 9999, "Nauryz meiramy"},
    {5, 1, true, 1, 9999, "Kazakhstan People's Unity Day"},
    {5, 7, true, 1, 9999, "Defender of the Fatherland Day"},
    {5, 9, true, 1, 9999, "Victory Day"},
    {7, 6, true, 1, 9999, "Capital Day"},
    {8, 30, true, 1, 2025, "Constitution Day"},
    {10, 25, true, 1, 9999, "Republic Day"},
    {12, 16, true, 1, 9999, "Independence Day"},
};

static const struct holiday_rule *rule_for(struct cal_date d)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		const struct holiday_rule *r = &rules[i];
		if (r->month == d.month && r->day == d.day && d.year >= r->first_year &&
		    d.year <= r->last_year)
			return r;
	}
	return NULL;
}

struct cal_row {
	int64_t day;
	enum cal_kind kind;
	char *note;
};

struct calendar {
	struct cal_row *rows; /* sorted by day, one per day */
	size_t n, cap;
};

const char *calendar_kind_name(enum cal_kind kind)
{
	switch (kind) {
	case CAL_HOLIDAY:
		return "holiday";
	case CAL_OFF:
		return "off";
	case CAL_WORK:
		return "work";
	}
	return "?";
}

bool calendar_kind_parse(const char *s, enum cal_kind *out)
{
	static const enum cal_kind kinds[] = {CAL_HOLIDAY, CAL_OFF, CAL_WORK};
	for (size_t i = 0; s && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strcmp(s, calendar_kind_name(kinds[i])) == 0) {
			*out = kinds[i];
			return true;
		}
	}
	return false;
}

bool calendar_check_row(struct cal_date d, enum cal_kind kind, char *why, size_t size)
{
	static const char *const day_names[] = {
	    "",		  "a Monday", "a Tuesday",  "a Wednesday",
	    "a Thursday", "a Friday", "a Saturday", "a Sunday"};
	char date[CAL_DATE_SIZE];
	cal_date_format(d, date);
	if (!cal_date_valid(d) || d.year < CALENDAR_FIRST_YEAR || d.year > CALENDAR_LAST_YEAR) {
		snprintf(why, size, "%s: the calendar covers the years %d to %d", date,
			 CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR);
		return false;
	}
	int dow = cal_date_weekday(d);
	/* Labour Code art. 85 p. 3: a move of days of rest frees a weekday
	 * and makes a weekend day working; the reverse says nothing new. */
	if (kind == CAL_WORK && dow <= 5) {
		snprintf(why, size,
			 "%s is %s, a working day already: a `work` row is for a Saturday or "
			 "Sunday made working by a move of days of rest",
			 date, day_names[dow]);
		return false;
	}
	if (kind == CAL_OFF && dow >= 6) {
		snprintf(why, size,
			 "%s is %s, a day off already: an `off` row is for a weekday (Monday to "
			 "Friday) made free by a move of days of rest",
			 date, day_names[dow]);
		return false;
	}
	if (kind != CAL_HOLIDAY && kind != CAL_OFF && kind != CAL_WORK) {
		snprintf(why, size, "the kind of a row is holiday, off or work");
		return false;
	}
	if (size)
		why[0] = '\0';
	return true;
}

struct calendar *calendar_new(void)
{
	return calloc(1, sizeof(struct calendar));
}

void calendar_free(struct calendar *cal)
{
	if (!cal)
		return;
	for (size_t i = 0; i < cal->n; i++)
		free(cal->rows[i].note);
	free(cal->rows);
	free(cal);
}

/* The index of day's row, or where it would go, with *found set. */
static size_t row_index(const struct calendar *cal, int64_t day, bool *found)
{
	size_t lo = 0, hi = cal->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cal->rows[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < cal->n && cal->rows[lo].day == day;
	return lo;
}

static const struct cal_row *row_for(const struct calendar *cal, int64_t day)
{
	bool found;
	size_t i = row_index(cal, day, &found);
	return found ? &cal->rows[i] : NULL;
}

bool calendar_set(struct calendar *cal, struct cal_date d, enum cal_kind kind, const char *note)
{
	if (!cal_date_valid(d) || (kind != CAL_HOLIDAY && kind != CAL_OFF && kind != CAL_WORK))
		return false;
	if (!note)
		note = "";
	size_t len = strlen(note);
	char *copy = malloc(len + 1);
	if (!copy)
		return false;
	memcpy(copy, note, len + 1);

	int64_t day = days_from_civil(d);
	bool found;
	size_t i = row_index(cal, day, &found);
	if (found) {
		free(cal->rows[i].note);
		cal->rows[i].kind = kind;
		cal->rows[i].note = copy;
		return true;
	}
	if (cal->n == cal->cap) {
		size_t cap = cal->cap ? cal->cap * 2 : 32;
		struct cal_row *more = realloc(cal->rows, cap * sizeof(*more));
		if (!more) {
			free(copy);
			return false;
		}
		cal->rows = more;
		cal->cap = cap;
	}
	memmove(&cal->rows[i + 1], &cal->rows[i], (cal->n - i) * sizeof(*cal->rows));
	cal->rows[i] = (struct cal_row){day, kind, copy};
	cal->n++;
	return true;
}

bool calendar_unset(struct calendar *cal, struct cal_date d)
{
	bool found;
	size_t i = row_index(cal, days_from_civil(d), &found);
	if (!found)
		return false;
	free(cal->rows[i].note);
	memmove(&cal->rows[i], &cal->rows[i + 1], (cal->n - i - 1) * sizeof(*cal->rows));
	cal->n--;
	return true;
}

bool calendar_load_row(struct calendar *cal, const char *day, const char *kind, const char *note)
{
	struct cal_date d;
	enum cal_kind k;
	return cal_date_parse(day, &d) && calendar_kind_parse(kind, &k) &&
	       calendar_set(cal, d, k, note);
}

/* Where the day off of a weekend holiday lands depends on the days before:
 * each goes to the next weekday that is no holiday and has not been taken
 * by an earlier one, in order (Nauryz on Saturday-Monday gives Tuesday and
 * Wednesday). A walk carries the queue of holidays still owed a day off
 * from day to day. Holidays are sparse, so the queue is empty again within
 * a few working days: starting a walk LOOKBACK_DAYS early, with an empty
 * queue, gives the same answer as starting it at the beginning of time.
 * CAL_OFF and CAL_WORK rows do not take part: they are the ministry's
 * final word on their own day and are applied on top. */
#define LOOKBACK_DAYS 31
#define MAX_OWED 16

struct walk {
	const struct calendar *cal;
	int64_t day; /* the next day walk_next() classifies */
	int64_t owed[MAX_OWED];
	int head, count;
};

static struct cal_day walk_next(struct walk *w)
{
	int64_t z = w->day++;
	struct cal_date d = civil_from_days(z);
	const struct holiday_rule *rule = rule_for(d);
	const struct cal_row *row = row_for(w->cal, z);
	bool weekend = weekday_of_days(z) >= 6;
	struct cal_day out = {.kind = weekend ? CAL_DAY_WEEKEND : CAL_DAY_WORKING, .name = ""};

	if (rule || (row && row->kind == CAL_HOLIDAY)) {
		out.kind = CAL_DAY_HOLIDAY;
		out.name = rule ? rule->name : row->note[0] ? row->note : "holiday (calendar_days)";
		if (rule && rule->moves && weekend) {
			if (w->count == MAX_OWED)
				abort(); /* the rules above can owe three at most */
			w->owed[(w->head + w->count++) % MAX_OWED] = z;
		}
	} else if (!weekend && w->count > 0) {
		int64_t from = w->owed[w->head];
		w->head = (w->head + 1) % MAX_OWED;
		w->count--;
		out.kind = CAL_DAY_HOLIDAY_MOVED;
		out.moved_from = civil_from_days(from);
		const struct holiday_rule *r = rule_for(out.moved_from);
		out.name = r ? r->name : "";
	}

	if (row && row->kind == CAL_OFF) {
		out.kind = CAL_DAY_OFF_MOVED;
		out.name = row->note;
	} else if (row && row->kind == CAL_WORK) {
		out.kind = CAL_DAY_WORK_MOVED;
		out.name = row->note;
	}
	out.working = out.kind == CAL_DAY_WORKING || out.kind == CAL_DAY_WORK_MOVED;
	return out;
}

/* A walk whose next walk_next() classifies the day first. */
static void walk_start(struct walk *w, const struct calendar *cal, int64_t first)
{
	w->cal = cal;
	w->day = first - LOOKBACK_DAYS;
	w->head = w->count = 0;
	while (w->day < first)
		(void)walk_next(w);
}

struct cal_day calendar_day_kind(const struct calendar *cal, struct cal_date d)
{
	struct walk w;
	walk_start(&w, cal, days_from_civil(d));
	return walk_next(&w);
}

bool calendar_is_working_day(const struct calendar *cal, struct cal_date d)
{
	return calendar_day_kind(cal, d).working;
}

void calendar_describe(const struct calendar *cal, struct cal_date d, char *out, size_t size)
{
	if (size == 0)
		return;
	struct cal_day k = calendar_day_kind(cal, d);
	char from[CAL_DATE_SIZE];
	switch (k.kind) {
	case CAL_DAY_WORKING:
		snprintf(out, size, "working day");
		break;
	case CAL_DAY_WORK_MOVED:
		snprintf(out, size, "working day%s%s", k.name[0] ? ": " : "", k.name);
		break;
	case CAL_DAY_WEEKEND:
		snprintf(out, size, "weekend");
		break;
	case CAL_DAY_HOLIDAY:
		snprintf(out, size, "holiday: %s", k.name);
		break;
	case CAL_DAY_HOLIDAY_MOVED:
		cal_date_format(k.moved_from, from);
		snprintf(out, size, "day off moved from holiday %s (%s)", from, k.name);
		break;
	case CAL_DAY_OFF_MOVED:
		snprintf(out, size, "day off%s%s", k.name[0] ? ": " : "", k.name);
		break;
	}
}

struct cal_date calendar_add_working_days(const struct calendar *cal, struct cal_date from, int n)
{
	int64_t z = days_from_civil(from);
	if (n < 0) {
		/* Rare: single-day look-ups are fine. */
		while (n < 0) {
			z--;
			if (calendar_day_kind(cal, civil_from_days(z)).working)
				n++;
		}
		return civil_from_days(z);
	}
	if (n == 0 && calendar_day_kind(cal, from).working)
		return from;
	struct walk w;
	walk_start(&w, cal, z + 1);
	int found = 0;
	for (;;) {
		int64_t day = w.day;
		if (walk_next(&w).working && ++found >= (n > 0 ? n : 1))
			return civil_from_days(day);
	}
}

int calendar_working_days_between(const struct calendar *cal, struct cal_date a, struct cal_date b)
{
	int64_t za = days_from_civil(a), zb = days_from_civil(b);
	if (za > zb)
		return -calendar_working_days_between(cal, b, a);
	struct walk w;
	walk_start(&w, cal, za + 1);
	int count = 0;
	while (w.day <= zb)
		count += walk_next(&w).working;
	return count;
}

enum cal_line_status calendar_line_status(const struct calendar *cal, int64_t t)
{
	struct cal_time lt = calendar_local_time(t);
	struct cal_day day = calendar_day_kind(cal, lt.date);
	if (!day.working)
		return day.kind == CAL_DAY_WEEKEND ? CAL_LINE_WEEKEND : CAL_LINE_HOLIDAY;
	if (lt.hour < CALENDAR_OPEN_HOUR)
		return CAL_LINE_BEFORE_HOURS;
	if (lt.hour >= CALENDAR_CLOSE_HOUR)
		return CAL_LINE_AFTER_HOURS;
	return CAL_LINE_OPEN;
}

const char *calendar_line_status_name(enum cal_line_status s)
{
	switch (s) {
	case CAL_LINE_OPEN:
		return "open";
	case CAL_LINE_WEEKEND:
		return "weekend";
	case CAL_LINE_HOLIDAY:
		return "holiday";
	case CAL_LINE_BEFORE_HOURS:
		return "before_hours";
	case CAL_LINE_AFTER_HOURS:
		return "after_hours";
	}
	return "?";
}

int64_t calendar_next_working_moment(const struct calendar *cal, int64_t t)
{
	struct cal_date today = calendar_local_date(t);
	switch (calendar_line_status(cal, t)) {
	case CAL_LINE_OPEN:
		return t;
	case CAL_LINE_BEFORE_HOURS:
		return calendar_epoch(today, CALENDAR_OPEN_HOUR, 0);
	default:
		return calendar_epoch(calendar_add_working_days(cal, today, 1), CALENDAR_OPEN_HOUR,
				      0);
	}
}
