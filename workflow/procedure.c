/* The procedure's steps on a blocking connection: see procedure.h. */
#include "workflow/procedure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/db.h"
#include "base/schema.h"
#include "crypto/keys.h"
#include "workflow/calendar.h"
#include "workflow/deadline.h"
#include "workflow/freetext.h"
#include "workflow/names.h"
#include "workflow/notice.h"
#include "workflow/recipient.h"

struct kase {
	char id[24];
	char reg_no[16];
	enum case_state state;
	bool anonymous;
	bool director_named;
	char director_involved[8]; /* the reporter's own answer: yes, no, unknown */
	char reg_date[11];	   /* Asia/Almaty */
	char decision[32];	   /* "" when none */
	struct procedure_outcome *out;
};

static const char sql_case[] =
    "SELECT c.id, j.reg_no, c.state, c.anonymous, c.director_named, "
    "to_char(j.registered_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD') AS reg_date, "
    "coalesce(c.decision, '') AS decision, c.director_involved "
    "FROM hotline.cases c JOIN hotline.journal j ON j.id = c.journal_id "
    "WHERE j.reg_no = $1 FOR UPDATE OF c";
static const char sql_state[] =
    "UPDATE hotline.cases SET state = $2, state_changed_at = now() WHERE id = $1";
static const char sql_meet[] =
    "UPDATE hotline.deadlines SET met_at = now() WHERE case_id = $1 AND kind = $2 "
    "AND met_at IS NULL";

static const char *const triage_names[TRIAGE_COUNT] = {"corruption", "not_corruption", "anonymous",
						       "urgent"};
static const char *const decision_names[DIRECTOR_DECISION_COUNT] = {
    "forward", "investigate", "forward_and_investigate", "no_grounds"};

const char *triage_outcome_name(enum triage_outcome t)
{
	return (unsigned)t < TRIAGE_COUNT ? triage_names[t] : "?";
}

bool triage_outcome_parse(const char *name, enum triage_outcome *out)
{
	for (int i = 0; i < TRIAGE_COUNT; i++) {
		if (name && strcmp(name, triage_names[i]) == 0) {
			*out = (enum triage_outcome)i;
			return true;
		}
	}
	return false;
}

const char *director_decision_name(enum director_decision d)
{
	return (unsigned)d < DIRECTOR_DECISION_COUNT ? decision_names[d] : "?";
}

bool director_decision_parse(const char *name, enum director_decision *out)
{
	for (int i = 0; i < DIRECTOR_DECISION_COUNT; i++) {
		if (name && strcmp(name, decision_names[i]) == 0) {
			*out = (enum director_decision)i;
			return true;
		}
	}
	return false;
}

bool procedure_considers_anonymous(const char *setting)
{
	static const char *const on[] = {"on", "yes", "true", "1"};
	for (size_t i = 0; setting && i < sizeof(on) / sizeof(on[0]); i++) {
		if (strcasecmp(setting, on[i]) == 0)
			return true;
	}
	return false;
}

const char *procedure_triage_refusal(bool anonymous, enum triage_outcome outcome,
				     bool considers_anonymous)
{
	if ((outcome == TRIAGE_ANONYMOUS || outcome == TRIAGE_URGENT) && !anonymous)
		return "the appeal is not anonymous: the reporter can be answered, so it is "
		       "triaged as corruption or not_corruption";
	if (outcome == TRIAGE_CORRUPTION && anonymous && !considers_anonymous)
		return "an anonymous appeal is not considered unless it tells of a crime being "
		       "prepared or committed or of a threat to state or public security (then "
		       "it is urgent); triage it as anonymous or urgent, or the organisation "
		       "sets its policy to consider anonymous reports "
		       "(consider_anonymous_reports)";
	return NULL;
}

