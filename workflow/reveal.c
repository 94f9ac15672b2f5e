#include "workflow/reveal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/db.h"
#include "base/schema.h"
#include "crypto/keys.h"
#include "crypto/packet.h"
#include "workflow/calendar.h"

static const char *const state_names[] = {
    [REVEAL_REQUESTED] = "requested",
    [REVEAL_APPROVED] = "approved",
    [REVEAL_REJECTED] = "rejected",
    [REVEAL_REVEALED] = "revealed",
};

const char *reveal_state_name(enum reveal_state s)
{
	return (unsigned)s <= REVEAL_REVEALED ? state_names[s] : "?";
}

static bool state_parse(const char *name, enum reveal_state *out)
{
	for (unsigned i = 0; i <= REVEAL_REVEALED; i++) {
		if (strcmp(name, state_names[i]) == 0) {
			*out = (enum reveal_state)i;
			return true;
		}
	}
	return false;
}

static bool decimal_id(const char *s)
{
	if (!s || !*s || strlen(s) > 18)
		return false;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
	}
	return true;
}

static const char sql_load[] =
    "SELECT r.id, r.case_id, j.reg_no, c.director_named, c.identity_sealed IS NULL AS anonymous, "
    "r.requested_by, r.requester_role, coalesce(rq.display_name, '') AS requester_name, "
    "to_char(r.requested_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD HH24:MI') AS requested_at, "
    "r.state, coalesce(r.decided_by, 0) AS decided_by, "
    "coalesce(r.decider_role, '') AS decider_role, coalesce(dc.display_name, '') AS decider_name, "
    "coalesce(to_char(r.decided_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD HH24:MI'), '') "
    "AS decided_at, coalesce(r.revealed_by, 0) AS revealed_by, "
    "coalesce(to_char(r.revealed_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD HH24:MI'), '') "
    "AS revealed_at, coalesce(r.released_by, 0) AS released_by, "
    "coalesce(rl.display_name, '') AS releaser_name, "
    "coalesce(to_char(r.released_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD HH24:MI'), '') "
    "AS released_at, coalesce(r.packet_binding, '') AS packet_binding "
    "FROM hotline.identity_reveals r JOIN hotline.cases c ON c.id = r.case_id "
    "JOIN hotline.journal j ON j.id = c.journal_id "
    "LEFT JOIN hotline.staff_users rq ON rq.id = r.requested_by "
    "LEFT JOIN hotline.staff_users dc ON dc.id = r.decided_by "
    "LEFT JOIN hotline.staff_users rl ON rl.id = r.released_by "
    "WHERE r.id = $1::bigint FOR UPDATE OF r";

/* Copies the column called name of the first row into the array dst. */
#define COPY(dst, res, name)                                                                       \
	snprintf((dst), sizeof(dst), "%s", PQgetvalue((res), 0, db_col((res), (name))))

bool reveal_load(PGconn *pg, const char *id, struct reveal *r, struct wf_error *e)
{
	memset(r, 0, sizeof(*r));
	if (!decimal_id(id))
		return wf_fail(e, WF_NO_REVEAL, "no request %s to reveal an identity",
			       id ? id : "");
	const char *p[1] = {id};
	PGresult *res = wfdb_exec(pg, sql_load, 1, p, e);
	if (!res)
		return false;
	bool ok = PQntuples(res) == 1;
	if (!ok) {
		wf_fail(e, WF_NO_REVEAL, "no request %s to reveal an identity", id);
	} else {
		COPY(r->id, res, "id");
		COPY(r->case_id, res, "case_id");
		COPY(r->reg_no, res, "reg_no");
		r->director_named =
		    strcmp(PQgetvalue(res, 0, db_col(res, "director_named")), "t") == 0;
		r->anonymous = strcmp(PQgetvalue(res, 0, db_col(res, "anonymous")), "t") == 0;
		r->requested_by =
		    strtoll(PQgetvalue(res, 0, db_col(res, "requested_by")), NULL, 10);
		COPY(r->requester_role, res, "requester_role");
		COPY(r->requester_name, res, "requester_name");
		COPY(r->requested_at, res, "requested_at");
		ok = state_parse(PQgetvalue(res, 0, db_col(res, "state")), &r->state);
		r->decided_by = strtoll(PQgetvalue(res, 0, db_col(res, "decided_by")), NULL, 10);
		COPY(r->decider_role, res, "decider_role");
		COPY(r->decider_name, res, "decider_name");
		COPY(r->decided_at, res, "decided_at");
		r->revealed_by = strtoll(PQgetvalue(res, 0, db_col(res, "revealed_by")), NULL, 10);
		COPY(r->revealed_at, res, "revealed_at");
		r->released_by = strtoll(PQgetvalue(res, 0, db_col(res, "released_by")), NULL, 10);
		COPY(r->releaser_name, res, "releaser_name");
		COPY(r->released_at, res, "released_at");
		COPY(r->packet_binding, res, "packet_binding");
		if (!ok)
			wf_fail(e, WF_DB, "request %s has an unknown state", id);
	}
	PQclear(res);
	return ok;
}

