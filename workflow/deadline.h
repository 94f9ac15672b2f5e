/* Deadlines of a case in the caller's transaction (hotline.deadlines): the
 * due dates come from the working-day calendar (workflow/calendar.h);
 * due_at is the first moment the duty is late, midnight in Asia/Almaty
 * after the last day. Shared by hotlinectl and the staff pages. */
#ifndef HOTLINE_WORKFLOW_DEADLINE_H
#define HOTLINE_WORKFLOW_DEADLINE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/attr.h"
#include "workflow/calendar.h"
#include "workflow/wfdb.h"

/* due_at of a deadline whose last day is last_day: midnight in Asia/Almaty
 * after it, in Unix seconds written in decimal (for to_timestamp). */
void deadline_due_at(struct cal_date last_day, char at[24]);

/* Adds the deadline kind due on due (ref_id may be NULL; basis
 * "calendar_days", "working_days" or "fixed"); out, when not NULL, gets its
 * date. */
bool deadline_add(PGconn *pg, const char *case_id, const char *kind, struct cal_date due,
		  const char *ref_id, const char *basis, char out[11],
		  struct wf_error *e) MUST_CHECK;

/* Ten working days from the order date (004 p.7.5); due gets the date. */
bool deadline_add_investigation(PGconn *pg, const struct calendar *cal, const char *case_id,
				const char *order_date, char due[11],
				struct wf_error *e) MUST_CHECK;
/* One working day from the request (004 p.7.8). */
bool deadline_add_material(PGconn *pg, const struct calendar *cal, const char *case_id,
			   const char *request_id, const char *requested_on, char due[11],
			   struct wf_error *e) MUST_CHECK;
/* Moves the open deadline of that kind to a fixed date (an extension with
 * written consent). */
bool deadline_move(PGconn *pg, const char *case_id, const char *kind, const char *new_due,
		   struct wf_error *e) MUST_CHECK;
/* Marks the open deadline of that kind (and ref, for material requests;
 * NULL otherwise) met now. */
bool deadline_meet(PGconn *pg, const char *case_id, const char *kind, const char *ref,
		   struct wf_error *e) MUST_CHECK;

/* The reply to a named reporter (004 L196: the law on citizens' appeals;
 * АППК РК art. 76 p.1, docs/procedure.md "The reply"): the working days
 * the setting reply_working_days gives, 1..60; 15 when it is unset or not
 * a number in range. */
#define DEADLINE_REPLY_DEFAULT_DAYS 15
int deadline_reply_days(const char *setting);
/* Its last day: that many working days after the day of registration. */
struct cal_date deadline_reply_due(const struct calendar *cal, struct cal_date registered,
				   const char *setting);
/* Ends the open deadlines of the case (of that kind; every kind when kind
 * is NULL) without their duty done: met_at now, voided. The scanner then
 * neither reminds nor escalates. */
bool deadline_void(PGconn *pg, const char *case_id, const char *kind,
		   struct wf_error *e) MUST_CHECK;
/* The case reached a state that ends it (closed, referred, not considered,
 * forwarded): every open deadline is voided (but the reply to a named
 * reporter unless the case is closed), the overdue flag clears, and
 * reminders and escalations not yet sent are withdrawn from the outbox. */
bool deadline_end_case(PGconn *pg, const char *case_id, bool closed, struct wf_error *e) MUST_CHECK;

/* Working days from the day of now (Asia/Almaty) to due (0 = due that
 * day; negative = late by that many). */
int deadline_days_left(const struct calendar *cal, const char *due, int64_t now);

/* --- when each duty is due, and what a scan does about it: pure --- */

/* The director is told no later than the day after the day of
 * registration (004 p.10.6), counted in calendar days. */
struct cal_date deadline_director_notice_due(struct cal_date registered);
/* An urgent appeal is forwarded at once (004 p.6.3): its last day is the
 * day of triage, counted in calendar days. */
struct cal_date deadline_urgent_forward_due(struct cal_date triaged);
/* Ten working days from the order date (004 p.7.5). */
struct cal_date deadline_investigation_due(const struct calendar *cal, struct cal_date ordered);
/* One working day from the request (004 p.7.8). */
struct cal_date deadline_material_due(const struct calendar *cal, struct cal_date requested);

/* A deadline is overdue from due_at on (Unix seconds; deadline_due_at). */
bool deadline_overdue(int64_t now, int64_t due_at);
/* Days from today to the last day: working days, or calendar days for a
 * duty counted so (basis "calendar_days"); 0 on the day and after it. The
 * reminder points are counted in the same days. */
int deadline_days_to(const struct calendar *cal, struct cal_date today, struct cal_date last,
		     bool calendar_days);
/* A reminder point's mark in hotline.deadline_notices: "reminder:N". */
void deadline_reminder_mark(int point, char mark[24]);
/* Whether the comma-separated list of marks (hotline.deadline_notices
 * kinds of one deadline) holds mark. */
bool deadline_marked(const char *marks, const char *mark);

/* What a scan does about a deadline not yet overdue, with the reminder
 * points (days before the last day, the config's reminder_working_days):
 * it mails the nearest point reached and not yet sent, and marks the
 * farther ones that passed meanwhile without a mail. A point that came
 * before the duty existed (created) is no reminder: the notice that
 * created the duty said as much. sent: the marks already recorded. */
struct deadline_reminders {
	int left;      /* deadline_days_to today */
	int mail;      /* the index in points of the reminder to mail; -1: none, and
			  nothing is marked */
	unsigned mark; /* bit r: points[r] is marked sent without a mail */
};
void deadline_plan_reminders(const struct calendar *cal, const int *points, int npoints,
			     struct cal_date today, struct cal_date last, struct cal_date created,
			     bool calendar_days, const char *sent, struct deadline_reminders *out);
/* The points already reached with left days to go (bit r for points[r]):
 * a new appeal's notice names its due date, so these are marked without
 * a mail. */
unsigned deadline_points_reached(const int *points, int npoints, int left);

#endif