/* Locks and reads the case. */
static bool load_case(PGconn *pg, const char *reg_no, struct kase *k, struct procedure_outcome *out,
		      struct wf_error *e)
{
	const char *v[1] = {reg_no};
	PGresult *res = wfdb_exec(pg, sql_case, 1, v, e);
	if (!res)
		return false;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return wf_fail(e, WF_NO_CASE, "no case %s in the journal", reg_no);
	}
	memset(k, 0, sizeof(*k));
	snprintf(k->id, sizeof(k->id), "%s", PQgetvalue(res, 0, db_col(res, "id")));
	snprintf(k->reg_no, sizeof(k->reg_no), "%s", PQgetvalue(res, 0, db_col(res, "reg_no")));
	bool known = case_state_parse(PQgetvalue(res, 0, db_col(res, "state")), &k->state);
	k->anonymous = strcmp(PQgetvalue(res, 0, db_col(res, "anonymous")), "t") == 0;
	k->director_named = strcmp(PQgetvalue(res, 0, db_col(res, "director_named")), "t") == 0;
	snprintf(k->reg_date, sizeof(k->reg_date), "%s",
		 PQgetvalue(res, 0, db_col(res, "reg_date")));
	snprintf(k->decision, sizeof(k->decision), "%s",
		 PQgetvalue(res, 0, db_col(res, "decision")));
	snprintf(k->director_involved, sizeof(k->director_involved), "%s",
		 PQgetvalue(res, 0, db_col(res, "director_involved")));
	PQclear(res);
	if (!known)
		return wf_fail(e, WF_DB, "case %s has an unknown state", reg_no);
	memset(out, 0, sizeof(*out));
	out->state = k->state;
	k->out = out;
	return true;
}

/* A timeline event; detail is {key: value} plus "by" when an actor is
 * known. */
static bool event(PGconn *pg, const struct kase *k, const char *kind, const char *key,
		  const char *value, const char *actor, struct wf_error *e)
{
	json_t *d = json_object();
	if (key)
		json_object_set_new(d, key, json_string(value));
	if (actor && *actor)
		json_object_set_new(d, "by", json_string(actor));
	char *text = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	if (!text)
		return wf_fail(e, WF_DB, "out of memory");
	bool ok = wfdb_case_event(pg, k->id, kind, text, e);
	free(text);
	return ok;
}

/* Whether the reporter answered "yes" to "is the director involved?". */
static bool reporter_named_director(const struct kase *k)
{
	return strcmp(k->director_involved, "yes") == 0;
}

/* Changes the flag "the report names the director", which routes the case
 * away from the director to the alternate recipient (000 L140). The
 * reporter's own answer stays as it was in cases.director_involved. When
 * it was "yes", only the alternate recipient clears the flag, with a
 * reason (by_alternate, reason_note): a compliance manager alone could
 * otherwise hand the director a report about the director. Every change,
 * by anyone, is a timeline event naming who made it and the reporter's
 * answer; the reason itself is an encrypted note, named by its id. */
static bool set_director_named(PGconn *pg, struct kase *k, bool named, bool by_alternate,
			       const char *reason_note, const char *actor, struct wf_error *e)
{
	static const char sql_named[] =
	    "UPDATE hotline.cases SET director_named = $2 WHERE id = $1";
	if (named == k->director_named)
		return true;
	if (!named && reporter_named_director(k) && !by_alternate)
		return wf_fail(
		    e, WF_DIRECTOR_ANSWERED,
		    "case %s: the reporter said the director is involved; only the "
		    "director's alternate recipient may clear that, with a reason (on the "
		    "case page, or hotlinectl case director-named)",
		    k->reg_no);
	const char *v[2] = {k->id, named ? "true" : "false"};
	if (!wfdb_run(pg, sql_named, 2, v, e))
		return false;
	k->director_named = named;
	json_t *d = json_object();
	json_object_set_new(d, "named", json_string(named ? "yes" : "no"));
	json_object_set_new(d, "reporter", json_string(k->director_involved));
	if (reason_note && *reason_note)
		json_object_set_new(d, "reason_note", json_string(reason_note));
	if (actor && *actor)
		json_object_set_new(d, "by", json_string(actor));
	char *text = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	if (!text)
		return wf_fail(e, WF_DB, "out of memory");
	bool ok = wfdb_case_event(pg, k->id, "director_named", text, e);
	free(text);
	return ok;
}

