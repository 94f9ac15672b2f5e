/* The trust line's hours (desk/line.c) and the receipt read out for
 * dictation (desk/dictate.c), against the calendar shipped in
 * migrations/0002_calendar.sql, loaded the way tests/unit/test_calendar.c
 * loads it. Instants are local Asia/Almaty times made by calendar_epoch();
 * expected days are read off the published calendars (docs/calendar.md). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/receipt.h"
#include "base/buf.h"
#include "desk/dictate.h"
#include "desk/line.h"
#include "workflow/calendar.h"

#include "calendar_fixture.h"

/* The line at local time day hour:minute. */
static struct line_state at(void **state, const char *day, int hour, int minute)
{
	return line_state_at(*state, calendar_epoch(D(day), hour, minute));
}

static void assert_next(const struct line_state *s, const char *day, int hour)
{
	char d[CAL_DATE_SIZE];
	cal_date_format(s->next_open.date, d);
	assert_string_equal(d, day);
	assert_int_equal(s->next_open.hour, hour);
	assert_int_equal(s->next_open.minute, 0);
}

static void describe_has(const struct line_state *s, enum lang lang, const char *want)
{
	char text[1024];
	line_describe(s, lang, text, sizeof(text));
	if (!strstr(text, want))
		fail_msg("\"%s\" not in \"%s\"", want, text);
}

static void weekday_hours(void **state)
{
	/* Wednesday 18 March 2026 */
	struct line_state s = at(state, "2026-03-18", 10, 30);
	assert_true(s.open);
	assert_int_equal(s.status, CAL_LINE_OPEN);
	assert_int_equal(s.next_open.hour, 10);
	assert_int_equal(s.next_open.minute, 30);
	describe_has(&s, LANG_EN, "The trust line is open");
	describe_has(&s, LANG_RU, "Телефон доверия работает");

	s = at(state, "2026-03-18", 9, 0);
	assert_true(s.open);
	s = at(state, "2026-03-18", 17, 59);
	assert_true(s.open);
}

static void before_hours(void **state)
{
	struct line_state s = at(state, "2026-03-18", 8, 59);
	assert_false(s.open);
	assert_int_equal(s.status, CAL_LINE_BEFORE_HOURS);
	assert_next(&s, "2026-03-18", 9);
	describe_has(&s, LANG_EN, "it opens at 09:00");
	describe_has(&s, LANG_EN, "It opens next on 18 Mar 2026, 09:00 (Astana time).");
	s = at(state, "2026-03-18", 0, 0);
	assert_int_equal(s.status, CAL_LINE_BEFORE_HOURS);
}

static void after_hours(void **state)
{
	struct line_state s = at(state, "2026-03-18", 18, 0);
	assert_false(s.open);
	assert_int_equal(s.status, CAL_LINE_AFTER_HOURS);
	assert_next(&s, "2026-03-19", 9);
	describe_has(&s, LANG_EN, "working hours ended at 18:00");
	describe_has(&s, LANG_KK, "19.03.2026 09:00 (Астана уақыты)");
	/* Friday evening: Monday morning */
	s = at(state, "2026-04-17", 19, 0);
	assert_int_equal(s.status, CAL_LINE_AFTER_HOURS);
	assert_next(&s, "2026-04-20", 9);
	s = at(state, "2026-03-18", 23, 59);
	assert_int_equal(s.status, CAL_LINE_AFTER_HOURS);
}

static void saturday(void **state)
{
	struct line_state s = at(state, "2026-04-18", 12, 0);
	assert_false(s.open);
	assert_int_equal(s.status, CAL_LINE_WEEKEND);
	assert_null(line_holiday_name(&s.day, LANG_EN));
	assert_next(&s, "2026-04-20", 9);
	describe_has(&s, LANG_EN, "it is a weekend");
	describe_has(&s, LANG_RU, "выходной день");
	/* in hours on a Sunday too */
	s = at(state, "2026-04-19", 10, 0);
	assert_int_equal(s.status, CAL_LINE_WEEKEND);
}

