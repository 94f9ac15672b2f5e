/* GET /staff/kept?t=TOKEN: a form posted after its session ended, given
 * back once to its author after the next login (accounts/keptform.h,
 * docs/staff.md "Sessions"): its text in editable boxes, the rest of its
 * fields as they were, in a form to the same address under the new
 * session's CSRF token, sent only when the person presses "Send". */
#ifndef HOTLINE_STAFF_KEPTPAGE_H
#define HOTLINE_STAFF_KEPTPAGE_H

#include "staff/staff.h"

extern const struct staff_route staff_kept_routes[];

#endif