/* Checks and records a state change with its timeline event. */
static bool move(PGconn *pg, struct kase *k, enum case_state to, const char *kind, const char *key,
		 const char *value, const char *actor, struct wf_error *e)
{
	const char *why = case_check_transition(k->state, to);
	if (why) {
		wf_fail(e, WF_CASE_STATE, "case %s is %s: %s", k->reg_no, case_state_name(k->state),
			why);
		return wf_explain(e, M_WF_CASE_NOW, WF_VALUE_CASE_STATE, case_state_name(k->state),
				  WF_VALUE_TEXT, NULL);
	}
	const char *v[2] = {k->id, case_state_name(to)};
	if (!wfdb_run(pg, sql_state, 2, v, e) || !event(pg, k, kind, key, value, actor, e))
		return false;
	k->state = to;
	k->out->state = to;
	return true;
}

static bool meet(PGconn *pg, const struct kase *k, const char *kind, struct wf_error *e)
{
	const char *v[2] = {k->id, kind};
	return wfdb_run(pg, sql_meet, 2, v, e);
}

/* The director_notice deadline is met when the director was informed,
 * which hotline.director_informed_at() alone defines (migrations/0010):
 * the board, the figures and the status page read the same function. */
static bool meet_director_informed(PGconn *pg, const struct kase *k, struct wf_error *e)
{
	static const char sql_informed[] =
	    "UPDATE hotline.deadlines d SET met_at = hotline.director_informed_at(c) "
	    "FROM hotline.cases c WHERE c.id = d.case_id AND d.case_id = $1 "
	    "AND d.kind = 'director_notice' AND d.met_at IS NULL "
	    "AND hotline.director_informed_at(c) IS NOT NULL";
	const char *v[1] = {k->id};
	return wfdb_run(pg, sql_informed, 1, v, e);
}

/* A case that reached an end for the hotline (closed, referred, not
 * considered, forwarded) leaves nothing running: no deadline, no overdue
 * flag, no reminder waiting to be sent (deadline_end_case). Called after
 * the step met the deadline it fulfils, so that one counts as met. */
static bool end_if_over(PGconn *pg, const struct kase *k, struct wf_error *e)
{
	return !case_state_ended(k->state) ||
	       deadline_end_case(pg, k->id, k->state == CASE_CLOSED, e);
}

/* Queues the notice to each person the rule names (workflow/recipient.h). */
static bool notify(PGconn *pg, const struct kase *k, enum notice_kind nk, const char *kind,
		   const char *deadline_kind, struct wf_error *e)
{
	enum recipient who[RECIPIENT_MAX];
	int nkeys =
	    recipient_list(nk, deadline_kind, k->director_named, k->state != CASE_REGISTERED, who);
	char *url = wfdb_setting(pg, "console_url"), *org = wfdb_setting(pg, "organisation");
	char *to[2] = {NULL, NULL};
	for (int i = 0; i < nkeys && i < 2; i++)
		to[i] = wfdb_setting(pg, recipient_setting(who[i]));
	struct notice_facts f = {.reg_no = k->reg_no,
				 .deadline_kind = deadline_kind,
				 .due_date = k->out->due,
				 .console_url = url,
				 .organisation = org};
	struct notice n;
	notice_build(&n, nk, &f);
	int queued = 0;
	const char *const recipients[2] = {to[0], to[1]};
	bool ok = wfdb_notify(pg, k->id, kind, recipients, nkeys < 2 ? nkeys : 2, &n, &queued, e);
	k->out->no_recipient = queued == 0;
	notice_free(&n);
	free(url);
	free(org);
	free(to[0]);
	free(to[1]);
	return ok;
}

/* --- the steps --- */

/* text sealed to the case's reporter key as a bytea parameter, in *out;
 * *out stays NULL when the case has no reporter key (yet). */
