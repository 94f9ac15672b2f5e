/* The commission's pages (seed 004 ch. 7): a member sees only the service
 * investigations they sit on (hotline.commission_members.staff_user_id):
 * the working days left, the report, requests for materials due within
 * one working day, the reasoned conclusion citing the norms, the decision,
 * the measures and the close. Another investigation is a 404, as if it did
 * not exist. Every view of case content is audited ("case.view"), every
 * step too ("investigation.<step>"). */
#ifndef HOTLINE_STAFF_COMMISSION_H
#define HOTLINE_STAFF_COMMISSION_H

#include "staff/staff.h"

extern const struct staff_route staff_commission_routes[];
extern const struct staff_menu staff_commission_menu[];

#endif
