#include "workflow/investigation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/db.h"
#include "base/schema.h"
#include "crypto/keys.h"
#include "crypto/seal.h"
#include "workflow/calendar.h"
#include "workflow/deadline.h"
#include "workflow/freetext.h"
#include "workflow/names.h"
#include "workflow/notice.h"
#include "workflow/recipient.h"

static const char sql_load[] =
    "SELECT c.id AS case_id, j.reg_no, c.state AS case_state, c.director_named, "
    "i.id AS investigation_id, i.state, i.decision, "
    "to_char(i.due_date, 'YYYY-MM-DD') AS due_date, "
    "to_char(i.order_date, 'YYYY-MM-DD') AS order_date, i.extended, "
    "coalesce(to_char(c.decided_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD'), '') AS case_decided, "
    "coalesce(to_char(i.submitted_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD'), '') "
    "AS submitted_on, coalesce(to_char(i.decision_date, 'YYYY-MM-DD'), '') AS decision_date "
    "FROM hotline.cases c JOIN hotline.journal j ON j.id = c.journal_id "
    "LEFT JOIN hotline.investigations i ON i.case_id = c.id WHERE j.reg_no = $1 "
    "FOR UPDATE OF c";

bool investigation_load(PGconn *pg, const char *reg_no, struct investigation *v, struct wf_error *e)
{
	memset(v, 0, sizeof(*v));
	const char *p[1] = {reg_no};
	PGresult *res = wfdb_exec(pg, sql_load, 1, p, e);
	if (!res)
		return false;
	bool ok = false;
	if (PQntuples(res) != 1) {
		wf_fail(e, WF_NO_CASE, "no case %s in the journal", reg_no);
		goto out;
	}
	int inv_id = db_col(res, "investigation_id"), decision = db_col(res, "decision");
	snprintf(v->case_id, sizeof(v->case_id), "%s", PQgetvalue(res, 0, db_col(res, "case_id")));
	snprintf(v->reg_no, sizeof(v->reg_no), "%s", PQgetvalue(res, 0, db_col(res, "reg_no")));
	if (!case_state_parse(PQgetvalue(res, 0, db_col(res, "case_state")), &v->case_state)) {
		wf_fail(e, WF_DB, "case %s has an unknown state", reg_no);
		goto out;
	}
	v->director_named = strcmp(PQgetvalue(res, 0, db_col(res, "director_named")), "t") == 0;
	snprintf(v->case_decided, sizeof(v->case_decided), "%s",
		 PQgetvalue(res, 0, db_col(res, "case_decided")));
	snprintf(v->submitted_on, sizeof(v->submitted_on), "%s",
		 PQgetvalue(res, 0, db_col(res, "submitted_on")));
	snprintf(v->decision_date, sizeof(v->decision_date), "%s",
		 PQgetvalue(res, 0, db_col(res, "decision_date")));
	if (!PQgetisnull(res, 0, inv_id)) {
		snprintf(v->id, sizeof(v->id), "%s", PQgetvalue(res, 0, inv_id));
		if (!investigation_state_parse(PQgetvalue(res, 0, db_col(res, "state")),
					       &v->state)) {
			wf_fail(e, WF_DB, "the investigation of %s has an unknown state", reg_no);
			goto out;
		}
		v->decided =
		    !PQgetisnull(res, 0, decision) &&
		    investigation_decision_parse(PQgetvalue(res, 0, decision), &v->decision);
		snprintf(v->due, sizeof(v->due), "%s", PQgetvalue(res, 0, db_col(res, "due_date")));
		snprintf(v->order_date, sizeof(v->order_date), "%s",
			 PQgetvalue(res, 0, db_col(res, "order_date")));
		v->extended = strcmp(PQgetvalue(res, 0, db_col(res, "extended")), "t") == 0;
	}
	ok = true;
out:
	PQclear(res);
	return ok;
}

static bool ordered(const struct investigation *v, struct wf_error *e)
{
	if (!v->id[0])
		return wf_fail(e, WF_NOT_ORDERED, "no investigation was ordered for case %s",
			       v->reg_no);
	return true;
}

/* A document's date (label names it in the refusal): a date, not after
 * today in Asia/Almaty (of now), and not before floor when floor is given
 * (refused with floor_code, floor_label naming that earlier step). */
