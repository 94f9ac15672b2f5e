#include "intake/statustext.h"

#include <string.h>

bool statustext_self_report(const char *category)
{
	return category &&
	       (strcmp(category, "conflict_of_interest") == 0 || strcmp(category, "gift") == 0 ||
		strcmp(category, "unlawful_order") == 0);
}

/* The investigation's own steps, once the commission has handed its
 * conclusion over: with management, or decided. */
static bool inv_submitted(const struct status_facts *f)
{
	return f->has_investigation && f->inv == INV_SUBMITTED;
}

static bool inv_decided(const struct status_facts *f)
{
	return f->has_investigation && f->inv >= INV_DECIDED;
}

enum msg statustext_headline(const struct status_facts *f)
{
	if (!f->state_known)
		return M_STATUS_HEAD_OTHER;
	bool alt = f->director_named;
	switch (f->state) {
	case CASE_REGISTERED:
		return M_STATUS_HEAD_REGISTERED;
	case CASE_TO_DIRECTOR:
		return alt ? M_STATUS_HEAD_TO_ALTERNATE : M_STATUS_HEAD_TO_DIRECTOR;
	case CASE_ACKNOWLEDGED:
		return alt ? M_STATUS_HEAD_ACK_ALTERNATE : M_STATUS_HEAD_ACK_DIRECTOR;
	case CASE_REFERRED:
		return M_STATUS_HEAD_REFERRED;
	case CASE_NOT_CONSIDERED:
		return M_STATUS_HEAD_NOT_CONSIDERED;
	case CASE_URGENT:
		return M_STATUS_HEAD_URGENT;
	case CASE_FORWARDED:
		return f->materials_sent ? M_STATUS_HEAD_FORWARDED : M_STATUS_HEAD_FORWARD_DECIDED;
	case CASE_INVESTIGATION:
		if (inv_decided(f))
			return M_STATUS_HEAD_DECIDED;
		if (inv_submitted(f))
			return alt ? M_STATUS_HEAD_SUBMITTED_ALTERNATE
				   : M_STATUS_HEAD_SUBMITTED_DIRECTOR;
		if (!f->has_investigation)
			return M_STATUS_HEAD_INV_TO_ORDER;
		return M_STATUS_HEAD_INVESTIGATION;
	case CASE_CLOSED:
		return M_STATUS_HEAD_CLOSED;
	default:
		return M_STATUS_HEAD_OTHER;
	}
}

struct lines {
	struct status_line *out;
	size_t n, max;
};

static void put(struct lines *l, const char *id, enum msg text)
{
	if (l->n < l->max)
		l->out[l->n++] = (struct status_line){.id = id, .text = text};
}

/* Who is to answer the reporter once the case has left the hotline: a
 * named reporter is owed a reply (its deadline outlives a referral or a
 * forwarding, docs/procedure.md "The reply"); nobody can write to an
 * anonymous one but on this page. */
static void put_reply(struct lines *l, const struct status_facts *f)
{
	put(l, "reply-note",
	    f->anonymous ? M_STATUS_TEXT_ANON_NO_REPLY : M_STATUS_TEXT_NAMED_REPLY);
}

static void registered(struct lines *l, const struct status_facts *f)
{
	put(l, "who", M_STATUS_TEXT_REG_WHO);
	/* 004 p.6.3: without the organisation's policy, an anonymous report
	 * never reaches management as a corruption report, so nothing is
	 * promised about the director's day */
	if (f->anonymous && !f->considers_anonymous) {
		put(l, "anonymous-rule", M_STATUS_TEXT_REG_ANON_RULE);
		return;
	}
	if (f->anonymous)
		put(l, "anonymous-rule", M_STATUS_TEXT_REG_ANON_POLICY);
	if (f->self_report)
		put(l, "self-report", M_STATUS_TEXT_SELF_REPORT);
	/* the reporter's "yes" routes it to the alternate from registration
	 * on (migrations/0003); a "no" or "don't know" may still be found to
	 * concern the director at the review, so that text names both */
	put(l, "next",
	    f->director_named ? M_STATUS_TEXT_REG_NEXT_ALTERNATE : M_STATUS_TEXT_REG_NEXT);
}