static bool event(PGconn *pg, const char *case_id, const char *reveal_id, const char *what,
		  struct wf_error *e)
{
	char detail[96];
	snprintf(detail, sizeof(detail), "{\"reveal\": %s, \"step\": \"%s\"}", reveal_id, what);
	return wfdb_case_event(pg, case_id, "identity_reveal", detail, e);
}

bool reveal_request(PGconn *pg, const char *reg_no, long long user_id, const char *role,
		    const char *reason, char id[24], struct wf_error *e)
{
	static const char sql_case[] =
	    "SELECT c.id, c.identity_sealed IS NULL AS anonymous, EXISTS (SELECT 1 FROM "
	    "hotline.identity_reveals r WHERE r.case_id = c.id AND r.state IN ('requested', "
	    "'approved')) AS open_request, EXISTS (SELECT 1 FROM hotline.investigations i JOIN "
	    "hotline.commission_members m ON m.investigation_id = i.id WHERE i.case_id = c.id "
	    "AND m.staff_user_id = $2::bigint) AS member, c.state = 'registered' AS untriaged "
	    "FROM hotline.cases c "
	    "JOIN hotline.journal j ON j.id = c.journal_id WHERE j.reg_no = $1 FOR UPDATE OF c";
	static const char sql_insert[] =
	    "INSERT INTO hotline.identity_reveals (case_id, requested_by, requester_role, "
	    "reason_sealed) VALUES ($1, $2::bigint, $3, $4::bytea) RETURNING id";
	if (!role || (strcmp(role, "compliance") != 0 && strcmp(role, "commission") != 0))
		return wf_fail(e, WF_MISSING,
			       "a request is made as the compliance manager or as "
			       "the commission");
	if (!reason || !*reason || strspn(reason, " \t\r\n") == strlen(reason))
		return wf_missing(e, M_WF_NEED_REASON,
				  "a request to reveal an identity states its reason");
	if (!reg_no || !*reg_no)
		return wf_fail(e, WF_MISSING, "a request names the case");
	char uid[24];
	snprintf(uid, sizeof(uid), "%lld", user_id);
	const char *p[2] = {reg_no, uid};
	PGresult *res = wfdb_exec(pg, sql_case, 2, p, e);
	if (!res)
		return false;
	bool ok = false;
	char case_id[24];
	if (PQntuples(res) != 1) {
		wf_fail(e, WF_NO_CASE, "no case %s in the journal", reg_no);
	} else if (strcmp(PQgetvalue(res, 0, db_col(res, "anonymous")), "t") == 0) {
		wf_fail(e, WF_NO_IDENTITY, "case %s is anonymous: there is no identity to reveal",
			reg_no);
	} else if (strcmp(PQgetvalue(res, 0, db_col(res, "untriaged")), "t") == 0) {
		/* until triage nobody has decided whether the report concerns
		 * the director, so whether the director or the alternate
		 * approves; and the director sees no appeal before triage
		 * (issue 14) */
		wf_fail(e, WF_NOT_TRIAGED,
			"case %s is not triaged yet: a request waits for the triage, which "
			"decides whether the director or the alternate recipient approves it",
			reg_no);
	} else if (strcmp(PQgetvalue(res, 0, db_col(res, "open_request")), "t") == 0) {
		wf_fail(e, WF_REVEAL_OPEN,
			"case %s already has an open request to reveal the "
			"identity",
			reg_no);
	} else if (strcmp(role, "commission") == 0 &&
		   strcmp(PQgetvalue(res, 0, db_col(res, "member")), "t") != 0) {
		wf_fail(e, WF_NOT_MEMBER, "you do not sit on the commission of case %s", reg_no);
	} else {
		snprintf(case_id, sizeof(case_id), "%s", PQgetvalue(res, 0, db_col(res, "id")));
		ok = true;
	}
	PQclear(res);
	if (!ok)
		return false;
	const char *q[4] = {case_id, uid, role, reason};
	res = wfdb_exec(pg, sql_insert, 4, q, e);
	if (!res)
		return false;
	snprintf(id, 24, "%s", PQgetvalue(res, 0, db_col(res, "id")));
	PQclear(res);
	return event(pg, case_id, id, "requested", e);
}

