/* What the operator's call form (desk/operator.c) and the registrar's
 * form (desk/registrar.c) share: the fields they echo back, the routing
 * choices (category, director involved), the clear parts they hand to
 * sealing_build(), and the row that says which staff member took the
 * appeal in (hotline.staff_intake, migrations/0006_staff_intake.sql), which
 * is written in the registering transaction with its audit row. */
#ifndef HOTLINE_DESK_DESK_H
#define HOTLINE_DESK_DESK_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "base/buf.h"
#include "intake/appeal.h"
#include "intake/choices.h"
#include "base/i18n.h"
#include "intake/sealing.h"
#include "staff/staff.h"
#include "workflow/calendar.h"

/* staff_page_begin() and the stylesheet of these pages (/staff/desk.css:
 * the steps, the receipt for dictation, the ticket and its print layout). */
void desk_page_begin(struct staff_ctx *c, const char *title);
/* GET /staff/desk.css (public, like /staff/style.css); ended by a zeroed
 * entry. */
extern const struct staff_route desk_routes[];

/* Empty or only white space. */
bool desk_blank(const char *s);

/* <label for=name>label</label><input id=name name=name value=...>, the
 * value echoed from the request, escaped. type: "text", "tel", "email". */
void desk_input(struct buf *b, const struct staff_ctx *c, const char *name, enum msg label,
		const char *type, bool required);
void desk_textarea(struct buf *b, const struct staff_ctx *c, const char *name, enum msg label,
		   bool required, int rows);
/* The category <select> and the "director involved" radios. */
void desk_routing(struct buf *b, const struct staff_ctx *c, bool category_error);
/* The registration number and time of a saved appeal, as the <dt>/<dd>
 * pairs of a <dl class="facts"> (ids reg-no, registered-at). */
void desk_registered(struct buf *b, enum lang lang, const struct appeal_result *r);
/* <p class="error" id="error-FIELD">text</p> */
void desk_error(struct buf *b, enum lang lang, const char *field, enum msg text);

/* Whether the person gives their name (intake/choices.h: contact details
 * are never dropped unasked), from the form's "identity" choice and the
 * contact fields named. */
enum choices_identity desk_identity(const struct staff_ctx *c, const char *const *contact,
				    unsigned n);
/* The "does the person give their name" radios, the question when
 * "anonymous" came with contact details (asking), an error when "named"
 * came without any (named_empty), and the hint that the contact fields are
 * recorded only for a person who gives their name. Put before the contact
 * fields. */
void desk_identity_choice(struct buf *b, const struct staff_ctx *c, bool asking, bool named_empty);

/* A JSON object of the named request fields (their values as strings);
 * with skip_blank, blank fields are left out and NULL comes back when all
 * are blank (an anonymous caller). NULL also when out of memory. */
json_t *desk_fields(const struct staff_ctx *c, const char *const *names, unsigned n,
		    bool skip_blank);

/* What desk_in_tx() writes, beside the appeal. */
struct desk_taken {
	struct staff_ctx *c;
	const char *kind;	  /* "call" or "desk" */
	const char *received_on;  /* "YYYY-MM-DD"; NULL: the day it is registered */
	bool outside_hours;	  /* a call logged while the line was closed */
	const char *audit_action; /* "call.register", "appeal.register" */
};

/* The parts of sealing_build() the form decides: channel (static), the
 * category and "director involved" fields ("unknown" when none is chosen),
 * the page's language, and the receipt. The caller adds the content, the
 * identity and the files. */
struct sealing_parts desk_sealing_parts(const struct staff_ctx *c, const char *channel,
					const char *receipt);

/* Registers the sealed appeal a (freed here; NULL when sealing failed)
 * with taken's rows (desk_in_tx()), waiting at most the configured request
 * timeout. Returns the status of the page that follows: 200 registered
 * (*r filled), 500 not sealed, 503 not registered (r->unknown: it may have
 * been). */
unsigned desk_register(struct desk_taken *taken, struct appeal *a, struct appeal_result *r);

#endif
