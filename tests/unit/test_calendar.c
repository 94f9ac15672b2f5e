/* The working-day calendar against the official calendars of 2024-2026 and
 * the rules for 2027. The data tested is the data shipped: every test
 * calendar is loaded from the rows of migrations/0002_calendar.sql (run from
 * the repository root, as tools/unit.sh does). Expected days were worked
 * out by hand from the published calendars (docs/calendar.md names them);
 * instants were computed independently with Python's datetime. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "workflow/calendar.h"

#include "calendar_fixture.h"

static void assert_date(struct cal_date got, const char *want)
{
	char s[CAL_DATE_SIZE];
	cal_date_format(got, s);
	assert_string_equal(s, want);
}

static void dates(void **state)
{
	(void)state;
	struct cal_date d;
	assert_true(cal_date_parse("2024-02-29", &d));
	assert_int_equal(d.year, 2024);
	assert_int_equal(d.month, 2);
	assert_int_equal(d.day, 29);
	assert_false(cal_date_parse("2025-02-29", &d));
	assert_false(cal_date_parse("2026-13-01", &d));
	assert_false(cal_date_parse("2026-04-31", &d));
	assert_false(cal_date_parse("2026-4-01", &d));
	assert_false(cal_date_parse("2026-04-01 ", &d));
	assert_false(cal_date_parse("2026/04/01", &d));
	assert_false(cal_date_parse("", &d));
	assert_false(cal_date_parse(NULL, &d));
	int y = 0, m = 0;
	assert_true(cal_month_parse("2026-11", &y, &m));
	assert_int_equal(y, 2026);
	assert_int_equal(m, 11);
	assert_false(cal_month_parse("2026-13", &y, &m));
	assert_false(cal_month_parse("2026-00", &y, &m));
	assert_false(cal_month_parse("0000-01", &y, &m));
	assert_false(cal_month_parse("2026-1", &y, &m));
	assert_false(cal_month_parse("2026-11-01", &y, &m));
	assert_false(cal_month_parse("+026-11", &y, &m));
	assert_false(cal_month_parse(NULL, &y, &m));
	assert_int_equal(y, 2026);
	assert_int_equal(m, 11);
	assert_true(cal_date_valid(D("2000-02-29")));
	assert_false(cal_date_valid((struct cal_date){1900, 2, 29}));

	assert_int_equal(cal_date_weekday(D("1970-01-01")), 4);
	assert_int_equal(cal_date_weekday(D("2026-03-18")), 3);
	assert_int_equal(cal_date_weekday(D("2026-03-21")), 6);
	assert_int_equal(cal_date_weekday(D("2026-03-22")), 7);
	assert_int_equal(cal_date_weekday(D("2024-01-01")), 1);
	assert_int_equal(cal_date_weekday(D("1969-12-31")), 3);

	assert_date(cal_date_add_days(D("2024-02-28"), 1), "2024-02-29");
	assert_date(cal_date_add_days(D("2024-02-28"), 2), "2024-03-01");
	assert_date(cal_date_add_days(D("2026-12-31"), 1), "2027-01-01");
	assert_date(cal_date_add_days(D("2026-01-01"), -1), "2025-12-31");
	assert_date(cal_date_add_days(D("1970-01-01"), -1), "1969-12-31");
	assert_int_equal(cal_date_days_between(D("2026-01-01"), D("2027-01-01")), 365);
	assert_int_equal(cal_date_days_between(D("2024-12-31"), D("2024-01-01")), -365);

	assert_true(cal_date_compare(D("2026-03-18"), D("2026-03-19")) < 0);
	assert_true(cal_date_compare(D("2026-03-19"), D("2026-03-18")) > 0);
	assert_true(cal_date_compare(D("2026-03-18"), D("2026-03-18")) == 0);
	assert_true(cal_date_compare(D("2025-12-31"), D("2026-01-01")) < 0);

	char s[CAL_DATE_SIZE];
	cal_date_format((struct cal_date){987, 6, 5}, s);
	assert_string_equal(s, "0987-06-05");
}

static void shipped_rows(void **state)
{
	(void)state;
	struct row rows[64];
	int n = read_rows(rows, 64);
	assert_int_equal(n, 8);
	int kurban[4] = {0, 0, 0, 0};
	for (int i = 0; i < n; i++) {
		struct cal_date d;
		enum cal_kind k;
		assert_true(cal_date_parse(rows[i].day, &d));
		assert_true(calendar_kind_parse(rows[i].kind, &k));
		/* hotlinectl calendar set would take every shipped row */
		char why[256] = "unset";
		assert_true(calendar_check_row(d, k, why, sizeof why));
		assert_string_equal(why, "");
		/* every row says where it comes from */
		assert_true(strlen(rows[i].note) > 5);
		assert_true(strlen(rows[i].source) > 20);
		if (k == CAL_HOLIDAY && d.year >= 2024 && d.year <= 2027 &&
		    strstr(rows[i].note, "Kurban Ait"))
			kurban[d.year - 2024]++;
	}
	/* the first day of Kurban Ait of each shipped year, once */
	for (int y = 0; y < 4; y++)
		assert_int_equal(kurban[y], 1);
	/* the one date not yet confirmed says so where the admin sees it */
	for (int i = 0; i < n; i++) {
		if (strcmp(rows[i].day, "2027-05-16") == 0)
			assert_non_null(strstr(rows[i].source, "ESTIMATE"));
	}
}

