/* What the operator's call form (staff/operator.c) and the registrar's
 * form (staff/registrar.c) do once their form is valid: seal the appeal
 * with the routing choices of the form, and register it in one transaction
 * with the row of who took it in (desk_in_tx()). What the two forms show
 * is in staff/desk.h. */
#ifndef HOTLINE_STAFF_DESKSEAL_H
#define HOTLINE_STAFF_DESKSEAL_H

#include "intake/appeal.h"
#include "intake/sealing.h"
#include "staff/desk.h"
#include "staff/staff.h"

/* The parts of sealing_build() the form decides: channel (static), the
 * category and "director involved" fields ("unknown" when none is chosen),
 * the page's language, and the receipt. The caller adds the content, the
 * identity and the files. */
struct sealing_parts deskseal_parts(const struct staff_ctx *c, const char *channel,
				    const char *receipt);

/* Registers the sealed appeal a (freed here; NULL when sealing failed)
 * with taken's rows, waiting at most the configured request timeout.
 * Returns the status of the page that follows: 200 registered (*r filled),
 * 500 not sealed, 503 not registered (r->unknown: it may have been). */
unsigned deskseal_register(struct desk_taken *taken, struct appeal *a, struct appeal_result *r);

#endif