static bool reporter_seal(PGconn *pg, const struct kase *k, const char *text, char **out,
			  struct wf_error *e)
{
	static const char sql_key[] = "SELECT reporter_public_key FROM hotline.cases WHERE id = $1";
	const char *v[1] = {k->id};
	PGresult *res = wfdb_exec(pg, sql_key, 1, v, e);
	if (!res)
		return false;
	*out = NULL;
	bool ok = true;
	int col = db_col(res, "reporter_public_key");
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, col)) {
		size_t len = 0;
		unsigned char *pk =
		    PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, col), &len);
		struct public_key to;
		if (pk && len == sizeof(to.bytes)) {
			memcpy(to.bytes, pk, len);
			*out = freetext_seal_to(&to, text);
			ok = *out != NULL;
		}
		PQfreemem(pk);
	}
	PQclear(res);
	return ok || wf_fail(e, WF_CRYPTO, "sealing the unit to the reporter failed");
}

bool procedure_triage(PGconn *pg, const char *reg_no, const struct procedure_triage *t,
		      const char *actor, struct procedure_outcome *out, struct wf_error *e)
{
	static const enum case_state target[TRIAGE_COUNT] = {CASE_TO_DIRECTOR, CASE_REFERRED,
							     CASE_NOT_CONSIDERED, CASE_URGENT};
	if ((unsigned)t->outcome >= TRIAGE_COUNT)
		return wf_missing(e, M_WF_NEED_CHOICE, "unknown triage outcome");
	enum case_state to = target[t->outcome];
	if (to == CASE_REFERRED && (!t->unit || !*t->unit))
		return wf_missing(e, M_WF_NEED_UNIT,
				  "a report not about corruption is sent to a unit: name the unit");
	struct kase k;
	if (!load_case(pg, reg_no, &k, out, e))
		return false;
	/* checked before anything is written, so a refusal leaves no trace */
	const char *why = case_check_transition(k.state, to);
	if (why) {
		wf_fail(e, WF_CASE_STATE, "case %s is %s: %s", k.reg_no, case_state_name(k.state),
			why);
		return wf_explain(e, M_WF_CASE_NOW, WF_VALUE_CASE_STATE, case_state_name(k.state),
				  WF_VALUE_TEXT, NULL);
	}
	/* 004 p.6.3 */
	char *policy = wfdb_setting(pg, "consider_anonymous_reports");
	const char *refused = procedure_triage_refusal(k.anonymous, t->outcome,
						       procedure_considers_anonymous(policy));
	free(policy);
	if (refused) {
		wf_fail(e, WF_CASE_STATE, "case %s: %s", reg_no, refused);
		return wf_explain(e, k.anonymous ? M_WF_ANON_NOT_CONSIDERED : M_WF_NOT_ANONYMOUS,
				  WF_VALUE_TEXT, NULL, WF_VALUE_TEXT, NULL);
	}
	/* compliance may name the director, or decide on a "don't know"; a
	 * reporter's "yes" is cleared only by the alternate recipient
	 * (procedure_clear_director_named) */
	if (t->director_named >= 0 &&
	    !set_director_named(pg, &k, t->director_named > 0, false, NULL, actor, e))
		return false;
	/* Only the rule's own words: what a person writes about a case is a
	 * note under the case's content key (staff/caseaction.c), never clear
	 * text in the database. */
	const char *note =
	    to == CASE_NOT_CONSIDERED ? "anonymous appeal: not considered (004 p.6.3)" : "";
	static const char sql_triage[] =
	    "UPDATE hotline.cases SET triage = $2, triaged_at = now(), triage_note = $3, "
	    "referred_unit_sealed = $4::bytea, referred_unit_reporter = $5::bytea WHERE id = $1";
	const char *outcome = triage_outcome_name(t->outcome);
	/* the unit an anonymous appeal is sent to is recorded too (004 L197) */
	bool unit_given = t->unit && t->unit[strspn(t->unit, " \t\r\n")] != '\0';
	const char *unit =
	    to == CASE_REFERRED || (to == CASE_NOT_CONSIDERED && unit_given) ? t->unit : NULL;
	/* the unit is typed text: only under the case's key (issue 14) */
	char *unit_sealed = unit ? freetext_seal(t->key, unit) : NULL;
	if (unit && !unit_sealed)
		return wf_fail(e, WF_CRYPTO, "the case's key is needed to record the unit");
	/* and sealed to the reporter, who reads on /status where it went
	 * (migrations/0037); a case without the reporter's key yet says only
	 * "the unit concerned" there */
	char *unit_reporter = NULL;
	if (unit && !reporter_seal(pg, &k, unit, &unit_reporter, e)) {
		free(unit_sealed);
		return false;
	}
	const char *tv[5] = {k.id, outcome, note, unit_sealed, unit_reporter};
	/* triage, whatever its outcome, meets the triage deadline that
	 * registration opened (migrations/0010) */
	bool ok = wfdb_run(pg, sql_triage, 5, tv, e);
	free(unit_sealed);
	free(unit_reporter);
	if (!ok || !move(pg, &k, to, "triaged", "outcome", outcome, actor, e) ||
	    !meet(pg, &k, "triage", e))
		return false;
	if (to == CASE_TO_DIRECTOR) {
		/* no later than the day after the day of registration (004 p.10.6) */
		struct cal_date d;
		if (!cal_date_parse(k.reg_date, &d))
			return wf_fail(e, WF_DB, "bad registration date %s", k.reg_date);
		return deadline_add(pg, k.id, "director_notice", deadline_director_notice_due(d),
				    NULL, "calendar_days", k.out->due, e) &&
		       notify(pg, &k, NOTICE_DIRECTOR_NEW, "director_new", "director_notice", e);
	}
	if (to == CASE_URGENT) {
		/* forwarded immediately (004 p.6.3): due today */
		return deadline_add(
			   pg, k.id, "urgent_forward",
			   deadline_urgent_forward_due(calendar_local_date((int64_t)time(NULL))),
			   NULL, "calendar_days", k.out->due, e) &&
		       notify(pg, &k, NOTICE_URGENT, "urgent", "urgent_forward", e);
	}
	return end_if_over(pg, &k, e);
}