static void investigation(struct lines *l, const struct status_facts *f)
{
	bool alt = f->director_named;
	if (inv_decided(f)) {
		put(l, "who", M_STATUS_TEXT_DECIDED);
		return;
	}
	if (inv_submitted(f)) {
		put(l, "who",
		    alt ? M_STATUS_TEXT_SUBMITTED_ALTERNATE : M_STATUS_TEXT_SUBMITTED_DIRECTOR);
		return;
	}
	/* decided, but the order naming the commission (and starting its ten
	 * working days) is not recorded yet */
	if (!f->has_investigation)
		put(l, "who",
		    alt ? M_STATUS_TEXT_INV_TO_ORDER_ALTERNATE
			: M_STATUS_TEXT_INV_TO_ORDER_DIRECTOR);
	else
		put(l, "who", alt ? M_STATUS_TEXT_INV_ALTERNATE : M_STATUS_TEXT_INV_DIRECTOR);
	if (f->decision && strcmp(f->decision, "forward_and_investigate") == 0)
		put(l, "also-forwarded", M_STATUS_TEXT_INV_ALSO_FORWARD);
	/* the commission is told of and reads the reporter's messages while
	 * it sits (docs/procedure.md "Notices") */
	put(l, "can-do", M_STATUS_TEXT_INV_WRITE);
}

static void closed(struct lines *l, const struct status_facts *f)
{
	static const struct {
		const char *decision;
		enum msg text;
	} outcomes[] = {
	    {"stop", M_STATUS_TEXT_CLOSED_STOP},
	    {"hand_over", M_STATUS_TEXT_CLOSED_HAND_OVER},
	    {"disciplinary", M_STATUS_TEXT_CLOSED_DISCIPLINARY},
	    {"other_measures", M_STATUS_TEXT_CLOSED_OTHER_MEASURES},
	};
	if (f->decision && strcmp(f->decision, "no_grounds") == 0) {
		put(l, "outcome", M_STATUS_TEXT_CLOSED_NO_GROUNDS);
	} else if (f->inv_decision) {
		for (size_t i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++) {
			if (strcmp(outcomes[i].decision, f->inv_decision) == 0)
				put(l, "outcome", outcomes[i].text);
		}
	}
	put(l, "finished", M_STATUS_TEXT_FINISHED);
}

size_t statustext_lines(const struct status_facts *f, struct status_line *out, size_t max)
{
	struct lines l = {.out = out, .n = 0, .max = max};
	if (!f->state_known)
		return 0;
	bool alt = f->director_named;
	switch (f->state) {
	case CASE_REGISTERED:
		registered(&l, f);
		break;
	case CASE_TO_DIRECTOR:
		put(&l, "who", alt ? M_STATUS_TEXT_ALTERNATE_WHO : M_STATUS_TEXT_DIRECTOR_WHO);
		break;
	case CASE_ACKNOWLEDGED:
		put(&l, "who", alt ? M_STATUS_TEXT_ACK_ALTERNATE : M_STATUS_TEXT_ACK_DIRECTOR);
		break;
	case CASE_REFERRED:
		put(&l, "outcome", M_STATUS_TEXT_REFERRED);
		put_reply(&l, f);
		put(&l, "finished", M_STATUS_TEXT_FINISHED);
		break;
	case CASE_NOT_CONSIDERED:
		put(&l, "outcome", M_STATUS_TEXT_NOT_CONSIDERED);
		if (f->unit_recorded)
			put(&l, "unit", M_STATUS_TEXT_NOT_CONSIDERED_UNIT);
		put(&l, "can-do", M_STATUS_TEXT_NOT_CONSIDERED_CAN);
		put(&l, "finished", M_STATUS_TEXT_FINISHED);
		break;
	case CASE_URGENT:
		put(&l, "outcome", M_STATUS_TEXT_URGENT);
		break;
	case CASE_FORWARDED:
		put(&l, "outcome",
		    f->materials_sent ? M_STATUS_TEXT_FORWARDED : M_STATUS_TEXT_FORWARD_DECIDED);
		put_reply(&l, f);
		/* finished here once the materials have gone, not before */
		if (f->materials_sent)
			put(&l, "finished", M_STATUS_TEXT_FINISHED);
		break;
	case CASE_INVESTIGATION:
		investigation(&l, f);
		break;
	case CASE_CLOSED:
		closed(&l, f);
		break;
	default:
		break;
	}
	return l.n;
}

bool statustext_deadline(const char *kind, bool director_named, enum msg *out)
{
	if (strcmp(kind, "triage") == 0)
		*out = M_STATUS_DUE_TRIAGE;
	else if (strcmp(kind, "director_notice") == 0)
		*out = director_named ? M_STATUS_DUE_ALTERNATE : M_STATUS_DUE_DIRECTOR;
	else if (strcmp(kind, "urgent_forward") == 0)
		*out = M_STATUS_DUE_URGENT;
	else if (strcmp(kind, "investigation") == 0)
		*out = M_STATUS_DUE_INVESTIGATION;
	else if (strcmp(kind, "reply") == 0)
		*out = M_STATUS_DUE_REPLY;
	else
		return false; /* requests for materials are the commission's */
	return true;
}