static void public_holiday(void **state)
{
	/* Victory Day, Friday 9 May 2025 */
	struct line_state s = at(state, "2025-05-09", 11, 0);
	assert_false(s.open);
	assert_int_equal(s.status, CAL_LINE_HOLIDAY);
	assert_string_equal(line_holiday_name(&s.day, LANG_EN), "Victory Day");
	assert_string_equal(line_holiday_name(&s.day, LANG_RU), "День Победы");
	assert_next(&s, "2025-05-12", 9);
	describe_has(&s, LANG_EN, "public holiday, Victory Day.");
	describe_has(&s, LANG_KK, "Жеңіс күні");
	/* Kurban Ait comes from a row of the table, not from the law's list */
	s = at(state, "2025-06-06", 10, 0);
	assert_int_equal(s.status, CAL_LINE_HOLIDAY);
	assert_string_equal(line_holiday_name(&s.day, LANG_RU), "Курбан айт");
	/* Victory Day 2026 is a Saturday: its day off is Monday 11 May */
	s = at(state, "2026-05-11", 10, 0);
	assert_int_equal(s.status, CAL_LINE_HOLIDAY);
	assert_int_equal(s.day.kind, CAL_DAY_HOLIDAY_MOVED);
	describe_has(&s, LANG_EN, "the day off for Victory Day (9 May 2026)");
	assert_next(&s, "2026-05-12", 9);
	/* a weekday made a day off by the ministry: no name, still closed */
	s = at(state, "2024-05-08", 10, 0);
	assert_int_equal(s.status, CAL_LINE_HOLIDAY);
	assert_null(line_holiday_name(&s.day, LANG_EN));
	describe_has(&s, LANG_EN, "a public holiday or a moved day off");
}

static void transferred_working_day(void **state)
{
	/* Saturday 4 May 2024 and Sunday 5 January 2025 were made working */
	struct line_state s = at(state, "2024-05-04", 10, 0);
	assert_true(s.open);
	assert_int_equal(s.day.kind, CAL_DAY_WORK_MOVED);
	s = at(state, "2025-01-05", 17, 0);
	assert_true(s.open);
	s = at(state, "2025-01-05", 18, 0);
	assert_int_equal(s.status, CAL_LINE_AFTER_HOURS);
	/* Friday 3 January 2025 took its rest: next is Monday 6th */
	s = at(state, "2025-01-03", 10, 0);
	assert_int_equal(s.status, CAL_LINE_HOLIDAY);
	assert_next(&s, "2025-01-05", 9);
}

static void status_html_escaped(void **state)
{
	/* a note of the table is shown as written, and escaped */
	struct calendar *cal = *state;
	assert_true(calendar_set(cal, D("2026-04-15"), CAL_HOLIDAY, "<b>Extra</b> & day"));
	struct line_state s = at(state, "2026-04-15", 10, 0);
	struct buf b;
	buf_init(&b);
	line_status_html(&b, &s, LANG_EN);
	assert_non_null(strstr(b.data, "&lt;b&gt;Extra&lt;/b&gt; &amp; day"));
	assert_non_null(strstr(b.data, "data-status=\"holiday\""));
	assert_null(strstr(b.data, "<b>"));
	buf_reset(&b);
	assert_true(calendar_unset(cal, D("2026-04-15")));
}

static void dictation(void **state)
{
	(void)state;
	char words[256];
	dictate_words("4821", 4, LANG_EN, words, sizeof(words));
	assert_string_equal(words, "four eight two one");
	dictate_words("0937", 4, LANG_RU, words, sizeof(words));
	assert_string_equal(words, "ноль девять три семь");
	dictate_words("5", 1, LANG_KK, words, sizeof(words));
	assert_string_equal(words, "бес");
	dictate_words("4821", 4, LANG_EN, words, 10);
	assert_int_equal(strlen(words), 9);

	char digits[RECEIPT_DIGITS + 1];
	receipt_generate(digits);
	char text[RECEIPT_TEXT_SIZE];
	receipt_format(digits, text);
	struct buf b;
	buf_init(&b);
	dictate_receipt_html(&b, digits, LANG_EN);
	assert_non_null(strstr(b.data, text));
	int groups = 0;
	for (const char *p = b.data; (p = strstr(p, "<span class=\"group\">")); p++)
		groups++;
	assert_int_equal(groups, 7);
	char first[64];
	snprintf(first, sizeof(first), "<span class=\"group\">%.4s</span>", digits);
	assert_non_null(strstr(b.data, first));
	buf_reset(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(weekday_hours),	   cmocka_unit_test(before_hours),
	    cmocka_unit_test(after_hours),	   cmocka_unit_test(saturday),
	    cmocka_unit_test(public_holiday),	   cmocka_unit_test(transferred_working_day),
	    cmocka_unit_test(status_html_escaped), cmocka_unit_test(dictation),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