/* Each fixed holiday of the Law in force that year is a day off, whatever
 * day of the week it falls on. Constitution Day is 30 August until 2025 and
 * 15 March from 2027 (new Constitution of 2026); 2026 has neither. */
static void fixed_holidays_are_off(void **state)
{
	const struct calendar *cal = *state;
	static const char *const md[] = {"01-01", "01-02", "01-07", "03-08", "03-21",
					 "03-22", "03-23", "05-01", "05-07", "05-09",
					 "07-06", "10-25", "12-16"};
	for (int y = 2024; y <= 2027; y++) {
		for (size_t i = 0; i < sizeof(md) / sizeof(md[0]); i++) {
			char s[CAL_DATE_SIZE];
			snprintf(s, sizeof(s), "%d-%s", y, md[i]);
			struct cal_day k = calendar_day_kind(cal, D(s));
			if (k.working || k.kind != CAL_DAY_HOLIDAY)
				fail_msg("%s should be a holiday", s);
		}
	}
	assert_false(calendar_is_working_day(cal, D("2024-08-30")));
	assert_false(calendar_is_working_day(cal, D("2025-08-30")));
	assert_int_equal(calendar_day_kind(cal, D("2025-08-30")).kind, CAL_DAY_HOLIDAY);
	/* 2026-08-30 is a Sunday and no holiday: the Monday after is working
	 * (the egov.kz calendar of January 2026 still had it off). */
	assert_int_equal(calendar_day_kind(cal, D("2026-08-30")).kind, CAL_DAY_WEEKEND);
	assert_true(calendar_is_working_day(cal, D("2026-08-31")));
	assert_true(calendar_is_working_day(cal, D("2027-08-30")));
	assert_int_equal(calendar_day_kind(cal, D("2027-03-15")).kind, CAL_DAY_HOLIDAY);
	assert_string_equal(calendar_day_kind(cal, D("2027-03-15")).name, "Constitution Day");
	/* Kurban Ait, from the table */
	assert_int_equal(calendar_day_kind(cal, D("2025-06-06")).kind, CAL_DAY_HOLIDAY);
	assert_int_equal(calendar_day_kind(cal, D("2026-05-27")).kind, CAL_DAY_HOLIDAY);
	assert_false(calendar_is_working_day(cal, D("2026-05-27")));
}

/* 2026-03-16 was a working day: the referendum's Sunday, 15 March 2026, is
 * Constitution Day only from 2027. */
static void constitution_day_2026(void **state)
{
	const struct calendar *cal = *state;
	assert_true(calendar_is_working_day(cal, D("2026-03-16")));
}

/* Every day of a year against the official calendar: the weekdays that are
 * off and the weekend days that are working, nothing else. */
struct year_case {
	int year;
	const char *weekdays_off;
	const char *weekends_working;
	int working_days;
};

