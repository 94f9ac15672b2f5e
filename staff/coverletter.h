/* The printable cover letter for sending a case's materials on paper (004
 * p.10.7): a whole HTML page, in Russian, to print on the organisation's
 * letterhead. workflow/procedure.h decides what it says (and whether there
 * is one); this file only writes it. Served by GET
 * /staff/cover-letter/REG_NO (staff/decisions.c) and written to standard
 * output by `hotlinectl case cover-letter` (ctl/casework.c). */
#ifndef HOTLINE_STAFF_COVERLETTER_H
#define HOTLINE_STAFF_COVERLETTER_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "base/buf.h"
#include "workflow/procedure.h"
#include "workflow/wfdb.h"

/* The letter's style: inline in the page when stylesheet is NULL (a file
 * to print), else the page links stylesheet, which must carry this (the
 * staff pages forbid inline style: staff/casepage.c serves it in
 * /staff/case.css). */
extern const char coverletter_css[];

/* Appends the page of letter l to out; every value is escaped. */
void coverletter_render(const struct procedure_letter *l, const char *stylesheet, struct buf *out);

/* Reads the case's letter (procedure_letter_load) and appends its page to
 * out; on refusal or error out is left as it was and e says why. */
bool coverletter_write(PGconn *pg, const char *reg_no, const char *stylesheet, struct buf *out,
		       struct wf_error *e) MUST_CHECK;

#endif