bool procedure_clear_director_named(PGconn *pg, const char *reg_no, const char *reason_note,
				    const char *actor, struct procedure_outcome *out,
				    struct wf_error *e)
{
	if (!reason_note || !*reason_note)
		return wf_missing(e, M_WF_NEED_REASON,
				  "give the reason the report does not concern the director");
	struct kase k;
	if (!load_case(pg, reg_no, &k, out, e))
		return false;
	if (!k.director_named)
		return wf_fail(e, WF_CASE_STATE, "case %s does not name the director", k.reg_no);
	return set_director_named(pg, &k, false, true, reason_note, actor, e);
}

bool procedure_ack(PGconn *pg, const char *reg_no, const char *actor, struct procedure_outcome *out,
		   struct wf_error *e)
{
	static const char sql_ack[] =
	    "UPDATE hotline.cases SET acknowledged_at = now() WHERE id = $1";
	struct kase k;
	if (!load_case(pg, reg_no, &k, out, e) ||
	    !move(pg, &k, CASE_ACKNOWLEDGED, "acknowledged", NULL, NULL, actor, e))
		return false;
	const char *v[1] = {k.id};
	return wfdb_run(pg, sql_ack, 1, v, e) && meet_director_informed(pg, &k, e);
}

bool procedure_decide(PGconn *pg, const char *reg_no, enum director_decision d, const char *doc,
		      const char *actor, struct procedure_outcome *out, struct wf_error *e)
{
	enum case_state to;
	switch (d) {
	case DIRECTOR_FORWARD:
		to = CASE_FORWARDED;
		break;
	case DIRECTOR_INVESTIGATE:
	case DIRECTOR_FORWARD_AND_INVESTIGATE:
		to = CASE_INVESTIGATION;
		break;
	case DIRECTOR_NO_GROUNDS:
		to = CASE_CLOSED;
		break;
	default:
		return wf_missing(
		    e, M_WF_NEED_CHOICE,
		    "the decision is forward, investigate, forward_and_investigate or "
		    "no_grounds");
	}
	static const char sql_decide[] =
	    "UPDATE hotline.cases SET decision = $2, decided_at = now(), decision_doc = $3, "
	    "acknowledged_at = coalesce(acknowledged_at, now()) WHERE id = $1";
	struct kase k;
	const char *name = director_decision_name(d);
	if (!load_case(pg, reg_no, &k, out, e) ||
	    !move(pg, &k, to, "decided", "decision", name, actor, e))
		return false;
	const char *v[3] = {k.id, name, doc ? doc : ""};
	return wfdb_run(pg, sql_decide, 3, v, e) && meet_director_informed(pg, &k, e) &&
	       end_if_over(pg, &k, e);
}