static bool check_date(const char *label, const char *s, const char *floor, enum wf_code floor_code,
		       const char *floor_label, int64_t now, struct wf_error *e)
{
	struct cal_date d, f;
	if (!s || !*s)
		return wf_missing(e, M_WF_NEED_DATE, "give the %s", label);
	if (!cal_date_parse(s, &d)) {
		wf_fail(e, WF_BAD_DATE, "the %s %s is not a date (YYYY-MM-DD)", label, s);
		return wf_explain(e, M_WF_GIVEN, WF_VALUE_TEXT, s, WF_VALUE_TEXT, NULL);
	}
	char today[11];
	cal_date_format(calendar_local_date(now), today);
	if (strcmp(s, today) > 0) {
		wf_fail(e, WF_DATE_IN_FUTURE, "the %s %s is after today (%s)", label, s, today);
		return wf_explain(e, M_WF_GIVEN_TODAY, WF_VALUE_DATE, s, WF_VALUE_DATE, today);
	}
	if (floor && *floor && cal_date_parse(floor, &f) && cal_date_compare(d, f) < 0) {
		wf_fail(e, floor_code, "the %s %s is before %s (%s)", label, s, floor_label, floor);
		return wf_explain(e, M_WF_GIVEN_FLOOR, WF_VALUE_DATE, s, WF_VALUE_DATE, floor);
	}
	return true;
}

bool investigation_check_decider(PGconn *pg, const struct investigation *v, long long user_id,
				 char name[128], struct wf_error *e)
{
	static const char sql_decider[] =
	    "SELECT display_name, 'director' = ANY (roles) AS director, "
	    "'alternate' = ANY (roles) AS alternate "
	    "FROM hotline.staff_users WHERE id = $1::bigint AND NOT disabled";
	const char *role = v->director_named ? "alternate recipient" : "director";
	char uid[24];
	snprintf(uid, sizeof(uid), "%lld", user_id);
	const char *p[1] = {uid};
	PGresult *res = user_id > 0 ? wfdb_exec(pg, sql_decider, 1, p, e) : NULL;
	if (user_id > 0 && !res)
		return false;
	/* the director must not decide on a report that names them: the
	 * alternate recipient does (000 L140) */
	bool ok =
	    res && PQntuples(res) == 1 &&
	    strcmp(PQgetvalue(res, 0, db_col(res, v->director_named ? "alternate" : "director")),
		   "t") == 0;
	if (ok && name)
		snprintf(name, 128, "%s", PQgetvalue(res, 0, db_col(res, "display_name")));
	PQclear(res);
	if (!ok)
		return wf_fail(e, WF_NOT_DECIDER,
			       "only an active account holding the %s's role may do this for case "
			       "%s",
			       role, v->reg_no);
	return true;
}

static bool move(PGconn *pg, struct investigation *v, enum investigation_state to,
		 struct wf_error *e)
{
	static const char sql_inv_state[] = "UPDATE hotline.investigations SET state = $2, "
					    "state_changed_at = now() WHERE id = $1";
	if (!ordered(v, e))
		return false;
	const char *why = investigation_check_transition(v->state, to, v->decision, v->decided);
	if (why) {
		wf_fail(e, WF_TRANSITION, "the investigation of %s is %s: %s", v->reg_no,
			investigation_state_name(v->state), why);
		return wf_explain(e, M_WF_INV_NOW, WF_VALUE_INV_STATE,
				  investigation_state_name(v->state), WF_VALUE_TEXT, NULL);
	}
	char detail[64];
	snprintf(detail, sizeof(detail), "{\"investigation\": \"%s\"}",
		 investigation_state_name(to));
	const char *a[2] = {v->id, investigation_state_name(to)};
	if (!wfdb_run(pg, sql_inv_state, 2, a, e) ||
	    !wfdb_case_event(pg, v->case_id, "investigation", detail, e))
		return false;
	v->state = to;
	return true;
}

/* A member's staff account must be active and hold the commission role. */
static bool member_account(PGconn *pg, const struct investigation_member *m, struct wf_error *e)
{
	static const char sql_account[] =
	    "SELECT 1 FROM hotline.staff_users WHERE id = $1::bigint AND NOT disabled "
	    "AND 'commission' = ANY (roles)";
	char uid[24];
	snprintf(uid, sizeof(uid), "%lld", m->staff_user_id);
	const char *p[1] = {uid};
	PGresult *res = wfdb_exec(pg, sql_account, 1, p, e);
	if (!res)
		return false;
	bool ok = PQntuples(res) == 1;
	PQclear(res);
	if (!ok) {
		wf_fail(e, WF_MISSING,
			"the staff account of %s is not an active commission member's account",
			m->name);
		return wf_explain(e, M_WF_MEMBER_INACTIVE, WF_VALUE_TEXT, m->name, WF_VALUE_TEXT,
				  NULL);
	}
	return true;
}

