/* The compliance manager's board of open cases (GET /staff/board). */
#ifndef HOTLINE_STAFF_BOARD_H
#define HOTLINE_STAFF_BOARD_H

#include "staff/staff.h"

/* " <span class="badge unread">2 new</span>" after a case's number when
 * the reporter wrote messages nobody has opened yet (nothing when 0): the
 * board's, the archive's and the commission's lists. */
void board_unread_badge(struct staff_ctx *c, int unread);

extern const struct staff_route staff_board_routes[];
extern const struct staff_menu staff_board_menu[];

#endif