static const struct year_case years[] = {
    /* egov.kz 2024 and the balance of working time for 2024 (248 days with
     * 17 June off; DUMK moved Kurban Ait to Sunday 16 June) plus the order
     * of 17 April 2024 (4 May worked, 8 May off). Moves by the Law: Nauryz
     * 23 March (Sat) -> 25 March, Capital Day 6 July (Sat) -> 8 July.
     * 7 January (Sun) is not moved. */
    {2024, "01-01 01-02 03-08 03-21 03-22 03-25 05-01 05-07 05-08 05-09 07-08 08-30 10-25 12-16",
     "05-04", 249},
    /* egov.kz 2025, 246 working days: 8 March (Sat) -> 10 March, Nauryz
     * 22-23 March (Sat-Sun) -> 24, 25 March, 6 July (Sun) -> 7 July,
     * 30 August (Sat) -> 1 September, 25 October (Sat) -> 27 October; the
     * order moving the rest of Sunday 5 January to Friday 3 January. */
    {2025,
     "01-01 01-02 01-03 01-07 03-10 03-21 03-24 03-25 05-01 05-07 05-09 06-06 07-07 09-01 "
     "10-27 12-16",
     "01-05", 246},
    /* egov.kz 2026: 8 March (Sun) -> 9 March; Nauryz 21-23 March is
     * Sat-Mon, so 21 and 22 March give Tuesday 24 and Wednesday 25 March
     * (23 March is itself a holiday, not a free day); 9 May (Sat) ->
     * 11 May; 25 October (Sun) -> 26 October. Not 31 August (see above):
     * 247 working days, not the 246 published in January. */
    {2026, "01-01 01-02 01-07 03-09 03-23 03-24 03-25 05-01 05-07 05-11 05-27 07-06 10-26 12-16",
     "", 247},
    /* 2027 by the rules only, no order known yet: 2 January (Sat) ->
     * Monday 4 January (1 January is Friday, itself off); 21 March (Sun)
     * -> 24 March, after Nauryz 22-23 March; 1 May (Sat) -> 3 May; 9 May
     * (Sun) -> 10 May; Constitution Day 15 March (Mon); Kurban Ait (est.)
     * on Sunday 16 May. */
    {2027, "01-01 01-04 01-07 03-08 03-15 03-22 03-23 03-24 05-03 05-07 05-10 07-06 10-25 12-16",
     "", 247},
};

static bool listed(const char *list, struct cal_date d)
{
	char md[6];
	snprintf(md, sizeof(md), "%02d-%02d", d.month, d.day);
	for (const char *p = list; (p = strstr(p, md)); p += 5) {
		if ((p == list || p[-1] == ' ') && (p[5] == ' ' || p[5] == '\0'))
			return true;
	}
	return false;
}

static void official_years(void **state)
{
	const struct calendar *cal = *state;
	for (size_t i = 0; i < sizeof(years) / sizeof(years[0]); i++) {
		const struct year_case *yc = &years[i];
		int working = 0;
		for (struct cal_date d = {yc->year, 1, 1}; d.year == yc->year;
		     d = cal_date_add_days(d, 1)) {
			bool work = calendar_is_working_day(cal, d);
			bool weekend = cal_date_weekday(d) >= 6;
			bool want = weekend ? listed(yc->weekends_working, d)
					    : !listed(yc->weekdays_off, d);
			if (work != want) {
				char s[CAL_DATE_SIZE], why[160];
				cal_date_format(d, s);
				calendar_describe(cal, d, why, sizeof(why));
				fail_msg("%s: %s, expected %s", s, why, want ? "working" : "off");
			}
			working += work;
		}
		assert_int_equal(working, yc->working_days);
		struct cal_date last = {yc->year - 1, 12, 31}, end = {yc->year, 12, 31};
		assert_int_equal(calendar_working_days_between(cal, last, end), yc->working_days);
	}
}

/* Month by month against the official balance of working time for 2024
 * (five-day week), which had Kurban Ait on Monday 17 June: June differs by
 * that one day. */
static void balance_2024(void **state)
{
	const struct calendar *cal = *state;
	static const int balance[12] = {21, 21, 17, 22, 20, 19, 22, 21, 21, 22, 21, 21};
	for (int m = 1; m <= 12; m++) {
		struct cal_date first = {2024, m, 1};
		struct cal_date next =
		    m == 12 ? (struct cal_date){2025, 1, 1} : (struct cal_date){2024, m + 1, 1};
		int n = calendar_working_days_between(cal, cal_date_add_days(first, -1),
						      cal_date_add_days(next, -1));
		assert_int_equal(n, balance[m - 1] + (m == 6));
	}
}

static void moved_days_say_why(void **state)
{
	const struct calendar *cal = *state;
	struct cal_day k = calendar_day_kind(cal, D("2026-03-24"));
	assert_int_equal(k.kind, CAL_DAY_HOLIDAY_MOVED);
	assert_false(k.working);
	assert_date(k.moved_from, "2026-03-21");
	assert_string_equal(k.name, "Nauryz meiramy");
	k = calendar_day_kind(cal, D("2026-03-25"));
	assert_date(k.moved_from, "2026-03-22");
	k = calendar_day_kind(cal, D("2027-01-04"));
	assert_int_equal(k.kind, CAL_DAY_HOLIDAY_MOVED);
	assert_date(k.moved_from, "2027-01-02");
	assert_string_equal(k.name, "New Year");
	k = calendar_day_kind(cal, D("2027-03-24"));
	assert_date(k.moved_from, "2027-03-21");

	char why[160];
	calendar_describe(cal, D("2026-05-11"), why, sizeof(why));
	assert_string_equal(why, "day off moved from holiday 2026-05-09 (Victory Day)");
	calendar_describe(cal, D("2026-05-09"), why, sizeof(why));
	assert_string_equal(why, "holiday: Victory Day");
	calendar_describe(cal, D("2026-05-10"), why, sizeof(why));
	assert_string_equal(why, "weekend");
	calendar_describe(cal, D("2026-05-12"), why, sizeof(why));
	assert_string_equal(why, "working day");
	calendar_describe(cal, D("2025-01-03"), why, sizeof(why));
	assert_string_equal(why, "day off: Day of rest moved from Sunday 5 January");
	calendar_describe(cal, D("2024-05-04"), why, sizeof(why));
	assert_string_equal(
	    why, "working day: Saturday made working: its day of rest moved to Wednesday 8 May");
	calendar_describe(cal, D("2026-05-27"), why, sizeof(why));
	assert_string_equal(why, "holiday: Kurban Ait, first day");
	/* truncated, still a string */
	char tiny[8];
	calendar_describe(cal, D("2026-05-11"), tiny, sizeof(tiny));
	assert_string_equal(tiny, "day off");
}