/* Nobody named in the report and nobody who declared a personal interest
 * may sit on its commission (004 L105, 002 L47); names compare across
 * Cyrillic and Latin transliteration (workflow/names.h). report_text is
 * the report's own text (what, when and where, who) and the reporter's
 * messages, decrypted by the caller with the case key; key (the case's
 * content key) opens the declared names. */
static bool investigation_check_members(PGconn *pg, const struct investigation *v,
					const struct investigation_member *members, int nmembers,
					const char *report_text, const struct content_key *key,
					struct wf_error *e)
{
	static const char sql_interest[] = "SELECT name_sealed, name FROM "
					   "hotline.interest_declarations WHERE case_id = $1";
	if (!report_text)
		return wf_fail(e, WF_MISSING,
			       "the report's text is needed to check the commission");
	const char *p[1] = {v->case_id};
	PGresult *declared = wfdb_exec(pg, sql_interest, 1, p, e);
	if (!declared)
		return false;
	bool ok = false;
	int sealed_col = db_col(declared, "name_sealed"), clear_col = db_col(declared, "name");
	for (int i = 0; i < nmembers; i++) {
		const char *name = members[i].name;
		if (!name || !*name) {
			wf_fail(e, WF_MISSING, "a commission member has no name");
			goto out;
		}
		/* names compare across Cyrillic and Latin (workflow/names.h) */
		if (names_mentioned(report_text, strlen(report_text), name)) {
			wf_fail(e, WF_MEMBER_NAMED,
				"%s is named in the report or the reporter's messages and cannot "
				"sit on its commission",
				name);
			wf_explain(e, M_WF_MEMBER_WHO, WF_VALUE_TEXT, name, WF_VALUE_TEXT, NULL);
			goto out;
		}
		if (members[i].staff_user_id && !member_account(pg, &members[i], e))
			goto out;
		for (int r = 0; r < PQntuples(declared); r++) {
			/* names compare across scripts and initials: no hash of
			 * the text could, so the declared names are opened */
			char *who = NULL;
			enum freetext_state st =
			    freetext_open(key, declared, r, sealed_col, clear_col, &who);
			if (st == FREETEXT_SEALED) {
				wf_fail(e, WF_CRYPTO,
					"the case's key is needed to read the "
					"declarations of interest");
				goto out;
			}
			bool same = who && names_same_person(who, name);
			freetext_free(who);
			if (same) {
				wf_fail(e, WF_MEMBER_INTEREST,
					"%s declared a personal interest in this case and cannot "
					"sit on its commission",
					name);
				wf_explain(e, M_WF_MEMBER_WHO, WF_VALUE_TEXT, name, WF_VALUE_TEXT,
					   NULL);
				goto out;
			}
		}
	}
	ok = true;
out:
	PQclear(declared);
	return ok;
}

/* Queues notice n, of outbox kind kind, to each person the rule names for
 * it (workflow/recipient.h): the case is triaged, it is under
 * investigation. */
static bool notify(PGconn *pg, const struct investigation *v, enum notice_kind nk, const char *kind,
		   const struct notice *n, int *queued, struct wf_error *e)
{
	enum recipient who[RECIPIENT_MAX];
	int nwho = recipient_list(nk, "investigation", v->director_named, true, who);
	char *to[RECIPIENT_MAX] = {NULL};
	for (int i = 0; i < nwho; i++)
		to[i] = wfdb_setting(pg, recipient_setting(who[i]));
	const char *r[RECIPIENT_MAX] = {to[0], to[1]};
	bool ok = wfdb_notify(pg, v->case_id, kind, r, nwho, n, queued, e);
	for (int i = 0; i < nwho; i++)
		free(to[i]);
	return ok;
}

