/* What the reporter reads about their case on /status: the state in one
 * line, who has the report now, what follows and what it means, chosen
 * from the facts of the case (its state, the investigation's, the
 * decisions, anonymity, whether the report names the director, the
 * category). Only texts that are true for that case: the table of
 * docs/http.md "What the status page says" is this file's, and
 * tests/integration/test_status_texts.py walks it. Pure: no database. */
#ifndef HOTLINE_INTAKE_STATUSTEXT_H
#define HOTLINE_INTAKE_STATUSTEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/i18n.h"
#include "workflow/states.h"

struct status_facts {
	enum case_state state;
	bool state_known; /* false: a name this build does not know */
	bool anonymous;
	/* hotline.cases.director_named: the case goes to the director's
	 * alternate, never to the director */
	bool director_named;
	/* the organisation's policy to consider anonymous reports (004 p.6.3) */
	bool considers_anonymous;
	/* the reporter's category is about themselves: a gift, their own
	 * conflict of interest, doubt about an order */
	bool self_report;
	bool materials_sent;	/* forwarded_at is recorded */
	bool unit_recorded;	/* the triage recorded the unit it went to */
	const char *decision;	/* the director's (hotline.cases.decision), "" when none */
	bool has_investigation; /* a row in hotline.investigations */
	enum investigation_state inv;
	const char *inv_decision; /* management's decision of 004 p.7.11, "" when none */
};

/* One paragraph: its HTML id and its text. */
struct status_line {
	const char *id;
	enum msg text;
};

/* The state in one line (#state). */
enum msg statustext_headline(const struct status_facts *f);

/* The paragraphs under it, in reading order; returns how many were put
 * in out (never more than max; STATUSTEXT_MAX is enough). */
#define STATUSTEXT_MAX 8
size_t statustext_lines(const struct status_facts *f, struct status_line *out, size_t max);

/* The line of a running deadline of this kind ("%s" for its date), false
 * for kinds the reporter is not shown (requests for materials). */
bool statustext_deadline(const char *kind, bool director_named, enum msg *out);

/* Whether the category the reporter chose is about themselves. */
bool statustext_self_report(const char *category);

#endif