const char *reveal_approver_role(const struct reveal *r)
{
	return r->director_named ? "alternate" : "director";
}

bool reveal_decide(PGconn *pg, struct reveal *r, long long user_id, bool is_director,
		   bool is_alternate, bool approve, struct wf_error *e)
{
	static const char sql_decide[] =
	    "UPDATE hotline.identity_reveals SET state = $2, decided_by = $3::bigint, "
	    "decider_role = $4, decided_at = now() WHERE id = $1::bigint "
	    "RETURNING to_char(decided_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD HH24:MI') "
	    "AS decided_at";
	if (r->state != REVEAL_REQUESTED)
		return wf_fail(e, WF_REVEAL_STATE, "request %s is already %s", r->id,
			       reveal_state_name(r->state));
	if (user_id == r->requested_by)
		return wf_fail(e, WF_SELF_APPROVAL,
			       "a request is approved by a second person, not "
			       "by the one who made it");
	const char *role = reveal_approver_role(r);
	bool allowed = r->director_named ? is_alternate : is_director;
	if (!allowed)
		return wf_fail(e, WF_NOT_APPROVER, "request %s is decided by the %s%s", r->id,
			       r->director_named ? "alternate recipient" : "director",
			       r->director_named ? " (the case names the director)" : "");
	enum reveal_state to = approve ? REVEAL_APPROVED : REVEAL_REJECTED;
	char uid[24];
	snprintf(uid, sizeof(uid), "%lld", user_id);
	const char *p[4] = {r->id, reveal_state_name(to), uid, role};
	PGresult *res = wfdb_exec(pg, sql_decide, 4, p, e);
	if (!res)
		return false;
	COPY(r->decided_at, res, "decided_at");
	PQclear(res);
	r->state = to;
	r->decided_by = user_id;
	snprintf(r->decider_role, sizeof(r->decider_role), "%s", role);
	return event(pg, r->case_id, r->id, reveal_state_name(to), e);
}

bool reveal_check_release(const struct reveal *r, long long custodian_id, struct wf_error *e)
{
	if (r->state == REVEAL_REQUESTED)
		return wf_fail(e, WF_NOT_APPROVED, "request %s is not approved yet", r->id);
	if (r->state != REVEAL_APPROVED)
		return wf_fail(e, WF_REVEAL_STATE, "request %s is %s", r->id,
			       reveal_state_name(r->state));
	if (custodian_id == r->requested_by)
		return wf_fail(e, WF_CUSTODIAN_REQUESTER,
			       "the custodian does not release a request "
			       "they made");
	return true;
}

