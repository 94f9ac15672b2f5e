/* The procedure's steps for the compliance manager and the director (seed
 * 004 chapters 6, 7 and 10; docs/procedure.md): triage, the director's
 * acknowledgment and decision, recording a forward, a declared personal
 * interest, and the cover letter of a decision to forward. hotlinectl and
 * the staff pages both call these, so a step is checked and recorded in
 * one place.
 *
 * Each step runs on a blocking connection inside a transaction the CALLER
 * opened (so a page can write its audit row in the same one) and commits
 * nothing. It locks the case, checks the move (workflow/states.h), records
 * it with its timeline event, its deadline and its notices (never content,
 * workflow/notice.h). On refusal or error the caller rolls back; the
 * struct wf_error (workflow/wfdb.h) says why: its code for a page to
 * translate, its English text for the terminal. */
#ifndef HOTLINE_WORKFLOW_PROCEDURE_H
#define HOTLINE_WORKFLOW_PROCEDURE_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "base/attr.h"
#include "workflow/states.h"
#include "workflow/wfdb.h"

struct content_key;

/* What a step did, when it succeeded. */
struct procedure_outcome {
	enum case_state state; /* the case's state after the step */
	char due[11];	       /* the deadline the step set, "" if none */
	bool no_recipient;     /* a notice was due but nobody is configured for it */
};

enum triage_outcome {
	TRIAGE_CORRUPTION,     /* corruption or a self-report: to the director */
	TRIAGE_NOT_CORRUPTION, /* sent to a unit (004 p.10.9) */
	TRIAGE_ANONYMOUS,      /* anonymous: not considered (004 p.6.3) */
	TRIAGE_URGENT,	       /* anonymous, but a crime or a threat: forward now */
	TRIAGE_COUNT
};

/* "corruption", "not_corruption", "anonymous", "urgent". */
const char *triage_outcome_name(enum triage_outcome t);
bool triage_outcome_parse(const char *name, enum triage_outcome *out);

enum director_decision {
	DIRECTOR_FORWARD,		  /* to the anti-corruption service (004 p.10.6) */
	DIRECTOR_INVESTIGATE,		  /* a service investigation (004 p.10.8) */
	DIRECTOR_FORWARD_AND_INVESTIGATE, /* both */
	DIRECTOR_NO_GROUNDS,		  /* closed */
	DIRECTOR_DECISION_COUNT
};

/* "forward", "investigate", "forward_and_investigate", "no_grounds". */
const char *director_decision_name(enum director_decision d);
bool director_decision_parse(const char *name, enum director_decision *out);

/* The organisation's documented policy to consider anonymous reports
 * (hotline.settings consider_anonymous_reports, off by default): true for
 * "on", "yes", "true" or "1"; false for anything else, NULL included. */
bool procedure_considers_anonymous(const char *setting);

/* Why an outcome cannot be given to an appeal (English, for the terminal
 * and after the page's own sentence), or NULL when it can. 004 p.6.3: an
 * anonymous appeal is not considered ("anonymous") unless it tells of a
 * crime or a threat ("urgent"); "corruption" for it is refused unless the
 * organisation considers anonymous reports. A named appeal can be
 * answered, so it is never "anonymous" or "urgent". Pure. */
const char *procedure_triage_refusal(bool anonymous, enum triage_outcome outcome,
				     bool considers_anonymous);

/* actor: who took the step, for the timeline (a staff login); NULL from
 * the terminal. */
struct procedure_triage {
	enum triage_outcome outcome;
	const char *unit;	       /* required for TRIAGE_NOT_CORRUPTION; recorded for
					  TRIAGE_ANONYMOUS when given (004 L197) */
	int director_named;	       /* -1 leave as it is, 0 no, 1 yes; "no" is refused
					  (WF_DIRECTOR_ANSWERED) when the reporter
					  answered that the director is involved */
	const struct content_key *key; /* the case's content key: the unit is
				   stored only under it (workflow/freetext.h);
				   needed when a unit is given */
};

bool procedure_triage(PGconn *pg, const char *reg_no, const struct procedure_triage *t,
		      const char *actor, struct procedure_outcome *out,
		      struct wf_error *e) MUST_CHECK;

/* The alternate recipient, and only they (the caller checks the role),
 * clears the flag "the report names the director", also when the reporter
 * answered "yes": the case then goes to the director. reason_note: the id
 * of the internal note (encrypted under the case's content key) the caller
 * wrote with the reason; required. Refused when the case does not name
 * the director. A timeline event records it with the reporter's answer,
 * who, and the note's id. */
bool procedure_clear_director_named(PGconn *pg, const char *reg_no, const char *reason_note,
				    const char *actor, struct procedure_outcome *out,
				    struct wf_error *e) MUST_CHECK;

/* The director (or alternate) acknowledges: meets the director_notice
 * deadline. */
bool procedure_ack(PGconn *pg, const char *reg_no, const char *actor, struct procedure_outcome *out,
		   struct wf_error *e) MUST_CHECK;

/* The decision, with its document (may be "" or NULL). An investigation
 * is then ordered separately (its order number and commission). */
bool procedure_decide(PGconn *pg, const char *reg_no, enum director_decision d, const char *doc,
		      const char *actor, struct procedure_outcome *out,
		      struct wf_error *e) MUST_CHECK;

/* The materials went to body (an urgent case, or after a decision to
 * forward). body is stored only under key, the case's content key
 * (workflow/freetext.h); the timeline event does not name it. */
bool procedure_forwarded(PGconn *pg, const char *reg_no, const char *body,
			 const struct content_key *key, const char *actor,
			 struct procedure_outcome *out, struct wf_error *e) MUST_CHECK;

/* A person declared a personal interest: they cannot sit on the case's
 * commission (004 L105, 002 L47). The name is stored only under key, the
 * case's content key; a name already declared (the same text) is not
 * declared twice. declared_by: the staff account that recorded it, 0 from
 * the terminal. */
bool procedure_declare_interest(PGconn *pg, const char *reg_no, const char *name,
				const struct content_key *key, long long declared_by,
				struct wf_error *e) MUST_CHECK;

/* What the printable cover letter for sending the materials on paper says
 * (004 p.10.7): case number and dates only, never content or identity.
 * The staff pages render it (staff/coverletter.h). Every field is text
 * the caller frees with procedure_letter_free(). */
struct procedure_letter {
	char *reg_no;
	char *registered;   /* the day of registration, DD.MM.YYYY (Asia/Almaty) */
	char *decided;	    /* the day of the director's decision, DD.MM.YYYY; "" if none */
	char *doc;	    /* the decision's document; "" if none */
	char *files;	    /* how many files the case holds, in decimal */
	char *organisation; /* hotline.settings organisation; "" if unset */
};

/* Reads the letter's facts into out. Refused unless the director decided
 * to forward the case (forward, or forward and investigate). */
bool procedure_letter_load(PGconn *pg, const char *reg_no, struct procedure_letter *out,
			   struct wf_error *e) MUST_CHECK;
/* Frees the fields; NULL and a zeroed struct are fine. */
void procedure_letter_free(struct procedure_letter *l);

#endif
