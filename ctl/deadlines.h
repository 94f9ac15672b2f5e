/* Recomputing deadlines in hotlinectl's transactions after a calendar
 * change. The deadlines themselves are made by workflow/deadline.h (the
 * procedure's steps, shared by hotlinectl and the staff pages). */
#ifndef HOTLINE_CTL_DEADLINES_H
#define HOTLINE_CTL_DEADLINES_H

#include <libpq-fe.h>
#include <stdbool.h>

struct calendar;

/* After a calendar change: recomputes every open working-day deadline from
 * its start date; prints what moved. Returns the number moved, -1 on error. */
int deadlines_recompute(PGconn *pg, const struct calendar *cal);

#endif
