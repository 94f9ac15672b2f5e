/* The compliance manager's steps on the case page and what every case
 * role may write there: triage (workflow/procedure.c), recording that the
 * materials were forwarded, a reply to the reporter, an internal note.
 * Each runs in one transaction with its audit row, then goes back to the
 * case page (303); a refused step shows the page again with the reason. */
#include "staff/caseaction.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/digest.h"
#include "crypto/seal.h"
#include "base/config.h"
#include "base/db.h"
#include "base/log.h"
#include "intake/sealing.h"
#include "staff/casefile.h"
#include "staff/seals.h"
#include "staff/casepage.h"
#include "staff/refusal.h"
#include "workflow/procedure.h"
#include "workflow/related.h"
#include "workflow/wfdb.h"

/* A date the procedure does not accept there (workflow/investigation.c). */
static bool dated(enum wf_code code)
{
	return code == WF_DATE_IN_FUTURE || code == WF_ORDER_BEFORE_DECISION ||
	       code == WF_REQUEST_BEFORE_ORDER || code == WF_CONSENT_BEFORE_ORDER ||
	       code == WF_DUE_NOT_WORKING || code == WF_DECISION_BEFORE_SUBMIT ||
	       code == WF_MEASURES_BEFORE_DECISION;
}

/* Fields missing or malformed, a date refused: the person can fix the form. */
static bool invalid_input(enum wf_code code)
{
	return code == WF_MISSING || code == WF_BAD_DATE || code == WF_NO_CONSENT ||
	       code == WF_DUE_NOT_LATER || code == WF_BAD_DECISION || code == WF_EMPTY ||
	       dated(code);
}

void caseaction_refused(struct staff_ctx *c, const char *reg_no, const struct wf_error *e)
{
	if (e->code == WF_NO_CASE) {
		casefile_not_found(c);
		return;
	}
	if (e->code == WF_DB || e->code == WF_CRYPTO || e->code == WF_OK) {
		casefile_db_error(c);
		return;
	}
	char said[768], text[1024];
	refusal_say(c, e, said, sizeof(said));
	snprintf(text, sizeof(text), "%s %s",
		 i18n(c->lang, invalid_input(e->code) ? M_STEP_INVALID : M_STEP_REFUSED), said);
	buf_wipe(&c->body);
	casepage_show(c, reg_no, invalid_input(e->code) ? 400 : 409, text);
}

/* 303 to /staff/case/REG_NO#anchor. */
static void caseaction_done(struct staff_ctx *c, const char *reg_no, const char *anchor)
{
	char path[96];
	snprintf(path, sizeof(path), "/staff/case/%s#%s", reg_no, anchor);
	staff_redirect(c, path);
}

/* Opens the transaction and loads the case for a step (locked, need to
 * know applied); answers the request itself and returns false when it
 * cannot go on. */
bool caseaction_begin(struct staff_ctx *c, struct casefile *k)
{
	return casefile_open(c, c->arg, true, k);
}

/* Audits and commits a step that succeeded, then redirects. */
void caseaction_commit(struct staff_ctx *c, const struct casefile *k, const char *action,
		       const char *anchor)
{
	if (!staff_audit(c, action, k->reg_no) || !casefile_commit(c)) {
		casefile_rollback(c);
		casefile_db_error(c);
		return;
	}
	caseaction_done(c, k->reg_no, anchor);
}

