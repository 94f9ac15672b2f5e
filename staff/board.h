/* The compliance manager's board of open cases (GET /staff/board). */
#ifndef HOTLINE_STAFF_BOARD_H
#define HOTLINE_STAFF_BOARD_H

#include "staff/staff.h"

extern const struct staff_route staff_board_routes[];
extern const struct staff_menu staff_board_menu[];

#endif
