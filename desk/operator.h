/* The trust-line operator's console (seed 004 L187-193): whether the line
 * is open, the operator's own calls of the day (number and time only), and
 * the call form that walks through the five steps the rules prescribe and
 * registers the call. Need to know: the operator sees what a caller said
 * only while typing it; once saved it is sealed and never shown to them. */
#ifndef HOTLINE_DESK_OPERATOR_H
#define HOTLINE_DESK_OPERATOR_H

#include "staff/staff.h"

/* GET /staff/calls, GET and POST /staff/calls/new; ended by a zeroed
 * entry. */
extern const struct staff_route operator_routes[];

/* Its entry of the staff menu; ended by a zeroed entry. */
extern const struct staff_menu operator_menu[];

#endif
