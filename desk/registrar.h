/* The registrar's desk (seed 004 L194, seed 001 L261): appeals handed in on
 * paper or in person are registered like the others (same sealing, same
 * journal), and the person gets a printable registration ticket (талон)
 * with the number, the date and the receipt code, and nothing of the
 * content. */
#ifndef HOTLINE_DESK_REGISTRAR_H
#define HOTLINE_DESK_REGISTRAR_H

#include "staff/staff.h"

/* GET and POST /staff/register; ended by a zeroed entry. */
extern const struct staff_route registrar_routes[];

/* Its entry of the staff menu; ended by a zeroed entry. */
extern const struct staff_menu registrar_menu[];

#endif