bool reveal_release(PGconn *pg, struct reveal *r, long long custodian_id,
		    const struct public_key *pk, char **packet, size_t *len, struct wf_error *e)
{
	static const char sql_identity[] =
	    "SELECT identity_sealed FROM hotline.cases WHERE id = $1";
	static const char sql_released[] =
	    "UPDATE hotline.identity_reveals SET released_by = $2::bigint, released_at = now(), "
	    "packet_binding = $3 WHERE id = $1::bigint "
	    "RETURNING to_char(released_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD HH24:MI') "
	    "AS released_at";
	*packet = NULL;
	*len = 0;
	if (!reveal_check_release(r, custodian_id, e))
		return false;
	const char *p[1] = {r->case_id};
	PGresult *res = wfdb_exec(pg, sql_identity, 1, p, e);
	if (!res)
		return false;
	char binding[PACKET_BINDING_SIZE] = "";
	int identity = db_col(res, "identity_sealed");
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, identity)) {
		size_t sealed_len = 0;
		unsigned char *sealed = PQunescapeBytea(
		    (const unsigned char *)PQgetvalue(res, 0, identity), &sealed_len);
		if (sealed)
			*packet = packet_make(r->id, r->reg_no, r->director_named, pk, sealed,
					      sealed_len, binding);
		PQfreemem(sealed);
	}
	PQclear(res);
	if (!*packet)
		return wf_fail(e, WF_NO_IDENTITY, "case %s has no sealed identity to release",
			       r->reg_no);
	*len = strlen(*packet);
	char uid[24];
	snprintf(uid, sizeof(uid), "%lld", custodian_id);
	const char *q[3] = {r->id, uid, binding};
	res = wfdb_exec(pg, sql_released, 3, q, e);
	bool ok = res != NULL;
	if (ok) {
		COPY(r->released_at, res, "released_at");
		snprintf(r->packet_binding, sizeof(r->packet_binding), "%s", binding);
		r->released_by = custodian_id;
	}
	PQclear(res);
	ok = ok && event(pg, r->case_id, r->id, "released", e);
	if (!ok) {
		free(*packet);
		*packet = NULL;
		*len = 0;
	}
	return ok;
}

bool reveal_confirm_open(PGconn *pg, struct reveal *r, long long custodian_id,
			 const char *opened_on, int64_t now, struct wf_error *e)
{
	static const char sql_revealed[] =
	    "UPDATE hotline.identity_reveals SET state = 'revealed', revealed_by = $2::bigint, "
	    "revealed_at = CASE WHEN $3::date = (now() AT TIME ZONE " SQL_ZONE ")::date "
	    "THEN now() ELSE ($3::date + time '12:00') AT TIME ZONE " SQL_ZONE " END "
	    "WHERE id = $1::bigint AND state = 'approved' AND released_at IS NOT NULL "
	    "RETURNING to_char(revealed_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD HH24:MI') "
	    "AS revealed_at";
	if (!reveal_check_release(r, custodian_id, e))
		return false;
	if (r->released_by == 0)
		return wf_fail(e, WF_NOT_RELEASED, "the packet of request %s was not released yet",
			       r->id);
	/* the day the holders opened it, as the custodian states it: not
	 * after today, not before the packet was released */
	struct cal_date d, released;
	char today[CAL_DATE_SIZE], floor[CAL_DATE_SIZE];
	if (!opened_on || !*opened_on)
		return wf_missing(e, M_WF_NEED_DATE, "give the day the identity was opened");
	if (!cal_date_parse(opened_on, &d)) {
		wf_fail(e, WF_BAD_DATE, "%s is not a date (YYYY-MM-DD)", opened_on);
		return wf_explain(e, M_WF_GIVEN, WF_VALUE_TEXT, opened_on, WF_VALUE_TEXT, NULL);
	}
	cal_date_format(calendar_local_date(now), today);
	if (strcmp(opened_on, today) > 0) {
		wf_fail(e, WF_DATE_IN_FUTURE, "the opening %s is after today (%s)", opened_on,
			today);
		return wf_explain(e, M_WF_GIVEN_TODAY, WF_VALUE_DATE, opened_on, WF_VALUE_DATE,
				  today);
	}
	snprintf(floor, sizeof(floor), "%.10s", r->released_at);
	if (cal_date_parse(floor, &released) && cal_date_compare(d, released) < 0) {
		wf_fail(e, WF_NOT_RELEASED, "the opening %s is before the release (%s)", opened_on,
			floor);
		return wf_explain(e, M_WF_GIVEN_FLOOR, WF_VALUE_DATE, opened_on, WF_VALUE_DATE,
				  floor);
	}
	char uid[24];
	snprintf(uid, sizeof(uid), "%lld", custodian_id);
	const char *q[3] = {r->id, uid, opened_on};
	PGresult *res = wfdb_exec(pg, sql_revealed, 3, q, e);
	if (!res)
		return false;
	bool ok = PQntuples(res) == 1;
	if (ok) {
		COPY(r->revealed_at, res, "revealed_at");
		r->state = REVEAL_REVEALED;
		r->revealed_by = custodian_id;
	} else {
		wf_fail(e, WF_REVEAL_STATE, "request %s changed meanwhile", r->id);
	}
	PQclear(res);
	return ok && event(pg, r->case_id, r->id, "revealed", e);
}
