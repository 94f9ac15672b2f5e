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
/* The investigation's deadlines (ten working days from the order, one
 * working day for materials) are made by workflow/deadline.h. */

/* After a calendar change: recomputes every open working-day deadline from
 * its start date; prints what moved. Returns the number moved, -1 on error. */
int deadlines_recompute(PGconn *pg, const struct calendar *cal);

#endif