static bool notify_ordered(PGconn *pg, const struct investigation *v, const char *due, int *queued,
			   struct wf_error *e)
{
	char *url = wfdb_setting(pg, "console_url"), *org = wfdb_setting(pg, "organisation");
	struct notice_facts f = {.reg_no = v->reg_no,
				 .deadline_kind = "investigation",
				 .due_date = due,
				 .console_url = url,
				 .organisation = org};
	struct notice n;
	notice_build(&n, NOTICE_INVESTIGATION_ORDERED, &f);
	bool ok =
	    notify(pg, v, NOTICE_INVESTIGATION_ORDERED, "investigation_ordered", &n, queued, e);
	notice_free(&n);
	free(url);
	free(org);
	return ok;
}

bool investigation_check_order(const struct investigation *v, struct wf_error *e)
{
	if (v->case_state != CASE_INVESTIGATION) {
		wf_fail(e, WF_CASE_STATE,
			"case %s is %s: the director orders an investigation first "
			"(hotlinectl case decide %s investigate)",
			v->reg_no, case_state_name(v->case_state), v->reg_no);
		return wf_explain(e, M_WF_CASE_NOW, WF_VALUE_CASE_STATE,
				  case_state_name(v->case_state), WF_VALUE_TEXT, NULL);
	}
	if (v->id[0])
		return wf_fail(e, WF_ALREADY_ORDERED, "an investigation of %s was already ordered",
			       v->reg_no);
	return true;
}

bool investigation_order(PGconn *pg, struct investigation *v, const struct investigation_order *o,
			 const char *report_text, int64_t now, char due[11], int *queued,
			 struct wf_error *e)
{
	static const char sql_order[] =
	    "INSERT INTO hotline.investigations (case_id, order_no, order_date, due_date) "
	    "VALUES ($1, $2, $3::date, $4::date) RETURNING id";
	static const char sql_member[] =
	    "INSERT INTO hotline.commission_members (investigation_id, name_sealed, "
	    "position_sealed, staff_user_id) VALUES ($1, $2::bytea, $3::bytea, "
	    "nullif($4::bigint, 0))";
	if (!o->order_no || !*o->order_no || !o->order_date || o->nmembers <= 0)
		return wf_missing(e, M_WF_NEED_ORDER,
				  "an order needs its number, its date and the commission");
	if (!investigation_check_order(v, e))
		return false;
	/* the order follows the director's decision to investigate, and is
	 * not dated ahead: its date starts the ten working days (004 p.7.5) */
	struct cal_date od;
	if (!check_date("order date", o->order_date, v->case_decided, WF_ORDER_BEFORE_DECISION,
			"the director's decision to investigate", now, e) ||
	    !cal_date_parse(o->order_date, &od))
		return false;
	if (!o->key)
		return wf_fail(e, WF_CRYPTO, "the case's key is needed to record the commission");
	for (int i = 0; i < o->nmembers; i++) {
		for (int j = 0; j < i; j++) {
			const char *a = o->members[i].name, *b = o->members[j].name;
			if (a && b && strcmp(a, b) == 0) {
				wf_fail(e, WF_MISSING, "%s is named twice in the commission", a);
				return wf_explain(e, M_WF_MEMBER_TWICE, WF_VALUE_TEXT, a,
						  WF_VALUE_TEXT, NULL);
			}
		}
	}
	if (!investigation_check_members(pg, v, o->members, o->nmembers, report_text, o->key, e))
		return false;
	struct calendar *cal = wfdb_calendar(pg, e);
	if (!cal)
		return false;
	cal_date_format(calendar_add_working_days(cal, od, 10), due);
	const char *p[4] = {v->case_id, o->order_no, o->order_date, due};
	PGresult *res = wfdb_exec(pg, sql_order, 4, p, e);
	bool ok = res != NULL;
	if (ok)
		snprintf(v->id, sizeof(v->id), "%s", PQgetvalue(res, 0, db_col(res, "id")));
	PQclear(res);
	for (int i = 0; ok && i < o->nmembers; i++) {
		const char *pos = o->members[i].position ? o->members[i].position : "";
		char uid[24];
		snprintf(uid, sizeof(uid), "%lld", o->members[i].staff_user_id);
		char *name = freetext_seal(o->key, o->members[i].name);
		char *position = freetext_seal(o->key, pos);
		const char *m[4] = {v->id, name, position, uid};
		ok = name && position ? wfdb_run(pg, sql_member, 4, m, e)
				      : wf_fail(e, WF_CRYPTO, "encryption failed");
		free(name);
		free(position);
	}
	char deadline_due[11];
	ok = ok && deadline_add_investigation(pg, cal, v->case_id, o->order_date, deadline_due, e);
	calendar_free(cal);
	ok = ok &&
	     wfdb_case_event(pg, v->case_id, "investigation", "{\"investigation\": \"ordered\"}",
			     e) &&
	     notify_ordered(pg, v, due, queued, e);
	if (ok) {
		v->state = INV_ORDERED;
		snprintf(v->due, sizeof(v->due), "%s", due);
		snprintf(v->order_date, sizeof(v->order_date), "%s", o->order_date);
	}
	return ok;
}

