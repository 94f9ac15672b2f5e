#include "staff/identity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keys.h"
#include "base/buf.h"
#include "base/db.h"
#include "intake/sealing.h"
#include "staff/casepage.h"
#include "staff/refusal.h"
#include "staff/sealedtext.h"
#include "workflow/calendar.h"
#include "workflow/journal.h"
#include "workflow/reveal.h"
#include "workflow/wfdb.h"

#define STATUS_FORBIDDEN 403
#define STATUS_NOT_FOUND 404
#define STATUS_UNPROCESSABLE 422
#define STATUS_UNAVAILABLE 503

#define ASKERS (ROLE_BIT(ROLE_COMPLIANCE) | ROLE_BIT(ROLE_COMMISSION))
#define APPROVERS (ROLE_BIT(ROLE_DIRECTOR) | ROLE_BIT(ROLE_ALTERNATE))
#define ALL_ROLES (ASKERS | APPROVERS | ROLE_BIT(ROLE_CUSTODIAN))

static bool has(const struct staff_ctx *c, enum role r)
{
	return (c->user->roles & ROLE_BIT(r)) != 0;
}

/* "2026-000012/reveal/3": what the audit log names. */
static void object_of(const struct reveal *r, char out[64])
{
	snprintf(out, 64, "%s/reveal/%s", r->reg_no, r->id);
}

/* An audit row outside the step's transaction (a refusal, a wrong
 * passphrase): it must stay even though the step did not happen. */
static void audit_refusal(struct staff_ctx *c, const char *action, const struct reveal *r)
{
	char object[64];
	object_of(r, object);
	if (!staff_audit(c, action, object))
		c->status = STATUS_UNAVAILABLE;
}

/* Need to know: who may see a request at all. */
static bool may_see(const struct staff_ctx *c, const struct reveal *r)
{
	if (r->requested_by == c->user->id || has(c, ROLE_COMPLIANCE))
		return true;
	if (has(c, ROLE_DIRECTOR) && !r->director_named)
		return true;
	if (has(c, ROLE_ALTERNATE) && r->director_named)
		return true;
	/* the custodian also sees a request not approved yet, so that trying
	 * to open it is refused and recorded rather than a plain 404 */
	return has(c, ROLE_CUSTODIAN) && r->state != REVEAL_REJECTED;
}

static enum msg state_text(enum reveal_state s)
{
	switch (s) {
	case REVEAL_REQUESTED:
		return M_REVEAL_STATE_REQUESTED;
	case REVEAL_APPROVED:
		return M_REVEAL_STATE_APPROVED;
	case REVEAL_REJECTED:
		return M_REVEAL_STATE_REJECTED;
	case REVEAL_REVEALED:
		return M_REVEAL_STATE_REVEALED;
	}
	return M_STATE_OTHER;
}

static enum msg role_text(const char *role)
{
	if (strcmp(role, "commission") == 0)
		return M_REVEAL_ROLE_COMMISSION;
	if (strcmp(role, "director") == 0)
		return M_REVEAL_ROLE_DIRECTOR;
	if (strcmp(role, "alternate") == 0)
		return M_REVEAL_ROLE_ALTERNATE;
	return M_REVEAL_ROLE_COMPLIANCE;
}

static void put_error(struct staff_ctx *c, const char *error)
{
	if (!error)
		return;
	staff_html(c, "<p class=\"error\" id=\"error\" role=\"alert\">");
	staff_esc(c, error);
	staff_html(c, "</p>\n");
}

/* --- the list --- */

/* The requests this user may see, newest first after the open ones; n
 * stays 0 and r NULL when there is none. Every request is loaded before
 * the page is written; free(r). False on a database error. */
