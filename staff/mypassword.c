/* /staff/account/password: everyone changes their own password (docs/
 * staff.md, "My password and key"). The page also shows the person's key
 * fingerprint, which whoever confirms a privileged role for them compares
 * by phone or in person (/staff/grants), and the roles still waiting for
 * that confirmation. The change re-wraps the same secret key and TOTP
 * secret under the new password (accounts/accountdb.c), so nothing granted
 * is lost; the person's other sessions end. A wrong current password
 * counts like a failed login, as on "My second factor" (staff/mytotp.c). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crypto/keys.h"
#include "base/db.h"
#include "base/log.h"
#include "accounts/accountdb.h"
#include "crypto/secret.h"
#include "staff/internal.h"
#include "staff/recheck.h"
#include "workflow/wfdb.h"

static const enum msg role_msgs[ROLE_COUNT] = {
    [ROLE_OPERATOR] = M_ROLE_OPERATOR,	   [ROLE_REGISTRAR] = M_ROLE_REGISTRAR,
    [ROLE_COMPLIANCE] = M_ROLE_COMPLIANCE, [ROLE_DIRECTOR] = M_ROLE_DIRECTOR,
    [ROLE_ALTERNATE] = M_ROLE_ALTERNATE,   [ROLE_COMMISSION] = M_ROLE_COMMISSION,
    [ROLE_CUSTODIAN] = M_ROLE_CUSTODIAN,   [ROLE_ANALYST] = M_ROLE_ANALYST,
    [ROLE_ADMIN] = M_ROLE_ADMIN,
};

/* What the page shows of the person's own account; owns nothing. */
struct me_view {
	char fp[FINGERPRINT_TEXT_SIZE]; /* the key's fingerprint, "" before activation */
	unsigned pending;		/* roles waiting for a second person */
};

/* False on a database error. */
static bool me_load(struct staff_ctx *c, struct me_view *v)
{
	static const char sql_me[] =
	    "SELECT u.public_key, (SELECT coalesce(string_agg(g.role, ','), '') "
	    "FROM hotline.staff_grants_pending g WHERE g.user_id = u.id) AS pending_roles "
	    "FROM hotline.staff_users u WHERE u.id = $1";
	char id[24];
	snprintf(id, sizeof id, "%lld", c->user->id);
	const char *p[1] = {id};
	PGresult *res = PQexecParams(c->db, sql_me, 1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		PQclear(res);
		return false;
	}
	int col_key = db_col(res, "public_key");
	accountdb_fingerprint(PQgetisnull(res, 0, col_key) ? NULL : PQgetvalue(res, 0, col_key),
			      v->fp);
	v->pending = role_list_parse(PQgetvalue(res, 0, db_col(res, "pending_roles")));
	PQclear(res);
	return true;
}

static void form_render(struct staff_ctx *c, const struct me_view *v, enum msg note, bool is_error)
{
	const char *fp = v->fp;
	unsigned pending = v->pending;
	staff_page_begin(c, i18n(c->lang, M_PASSWORD_TITLE));
	staff_html(c, "<h1>");
	staff_text(c, M_PASSWORD_TITLE);
	staff_html(c, "</h1>\n");
	if (note) {
		staff_html(c, "<p class=\"%s\" id=\"%s\" role=\"%s\">",
			   is_error ? "error" : "notice", is_error ? "error" : "done",
			   is_error ? "alert" : "status");
		staff_text(c, note);
		staff_html(c, "</p>\n");
	}
	staff_html(c, "<h2>");
	staff_text(c, M_PASSWORD_FINGERPRINT);
	staff_html(c,
		   "</h2>\n<p><code id=\"my-fingerprint\" class=\"fingerprint\">%s</code></p>\n"
		   "<p class=\"hint\">",
		   fp);
	staff_text(c, M_PASSWORD_FINGERPRINT_HINT);
	staff_html(c, "</p>\n");
	if (pending) {
		staff_html(c, "<p class=\"notice\" id=\"my-pending\">");
		staff_text(c, M_ADMIN_ROLES_PENDING);
		bool first = true;
		for (int r = 0; r < ROLE_COUNT; r++) {
			if (!(pending & ROLE_BIT(r)))
				continue;
			staff_html(c, "%s", first ? " " : ", ");
			staff_text(c, role_msgs[r]);
			first = false;
		}
		staff_html(c, "</p>\n");
	}
	staff_html(c, "<h2>");
	staff_text(c, M_PASSWORD_CHANGE);
	staff_html(c, "</h2>\n");
	staff_form_open(c, "/staff/account/password", false);
	staff_html(c, "<label for=\"current-password\">");
	staff_text(c, M_PASSWORD_CURRENT);
	staff_html(c, "</label>\n<input id=\"current-password\" name=\"current\" type=\"password\" "
		      "autocomplete=\"current-password\" required maxlength=\"256\">\n"
		      "<label for=\"new-password\">");
	staff_text(c, M_PASSWORD_NEW);
	staff_html(c,
		   "</label>\n<input id=\"new-password\" name=\"password\" type=\"password\" "
		   "autocomplete=\"new-password\" required minlength=\"%d\" maxlength=\"256\">\n"
		   "<p class=\"hint\">",
		   ACCOUNT_PASSWORD_MIN);
	staff_text(c, M_PASSWORD_RULES);
	staff_html(c, "</p>\n<label for=\"new-password-again\">");
	staff_text(c, M_PASSWORD_AGAIN);
	staff_html(c, "</label>\n<input id=\"new-password-again\" name=\"again\" type=\"password\" "
		      "autocomplete=\"new-password\" required maxlength=\"256\">\n"
		      "<p><button type=\"submit\" id=\"password-submit\">");
	staff_text(c, M_PASSWORD_SUBMIT);
	staff_html(c, "</button></p>\n</form>\n");
	staff_page_end(c);
}

