/* Creating and recomputing deadlines in hotlinectl's transactions. The due
 * dates come from the working-day calendar (workflow/calendar.h); due_at is
 * the first moment the duty is late: midnight in Asia/Almaty after the last
 * day. */
#ifndef HOTLINE_CTL_DEADLINES_H
#define HOTLINE_CTL_DEADLINES_H

#include <libpq-fe.h>
#include <stdbool.h>

struct calendar;

/* The day after the day of registration (calendar days, 004 p.10.6). */
bool deadlines_add_director_notice(PGconn *pg, const struct calendar *cal, const char *case_id,
				   const char *reg_date, char due[11]);
/* Today: "immediately" (004 p.6.3). */
bool deadlines_add_urgent(PGconn *pg, const struct calendar *cal, const char *case_id,
			  char due[11]);
/* Ten working days from the order date (004 p.7.5). */
bool deadlines_add_investigation(PGconn *pg, const struct calendar *cal, const char *case_id,
				 const char *order_date, char due[11]);
/* One working day from the request (004 p.7.8). */
bool deadlines_add_material(PGconn *pg, const struct calendar *cal, const char *case_id,
			    const char *request_id, const char *requested_on, char due[11]);
/* Moves a deadline to a fixed date (an extension with written consent). */
bool deadlines_move(PGconn *pg, const char *case_id, const char *kind, const char *new_due);

/* After a calendar change: recomputes every open working-day deadline from
 * its start date; prints what moved. Returns the number moved, -1 on error. */
int deadlines_recompute(PGconn *pg, const struct calendar *cal);

/* Working days from today (Asia/Almaty) to due (0 = due today; negative =
 * late). */
int deadlines_days_left(const struct calendar *cal, const char *due);

#endif