bool procedure_forwarded(PGconn *pg, const char *reg_no, const char *body,
			 const struct content_key *key, const char *actor,
			 struct procedure_outcome *out, struct wf_error *e)
{
	if (!body || !*body)
		return wf_missing(e, M_WF_NEED_BODY, "name the body the materials went to");
	/* forwarded_to (a clear column before migration 0022) stays NULL */
	static const char sql_fwd[] = "UPDATE hotline.cases SET forwarded_at = now(), "
				      "forwarded_to_sealed = $2::bytea WHERE id = $1";
	struct kase k;
	if (!load_case(pg, reg_no, &k, out, e))
		return false;
	bool moves = false;
	const char *why = case_check_forwarded(k.state, &moves);
	if (why) {
		wf_fail(e, WF_CASE_STATE, "case %s is %s: %s", k.reg_no, case_state_name(k.state),
			why);
		return wf_explain(e, M_WF_CASE_NOW, WF_VALUE_CASE_STATE, case_state_name(k.state),
				  WF_VALUE_TEXT, NULL);
	}
	char *sealed = freetext_seal(key, body);
	if (!sealed)
		return wf_fail(e, WF_CRYPTO, "the case's key is needed to record where it went");
	/* the event says that it went, not where: the body is the case's */
	bool ok = moves ? move(pg, &k, CASE_FORWARDED, "forwarded", NULL, NULL, actor, e)
			: event(pg, &k, "forwarded", NULL, NULL, actor, e);
	const char *v[2] = {k.id, sealed};
	ok = ok && wfdb_run(pg, sql_fwd, 2, v, e);
	free(sealed);
	return ok && meet(pg, &k, "urgent_forward", e) && end_if_over(pg, &k, e);
}

bool procedure_declare_interest(PGconn *pg, const char *reg_no, const char *name,
				const struct content_key *key, long long declared_by,
				struct wf_error *e)
{
	struct procedure_outcome out;
	if (!name || !*name)
		return wf_missing(e, M_WF_NEED_NAME, "give the person's name");
	static const char sql_declared[] = "SELECT name_sealed, name FROM "
					   "hotline.interest_declarations WHERE case_id = $1";
	static const char sql_declare[] =
	    "INSERT INTO hotline.interest_declarations (case_id, name_sealed, declared_by, "
	    "named_user_ids) VALUES ($1, $2::bytea, nullif($3::bigint, 0), $4::bigint[])";
	static const char sql_accounts[] = "SELECT id, display_name FROM hotline.staff_users";
	struct kase k;
	if (!load_case(pg, reg_no, &k, &out, e))
		return false;
	const char *v[1] = {k.id};
	PGresult *res = wfdb_exec(pg, sql_declared, 1, v, e);
	if (!res)
		return false;
	/* each sealed name has its own nonce: compare the texts (the key
	 * opens them all, or the insert below fails to seal anyway) */
	bool already = false;
	int col_sealed = db_col(res, "name_sealed"), col_clear = db_col(res, "name");
	for (int i = 0; !already && i < PQntuples(res); i++) {
		char *had = NULL;
		enum freetext_state st = freetext_open(key, res, i, col_sealed, col_clear, &had);
		already = (st == FREETEXT_OPEN || st == FREETEXT_LEGACY) && strcmp(had, name) == 0;
		freetext_free(had);
	}
	PQclear(res);
	if (already)
		return true;
	/* the name is sealed, so the database cannot tell whose seals to
	 * remove (migration 0023): the accounts it names, as the recusal
	 * rule reads names (transliterations, initials: workflow/names.c) */
	res = wfdb_exec(pg, sql_accounts, 0, NULL, e);
	if (!res)
		return false;
	struct buf ids;
	buf_init(&ids);
	buf_puts(&ids, "{");
	int exact = -1, fuzzy = -1, nfuzzy = 0;
	int c_id = db_col(res, "id"), c_name = db_col(res, "display_name");
	for (int i = 0; i < PQntuples(res); i++) {
		if (strcasecmp(PQgetvalue(res, i, c_name), name) == 0)
			exact = i;
		else if (names_same_person(PQgetvalue(res, i, c_name), name) && nfuzzy++ == 0)
			fuzzy = i;
	}
	/* the account named exactly; else the one account the name can
	 * mean. A name that can mean several accounts removes nobody's
	 * seals: a guess could shut every compliance manager out of a case
	 * (the declaration is still shown and checked by name where the
	 * commission is formed) */
	int who = exact >= 0 ? exact : nfuzzy == 1 ? fuzzy : -1;
	if (who >= 0)
		buf_puts(&ids, PQgetvalue(res, who, c_id));
	buf_puts(&ids, "}");
	PQclear(res);
	char *sealed = freetext_seal(key, name);
	if (!sealed) {
		buf_reset(&ids);
		return wf_fail(e, WF_CRYPTO, "the case's key is needed to record the declaration");
	}
	char by[24];
	snprintf(by, sizeof(by), "%lld", declared_by);
	const char *p[4] = {k.id, sealed, by, ids.data};
	bool ok = wfdb_run(pg, sql_declare, 4, p, e);
	free(sealed);
	buf_reset(&ids);
	return ok;
}