/* 7 January and Kurban Ait on a weekend give no day off. */
static void religious_holidays_not_moved(void **state)
{
	const struct calendar *cal = *state;
	/* 2024-01-07 is a Sunday */
	assert_int_equal(cal_date_weekday(D("2024-01-07")), 7);
	assert_int_equal(calendar_day_kind(cal, D("2024-01-07")).kind, CAL_DAY_HOLIDAY);
	assert_true(calendar_is_working_day(cal, D("2024-01-08")));
	/* Kurban Ait 2024 on Sunday 16 June: Monday 17 June worked */
	assert_int_equal(cal_date_weekday(D("2024-06-16")), 7);
	assert_int_equal(calendar_day_kind(cal, D("2024-06-16")).kind, CAL_DAY_HOLIDAY);
	assert_true(calendar_is_working_day(cal, D("2024-06-17")));
	/* the same for any extra holiday on a Saturday */
	struct calendar *c = shipped();
	assert_true(calendar_set(c, D("2026-11-21"), CAL_HOLIDAY, "test"));
	assert_true(calendar_is_working_day(c, D("2026-11-23")));
	calendar_free(c);
	/* while a Law holiday on a weekend does move: 7 January is the
	 * exception, 8 March in 2026 is not */
	assert_false(calendar_is_working_day(cal, D("2026-03-09")));
}

/* Registering on a Friday before a holiday weekend: one working day later
 * is after the weekend and its moved days off. */
static void friday_before_holiday_weekend(void **state)
{
	const struct calendar *cal = *state;
	/* Fri 8 May 2026; Victory Day on Sat 9 May moves to Mon 11 May */
	assert_date(calendar_add_working_days(cal, D("2026-05-08"), 1), "2026-05-12");
	/* Fri 20 March 2026 (Oraza Ait, a working day); Nauryz Sat-Mon and its
	 * two moved days: back on Thursday 26 March */
	assert_true(calendar_is_working_day(cal, D("2026-03-20")));
	assert_date(calendar_add_working_days(cal, D("2026-03-20"), 1), "2026-03-26");
	/* Fri 3 May 2024: the next working day is Saturday 4 May (order of
	 * 17 April 2024), then Monday 6 May, then Friday 10 May */
	assert_date(calendar_add_working_days(cal, D("2024-05-03"), 1), "2024-05-04");
	assert_date(calendar_add_working_days(cal, D("2024-05-03"), 2), "2024-05-06");
	assert_date(calendar_add_working_days(cal, D("2024-05-03"), 3), "2024-05-10");
	/* Tue 31 December 2024: 1, 2 January holidays, 3 January off by the
	 * order, Sunday 5 January worked */
	assert_date(calendar_add_working_days(cal, D("2024-12-31"), 1), "2025-01-05");
	/* n = 0: the day itself if working, else the next working day */
	assert_date(calendar_add_working_days(cal, D("2026-05-08"), 0), "2026-05-08");
	assert_date(calendar_add_working_days(cal, D("2026-05-09"), 0), "2026-05-12");
	/* counting back */
	assert_date(calendar_add_working_days(cal, D("2026-05-12"), -1), "2026-05-08");
	assert_date(calendar_add_working_days(cal, D("2026-03-26"), -2), "2026-03-19");
}

/* A service investigation ordered on Wednesday 18 March 2026, ten working
 * days: 19 (1), 20 (2) March; 21-22 weekend and Nauryz, 23 Nauryz, 24-25
 * its moved days off; 26 (3), 27 (4), 30 (5), 31 (6) March, 1 (7), 2 (8),
 * 3 (9) April; 4-5 weekend; Monday 6 April (10). */