static bool blank(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

/* --- internal notes, under the case's content key --- */

enum note_stored { NOTE_STORED, NOTE_NO_KEY, NOTE_FAILED };

/* Writes text as an internal note of case k, encrypted under its content
 * key, in the open transaction; its id into note_id when not NULL. */
static enum note_stored store_note(struct staff_ctx *c, const struct casefile *k, const char *text,
				   size_t len, char note_id[24])
{
	struct content_key *key = casefile_content_key(c, k);
	if (!key)
		return NOTE_NO_KEY;
	unsigned char *body = NULL;
	size_t blen = 0;
	bool ok = content_encrypt(key, text, len, &body, &blen);
	content_key_free(key);
	if (ok) {
		char id[24];
		struct db_error err = {0};
		ok = wfdb_case_note(c->db, k->id, c->user->login, body, blen, id, &err);
		if (!ok)
			log_warning("staff %s: a case query failed (SQLSTATE %s)", c->path,
				    err.sqlstate);
		else if (note_id)
			snprintf(note_id, 24, "%s", id);
	}
	free(body);
	return ok ? NOTE_STORED : NOTE_FAILED;
}

/* Answers a note that could not be stored; the transaction is rolled back. */
static void note_refused(struct staff_ctx *c, enum note_stored why)
{
	casefile_rollback(c);
	if (why == NOTE_NO_KEY) {
		buf_wipe(&c->body);
		staff_error(c, 403, M_CASE_FILE_UNREADABLE_TITLE, M_CASE_NOT_SEALED);
	} else {
		casefile_db_error(c);
	}
}

static bool note_too_long(const struct staff_ctx *c, size_t len)
{
	return c->cfg && len > c->cfg->max_text_bytes;
}

/* --- triage and forwarded --- */

static void triage(struct staff_ctx *c)
{
	struct casefile k;
	struct procedure_outcome out;
	struct wf_error e = {0};
	struct procedure_triage t = {.unit = staff_arg(c, "unit"), .director_named = -1};
	/* the triage form's note becomes an internal note, encrypted */
	const char *note_text = staff_arg(c, "note");
	size_t note_len = staff_arg_len(c, "note");
	const char *named = staff_arg(c, "director_named");
	if (strcmp(named, "yes") == 0)
		t.director_named = 1;
	else if (strcmp(named, "no") == 0)
		t.director_named = 0;
	if (!triage_outcome_parse(staff_arg(c, "outcome"), &t.outcome)) {
		wf_fail(&e, WF_MISSING, "outcome");
		caseaction_refused(c, c->arg, &e);
		return;
	}
	if (note_too_long(c, note_len)) {
		wf_fail(&e, WF_MISSING, "note");
		caseaction_refused(c, c->arg, &e);
		return;
	}
	if (!caseaction_begin(c, &k))
		return;
	/* the unit is typed text: stored under the case's key (issue 14) */
	struct content_key *key = casefile_content_key(c, &k);
	t.key = key;
	bool triaged = procedure_triage(c->db, k.reg_no, &t, c->user->login, &out, &e);
	content_key_free(key);
	if (!triaged) {
		casefile_rollback(c);
		caseaction_refused(c, k.reg_no, &e);
		return;
	}
	if (!blank(note_text)) {
		enum note_stored st = store_note(c, &k, note_text, note_len, NULL);
		if (st != NOTE_STORED) {
			note_refused(c, st);
			return;
		}
	}
	caseaction_commit(c, &k, "case.triage", "timeline");
}

static void forwarded(struct staff_ctx *c)
{
	struct casefile k;
	struct procedure_outcome out;
	struct wf_error e = {0};
	if (!caseaction_begin(c, &k))
		return;
	/* the body is typed text: stored under the case's key (issue 14) */
	struct content_key *key = casefile_content_key(c, &k);
	bool recorded =
	    procedure_forwarded(c->db, k.reg_no, staff_arg(c, "to"), key, c->user->login, &out, &e);
	content_key_free(key);
	if (!recorded) {
		casefile_rollback(c);
		caseaction_refused(c, k.reg_no, &e);
		return;
	}
	caseaction_commit(c, &k, "case.forwarded", "timeline");
}

/* --- a reply to the reporter --- */

/* The staff's copy under a fresh message key sealed to the case-handling
 * key; the reporter's copy sealed to the reporter's public key, which only
 * the receipt opens (docs/keys.md). With answer=yes it is THE reply to a
 * named reporter (004 L196): marked so (messages.is_reply), printable as a
 * letter (staff/replyletter.c), and it meets the reply deadline. */
static void reply(struct staff_ctx *c)
{
	static const char sql_reporter_key[] =
	    "SELECT reporter_public_key FROM hotline.cases WHERE id = $1";
	static const char sql_message[] =
	    "INSERT INTO hotline.messages (case_id, author, key_sealed, body_case, body_reporter, "
	    "staff_login, is_reply) VALUES ($1, 'staff', $2, $3, $4, $5, $6)";
	static const char sql_event[] =
	    "SELECT hotline.case_event($1, $2, jsonb_build_object('by', $3::text))";
	static const char sql_meet_reply[] =
	    "UPDATE hotline.deadlines SET met_at = now() WHERE case_id = $1 AND kind = 'reply' "
	    "AND met_at IS NULL";
	const char *text = staff_arg(c, "message");
	size_t len = staff_arg_len(c, "message");
	bool answer = strcmp(staff_arg(c, "answer"), "yes") == 0;
	struct wf_error e = {0};
	if (blank(text) || (c->cfg && len > c->cfg->max_text_bytes)) {
		wf_fail(&e, WF_MISSING, "message");
		caseaction_refused(c, c->arg, &e);
		return;
	}
	struct casefile k;
	if (!caseaction_begin(c, &k))
		return;
	if (answer && k.anonymous) {
		casefile_rollback(c);
		wf_fail(&e, WF_CASE_STATE, "%s", i18n(c->lang, M_CASE_REPLY_ANONYMOUS));
		caseaction_refused(c, k.reg_no, &e);
		return;
	}
	const char *v[1] = {k.id};
	PGresult *res = casefile_query(c, sql_reporter_key, 1, v);
	size_t pklen = 0;
	unsigned char *pk = res && PQntuples(res) == 1
				? casefile_bytea(res, 0, db_col(res, "reporter_public_key"), &pklen)
				: NULL;
	PQclear(res);
	if (!pk || pklen != KEYS_PUBLIC_BYTES) {
		PQfreemem(pk);
		casefile_rollback(c);
		wf_fail(&e, WF_CASE_STATE, "%s", i18n(c->lang, M_CASE_REPLY_WAIT));
		caseaction_refused(c, k.reg_no, &e);
		return;
	}
	struct public_key reporter;
	memcpy(reporter.bytes, pk, KEYS_PUBLIC_BYTES);
	PQfreemem(pk);
	struct content_key *mk = content_key_new();
	unsigned char *sealed = NULL, *body_case = NULL, *body_reporter = NULL;
	size_t slen = 0, clen = 0, rlen = 0;
	/* the staff's copy to the case's own key, opened from this person's
	 * seal (docs/keys.md): no seal, no message */
	struct public_key case_pk;
	bool ok = mk && staff_case_public_key(c, k.id, &case_pk) &&
		  content_key_seal(mk, &case_pk, &sealed, &slen) &&
		  content_encrypt(mk, text, len, &body_case, &clen) &&
		  seal_to(&reporter, text, len, &body_reporter, &rlen);
	content_key_free(mk);
	if (ok) {
		const char *mv[6] = {k.id,
				     (const char *)sealed,
				     (const char *)body_case,
				     (const char *)body_reporter,
				     c->user->login,
				     answer ? "true" : "false"};
		int ml[6] = {0, (int)slen, (int)clen, (int)rlen, 0, 0};
		int mf[6] = {0, 1, 1, 1, 0, 0};
		PGresult *ins = casefile_query_bin(c, sql_message, 6, mv, ml, mf);
		const char *ev[3] = {k.id, answer ? "reply" : "staff_message", c->user->login};
		PGresult *evr = ins ? casefile_query(c, sql_event, 3, ev) : NULL;
		PGresult *met = evr && answer ? casefile_query(c, sql_meet_reply, 1, v) : NULL;
		ok = ins && evr && (!answer || met);
		PQclear(ins);
		PQclear(evr);
		PQclear(met);
	}
	free(sealed);
	free(body_case);
	free(body_reporter);
	if (!ok) {
		casefile_rollback(c);
		casefile_db_error(c);
		return;
	}
	caseaction_commit(c, &k, "case.reply", "messages");
}

/* --- an internal note --- */

static void note(struct staff_ctx *c)
{
	const char *text = staff_arg(c, "note");
	size_t len = staff_arg_len(c, "note");
	struct wf_error e = {0};
	if (blank(text) || note_too_long(c, len)) {
		wf_fail(&e, WF_MISSING, "note");
		caseaction_refused(c, c->arg, &e);
		return;
	}
	struct casefile k;
	if (!caseaction_begin(c, &k))
		return;
	enum note_stored st = store_note(c, &k, text, len, NULL);
	if (st != NOTE_STORED) {
		note_refused(c, st);
		return;
	}
	caseaction_commit(c, &k, "case.note", "notes");
}

/* --- the alternate recipient clears "the report names the director" --- */

/* Only the alternate recipient, never a compliance manager alone and never
 * the director (a person holding the director's role cannot load a case
 * naming the director, whatever other role they hold), clears the
 * flag, also against a reporter's "yes" (issue 14); the reason is an
 * internal note under the case's content key, named by the timeline event
 * (procedure_clear_director_named). The case then leaves the alternate's
 * sight, so the page goes back to their queue. */
static void director_clear(struct staff_ctx *c)
{
	const char *text = staff_arg(c, "reason");
	size_t len = staff_arg_len(c, "reason");
	struct wf_error e = {0};
	if (blank(text) || note_too_long(c, len)) {
		wf_fail(&e, WF_MISSING, "reason");
		caseaction_refused(c, c->arg, &e);
		return;
	}
	struct casefile k;
	struct procedure_outcome out;
	if (!caseaction_begin(c, &k))
		return;
	char note_id[24] = "";
	enum note_stored st = store_note(c, &k, text, len, note_id);
	if (st != NOTE_STORED) {
		note_refused(c, st);
		return;
	}
	if (!procedure_clear_director_named(c->db, k.reg_no, note_id, c->user->login, &out, &e)) {
		casefile_rollback(c);
		caseaction_refused(c, k.reg_no, &e);
		return;
	}
	if (!staff_audit(c, "case.director_named", k.reg_no) || !casefile_commit(c)) {
		casefile_rollback(c);
		casefile_db_error(c);
		return;
	}
	staff_redirect(c, "/staff/decisions");
}

#define CASE_ROLES (ROLE_BIT(ROLE_COMPLIANCE) | ROLE_BIT(ROLE_DIRECTOR) | ROLE_BIT(ROLE_ALTERNATE))

/* --- related appeals (004 L139) --- */

static void relate(struct staff_ctx *c)
{
	struct casefile k;
	struct wf_error e = {0};
	if (!caseaction_begin(c, &k))
		return;
	if (!related_attach(c->db, k.id, k.reg_no, staff_arg(c, "to"), c->user->id, &e)) {
		casefile_rollback(c);
		caseaction_refused(c, k.reg_no, &e);
		return;
	}
	/* the audit object names both: "APPEAL>INVESTIGATED CASE" */
	char object[64];
	snprintf(object, sizeof(object), "%s>%s", k.reg_no, staff_arg(c, "to"));
	if (!staff_audit(c, "case.relate", object) || !casefile_commit(c)) {
		casefile_rollback(c);
		casefile_db_error(c);
		return;
	}
	caseaction_done(c, k.reg_no, "related");
}

const struct staff_route staff_caseaction_routes[] = {
    {"POST", "/staff/case-triage/*", ROLE_BIT(ROLE_COMPLIANCE), triage, "case.triage"},
    {"POST", "/staff/case-forwarded/*", ROLE_BIT(ROLE_COMPLIANCE), forwarded, "case.forwarded"},
    {"POST", "/staff/case-reply/*", ROLE_BIT(ROLE_COMPLIANCE), reply, "case.reply"},
    {"POST", "/staff/case-note/*", CASE_ROLES, note, "case.note"},
    {"POST", "/staff/case-relate/*", ROLE_BIT(ROLE_COMPLIANCE), relate, "case.relate"},
    {"POST", "/staff/case-director/*", ROLE_BIT(ROLE_ALTERNATE), director_clear,
     "case.director_named"},
    {NULL, NULL, 0, NULL, NULL},
};