bool investigation_start(PGconn *pg, struct investigation *v, struct wf_error *e)
{
	return move(pg, v, INV_IN_PROGRESS, e);
}

bool investigation_conclude(PGconn *pg, struct investigation *v, const char *norms,
			    const void *text, size_t len, const void *proposed, size_t proposed_len,
			    const struct public_key *case_pk, struct wf_error *e)
{
	static const char sql_conclude[] =
	    "UPDATE hotline.investigations SET norms_sealed = $2, conclusion_key_sealed = $3, "
	    "conclusion = $4, proposed_measures = $5 WHERE id = $1";
	if (!ordered(v, e))
		return false;
	if (!norms || !*norms)
		return wf_missing(e, M_WF_NEED_NORMS,
				  "a conclusion cites the legal or internal norms");
	if (!text || len == 0)
		return wf_fail(e, WF_EMPTY, "the conclusion is empty: it must give its reasons");
	struct content_key *key = content_key_new();
	unsigned char *sealed = NULL, *ct = NULL, *pm = NULL, *nm = NULL;
	size_t slen = 0, clen = 0, pmlen = 0, nmlen = 0;
	/* the norms are typed text too: under the conclusion's key (issue 14) */
	bool ok = key && content_key_seal(key, case_pk, &sealed, &slen) &&
		  content_encrypt(key, text, len, &ct, &clen) &&
		  content_encrypt(key, norms, strlen(norms), &nm, &nmlen) &&
		  (!proposed || proposed_len == 0 ||
		   content_encrypt(key, proposed, proposed_len, &pm, &pmlen));
	content_key_free(key);
	if (!ok)
		wf_fail(e, WF_CRYPTO, "the conclusion could not be encrypted");
	ok = ok && move(pg, v, INV_CONCLUSION_DRAFTED, e);
	if (ok) {
		const char *p[5] = {v->id, (const char *)nm, (const char *)sealed, (const char *)ct,
				    (const char *)pm};
		int lengths[5] = {0, (int)nmlen, (int)slen, (int)clen, (int)pmlen};
		int formats[5] = {0, 1, 1, 1, 1};
		struct db_error err;
		PGresult *res = db_query(pg, sql_conclude, 5, p, lengths, formats, &err);
		ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
		if (!res)
			wf_fail(e, WF_DB, "the database refused: %s",
				err.message[0] ? err.message : "(no message)");
		PQclear(res);
	}
	free(sealed);
	free(ct);
	free(pm);
	free(nm);
	return ok;
}

static bool notify_submitted(PGconn *pg, const struct investigation *v, int *queued,
			     struct wf_error *e)
{
	char *url = wfdb_setting(pg, "console_url"), *org = wfdb_setting(pg, "organisation");
	struct notice_facts f = {.reg_no = v->reg_no,
				 .deadline_kind = "investigation",
				 .console_url = url,
				 .organisation = org};
	struct notice n;
	notice_build(&n, NOTICE_CONCLUSION_SUBMITTED, &f);
	bool ok = notify(pg, v, NOTICE_CONCLUSION_SUBMITTED, "conclusion_submitted", &n, queued, e);
	notice_free(&n);
	free(url);
	free(org);
	return ok;
}