static bool list_load(struct staff_ctx *c, struct reveal **out, int *n)
{
	static const char sql_list[] =
	    "SELECT r.id FROM hotline.identity_reveals r ORDER BY r.state <> 'requested', "
	    "r.state <> 'approved', r.id DESC LIMIT 500";
	struct wf_error e = {0};
	*out = NULL;
	*n = 0;
	PGresult *res = wfdb_exec(c->db, sql_list, 0, NULL, &e);
	if (!res)
		return false;
	int rows = PQntuples(res), id = db_col(res, "id");
	struct reveal *r = calloc(rows ? (size_t)rows : 1, sizeof(*r));
	if (!r)
		abort();
	for (int i = 0; i < rows; i++) {
		if (reveal_load(c->db, PQgetvalue(res, i, id), &r[*n], &e) && may_see(c, &r[*n]))
			(*n)++;
	}
	PQclear(res);
	*out = r;
	return true;
}

static void list_put(struct staff_ctx *c, const struct reveal *reveals, int n)
{
	staff_page_begin(c, i18n(c->lang, M_REVEAL_TITLE));
	staff_html(c, "<h1>");
	staff_text(c, M_REVEAL_TITLE);
	staff_html(c, "</h1>\n<p class=\"hint\">");
	staff_text(c, M_REVEAL_INTRO_SHARES);
	staff_html(c, "</p>\n");
	if (c->user->roles & ASKERS) {
		staff_html(c, "<p><a href=\"/staff/reveal/new\" id=\"new-request\">");
		staff_text(c, M_REVEAL_ASK);
		staff_html(c, "</a></p>\n");
	}
	staff_html(c, "<ul class=\"cards\" id=\"reveals\">\n");
	int shown = 0;
	for (int i = 0; i < n; i++) {
		const struct reveal *r = &reveals[i];
		shown++;
		staff_html(c,
			   "<li class=\"card reveal %s\" id=\"reveal-%s\"><h2><a "
			   "href=\"/staff/reveal/%s\">",
			   reveal_state_name(r->state), r->id, r->id);
		staff_esc(c, r->reg_no);
		staff_html(c, "</a></h2>\n<p>");
		staff_text(c, state_text(r->state));
		staff_html(c, " · ");
		staff_esc(c, r->requester_name);
		staff_html(c, " (");
		staff_text(c, role_text(r->requester_role));
		staff_html(c, ") · <time>");
		staff_date(c, r->requested_at);
		staff_html(c, "</time></p>\n</li>\n");
	}
	staff_html(c, "</ul>\n");
	if (shown == 0) {
		staff_html(c, "<p id=\"no-reveals\">");
		staff_text(c, M_REVEAL_NONE);
		staff_html(c, "</p>\n");
	}
	staff_page_end(c);
}

static void list(struct staff_ctx *c)
{
	struct reveal *reveals;
	int n;
	if (!list_load(c, &reveals, &n)) {
		staff_error(c, STATUS_UNAVAILABLE, M_STAFF_DB_DOWN_TITLE, M_STAFF_DB_DOWN);
		return;
	}
	list_put(c, reveals, n);
	free(reveals);
}

/* --- a new request --- */