static void form_page(struct staff_ctx *c, unsigned status, enum msg note, bool is_error)
{
	struct me_view v;
	if (!me_load(c, &v)) {
		staff_error(c, 503, M_STAFF_DB_DOWN_TITLE, M_STAFF_DB_DOWN);
		return;
	}
	c->status = status;
	form_render(c, &v, note, is_error);
}

static void mypassword_get(struct staff_ctx *c)
{
	form_page(c, 200, 0, false);
}

/* After the change the account's epoch moved on, which ends every session
 * of it; this one goes on as a new session of the new epoch, holding the
 * same case key. */
static bool renew_session(struct staff_ctx *c, int epoch)
{
	struct staff_priv *p = staff_priv(c);
	struct secret_key *copy = NULL;
	if (p->case_key && !(copy = secret_key_from_raw(secret_key_raw(p->case_key))))
		return false;
	session_end_user(p->srv->sessions, c->user->id);
	char sid[SESSION_ID_HEX + 1], csrf[SESSION_CSRF_HEX + 1];
	bool ok = session_create(p->srv->sessions, c->user->id, epoch, copy, sid, csrf);
	if (ok)
		staff_set_cookie(c, STAFF_COOKIE, sid, -1);
	secret_wipe(sid, sizeof sid);
	secret_wipe(csrf, sizeof csrf);
	return ok;
}

static void mypassword_post(struct staff_ctx *c)
{
	const char *password = staff_arg(c, "password");
	if (strcmp(password, staff_arg(c, "again")) != 0) {
		form_page(c, 400, M_PASSWORD_DIFFER, true);
		return;
	}
	if (!account_password_ok(password)) {
		form_page(c, 400, M_PASSWORD_WEAK, true);
		return;
	}
	/* as staff/mytotp.c: with this account's device cookie the try counts
	 * on the cookie, without it on the account, and is not looked at
	 * during the account's slow-down */
	struct recheck rc;
	if (recheck_begin(c, &rc)) {
		form_page(c, 400, M_PASSWORD_BAD_CURRENT, true);
		return;
	}
	struct wf_error e = {0};
	int epoch = 0;
	enum accountdb_result r = ACCOUNTDB_FAILED;
	if (wfdb_begin(c->db)) {
		/* audited "account.password" by the function (migrations/0020) */
		r = accountdb_password_change(c->db, c->user->id, staff_arg(c, "current"), password,
					      &epoch, &e);
		if (r == ACCOUNTDB_DONE && wfdb_commit(c->db)) {
			recheck_right(c, &rc);
			log_info("staff: user %lld changed their password", c->user->id);
			if (!renew_session(c, epoch)) {
				/* every session ended: log in again with the new password */
				staff_set_cookie(c, STAFF_COOKIE, "", 0);
				staff_redirect(c, "/staff/login");
				return;
			}
			form_page(c, 200, M_PASSWORD_DONE, false);
			return;
		}
		wfdb_rollback(c->db);
	}
	if (r == ACCOUNTDB_NO_ROW) {
		recheck_wrong(c, &rc);
		if (!staff_audit(c, "account.password.failed", c->user->login))
			log_error("staff: cannot write the audit row of a wrong password");
		log_info("staff: user %lld gave a wrong current password", c->user->id);
		form_page(c, 400, M_PASSWORD_BAD_CURRENT, true);
		return;
	}
	log_warning("staff: changing a password failed: %s", e.text);
	staff_error(c, 503, M_STAFF_DB_DOWN_TITLE, M_STAFF_DB_DOWN);
}

const struct staff_route staff_mypassword_routes[] = {
    {"GET", "/staff/account/password", ROLES_ANY, mypassword_get, "account.password.form"},
    {"POST", "/staff/account/password", ROLES_ANY, mypassword_post, "account.password"},
    {NULL, NULL, 0, NULL, NULL},
};

const struct staff_menu staff_mypassword_menu[] = {
    {"/staff/account/password", M_PASSWORD_MENU},
    {NULL, 0},
};