bool investigation_submit(PGconn *pg, struct investigation *v, long long by, int *queued,
			  struct wf_error *e)
{
	static const char sql_submit[] = "UPDATE hotline.investigations SET submitted_at = now(), "
					 "submitted_by = nullif($2::bigint, 0) WHERE id = $1";
	char uid[24];
	snprintf(uid, sizeof(uid), "%lld", by);
	const char *p[2] = {v->id, uid};
	/* Submitting meets the ten working days (004 p.7.5, 7.10): the
	 * commission's part is done, so its reminders stop, and so do those of
	 * the requests for materials still open. */
	if (!move(pg, v, INV_SUBMITTED, e) || !wfdb_run(pg, sql_submit, 2, p, e) ||
	    !deadline_meet(pg, v->case_id, "investigation", NULL, e) ||
	    !deadline_void(pg, v->case_id, "material_request", e) ||
	    !notify_submitted(pg, v, queued, e))
		return false;
	return true;
}

bool investigation_decide(PGconn *pg, struct investigation *v, const struct investigation_ruling *r,
			  int64_t now, struct wf_error *e)
{
	static const char sql_decide[] =
	    "UPDATE hotline.investigations SET decision = $2, decided_at = now(), "
	    "decision_doc = $3, decision_date = $4::date, decided_by = $5::bigint WHERE id = $1";
	enum investigation_decision d;
	if (!r->decision || !investigation_decision_parse(r->decision, &d))
		return wf_fail(e, WF_BAD_DECISION,
			       "the decision is stop, hand_over, disciplinary or "
			       "other_measures");
	if (!r->doc || !*r->doc)
		return wf_missing(e, M_WF_NEED_DOC,
				  "the decision needs the number of the document that states it");
	if (!ordered(v, e) || !investigation_check_decider(pg, v, r->by, NULL, e) ||
	    !check_date("decision date", r->date, v->submitted_on, WF_DECISION_BEFORE_SUBMIT,
			"the day the conclusion was submitted", now, e))
		return false;
	char uid[24];
	snprintf(uid, sizeof(uid), "%lld", r->by);
	const char *p[5] = {v->id, investigation_decision_name(d), r->doc, r->date, uid};
	if (!move(pg, v, INV_DECIDED, e) || !wfdb_run(pg, sql_decide, 5, p, e))
		return false;
	v->decided = true;
	v->decision = d;
	snprintf(v->decision_date, sizeof(v->decision_date), "%s", r->date);
	return true;
}

bool investigation_measures(PGconn *pg, struct investigation *v, const char *doc, const char *date,
			    int64_t now, struct wf_error *e)
{
	static const char sql_measures[] =
	    "UPDATE hotline.investigations SET measures_doc = $2, measures_date = $3::date "
	    "WHERE id = $1";
	if (!doc || !*doc)
		return wf_missing(e, M_WF_NEED_DOC,
				  "the measures need the document that adopts them");
	if (!ordered(v, e) || !check_date("measures' document date", date, v->decision_date,
					  WF_MEASURES_BEFORE_DECISION, "the decision", now, e))
		return false;
	const char *p[3] = {v->id, doc, date};
	return move(pg, v, INV_MEASURES_ADOPTED, e) && wfdb_run(pg, sql_measures, 3, p, e);
}

bool investigation_close(PGconn *pg, struct investigation *v, struct wf_error *e)
{
	static const char sql_close[] =
	    "UPDATE hotline.cases SET state = 'closed', state_changed_at = now() WHERE id = $1";
	const char *p[1] = {v->case_id};
	/* the case's move, asked of the one table of moves (workflow/states.h) */
	const char *why = case_check_transition(v->case_state, CASE_CLOSED);
	if (why) {
		wf_fail(e, WF_CASE_STATE, "case %s is %s: %s", v->reg_no,
			case_state_name(v->case_state), why);
		return wf_explain(e, M_WF_CASE_NOW, WF_VALUE_CASE_STATE,
				  case_state_name(v->case_state), WF_VALUE_TEXT, NULL);
	}
	if (!move(pg, v, INV_CLOSED, e) || !wfdb_run(pg, sql_close, 1, p, e) ||
	    !deadline_end_case(pg, v->case_id, true, e))
		return false;
	v->case_state = CASE_CLOSED;
	return true;
}