bool procedure_letter_load(PGconn *pg, const char *reg_no, struct procedure_letter *out,
			   struct wf_error *e)
{
	static const char sql_letter[] =
	    "SELECT j.reg_no, to_char(j.registered_at AT TIME ZONE " SQL_ZONE ", 'DD.MM.YYYY') "
	    "AS registered, "
	    "coalesce(to_char(c.decided_at AT TIME ZONE " SQL_ZONE
	    ", 'DD.MM.YYYY'), '') AS decided, "
	    "coalesce(c.decision, '') AS decision, coalesce(c.decision_doc, '') AS doc, "
	    "(SELECT count(*) FROM hotline.attachments a WHERE a.case_id = c.id) AS files "
	    "FROM hotline.cases c JOIN hotline.journal j ON j.id = c.journal_id WHERE j.reg_no = "
	    "$1";
	memset(out, 0, sizeof(*out));
	const char *v[1] = {reg_no};
	PGresult *res = wfdb_exec(pg, sql_letter, 1, v, e);
	if (!res)
		return false;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return wf_fail(e, WF_NO_CASE, "no case %s", reg_no);
	}
	if (strncmp(PQgetvalue(res, 0, db_col(res, "decision")), "forward", 7) != 0) {
		PQclear(res);
		return wf_fail(e, WF_CASE_STATE, "the director has not decided to forward case %s",
			       reg_no);
	}
	char *org = wfdb_setting(pg, "organisation");
	out->reg_no = strdup(PQgetvalue(res, 0, db_col(res, "reg_no")));
	out->registered = strdup(PQgetvalue(res, 0, db_col(res, "registered")));
	out->decided = strdup(PQgetvalue(res, 0, db_col(res, "decided")));
	out->doc = strdup(PQgetvalue(res, 0, db_col(res, "doc")));
	out->files = strdup(PQgetvalue(res, 0, db_col(res, "files")));
	out->organisation = strdup(org ? org : "");
	free(org);
	PQclear(res);
	if (!out->reg_no || !out->registered || !out->decided || !out->doc || !out->files ||
	    !out->organisation) {
		procedure_letter_free(out);
		return wf_fail(e, WF_DB, "out of memory");
	}
	return true;
}

void procedure_letter_free(struct procedure_letter *l)
{
	if (!l)
		return;
	free(l->reg_no);
	free(l->registered);
	free(l->decided);
	free(l->doc);
	free(l->files);
	free(l->organisation);
	memset(l, 0, sizeof(*l));
}
