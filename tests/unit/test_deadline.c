/* When each duty is due and what a scan does about it (workflow/deadline.h,
 * the pure half the scanner calls): the last day of each kind, the moment
 * it is late, the days left in working or calendar days, and which
 * reminder point is mailed, which are marked without a mail, and which
 * never count because they came before the duty existed. Dates on the
 * calendar as shipped (migrations/0002). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "calendar_fixture.h"
#include "workflow/deadline.h"

static void assert_date(struct cal_date got, const char *want)
{
	char text[CAL_DATE_SIZE];
	cal_date_format(got, text);
	assert_string_equal(text, want);
}

static void last_day_of_each_kind(void **state)
{
	const struct calendar *cal = *state;
	/* the director: the day after registration, a holiday included */
	assert_date(deadline_director_notice_due(D("2026-12-31")), "2027-01-01");
	assert_date(deadline_director_notice_due(D("2026-12-11")), "2026-12-12");
	/* urgent: the same day */
	assert_date(deadline_urgent_forward_due(D("2026-12-12")), "2026-12-12");
	/* the investigation: ten working days from a Monday */
	assert_date(deadline_investigation_due(cal, D("2026-02-02")), "2026-02-16");
	/* materials: one working day, over a weekend */
	assert_date(deadline_material_due(cal, D("2026-02-06")), "2026-02-09");
	/* the reply: fifteen working days unless the setting says otherwise */
	assert_date(deadline_reply_due(cal, D("2026-02-02"), NULL), "2026-02-23");
	assert_date(deadline_reply_due(cal, D("2026-02-02"), "1"), "2026-02-03");
}

/* Late from the midnight in Asia/Almaty after the last day, not before. */
static void overdue_from_midnight_after(void **state)
{
	(void)state;
	char at[24];
	deadline_due_at(D("2026-12-10"), at);
	int64_t due_at = strtoll(at, NULL, 10);
	assert_int_equal(due_at, calendar_epoch(D("2026-12-11"), 0, 0));
	assert_false(deadline_overdue(due_at - 1, due_at));
	assert_true(deadline_overdue(due_at, due_at));
	assert_true(deadline_overdue(due_at + 86400, due_at));
}

static void days_to_the_last_day(void **state)
{
	const struct calendar *cal = *state;
	/* Friday to the next Tuesday: two working days, four calendar days */
	assert_int_equal(deadline_days_to(cal, D("2026-12-11"), D("2026-12-15"), false), 2);
	assert_int_equal(deadline_days_to(cal, D("2026-12-11"), D("2026-12-15"), true), 4);
	/* on the day and after it: 0 */
	assert_int_equal(deadline_days_to(cal, D("2026-12-15"), D("2026-12-15"), false), 0);
	assert_int_equal(deadline_days_to(cal, D("2026-12-20"), D("2026-12-15"), true), 0);
}

static void marks(void **state)
{
	(void)state;
	char mark[24];
	deadline_reminder_mark(2, mark);
	assert_string_equal(mark, "reminder:2");
	assert_true(deadline_marked("overdue,reminder:2", "reminder:2"));
	assert_true(deadline_marked("reminder:2", "reminder:2"));
	assert_false(deadline_marked("reminder:20,reminder:0", "reminder:2"));
	assert_false(deadline_marked("", "reminder:2"));
}

static const int points[] = {2, 0}; /* reminder_working_days = 2,0 */

static void plan(const struct calendar *cal, const char *today, const char *last,
		 const char *created, bool calendar_days, const char *sent,
		 struct deadline_reminders *p)
{
	deadline_plan_reminders(cal, points, 2, D(today), D(last), D(created), calendar_days, sent,
				p);
}

static void reminder_points(void **state)
{
	const struct calendar *cal = *state;
	struct deadline_reminders p;
	/* Tuesday, the last day Thursday: the "2" reminder */
	plan(cal, "2026-12-08", "2026-12-10", "2026-12-01", false, "", &p);
	assert_int_equal(p.left, 2);
	assert_int_equal(p.mail, 0);
	assert_int_equal(p.mark, 0);
	/* a day later: the "2" was sent, nothing new */
	plan(cal, "2026-12-09", "2026-12-10", "2026-12-01", false, "reminder:2", &p);
	assert_int_equal(p.left, 1);
	assert_int_equal(p.mail, -1);
	/* on the last day: the "0" reminder */
	plan(cal, "2026-12-10", "2026-12-10", "2026-12-01", false, "reminder:2", &p);
	assert_int_equal(p.left, 0);
	assert_int_equal(p.mail, 1);
	assert_int_equal(p.mark, 0);
	/* no scan ran meanwhile: the nearest is mailed, the "2" only marked */
	plan(cal, "2026-12-10", "2026-12-10", "2026-12-01", false, "", &p);
	assert_int_equal(p.mail, 1);
	assert_int_equal(p.mark, 1u << 0);
	/* both sent: nothing */
	plan(cal, "2026-12-10", "2026-12-10", "2026-12-01", false, "reminder:0,reminder:2", &p);
	assert_int_equal(p.mail, -1);
	assert_int_equal(p.mark, 0);
}

/* A point that came before the duty existed is no reminder. */
static void no_reminder_before_the_duty(void **state)
{
	const struct calendar *cal = *state;
	struct deadline_reminders p;
	/* created Wednesday, due Thursday: the "2" point (Tuesday) never
	 * counts, and the "0" is not reached yet */
	plan(cal, "2026-12-09", "2026-12-10", "2026-12-09", false, "", &p);
	assert_int_equal(p.mail, -1);
	assert_int_equal(p.mark, 0);
	/* on the day the "0" comes; the "2" is marked, not mailed */
	plan(cal, "2026-12-10", "2026-12-10", "2026-12-09", false, "", &p);
	assert_int_equal(p.mail, 1);
	assert_int_equal(p.mark, 1u << 0);
}

/* A duty counted in calendar days is reminded in calendar days: its "0"
 * comes on its last day, a Saturday included. */
static void calendar_day_duty(void **state)
{
	const struct calendar *cal = *state;
	struct deadline_reminders p;
	plan(cal, "2026-12-12", "2026-12-12", "2026-12-11", true, "", &p);
	assert_int_equal(p.left, 0);
	assert_int_equal(p.mail, 1);
	/* the "2" point, Thursday, came before the duty: only marked */
	assert_int_equal(p.mark, 1u << 0);
	plan(cal, "2026-12-11", "2026-12-12", "2026-12-11", true, "", &p);
	assert_int_equal(p.left, 1);
	assert_int_equal(p.mail, -1);
}

/* A new appeal's notice names its due date: the points it reached are
 * marked. */
static void points_reached(void **state)
{
	(void)state;
	const int three[] = {5, 2, 0};
	assert_int_equal(deadline_points_reached(three, 3, 6), 0);
	assert_int_equal(deadline_points_reached(three, 3, 5), 1u << 0);
	assert_int_equal(deadline_points_reached(three, 3, 2), (1u << 0) | (1u << 1));
	assert_int_equal(deadline_points_reached(three, 3, 0), 7u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(last_day_of_each_kind, setup, teardown),
	    cmocka_unit_test(overdue_from_midnight_after),
	    cmocka_unit_test_setup_teardown(days_to_the_last_day, setup, teardown),
	    cmocka_unit_test(marks),
	    cmocka_unit_test_setup_teardown(reminder_points, setup, teardown),
	    cmocka_unit_test_setup_teardown(no_reminder_before_the_duty, setup, teardown),
	    cmocka_unit_test_setup_teardown(calendar_day_duty, setup, teardown),
	    cmocka_unit_test(points_reached),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