static void investigation_across_nauryz(void **state)
{
	const struct calendar *cal = *state;
	struct cal_date due = calendar_add_working_days(cal, D("2026-03-18"), 10);
	assert_date(due, "2026-04-06");
	assert_int_equal(calendar_working_days_between(cal, D("2026-03-18"), due), 10);
	/* the same count over a fortnight with no holiday, on the bare rules */
	struct calendar *bare = calendar_new();
	assert_non_null(bare);
	assert_date(calendar_add_working_days(bare, D("2026-02-18"), 10), "2026-03-04");
	calendar_free(bare);
}

static void moved_working_saturday(void **state)
{
	const struct calendar *cal = *state;
	struct cal_day k = calendar_day_kind(cal, D("2024-05-04"));
	assert_int_equal(cal_date_weekday(D("2024-05-04")), 6);
	assert_true(k.working);
	assert_int_equal(k.kind, CAL_DAY_WORK_MOVED);
	k = calendar_day_kind(cal, D("2024-05-08"));
	assert_false(k.working);
	assert_int_equal(k.kind, CAL_DAY_OFF_MOVED);
	/* a working Sunday too */
	assert_true(calendar_is_working_day(cal, D("2025-01-05")));
	assert_false(calendar_is_working_day(cal, D("2025-01-04")));
	/* the line is open on it */
	assert_int_equal(calendar_line_status(cal, 1714798800),
			 CAL_LINE_OPEN); /* 2024-05-04 10:00 */
	assert_int_equal(calendar_line_status(cal, 1736053200),
			 CAL_LINE_OPEN); /* 2025-01-05 10:00 */
	/* without the row it is an ordinary Saturday */
	struct calendar *c = shipped();
	assert_true(calendar_unset(c, D("2024-05-04")));
	assert_false(calendar_unset(c, D("2024-05-04")));
	assert_int_equal(calendar_day_kind(c, D("2024-05-04")).kind, CAL_DAY_WEEKEND);
	calendar_free(c);
}

static void working_days_between(void **state)
{
	const struct calendar *cal = *state;
	assert_int_equal(calendar_working_days_between(cal, D("2026-03-18"), D("2026-03-18")), 0);
	/* (Fri 20 March, Thu 26 March]: only the 26th */
	assert_int_equal(calendar_working_days_between(cal, D("2026-03-20"), D("2026-03-26")), 1);
	assert_int_equal(calendar_working_days_between(cal, D("2026-03-20"), D("2026-03-25")), 0);
	assert_int_equal(calendar_working_days_between(cal, D("2026-03-26"), D("2026-03-20")), -1);
	assert_int_equal(calendar_working_days_between(cal, D("2024-05-03"), D("2024-05-10")), 3);
	/* across a year end, (Sat 28 December, Mon 6 January]: 30, 31
	 * December, Sunday 5 January (worked), 6 January */
	assert_int_equal(calendar_working_days_between(cal, D("2024-12-28"), D("2025-01-06")), 4);
	/* January 2026: 19 working days (egov.kz) */
	assert_int_equal(calendar_working_days_between(cal, D("2025-12-31"), D("2026-01-31")), 19);
}

