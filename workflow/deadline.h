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
		  const char *ref_id, const char *basis, char out[11], struct wf_error *e)
    MUST_CHECK;

/* Ten working days from the order date (004 p.7.5); due gets the date. */
bool deadline_add_investigation(PGconn *pg, const struct calendar *cal, const char *case_id,
				const char *order_date, char due[11], struct wf_error *e)
    MUST_CHECK;
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
bool deadline_void(PGconn *pg, const char *case_id, const char *kind, struct wf_error *e)
    MUST_CHECK;
/* The case reached a state that ends it (closed, referred, not considered,
 * forwarded): every open deadline is voided (but the reply to a named
 * reporter unless the case is closed), the overdue flag clears, and
 * reminders and escalations not yet sent are withdrawn from the outbox. */
bool deadline_end_case(PGconn *pg, const char *case_id, bool closed, struct wf_error *e) MUST_CHECK;

/* Working days from the day of now (Asia/Almaty) to due (0 = due that
 * day; negative = late by that many). */
int deadline_days_left(const struct calendar *cal, const char *due, int64_t now);

#endif
