/* The steps taken from the case page (POST /staff/case-triage/REG_NO,
 * /staff/case-forwarded/REG_NO, /staff/case-reply/REG_NO, /staff/case-note/REG_NO), and
 * the frame every step of a case runs in, shared with the director's
 * pages (staff/decisions.c). */
#ifndef HOTLINE_STAFF_CASEACTION_H
#define HOTLINE_STAFF_CASEACTION_H

#include <stdbool.h>

#include "base/attr.h"
#include "staff/casefile.h"
#include "staff/staff.h"
#include "workflow/procedure.h"

/* BEGIN, then the case c->arg names, locked, need to know applied. False
 * when the request was answered (404, 500) and the step must stop. */
bool caseaction_begin(struct staff_ctx *c, struct casefile *k) MUST_CHECK;
/* The audit row, COMMIT, and 303 to the case page at anchor. */
void caseaction_commit(struct staff_ctx *c, const struct casefile *k, const char *action,
		       const char *anchor);
/* After a ROLLBACK: the case page again with the reason (400/409), or
 * 404/500. */
void caseaction_refused(struct staff_ctx *c, const char *reg_no, const struct wf_error *e);

extern const struct staff_route staff_caseaction_routes[];

#endif
