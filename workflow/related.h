/* Appeals related to a running investigation (KazStandart anti-corruption
 * standard p.7.9, 004 L139: the commission considers the appeals about the
 * matter that arrive while it works and attaches them to its materials).
 * The compliance manager attaches an appeal to the investigation of
 * another case; the commission then sees the appeal and may open it
 * (staff/commission.c). Blocking: hotlinectl and staff workers only. */
#ifndef HOTLINE_WORKFLOW_RELATED_H
#define HOTLINE_WORKFLOW_RELATED_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "base/attr.h"
#include "workflow/wfdb.h"

/* Attaches the appeal (its case id and number) to the running
 * investigation of the case numbered target, as user_id; writes the event
 * on both cases. Inside the caller's transaction. Refused: target not a
 * registration number or no such case (WF_MISSING), no investigation of
 * it that is not closed (WF_NOT_ORDERED), the appeal itself or already
 * attached (WF_CASE_STATE). */
bool related_attach(PGconn *pg, const char *appeal_case_id, const char *appeal_reg_no,
		    const char *target, long long user_id, struct wf_error *e) MUST_CHECK;

#endif
