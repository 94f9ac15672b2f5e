/* The printable letter of the reply to a named reporter (004 L196): GET
 * /staff/reply-letter/REG_NO?lang=ru|kk, a page of its own to print on the
 * organisation's letterhead and post. It carries the registration number
 * and date and the reply's text (opened with the session's case key), and
 * a blank line for the postal address: the address is sealed identity
 * data, and this page never unseals it (docs/staff-case.md). */
#ifndef HOTLINE_STAFF_REPLYLETTER_H
#define HOTLINE_STAFF_REPLYLETTER_H

#include "staff/staff.h"

extern const struct staff_route replyletter_routes[];

#endif