static void new_form(struct staff_ctx *c, unsigned status, const char *error)
{
	if (status)
		c->status = status;
	staff_page_begin(c, i18n(c->lang, M_REVEAL_NEW_TITLE));
	staff_html(c, "<p><a href=\"/staff/reveal\">");
	staff_text(c, M_REVEAL_BACK);
	staff_html(c, "</a></p>\n<h1>");
	staff_text(c, M_REVEAL_NEW_TITLE);
	staff_html(c, "</h1>\n<p class=\"hint\">");
	staff_text(c, M_REVEAL_NEW_HINT);
	staff_html(c, "</p>\n");
	put_error(c, error);
	staff_form_open(c, "/staff/reveal/new", false);
	staff_html(c, "<label for=\"case\">");
	staff_text(c, M_RECEIPT_REGNO);
	staff_html(c, "</label>\n<input type=\"text\" id=\"case\" name=\"case\" required "
		      "maxlength=\"15\" placeholder=\"2026-000001\" value=\"");
	staff_esc(c, staff_arg(c, "case"));
	staff_html(c, "\">\n");
	const char *as = staff_arg(c, "as");
	bool both = has(c, ROLE_COMPLIANCE) && has(c, ROLE_COMMISSION);
	if (both) {
		staff_html(c, "<fieldset><legend>");
		staff_text(c, M_REVEAL_AS);
		staff_html(c,
			   "</legend>\n<label class=\"choice\"><input type=\"radio\" name=\"as\" "
			   "value=\"compliance\"%s> ",
			   strcmp(as, "commission") != 0 ? " checked" : "");
		staff_text(c, M_REVEAL_ROLE_COMPLIANCE);
		staff_html(c,
			   "</label>\n<label class=\"choice\"><input type=\"radio\" name=\"as\" "
			   "value=\"commission\"%s> ",
			   strcmp(as, "commission") == 0 ? " checked" : "");
		staff_text(c, M_REVEAL_ROLE_COMMISSION);
		staff_html(c, "</label>\n</fieldset>\n");
	} else {
		staff_html(c, "<input type=\"hidden\" name=\"as\" value=\"%s\">\n",
			   has(c, ROLE_COMPLIANCE) ? "compliance" : "commission");
	}
	staff_html(c, "<label for=\"reason\">");
	staff_text(c, M_REVEAL_REASON);
	staff_html(c, "</label>\n<p class=\"hint\">");
	staff_text(c, M_REVEAL_REASON_HINT);
	staff_html(c, "</p>\n<textarea id=\"reason\" name=\"reason\" rows=\"5\" required "
		      "maxlength=\"4000\">");
	staff_esc(c, staff_arg(c, "reason"));
	staff_html(c, "</textarea>\n<p><button type=\"submit\">");
	staff_text(c, M_REVEAL_SEND);
	staff_html(c, "</button></p>\n</form>\n");
	staff_page_end(c);
}

static void new_page(struct staff_ctx *c)
{
	new_form(c, 0, NULL);
}

static void new_post(struct staff_ctx *c)
{
	const char *reg_no = staff_arg(c, "case");
	const char *as = staff_arg(c, "as");
	struct wf_error e = {0};
	char id[24] = "";
	bool role_ok = (strcmp(as, "compliance") == 0 && has(c, ROLE_COMPLIANCE)) ||
		       (strcmp(as, "commission") == 0 && has(c, ROLE_COMMISSION));
	int year, seq;
	bool ok = role_ok && journal_parse_reg_no(reg_no, &year, &seq);
	if (!role_ok)
		wf_fail(&e, WF_MISSING, "acting as a role the user does not hold");
	else if (!ok)
		wf_fail(&e, WF_NO_CASE, "not a registration number");
	ok = ok && wfdb_begin(c->db);
	bool in_tx = ok;
	/* the reason is the case's: stored only under its key (issue 14) */
	const char *reason = staff_arg(c, "reason");
	char *sealed = NULL;
	if (ok && reason[strspn(reason, " \t\r\n")] == '\0')
		ok = wf_fail(&e, WF_MISSING, "a request to reveal an identity states its reason");
	else if (ok && !(sealed = sealedtext_reveal_seal(c, reg_no, reason)))
		ok = wf_fail(&e, WF_NO_CASE, "the case's key does not open for this session");
	ok = ok && reveal_request(c->db, reg_no, c->user->id, as, sealed, id, &e);
	free(sealed);
	char object[64];
	snprintf(object, sizeof(object), "%s/reveal/%s", reg_no, id);
	if (ok && !staff_audit(c, "reveal.request", object))
		ok = wf_fail(&e, WF_DB, "the audit log could not be written");
	if (ok && !wfdb_commit(c->db))
		ok = wf_fail(&e, WF_DB, "the commit failed");
	if (!ok) {
		if (in_tx)
			wfdb_rollback(c->db);
		char said[768];
		refusal_say(c, &e, said, sizeof(said));
		new_form(c, e.code == WF_DB ? STATUS_UNAVAILABLE : STATUS_UNPROCESSABLE, said);
		return;
	}
	char to[64];
	snprintf(to, sizeof(to), "/staff/reveal/%s", id);
	staff_redirect(c, to);
}

