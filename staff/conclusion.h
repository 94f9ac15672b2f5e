/* The commission's conclusion as a document to print and sign (seed 004
 * p.7.10): the organisation, the appeal's number, the order that set up
 * the commission, its members, what it established, the norms, the
 * conclusion and the measures proposed, the date and a signature line per
 * member, in the page's language (kk, ru; en too). Served to a member of
 * the investigation from its drafted conclusion on, at GET
 * /staff/commission-conclusion/REG_NO (staff/commission.c's routes): a
 * whole page without the staff header, whose on-screen lines do not
 * print. A member of another investigation gets 403, audited; the view is
 * audited as case.conclusion_print. Blocking: a staff worker. */
#ifndef HOTLINE_STAFF_CONCLUSION_H
#define HOTLINE_STAFF_CONCLUSION_H

#include "staff/staff.h"

/* GET /staff/commission-conclusion/REG_NO. */
void conclusion_print(struct staff_ctx *c);
/* GET /staff/conclusion.css: the document's own rules, screen and print
 * (the staff pages allow no inline style). */
void conclusion_style(struct staff_ctx *c);

#endif