bool investigation_extend(PGconn *pg, struct investigation *v,
			  const struct investigation_extension *x, int64_t now, struct wf_error *e)
{
	static const char sql_ext[] =
	    "INSERT INTO hotline.investigation_extensions (investigation_id, consent_doc, "
	    "consent_date, consented_by, consented_by_user, old_due_date, new_due_date) "
	    "VALUES ($1, $2, $3::date, $4, $5::bigint, $6::date, $7::date)";
	static const char sql_due[] = "UPDATE hotline.investigations SET due_date = $2::date, "
				      "extended = true WHERE id = $1";
	if (!ordered(v, e))
		return false;
	if (!x->consent_doc || !*x->consent_doc || !x->consent_date || !*x->consent_date ||
	    x->consenter <= 0 || !x->new_due || !*x->new_due)
		return wf_fail(e, WF_NO_CONSENT,
			       "the term of a service investigation moves only with the director's "
			       "written consent: give the consent's document, its "
			       "date, the account of who gave it and the new due date");
	if (v->state >= INV_SUBMITTED)
		return wf_fail(e, WF_DECIDED,
			       "the conclusion is already submitted: the term was "
			       "met");
	char name[128];
	if (!check_date("consent date", x->consent_date, v->order_date, WF_CONSENT_BEFORE_ORDER,
			"the order", now, e) ||
	    !investigation_check_decider(pg, v, x->consenter, name, e))
		return false;
	struct cal_date d;
	if (!cal_date_parse(x->new_due, &d)) {
		wf_fail(e, WF_BAD_DATE, "the new due date %s is not a date (YYYY-MM-DD)",
			x->new_due);
		return wf_explain(e, M_WF_GIVEN, WF_VALUE_TEXT, x->new_due, WF_VALUE_TEXT, NULL);
	}
	if (strcmp(x->new_due, v->due) <= 0) {
		wf_fail(e, WF_DUE_NOT_LATER, "the new due date must be after %s", v->due);
		return wf_explain(e, M_WF_GIVEN_DUE, WF_VALUE_DATE, x->new_due, WF_VALUE_DATE,
				  v->due);
	}
	struct calendar *cal = wfdb_calendar(pg, e);
	if (!cal)
		return false;
	bool working = calendar_is_working_day(cal, d);
	calendar_free(cal);
	if (!working) {
		wf_fail(e, WF_DUE_NOT_WORKING, "the new due date %s is not a working day",
			x->new_due);
		return wf_explain(e, M_WF_GIVEN, WF_VALUE_DATE, x->new_due, WF_VALUE_TEXT, NULL);
	}
	char uid[24];
	snprintf(uid, sizeof(uid), "%lld", x->consenter);
	const char *p[7] = {v->id, x->consent_doc, x->consent_date, name, uid, v->due, x->new_due};
	const char *q[2] = {v->id, x->new_due};
	if (!wfdb_run(pg, sql_ext, 7, p, e) || !wfdb_run(pg, sql_due, 2, q, e) ||
	    !deadline_move(pg, v->case_id, "investigation", x->new_due, e))
		return false;
	snprintf(v->due, sizeof(v->due), "%s", x->new_due);
	v->extended = true;
	return true;
}

bool investigation_request(PGconn *pg, struct investigation *v, const char *to, const char *what,
			   const struct content_key *key, const char *on, int64_t now,
			   char request_id[24], char due[11], struct wf_error *e)
{
	static const char sql_req[] =
	    "INSERT INTO hotline.material_requests (investigation_id, addressee_sealed, "
	    "what_sealed, requested_on, due_date) VALUES ($1, $2::bytea, $3::bytea, $4::date, "
	    "$5::date) RETURNING id";
	if (!ordered(v, e))
		return false;
	if (!to || !*to || !what || !*what)
		return wf_missing(
		    e, M_WF_NEED_REQUEST,
		    "a request for materials names whom it goes to and what it asks for");
	if (v->state != INV_IN_PROGRESS && v->state != INV_ORDERED)
		return wf_fail(e, WF_NOT_RUNNING,
			       "materials are requested while the investigation "
			       "runs");
	char today[11];
	cal_date_format(calendar_local_date(now), today);
	if (!on || !*on)
		on = today;
	/* a request is made while the investigation runs: not before its
	 * order, not ahead of today (its date starts the one working day) */
	struct cal_date d;
	if (!check_date("request date", on, v->order_date, WF_REQUEST_BEFORE_ORDER, "the order",
			now, e) ||
	    !cal_date_parse(on, &d))
		return false;
	struct calendar *cal = wfdb_calendar(pg, e);
	if (!cal)
		return false;
	cal_date_format(calendar_add_working_days(cal, d, 1), due);
	char *to_sealed = freetext_seal(key, to), *what_sealed = freetext_seal(key, what);
	const char *p[5] = {v->id, to_sealed, what_sealed, on, due};
	PGresult *res = to_sealed && what_sealed ? wfdb_exec(pg, sql_req, 5, p, e) : NULL;
	if (!to_sealed || !what_sealed)
		wf_fail(e, WF_CRYPTO, "the case's key is needed to record the request");
	free(to_sealed);
	free(what_sealed);
	bool ok = res != NULL;
	if (ok)
		snprintf(request_id, 24, "%s", PQgetvalue(res, 0, db_col(res, "id")));
	PQclear(res);
	char deadline_due[11];
	ok = ok && deadline_add_material(pg, cal, v->case_id, request_id, on, deadline_due, e);
	calendar_free(cal);
	return ok;
}

