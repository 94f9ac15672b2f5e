/* The notices' texts (workflow/notice.h): every kind links to the case
 * page that exists, /staff/case/REG_NO, whether console_url ends in a
 * slash or not; the registration notice names the channel and the due
 * date; a calendar-day reminder does not speak of working days; the reply
 * deadline's working days follow the setting (workflow/deadline.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "workflow/calendar.h"
#include "workflow/deadline.h"
#include "workflow/notice.h"

static const enum notice_kind kinds[] = {
    NOTICE_DIRECTOR_NEW,	  NOTICE_URGENT,    NOTICE_REMINDER, NOTICE_OVERDUE,
    NOTICE_INVESTIGATION_ORDERED, NOTICE_REGISTERED};

static void every_kind_links_to_the_case_page(void **state)
{
	(void)state;
	const char *urls[] = {"https://h.example.kz/staff/", "https://h.example.kz/staff"};
	for (size_t u = 0; u < 2; u++) {
		for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
			struct notice_facts f = {.reg_no = "2026-000042",
						 .deadline_kind = "triage",
						 .channel = "web",
						 .due_date = "2026-12-08",
						 .console_url = urls[u]};
			struct notice n;
			notice_build(&n, kinds[i], &f);
			assert_non_null(
			    strstr(n.body.data, "\nhttps://h.example.kz/staff/case/2026-000042\n"));
			assert_null(strstr(n.body.data, "/cases/"));
			assert_non_null(strstr(n.subject.data, "2026-000042"));
			notice_free(&n);
		}
	}
}

static void registration_notice_names_channel_and_date(void **state)
{
	(void)state;
	struct notice_facts f = {.reg_no = "2026-000007",
				 .deadline_kind = "triage",
				 .channel = "in_person",
				 .due_date = "2026-12-08"};
	struct notice n;
	notice_build(&n, NOTICE_REGISTERED, &f);
	assert_non_null(strstr(n.subject.data, "2026-12-08"));
	assert_non_null(strstr(n.body.data, "личный приём"));
	assert_non_null(strstr(n.body.data, "жеке қабылдау"));
	assert_null(strstr(n.body.data, "http")); /* no console_url, no link */
	notice_free(&n);
}

static void calendar_day_reminder_says_days(void **state)
{
	(void)state;
	struct notice_facts f = {.reg_no = "2026-000007",
				 .deadline_kind = "triage",
				 .due_date = "2026-12-08",
				 .working_days_left = 1,
				 .calendar_days = true};
	struct notice n;
	notice_build(&n, NOTICE_REMINDER, &f);
	assert_null(strstr(n.body.data, "рабочих"));
	assert_non_null(strstr(n.body.data, "осталось дней: 1"));
	notice_free(&n);
	f.calendar_days = false;
	notice_build(&n, NOTICE_REMINDER, &f);
	assert_non_null(strstr(n.body.data, "осталось рабочих дней: 1"));
	notice_free(&n);
}

static void reply_days_follow_the_setting(void **state)
{
	(void)state;
	assert_int_equal(deadline_reply_days(NULL), 15);
	assert_int_equal(deadline_reply_days(""), 15);
	assert_int_equal(deadline_reply_days("10"), 10);
	assert_int_equal(deadline_reply_days("0"), 15);
	assert_int_equal(deadline_reply_days("61"), 15);
	assert_int_equal(deadline_reply_days("7x"), 15);
	struct calendar *cal = calendar_new();
	assert_non_null(cal);
	/* Friday 2026-12-04 + 15 working days: 16 December is a holiday */
	struct cal_date d = deadline_reply_due(cal, (struct cal_date){2026, 12, 4}, NULL);
	char out[CAL_DATE_SIZE];
	cal_date_format(d, out);
	assert_string_equal(out, "2026-12-28");
	calendar_free(cal);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_kind_links_to_the_case_page),
	    cmocka_unit_test(registration_notice_names_channel_and_date),
	    cmocka_unit_test(calendar_day_reminder_says_days),
	    cmocka_unit_test(reply_days_follow_the_setting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