/* Rows from an administrator: set, replace, unset, refuse nonsense. */
static void rows_from_an_administrator(void **state)
{
	(void)state;
	struct calendar *c = shipped();
	assert_true(calendar_is_working_day(c, D("2026-01-05")));
	assert_true(calendar_load_row(c, "2026-01-05", "off", "moved from Saturday 10 January"));
	assert_false(calendar_is_working_day(c, D("2026-01-05")));
	assert_true(calendar_load_row(c, "2026-01-10", "work", "worked for 5 January"));
	assert_true(calendar_is_working_day(c, D("2026-01-10")));
	/* one row per day: the second replaces the first */
	assert_true(calendar_set(c, D("2026-01-05"), CAL_WORK, NULL));
	assert_true(calendar_is_working_day(c, D("2026-01-05")));
	assert_int_equal(calendar_day_kind(c, D("2026-01-05")).kind, CAL_DAY_WORK_MOVED);
	assert_string_equal(calendar_day_kind(c, D("2026-01-05")).name, "");
	assert_true(calendar_unset(c, D("2026-01-05")));
	assert_int_equal(calendar_day_kind(c, D("2026-01-05")).kind, CAL_DAY_WORKING);
	/* a holiday of the Law can be worked by an order */
	assert_true(calendar_set(c, D("2026-12-16"), CAL_WORK, "test"));
	assert_true(calendar_is_working_day(c, D("2026-12-16")));
	/* a row decides its own day; the rest of the rules stay */
	assert_true(calendar_set(c, D("2026-03-24"), CAL_WORK, "test"));
	assert_true(calendar_is_working_day(c, D("2026-03-24")));
	assert_false(calendar_is_working_day(c, D("2026-03-25")));
	assert_true(calendar_is_working_day(c, D("2026-03-26")));

	assert_false(calendar_load_row(c, "2026-02-30", "off", "x"));
	assert_false(calendar_load_row(c, "2026-02-03", "holidays", "x"));
	assert_false(calendar_load_row(c, "2026-02-03", NULL, "x"));
	assert_false(calendar_set(c, (struct cal_date){2026, 2, 30}, CAL_OFF, "x"));
	assert_false(calendar_set(c, D("2026-02-03"), (enum cal_kind)7, "x"));
	assert_true(calendar_is_working_day(c, D("2026-02-03")));

	enum cal_kind k;
	assert_true(calendar_kind_parse("holiday", &k));
	assert_int_equal(k, CAL_HOLIDAY);
	assert_string_equal(calendar_kind_name(CAL_OFF), "off");
	assert_string_equal(calendar_kind_name(CAL_WORK), "work");
	calendar_free(c);
	calendar_free(NULL);

	/* many rows, in any order */
	c = calendar_new();
	assert_non_null(c);
	for (int i = 199; i >= 0; i--) {
		struct cal_date d = cal_date_add_days(D("2030-01-01"), i * 3);
		assert_true(calendar_set(c, d, CAL_OFF, "many"));
	}
	for (int i = 0; i < 600; i++) {
		struct cal_date d = cal_date_add_days(D("2030-01-01"), i);
		if (i % 3 == 0)
			assert_int_equal(calendar_day_kind(c, d).kind, CAL_DAY_OFF_MOVED);
		else
			assert_int_not_equal(calendar_day_kind(c, d).kind, CAL_DAY_OFF_MOVED);
	}
	calendar_free(c);
}

/* A row must change its day (Labour Code art. 85 p. 3): `work` only on a
 * weekend day, `off` only on a weekday; years within the calendar's. */
static void rows_are_checked(void **state)
{
	(void)state;
	char why[256];
	assert_false(calendar_check_row(D("2027-06-07"), CAL_WORK, why, sizeof why));
	assert_non_null(strstr(why, "2027-06-07 is a Monday, a working day already"));
	assert_false(calendar_check_row(D("2027-06-04"), CAL_WORK, why, sizeof why));
	assert_non_null(strstr(why, "a Friday"));
	assert_true(calendar_check_row(D("2027-06-05"), CAL_WORK, why, sizeof why));
	assert_true(calendar_check_row(D("2027-06-06"), CAL_WORK, why, sizeof why));
	assert_false(calendar_check_row(D("2027-06-05"), CAL_OFF, why, sizeof why));
	assert_non_null(strstr(why, "2027-06-05 is a Saturday, a day off already"));
	assert_false(calendar_check_row(D("2027-06-06"), CAL_OFF, why, sizeof why));
	assert_non_null(strstr(why, "a Sunday"));
	assert_true(calendar_check_row(D("2027-06-04"), CAL_OFF, why, sizeof why));
	/* Kurban Ait is kept on any day, a Sunday too (2027-05-16) */
	assert_true(calendar_check_row(D("2027-05-16"), CAL_HOLIDAY, why, sizeof why));
	assert_true(calendar_check_row(D("2027-05-17"), CAL_HOLIDAY, why, sizeof why));
	/* the years of the calendar */
	assert_false(calendar_check_row(D("1999-06-01"), CAL_HOLIDAY, why, sizeof why));
	assert_string_equal(why, "1999-06-01: the calendar covers the years 2004 to 2100");
	assert_false(calendar_check_row(D("2003-12-31"), CAL_OFF, why, sizeof why));
	assert_true(calendar_check_row(D("2004-01-05"), CAL_OFF, why, sizeof why));
	assert_true(calendar_check_row(D("2100-12-31"), CAL_OFF, why, sizeof why));
	assert_false(calendar_check_row(D("2101-01-03"), CAL_OFF, why, sizeof why));
	assert_false(calendar_check_row((struct cal_date){2026, 2, 30}, CAL_OFF, why, sizeof why));
	assert_false(calendar_check_row(D("2026-02-03"), (enum cal_kind)7, why, sizeof why));
	/* a short buffer is cut, never overrun */
	char tiny[8];
	assert_false(calendar_check_row(D("1999-06-01"), CAL_OFF, tiny, sizeof tiny));
	assert_string_equal(tiny, "1999-06");
}