bool investigation_received(PGconn *pg, struct investigation *v, const char *request_id,
			    struct wf_error *e)
{
	static const char sql_recv[] =
	    "UPDATE hotline.material_requests SET received_at = now() WHERE id = $1::bigint "
	    "AND investigation_id = $2 AND received_at IS NULL RETURNING id";
	if (!ordered(v, e))
		return false;
	char *end = NULL;
	if (!request_id || !*request_id || strtoll(request_id, &end, 10) <= 0 || *end)
		return wf_fail(e, WF_NO_REQUEST, "no open request %s in this investigation",
			       request_id ? request_id : "");
	const char *p[2] = {request_id, v->id};
	PGresult *res = wfdb_exec(pg, sql_recv, 2, p, e);
	if (!res)
		return false;
	bool found = PQntuples(res) == 1;
	PQclear(res);
	if (!found)
		return wf_fail(e, WF_NO_REQUEST, "no open request %s in this investigation",
			       request_id);
	return deadline_meet(pg, v->case_id, "material_request", request_id, e);
}

bool investigation_material(PGconn *pg, struct investigation *v,
			    const struct investigation_material *m, char material_id[24],
			    struct wf_error *e)
{
	/* only into a request of this investigation */
	static const char sql_add[] =
	    "INSERT INTO hotline.commission_materials (request_id, key_sealed, meta, data, "
	    "uploaded_by) SELECT r.id, $3, $4, $5, $6::bigint FROM hotline.material_requests r "
	    "WHERE r.id = $1::bigint AND r.investigation_id = $2 RETURNING id";
	static const char sql_open[] = "SELECT received_at IS NULL AS open FROM "
				       "hotline.material_requests WHERE id = $1::bigint";
	if (!ordered(v, e))
		return false;
	char *end = NULL;
	if (!m->request_id || !*m->request_id || strtoll(m->request_id, &end, 10) <= 0 || *end)
		return wf_fail(e, WF_NO_REQUEST, "no request %s in this investigation",
			       m->request_id ? m->request_id : "");
	if (v->state >= INV_SUBMITTED)
		return wf_fail(e, WF_NOT_RUNNING,
			       "materials are added until the conclusion is submitted");
	if (!m->key_sealed || !m->meta || !m->data)
		return wf_fail(e, WF_CRYPTO, "the file was not encrypted");
	char by[24];
	snprintf(by, sizeof(by), "%lld", m->by);
	const char *p[6] = {
	    m->request_id,	   v->id, (const char *)m->key_sealed, (const char *)m->meta,
	    (const char *)m->data, by};
	int lengths[6] = {0, 0, (int)m->key_len, (int)m->meta_len, (int)m->data_len, 0};
	int formats[6] = {0, 0, 1, 1, 1, 0};
	struct db_error err;
	PGresult *res = db_query(pg, sql_add, 6, p, lengths, formats, &err);
	if (!res)
		return wf_fail(e, WF_DB, "the material could not be stored (SQLSTATE %s)",
			       err.sqlstate);
	bool found = PQntuples(res) == 1;
	if (found)
		snprintf(material_id, 24, "%s", PQgetvalue(res, 0, db_col(res, "id")));
	PQclear(res);
	if (!found)
		return wf_fail(e, WF_NO_REQUEST, "no request %s in this investigation",
			       m->request_id);
	if (!m->received)
		return true;
	const char *q[1] = {m->request_id};
	res = wfdb_exec(pg, sql_open, 1, q, e);
	if (!res)
		return false;
	bool open =
	    PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, db_col(res, "open")), "t") == 0;
	PQclear(res);
	return !open || investigation_received(pg, v, m->request_id, e);
}
