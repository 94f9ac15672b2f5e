/* The states a case and a service investigation go through, and the only
 * transitions the procedure allows (seed 004 chapters 6, 7, 10). Anything
 * else is refused with a reason a person can act on. Pure: no database. */
#ifndef HOTLINE_WORKFLOW_STATES_H
#define HOTLINE_WORKFLOW_STATES_H

#include <stdbool.h>

enum case_state {
	CASE_REGISTERED,     /* in the journal, waiting for triage */
	CASE_TO_DIRECTOR,    /* a corruption report or self-report: the director must be told */
	CASE_ACKNOWLEDGED,   /* the director acknowledged it */
	CASE_REFERRED,	     /* not about corruption: sent to a unit, closed for the hotline */
	CASE_NOT_CONSIDERED, /* anonymous: registered, not considered (004 L111-112) */
	CASE_URGENT,	     /* anonymous, but a crime or a threat: forward at once */
	CASE_FORWARDED,	     /* materials sent to the anti-corruption service / competent body */
	CASE_INVESTIGATION,  /* a service investigation is running */
	CASE_CLOSED,
	CASE_STATE_COUNT
};

enum investigation_state {
	INV_ORDERED,
	INV_IN_PROGRESS,
	INV_CONCLUSION_DRAFTED, /* the commission's reasoned conclusion, not yet handed over */
	INV_SUBMITTED,		/* conclusion and materials with management (004 p.7.10) */
	INV_DECIDED,		/* management's decision of 004 p.7.11 */
	INV_MEASURES_ADOPTED,
	INV_CLOSED,
	INV_STATE_COUNT
};

/* The four decisions of 004 L142-146. */
enum investigation_decision {
	DECISION_STOP,		 /* stop considering the report */
	DECISION_HAND_OVER,	 /* hand the materials to the competent authorities */
	DECISION_DISCIPLINARY,	 /* disciplinary measures */
	DECISION_OTHER_MEASURES, /* other measures under the law */
	DECISION_COUNT
};

const char *case_state_name(enum case_state s);
bool case_state_parse(const char *name, enum case_state *out);
const char *investigation_state_name(enum investigation_state s);
bool investigation_state_parse(const char *name, enum investigation_state *out);
const char *investigation_decision_name(enum investigation_decision d);
bool investigation_decision_parse(const char *name, enum investigation_decision *out);

/* Whether the state ends the case's procedure for the hotline: closed,
 * referred, not considered, forwarded. No move leaves it; no deadline runs
 * but the reply a named reporter is owed after a referral or a forwarding
 * (workflow/deadline.h deadline_end_case). SQL asks hotline.case_ended()
 * (migrations/0027), which holds the same list. */
bool case_state_ended(enum case_state s);

/* NULL when allowed, else why not (English, for the operator's terminal
 * and the log). This table is the only check of a case's moves: the
 * database checks only that a state is one of these names (constraint
 * cases_state_known, migrations/0003); every move goes through
 * workflow/procedure.c or workflow/investigation.c, which ask it first. */
const char *case_check_transition(enum case_state from, enum case_state to);
/* Recording that the materials went to the competent body: an urgent
 * case moves to forwarded (*moves true); a case the director decided to
 * forward (forwarded, or under investigation after "forward and
 * investigate") only gets the record. NULL when allowed, else why not. */
const char *case_check_forwarded(enum case_state s, bool *moves);
const char *investigation_check_transition(enum investigation_state from,
					   enum investigation_state to,
					   enum investigation_decision decision, bool decided);

#endif