static void almaty_clock(void **state)
{
	(void)state;
	/* UTC+6 until 2024-02-29 18:00 UTC, UTC+5 from then */
	assert_int_equal(calendar_utc_offset(1709229599), 6 * 3600);
	assert_int_equal(calendar_utc_offset(1709229600), 5 * 3600);
	assert_int_equal(calendar_epoch(D("2024-02-29"), 0, 0), 1709143200);
	assert_int_equal(calendar_epoch(D("2024-03-01"), 0, 0), 1709233200);
	assert_int_equal(calendar_epoch(D("2024-02-29"), 24, 0), 1709233200);
	assert_int_equal(calendar_epoch(D("2026-03-26"), 9, 0), 1774497600);
	assert_int_equal(calendar_epoch(D("2024-02-19"), 9, 0), 1708311600);
	assert_int_equal(calendar_epoch(D("1970-01-01"), 0, 0), -6 * 3600);

	struct cal_time lt = calendar_local_time(1774013400);
	assert_date(lt.date, "2026-03-20");
	assert_int_equal(lt.hour, 18);
	assert_int_equal(lt.minute, 30);
	assert_int_equal(lt.second, 0);
	lt = calendar_local_time(1704043800);
	assert_date(lt.date, "2023-12-31");
	assert_int_equal(lt.hour, 23);
	assert_int_equal(lt.minute, 30);
	/* the hour that happened twice: 23:00 at UTC+6, then 23:00 at UTC+5 */
	lt = calendar_local_time(1709229600 - 1);
	assert_date(lt.date, "2024-02-29");
	assert_int_equal(lt.hour, 23);
	assert_int_equal(lt.second, 59);
	lt = calendar_local_time(1709229600);
	assert_date(lt.date, "2024-02-29");
	assert_int_equal(lt.hour, 23);
	assert_int_equal(lt.minute, 0);
	assert_date(calendar_local_date(1709229600 + 3600), "2024-03-01");
	/* before the epoch */
	lt = calendar_local_time(-6 * 3600 - 1);
	assert_date(lt.date, "1969-12-31");
	assert_int_equal(lt.hour, 23);
	assert_int_equal(lt.minute, 59);
	assert_int_equal(lt.second, 59);
	/* midnight local is the turn of the date, not midnight UTC */
	assert_date(calendar_local_date(1767207600), "2026-01-01");
	assert_date(calendar_local_date(1767207599), "2025-12-31");
	/* round trip over both offsets */
	for (int64_t t = 1700000000; t < 1800000000; t += 86400 / 7 + 13) {
		struct cal_time x = calendar_local_time(t);
		int64_t back = calendar_epoch(x.date, x.hour, x.minute) + x.second;
		/* only the repeated hour maps to its first occurrence */
		if (back != t)
			assert_int_equal(back, t - 3600);
	}
}

static void next_working_moment(void **state)
{
	const struct calendar *cal = *state;
	/* after 18:00 on Friday 20 March 2026, across Nauryz: Thursday 26
	 * March 09:00 (UTC+5) */
	assert_int_equal(calendar_next_working_moment(cal, 1774013400), 1774497600);
	/* before 09:00: 09:00 the same day */
	assert_int_equal(calendar_next_working_moment(cal, 1774490400), 1774497600);
	/* within hours: now */
	assert_int_equal(calendar_next_working_moment(cal, 1774508400), 1774508400);
	/* Saturday noon: Monday 09:00 */
	assert_int_equal(calendar_next_working_moment(cal, 1795244400), 1795406400);
	/* 18:00 sharp is after hours; 17:59 is not */
	assert_int_equal(calendar_next_working_moment(cal, 1778245200), 1778558400);
	assert_int_equal(calendar_next_working_moment(cal, 1795525140), 1795525140);
	/* February 2024, UTC+6: Friday 19:00 -> Monday 09:00 */
	assert_int_equal(calendar_next_working_moment(cal, 1708088400), 1708311600);
	/* Thursday 29 February 2024 20:00 (UTC+6) -> Friday 1 March 09:00,
	 * the first morning at UTC+5 */
	assert_int_equal(calendar_next_working_moment(cal, 1709215200), 1709265600);
	/* New Year's Eve 2023 23:30 (UTC+6) -> Wednesday 3 January 2024 */
	assert_int_equal(calendar_next_working_moment(cal, 1704043800), 1704250800);
}

