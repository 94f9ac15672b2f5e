#include "staff/refusal.h"

#include <stdio.h>

#include "staff/casefile.h"
#include "staff/staff.h"

enum msg refusal_text(enum wf_code code)
{
	switch (code) {
	case WF_NO_CASE:
		return M_WF_NO_CASE;
	case WF_MISSING:
		return M_WF_MISSING;
	case WF_BAD_DATE:
		return M_WF_BAD_DATE;
	case WF_CASE_STATE:
		return M_WF_CASE_STATE;
	case WF_NOT_ORDERED:
		return M_WF_NOT_ORDERED;
	case WF_ALREADY_ORDERED:
		return M_WF_ALREADY_ORDERED;
	case WF_MEMBER_NAMED:
		return M_WF_MEMBER_NAMED;
	case WF_MEMBER_INTEREST:
		return M_WF_MEMBER_INTEREST;
	case WF_TRANSITION:
		return M_WF_TRANSITION;
	case WF_EMPTY:
		return M_WF_EMPTY;
	case WF_NO_CONSENT:
		return M_WF_NO_CONSENT;
	case WF_DECIDED:
		return M_WF_DECIDED;
	case WF_DUE_NOT_LATER:
		return M_WF_DUE_NOT_LATER;
	case WF_NOT_RUNNING:
		return M_WF_NOT_RUNNING;
	case WF_NO_REQUEST:
		return M_WF_NO_REQUEST;
	case WF_BAD_DECISION:
		return M_WF_BAD_DECISION;
	case WF_NO_REVEAL:
		return M_WF_NO_REVEAL;
	case WF_NO_IDENTITY:
		return M_WF_NO_IDENTITY;
	case WF_REVEAL_OPEN:
		return M_WF_REVEAL_OPEN;
	case WF_NOT_MEMBER:
		return M_WF_NOT_MEMBER;
	case WF_NOT_APPROVER:
		return M_WF_NOT_APPROVER;
	case WF_SELF_APPROVAL:
		return M_WF_SELF_APPROVAL;
	case WF_REVEAL_STATE:
		return M_WF_REVEAL_STATE;
	case WF_NOT_APPROVED:
		return M_WF_NOT_APPROVED;
	case WF_CUSTODIAN_REQUESTER:
		return M_WF_CUSTODIAN_REQUESTER;
	case WF_KEY_MISMATCH:
		return M_WF_KEY_MISMATCH;
	case WF_NOT_RELEASED:
		return M_WF_NOT_RELEASED;
	case WF_DATE_IN_FUTURE:
		return M_WF_DATE_IN_FUTURE;
	case WF_ORDER_BEFORE_DECISION:
		return M_WF_ORDER_BEFORE_DECISION;
	case WF_REQUEST_BEFORE_ORDER:
		return M_WF_REQUEST_BEFORE_ORDER;
	case WF_CONSENT_BEFORE_ORDER:
		return M_WF_CONSENT_BEFORE_ORDER;
	case WF_NOT_DECIDER:
		return M_WF_NOT_DECIDER;
	case WF_DUE_NOT_WORKING:
		return M_WF_DUE_NOT_WORKING;
	case WF_DECISION_BEFORE_SUBMIT:
		return M_WF_DECISION_BEFORE_SUBMIT;
	case WF_MEASURES_BEFORE_DECISION:
		return M_WF_MEASURES_BEFORE_DECISION;
	case WF_DIRECTOR_ANSWERED:
		return M_WF_DIRECTOR_ANSWERED;
	case WF_NOT_TRIAGED:
		return M_WF_NOT_TRIAGED;
	default: /* the database, encryption: nothing the reader can change */
		break;
	}
	return M_WF_FAILED;
}

void refusal_say(const struct staff_ctx *c, const struct wf_error *e, char *out, size_t size)
{
	const char *rule = i18n(c->lang, refusal_text(e->code));
	if (!e->has_detail) {
		snprintf(out, size, "%s", rule);
		return;
	}
	const struct wf_detail *d = &e->detail;
	char v[2][96] = {"", ""};
	for (int i = 0; i < d->nvalues && i < 2; i++) {
		if (d->kind[i] == WF_VALUE_DATE)
			staff_date_str(c, d->value[i], v[i], sizeof(v[i]));
		else if (d->kind[i] == WF_VALUE_CASE_STATE)
			snprintf(v[i], sizeof(v[i]), "%s",
				 i18n(c->lang, casefile_state_text(d->value[i])));
		else if (d->kind[i] == WF_VALUE_INV_STATE)
			snprintf(v[i], sizeof(v[i]), "%s",
				 i18n(c->lang, casefile_inv_state_text(d->value[i])));
		else
			snprintf(v[i], sizeof(v[i]), "%s", d->value[i]);
	}
	char detail[512];
	/* the catalog's %s count is the one the step gave (tests/unit/test_i18n.c
	 * checks each language has the English placeholders) */
	snprintf(detail, sizeof(detail), i18n(c->lang, d->text), v[0], v[1]);
	snprintf(out, size, "%s %s", rule, detail);
}
