/* The director's and the alternate recipient's pages (GET /staff/decisions,
 * POST /staff/decide-ack/REG_NO, /staff/decide/REG_NO, /staff/extend/REG_NO,
 * /staff/order/REG_NO, GET /staff/cover-letter/REG_NO). */
#ifndef HOTLINE_STAFF_DECISIONS_H
#define HOTLINE_STAFF_DECISIONS_H

#include "staff/staff.h"

extern const struct staff_route staff_decision_routes[];
extern const struct staff_menu staff_decision_menu[];

#endif