static void line_status(void **state)
{
	const struct calendar *cal = *state;
	assert_int_equal(calendar_line_status(cal, 1795496400), CAL_LINE_OPEN); /* Tue 10:00 */
	assert_int_equal(calendar_line_status(cal, 1795492740), CAL_LINE_BEFORE_HOURS); /* 08:59 */
	assert_int_equal(calendar_line_status(cal, 1795492740 + 60), CAL_LINE_OPEN);	/* 09:00 */
	assert_int_equal(calendar_line_status(cal, 1795525140), CAL_LINE_OPEN);		/* 17:59 */
	assert_int_equal(calendar_line_status(cal, 1795525200), CAL_LINE_AFTER_HOURS);	/* 18:00 */
	assert_int_equal(calendar_line_status(cal, 1795244400), CAL_LINE_WEEKEND);	/* Sat */
	assert_int_equal(calendar_line_status(cal, 1797397200), CAL_LINE_HOLIDAY);	/* 16 Dec */
	assert_int_equal(calendar_line_status(cal, 1774328400), CAL_LINE_HOLIDAY);	/* 24 Mar */
	assert_int_equal(calendar_line_status(cal, 1735880400), CAL_LINE_HOLIDAY); /* 3 Jan 2025 */
	/* a holiday on a weekend is a holiday */
	assert_int_equal(calendar_line_status(cal, calendar_epoch(D("2026-03-21"), 12, 0)),
			 CAL_LINE_HOLIDAY);
	assert_string_equal(calendar_line_status_name(CAL_LINE_OPEN), "open");
	assert_string_equal(calendar_line_status_name(CAL_LINE_WEEKEND), "weekend");
	assert_string_equal(calendar_line_status_name(CAL_LINE_HOLIDAY), "holiday");
	assert_string_equal(calendar_line_status_name(CAL_LINE_BEFORE_HOURS), "before_hours");
	assert_string_equal(calendar_line_status_name(CAL_LINE_AFTER_HOURS), "after_hours");
}

/* Properties over every day from December 2023 to January 2028. */
static void properties(void **state)
{
	const struct calendar *cal = *state;
	struct cal_date first = D("2023-12-01"), last = D("2028-01-31");
	for (struct cal_date d = first; cal_date_compare(d, last) <= 0;
	     d = cal_date_add_days(d, 1)) {
		bool working = calendar_is_working_day(cal, d);
		/* a single-day answer agrees with a walk */
		assert_int_equal(calendar_working_days_between(cal, cal_date_add_days(d, -1), d),
				 working);
		for (int n = 0; n <= 23; n++) {
			struct cal_date r = calendar_add_working_days(cal, d, n);
			assert_true(calendar_is_working_day(cal, r));
			if (n == 0) {
				if (working)
					assert_int_equal(cal_date_compare(r, d), 0);
				else
					assert_int_equal(calendar_working_days_between(cal, d, r),
							 1);
				continue;
			}
			assert_true(cal_date_compare(r, d) > 0);
			assert_int_equal(calendar_working_days_between(cal, d, r), n);
			/* and it is the first such day */
			assert_int_equal(
			    calendar_working_days_between(cal, d, cal_date_add_days(r, -1)), n - 1);
			/* counting back */
			struct cal_date b = calendar_add_working_days(cal, d, -n);
			assert_true(calendar_is_working_day(cal, b));
			assert_int_equal(calendar_working_days_between(cal, b, d), n - !working);
		}
	}
	/* additivity, and agreement with a walk started years earlier */
	struct cal_date origin = D("2020-01-01");
	int before = calendar_working_days_between(cal, origin, cal_date_add_days(first, -1));
	for (struct cal_date d = first; cal_date_compare(d, last) <= 0;
	     d = cal_date_add_days(d, 7)) {
		int total = calendar_working_days_between(cal, origin, d);
		int part = calendar_working_days_between(cal, cal_date_add_days(first, -1), d);
		assert_int_equal(total, before + part);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(dates),
	    cmocka_unit_test(shipped_rows),
	    cmocka_unit_test_setup_teardown(fixed_holidays_are_off, setup, teardown),
	    cmocka_unit_test_setup_teardown(constitution_day_2026, setup, teardown),
	    cmocka_unit_test_setup_teardown(official_years, setup, teardown),
	    cmocka_unit_test_setup_teardown(balance_2024, setup, teardown),
	    cmocka_unit_test_setup_teardown(moved_days_say_why, setup, teardown),
	    cmocka_unit_test_setup_teardown(religious_holidays_not_moved, setup, teardown),
	    cmocka_unit_test_setup_teardown(friday_before_holiday_weekend, setup, teardown),
	    cmocka_unit_test_setup_teardown(investigation_across_nauryz, setup, teardown),
	    cmocka_unit_test_setup_teardown(moved_working_saturday, setup, teardown),
	    cmocka_unit_test_setup_teardown(working_days_between, setup, teardown),
	    cmocka_unit_test(rows_from_an_administrator),
	    cmocka_unit_test(rows_are_checked),
	    cmocka_unit_test(almaty_clock),
	    cmocka_unit_test_setup_teardown(next_working_moment, setup, teardown),
	    cmocka_unit_test_setup_teardown(line_status, setup, teardown),
	    cmocka_unit_test_setup_teardown(properties, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