/* --- one request --- */

/* "Name (role), <time>when</time>" and the end of its <dd>. */
static void put_who_when(struct staff_ctx *c, const char *name, const char *role, const char *when)
{
	staff_esc(c, name);
	staff_html(c, " (");
	staff_text(c, role_text(role));
	staff_html(c, "), <time>");
	staff_date(c, when);
	staff_html(c, "</time></dd>\n");
}

/* reason: the request's reason, opened by show_request(). */
static void put_request(struct staff_ctx *c, const struct reveal *r,
			const struct sealedtext *reason, const char *error)
{
	char title[96];
	snprintf(title, sizeof(title), i18n(c->lang, M_REVEAL_ONE_TITLE), r->reg_no);
	staff_page_begin(c, title);
	/* .text wraps the packet's binding and the command on a phone */
	casepage_stylesheet(c);
	staff_html(c, "<p><a href=\"/staff/reveal\">");
	staff_text(c, M_REVEAL_BACK);
	staff_html(c, "</a></p>\n<h1>");
	staff_esc(c, title);
	staff_html(c, "</h1>\n");
	put_error(c, error);
	staff_html(c, "<dl class=\"facts\">\n<dt>");
	staff_text(c, M_STATUS_STATE);
	staff_html(c, "</dt>\n<dd id=\"reveal-state\" data-state=\"%s\">",
		   reveal_state_name(r->state));
	staff_text(c, state_text(r->state));
	staff_html(c, "</dd>\n<dt>");
	staff_text(c, M_REVEAL_REQUESTED_BY);
	staff_html(c, "</dt>\n<dd id=\"requested-by\">");
	put_who_when(c, r->requester_name, r->requester_role, r->requested_at);
	staff_html(c, "<dt>");
	staff_text(c, M_REVEAL_REASON);
	staff_html(c, "</dt>\n<dd class=\"text\" id=\"reason\">");
	sealedtext_write(c, reason);
	staff_html(c, "</dd>\n");
	if (r->decided_by) {
		staff_html(c, "<dt>");
		staff_text(c, r->state == REVEAL_REJECTED ? M_REVEAL_REJECTED_BY
							  : M_REVEAL_APPROVED_BY);
		staff_html(c, "</dt>\n<dd id=\"decided-by\">");
		put_who_when(c, r->decider_name, r->decider_role, r->decided_at);
	}
	if (r->released_by) {
		char text[320], when[96];
		staff_date_str(c, r->released_at, when, sizeof(when));
		snprintf(text, sizeof(text), i18n(c->lang, M_REVEAL_RELEASED_ON), r->releaser_name,
			 when);
		staff_html(c, "<dt>");
		staff_text(c, M_REVEAL_RELEASE);
		staff_html(c, "</dt>\n<dd id=\"released\">");
		staff_esc(c, text);
		staff_html(c, "</dd>\n<dt>");
		staff_text(c, M_REVEAL_BINDING);
		staff_html(c, "</dt>\n<dd class=\"text\" id=\"packet-binding\">");
		staff_esc(c, r->packet_binding);
		staff_html(c, "</dd>\n");
	}
	if (r->state == REVEAL_REVEALED) {
		char text[256], when[96];
		staff_date_str(c, r->revealed_at, when, sizeof(when));
		snprintf(text, sizeof(text), i18n(c->lang, M_REVEAL_REVEALED_ON), when);
		staff_html(c, "<dt>");
		staff_text(c, M_REVEAL_STATE_REVEALED);
		staff_html(c, "</dt>\n<dd id=\"revealed\">");
		staff_esc(c, text);
		staff_html(c, "</dd>\n");
	}
	staff_html(c, "</dl>\n");

	char action[64];
	bool approver = r->director_named ? has(c, ROLE_ALTERNATE) : has(c, ROLE_DIRECTOR);
	if (r->state == REVEAL_REQUESTED && (c->user->roles & APPROVERS)) {
		snprintf(action, sizeof(action), "/staff/reveal/decide/%s", r->id);
		casepage_section(c, "decide", M_REVEAL_DECIDE);
		staff_html(c, "<p class=\"hint\">");
		staff_text(c, approver && r->requested_by != c->user->id ? M_REVEAL_DECIDE_HINT
									 : M_WF_NOT_APPROVER);
		staff_html(c, "</p>\n");
		staff_form_open(c, action, false);
		staff_html(c, "<p class=\"buttons\"><button type=\"submit\" name=\"do\" "
			      "value=\"approve\" id=\"approve\">");
		staff_text(c, M_REVEAL_APPROVE);
		staff_html(c, "</button> <button type=\"submit\" name=\"do\" value=\"reject\" "
			      "id=\"reject\">");
		staff_text(c, M_REVEAL_REJECT);
		staff_html(c, "</button></p>\n</form>\n</section>\n");
	}
	if (has(c, ROLE_CUSTODIAN) && r->state == REVEAL_APPROVED) {
		snprintf(action, sizeof(action), "/staff/reveal/release/%s", r->id);
		casepage_section(c, "release", M_REVEAL_RELEASE);
		staff_html(c, "<p class=\"hint\">");
		staff_text(c, M_REVEAL_RELEASE_HINT);
		staff_html(c, "</p>\n<pre class=\"text\" id=\"unmask-command\">hotlinectl unmask "
			      "--packet reveal-");
		staff_esc(c, r->reg_no);
		staff_html(c, "-%s.txt \\\n  --share SHARE1 --share SHARE2</pre>\n", r->id);
		staff_form_open(c, action, false);
		staff_html(c, "<p><button type=\"submit\" id=\"download-packet\">");
		staff_text(c, M_REVEAL_RELEASE_BUTTON);
		staff_html(c, "</button></p>\n</form>\n</section>\n");
	}
	if (has(c, ROLE_CUSTODIAN) && r->state == REVEAL_APPROVED && r->released_by) {
		snprintf(action, sizeof(action), "/staff/reveal/open/%s", r->id);
		casepage_section(c, "open", M_REVEAL_CONFIRM);
		staff_html(c, "<p class=\"hint\">");
		char hint[768];
		snprintf(hint, sizeof(hint), i18n(c->lang, M_REVEAL_CONFIRM_HINT),
			 i18n(c->lang, role_text(r->requester_role)), r->requester_name);
		staff_esc(c, hint);
		staff_html(c, "</p>\n");
		staff_form_open(c, action, false);
		char today[CAL_DATE_SIZE];
		cal_date_format(calendar_local_date(staff_now(c)), today);
		staff_html(c, "<label for=\"opened-on\">");
		staff_text(c, M_REVEAL_OPENED_ON_LABEL);
		staff_html(c,
			   "</label>\n<input type=\"date\" id=\"opened-on\" name=\"opened_on\" "
			   "required value=\"%s\" max=\"%s\">\n",
			   today, today);
		staff_html(c, "<p><button type=\"submit\" id=\"confirm-opened\">");
		staff_text(c, M_REVEAL_CONFIRM_BUTTON);
		staff_html(c, "</button></p>\n</form>\n</section>\n");
	}
	staff_page_end(c);
}

