#include "workflow/states.h"

#include <string.h>

static const char *const case_names[CASE_STATE_COUNT] = {
    [CASE_REGISTERED] = "registered",
    [CASE_TO_DIRECTOR] = "to_director",
    [CASE_ACKNOWLEDGED] = "acknowledged",
    [CASE_REFERRED] = "referred",
    [CASE_NOT_CONSIDERED] = "not_considered",
    [CASE_URGENT] = "urgent",
    [CASE_FORWARDED] = "forwarded",
    [CASE_INVESTIGATION] = "investigation",
    [CASE_CLOSED] = "closed",
};

static const char *const inv_names[INV_STATE_COUNT] = {
    [INV_ORDERED] = "ordered",
    [INV_IN_PROGRESS] = "in_progress",
    [INV_CONCLUSION_DRAFTED] = "conclusion_drafted",
    [INV_SUBMITTED] = "submitted",
    [INV_DECIDED] = "decided",
    [INV_MEASURES_ADOPTED] = "measures_adopted",
    [INV_CLOSED] = "closed",
};

static const char *const decision_names[DECISION_COUNT] = {
    [DECISION_STOP] = "stop",
    [DECISION_HAND_OVER] = "hand_over",
    [DECISION_DISCIPLINARY] = "disciplinary",
    [DECISION_OTHER_MEASURES] = "other_measures",
};

static bool parse(const char *const *names, int n, const char *name, int *out)
{
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i], name) == 0) {
			*out = i;
			return true;
		}
	}
	return false;
}

const char *case_state_name(enum case_state s)
{
	return s < CASE_STATE_COUNT ? case_names[s] : "?";
}

bool case_state_parse(const char *name, enum case_state *out)
{
	int i;
	if (!parse(case_names, CASE_STATE_COUNT, name, &i))
		return false;
	*out = (enum case_state)i;
	return true;
}

const char *investigation_state_name(enum investigation_state s)
{
	return s < INV_STATE_COUNT ? inv_names[s] : "?";
}

bool investigation_state_parse(const char *name, enum investigation_state *out)
{
	int i;
	if (!parse(inv_names, INV_STATE_COUNT, name, &i))
		return false;
	*out = (enum investigation_state)i;
	return true;
}

const char *investigation_decision_name(enum investigation_decision d)
{
	return d < DECISION_COUNT ? decision_names[d] : "?";
}

bool investigation_decision_parse(const char *name, enum investigation_decision *out)
{
	int i;
	if (!parse(decision_names, DECISION_COUNT, name, &i))
		return false;
	*out = (enum investigation_decision)i;
	return true;
}

bool case_state_ended(enum case_state s)
{
	return s == CASE_CLOSED || s == CASE_REFERRED || s == CASE_NOT_CONSIDERED ||
	       s == CASE_FORWARDED;
}

/* allowed[from][to] */
static const bool case_allowed[CASE_STATE_COUNT][CASE_STATE_COUNT] = {
    [CASE_REGISTERED] = {[CASE_TO_DIRECTOR] = true,
			 [CASE_REFERRED] = true,
			 [CASE_NOT_CONSIDERED] = true,
			 [CASE_URGENT] = true},
    /* the director may decide without a separate acknowledgment: deciding
     * acknowledges */
    [CASE_TO_DIRECTOR] = {[CASE_ACKNOWLEDGED] = true,
			  [CASE_FORWARDED] = true,
			  [CASE_INVESTIGATION] = true,
			  [CASE_CLOSED] = true},
    [CASE_ACKNOWLEDGED] =
	{[CASE_FORWARDED] = true, [CASE_INVESTIGATION] = true, [CASE_CLOSED] = true},
    [CASE_URGENT] = {[CASE_FORWARDED] = true},
    [CASE_INVESTIGATION] = {[CASE_CLOSED] = true},
};

const char *case_check_transition(enum case_state from, enum case_state to)
{
	if (from >= CASE_STATE_COUNT || to >= CASE_STATE_COUNT)
		return "unknown state";
	if (case_allowed[from][to])
		return NULL;
	switch (from) {
	case CASE_REGISTERED:
		return "the case has not been triaged yet";
	case CASE_TO_DIRECTOR:
	case CASE_ACKNOWLEDGED:
		return "the case waits for the director's decision";
	case CASE_URGENT:
		return "an urgent case can only be recorded as forwarded to the competent body";
	case CASE_INVESTIGATION:
		return "the case is under investigation: it closes when the investigation closes";
	case CASE_REFERRED:
	case CASE_NOT_CONSIDERED:
	case CASE_FORWARDED:
	case CASE_CLOSED:
		return "the case is already closed for the hotline";
	default:
		return "not allowed";
	}
}

const char *case_check_forwarded(enum case_state s, bool *moves)
{
	*moves = s == CASE_URGENT;
	if (!*moves && s != CASE_FORWARDED && s != CASE_INVESTIGATION)
		return "only an urgent case or a director's decision to forward is recorded as "
		       "forwarded";
	return NULL;
}

const char *investigation_check_transition(enum investigation_state from,
					   enum investigation_state to,
					   enum investigation_decision decision, bool decided)
{
	if (from >= INV_STATE_COUNT || to >= INV_STATE_COUNT)
		return "unknown state";
	if (to == from + 1) {
		if (to == INV_MEASURES_ADOPTED && decided &&
		    (decision == DECISION_STOP || decision == DECISION_HAND_OVER))
			return "no measures follow this decision: close the investigation";
		return NULL;
	}
	/* a decision to stop or to hand over needs no measures of ours */
	if (from == INV_DECIDED && to == INV_CLOSED && decided &&
	    (decision == DECISION_STOP || decision == DECISION_HAND_OVER))
		return NULL;
	if (from == INV_DECIDED && to == INV_CLOSED)
		return "measures must be adopted before the investigation closes";
	if (to <= from)
		return "an investigation does not go back";
	switch (to) {
	case INV_IN_PROGRESS:
		return "the investigation must be ordered first";
	case INV_CONCLUSION_DRAFTED:
		return "the investigation must be in progress before a conclusion is drafted";
	case INV_SUBMITTED:
		return "the commission submits its conclusion once it is drafted";
	case INV_DECIDED:
		return "management decides once the commission has submitted its reasoned "
		       "conclusion";
	case INV_MEASURES_ADOPTED:
		return "measures follow a decision";
	default:
		return "not allowed";
	}
}