/* The page of request r: its reason is read, then the page written. */
static void show_request(struct staff_ctx *c, const struct reveal *r, const char *error)
{
	struct sealedtext reason;
	sealedtext_open_reveal_reason(c, r->id, r->case_id, &reason);
	put_request(c, r, &reason, error);
	sealedtext_free(&reason);
}

/* Loads the request of the path and checks that the user may see it;
 * answers 404 otherwise. */
static bool load_visible(struct staff_ctx *c, const char *id, struct reveal *r)
{
	struct wf_error e = {0};
	if (!reveal_load(c->db, id, r, &e)) {
		if (e.code == WF_DB)
			staff_error(c, STATUS_UNAVAILABLE, M_STAFF_DB_DOWN_TITLE, M_STAFF_DB_DOWN);
		else
			staff_error(c, STATUS_NOT_FOUND, M_ERR_NOT_FOUND_TITLE, M_ERR_NOT_FOUND);
		return false;
	}
	if (!may_see(c, r)) {
		staff_error(c, STATUS_NOT_FOUND, M_ERR_NOT_FOUND_TITLE, M_ERR_NOT_FOUND);
		return false;
	}
	return true;
}

static void one(struct staff_ctx *c)
{
	struct reveal r;
	if (load_visible(c, c->arg, &r))
		show_request(c, &r, NULL);
}

static void refused(struct staff_ctx *c, const struct reveal *r, unsigned status,
		    const struct wf_error *e)
{
	audit_refusal(c, "reveal.refused", r);
	if (c->status != STATUS_UNAVAILABLE)
		c->status = status;
	char said[768];
	refusal_say(c, e, said, sizeof(said));
	show_request(c, r, said);
}

static void decide(struct staff_ctx *c)
{
	const char *what = staff_arg(c, "do");
	bool approve = strcmp(what, "approve") == 0;
	if (!approve && strcmp(what, "reject") != 0) {
		staff_error(c, STATUS_UNPROCESSABLE, M_ERR_BAD_REQUEST_TITLE, M_WF_MISSING);
		return;
	}
	struct reveal r;
	struct wf_error e = {0};
	if (!wfdb_begin(c->db)) {
		staff_error(c, STATUS_UNAVAILABLE, M_STAFF_DB_DOWN_TITLE, M_STAFF_DB_DOWN);
		return;
	}
	if (!reveal_load(c->db, c->arg, &r, &e) || !may_see(c, &r)) {
		wfdb_rollback(c->db);
		staff_error(c, STATUS_NOT_FOUND, M_ERR_NOT_FOUND_TITLE, M_ERR_NOT_FOUND);
		return;
	}
	char object[64];
	object_of(&r, object);
	bool ok = reveal_decide(c->db, &r, c->user->id, has(c, ROLE_DIRECTOR),
				has(c, ROLE_ALTERNATE), approve, &e);
	if (ok && !staff_audit(c, approve ? "reveal.approve" : "reveal.reject", object))
		ok = wf_fail(&e, WF_DB, "the audit log could not be written");
	if (ok && !wfdb_commit(c->db))
		ok = wf_fail(&e, WF_DB, "the commit failed");
	if (!ok) {
		wfdb_rollback(c->db);
		struct reveal now;
		struct wf_error e2 = {0};
		if (reveal_load(c->db, c->arg, &now, &e2))
			r = now;
		refused(c, &r,
			e.code == WF_DB ? STATUS_UNAVAILABLE
			: e.code == WF_SELF_APPROVAL || e.code == WF_NOT_APPROVER
			    ? STATUS_FORBIDDEN
			    : STATUS_UNPROCESSABLE,
			&e);
		return;
	}
	char to[64];
	snprintf(to, sizeof(to), "/staff/reveal/%s", r.id);
	staff_redirect(c, to);
}

/* --- the custodian releases the packet, then records the opening --- */

/* Issue 14: hotlined holds no key that opens an identity. It releases the
 * sealed identity, bound to the request, as a packet that the holders of M
 * shares of the unmasking key open together off the server (hotlinectl
 * unmask); each release is audited and in the case's timeline. */
static void release_post(struct staff_ctx *c)
{
	struct reveal r;
	struct wf_error e = {0};
	if (!load_visible(c, c->arg, &r))
		return;
	if (!reveal_check_release(&r, c->user->id, &e)) {
		refused(c, &r,
			e.code == WF_CUSTODIAN_REQUESTER ? STATUS_FORBIDDEN : STATUS_UNPROCESSABLE,
			&e);
		return;
	}
	if (!c->keys) {
		staff_error(c, STATUS_UNAVAILABLE, M_STAFF_DB_DOWN_TITLE, M_STAFF_DB_DOWN);
		return;
	}
	char *packet = NULL;
	size_t len = 0;
	char object[64];
	object_of(&r, object);
	bool ok = wfdb_begin(c->db);
	bool in_tx = ok;
	ok = ok && reveal_load(c->db, c->arg, &r, &e) &&
	     reveal_release(c->db, &r, c->user->id, &c->keys->custodian, &packet, &len, &e);
	if (ok && !staff_audit(c, "reveal.release", object))
		ok = wf_fail(&e, WF_DB, "the audit log could not be written");
	if (ok && !wfdb_commit(c->db))
		ok = wf_fail(&e, WF_DB, "the commit failed");
	if (!ok) {
		if (in_tx)
			wfdb_rollback(c->db);
		free(packet);
		refused(c, &r, e.code == WF_DB ? STATUS_UNAVAILABLE : STATUS_UNPROCESSABLE, &e);
		return;
	}
	snprintf(c->download_name, sizeof(c->download_name), "reveal-%s-%s.txt", r.reg_no, r.id);
	c->content_type = "text/plain; charset=utf-8";
	buf_add(&c->body, packet, len);
	free(packet);
}

static void confirm_post(struct staff_ctx *c)
{
	struct reveal r;
	struct wf_error e = {0};
	if (!load_visible(c, c->arg, &r))
		return;
	char object[64];
	object_of(&r, object);
	bool ok = wfdb_begin(c->db);
	bool in_tx = ok;
	ok = ok && reveal_load(c->db, c->arg, &r, &e) &&
	     reveal_confirm_open(c->db, &r, c->user->id, staff_arg(c, "opened_on"), staff_now(c),
				 &e);
	if (ok && !staff_audit(c, "reveal.open", object))
		ok = wf_fail(&e, WF_DB, "the audit log could not be written");
	if (ok && !wfdb_commit(c->db))
		ok = wf_fail(&e, WF_DB, "the commit failed");
	if (!ok) {
		if (in_tx)
			wfdb_rollback(c->db);
		struct reveal now;
		struct wf_error e2 = {0};
		if (reveal_load(c->db, c->arg, &now, &e2))
			r = now;
		refused(c, &r,
			e.code == WF_DB			   ? STATUS_UNAVAILABLE
			: e.code == WF_CUSTODIAN_REQUESTER ? STATUS_FORBIDDEN
							   : STATUS_UNPROCESSABLE,
			&e);
		return;
	}
	char to[64];
	snprintf(to, sizeof(to), "/staff/reveal/%s", r.id);
	staff_redirect(c, to);
}

const struct staff_route staff_identity_routes[] = {
    {"GET", "/staff/reveal", ALL_ROLES, list, "reveal.list"},
    {"GET", "/staff/reveal/new", ASKERS, new_page, "reveal.new"},
    {"POST", "/staff/reveal/new", ASKERS, new_post, "reveal.request"},
    {"GET", "/staff/reveal/*", ALL_ROLES, one, "reveal.view"},
    {"POST", "/staff/reveal/decide/*", APPROVERS, decide, "reveal.decide"},
    {"POST", "/staff/reveal/release/*", ROLE_BIT(ROLE_CUSTODIAN), release_post, "reveal.release"},
    {"POST", "/staff/reveal/open/*", ROLE_BIT(ROLE_CUSTODIAN), confirm_post, "reveal.open"},
    {0},
};

const struct staff_menu staff_identity_menu[] = {
    {"/staff/reveal", M_REVEAL_TITLE},
    {0},
};
