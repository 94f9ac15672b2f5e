/* /staff/activate: the holder of a one-time activation code sets their own
 * password (docs/staff.md, "Accounts and activation"). Public, with the
 * login page's pre-login CSRF cookie and its slow-down: a wrong code counts
 * like a wrong password on the login and on the client (accounts/throttle.h).
 * Only once the code is right is the key pair made and wrapped under the
 * new password (accounts/accountdb.c), so the administrator who handed over
 * the code never learns a password. When a role the account holds already
 * requires a TOTP code, the authenticator is set up in the same step (the
 * page offers a fresh secret): otherwise the person could never log in to
 * set it up, and nobody but the code's holder may set it up. */
#include <ctype.h>
#include <string.h>
#include <time.h>

#include "base/db.h"
#include "base/log.h"
#include "accounts/accountdb.h"
#include "crypto/random.h"
#include "crypto/secret.h"
#include "accounts/audit.h"
#include "staff/internal.h"
#include "accounts/totp.h"
#include "workflow/wfdb.h"

/* b32: the TOTP secret offered (the one sent back, or NULL for a fresh
 * one). */
static void form_page(struct staff_ctx *c, unsigned status, enum msg error, bool wait,
		      const char *b32)
{
	char fresh_b32[TOTP_BASE32_SIZE] = "";
	if (!b32) {
		unsigned char secret[TOTP_SECRET_BYTES];
		random_bytes(secret, sizeof secret);
		if (!totp_base32(secret, sizeof secret, fresh_b32))
			fresh_b32[0] = '\0';
		secret_wipe(secret, sizeof secret);
		b32 = fresh_b32;
	}
	char fresh[SESSION_CSRF_HEX + 1];
	const char *token = staff_pre_token(c, fresh);
	c->status = status;
	staff_page_begin(c, i18n(c->lang, M_ACTIVATE_TITLE));
	staff_html(c, "<h1>");
	staff_text(c, M_ACTIVATE_TITLE);
	staff_html(c, "</h1>\n");
	if (error) {
		staff_html(c, "<p class=\"error\" id=\"error\" role=\"alert\">");
		staff_text(c, error);
		if (wait) {
			staff_html(c, " ");
			staff_text(c, M_STAFF_LOGIN_SLOWED);
		}
		staff_html(c, "</p>\n");
	}
	staff_html(c, "<p class=\"hint\">");
	staff_text(c, M_ACTIVATE_INTRO);
	staff_html(c,
		   "</p>\n<form method=\"post\" action=\"/staff/activate\" class=\"login\">\n"
		   "<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n<label for=\"login\">",
		   token);
	staff_text(c, M_STAFF_LOGIN_LOGIN);
	staff_html(
	    c, "</label>\n<input id=\"login\" name=\"login\" autocomplete=\"username\" "
	       "autocapitalize=\"none\" spellcheck=\"false\" required maxlength=\"63\" value=\"");
	if (error)
		staff_esc(c, staff_arg(c, "login"));
	staff_html(c, "\">\n<label for=\"activation-code\">");
	staff_text(c, M_ACTIVATE_CODE);
	staff_html(c, "</label>\n<input id=\"activation-code\" name=\"code\" required "
		      "autocomplete=\"one-time-code\" autocapitalize=\"none\" spellcheck=\"false\" "
		      "maxlength=\"40\">\n<label for=\"new-password\">");
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
		      "autocomplete=\"new-password\" required maxlength=\"256\">\n<h2>");
	staff_text(c, M_ACTIVATE_TOTP_TITLE);
	staff_html(c, "</h2>\n<p class=\"hint\">");
	staff_text(c, M_ACTIVATE_TOTP_HINT);
	staff_html(c, "</p>\n<p>");
	/* the QR code as on "My second factor" (TOTP is required by default
	 * for the privileged roles and admin, migration 0019) */
	const char *typed = staff_arg(c, "login");
	char uri[256];
	staff_totp_uri(typed && account_login_ok(typed) ? typed : NULL, b32, uri, sizeof uri);
	staff_text(c, M_MYTOTP_STEP_SCAN);
	staff_html(c, "<br>");
	staff_totp_qr(c, uri);
	secret_wipe(uri, sizeof uri);
	staff_html(c, "<br>");
	staff_text(c, M_MYTOTP_STEP_APP);
	staff_html(c, "<br>");
	staff_totp_secret(c, b32);
	staff_html(c,
		   "</p>\n<input type=\"hidden\" name=\"secret\" value=\"%s\">\n"
		   "<label for=\"totp-code\">",
		   b32);
	staff_text(c, M_MYTOTP_CODE);
	staff_html(c, "</label>\n<input id=\"totp-code\" name=\"totp\" inputmode=\"numeric\" "
		      "autocomplete=\"one-time-code\" maxlength=\"6\" pattern=\"[0-9]{6}\">\n"
		      "<p><button type=\"submit\" id=\"activate-submit\">");
	staff_text(c, M_ACTIVATE_SUBMIT);
	staff_html(c, "</button></p>\n</form>\n");
	staff_page_end(c);
	secret_wipe(fresh_b32, sizeof fresh_b32);
}

/* The secret the form gave out, as it gave it out (as staff/mytotp.c):
 * false for anything else. */
static bool offered_secret(const char *b32, unsigned char secret[64], size_t *len)
{
	char again[TOTP_BASE32_SIZE];
	*len = 64;
	bool ok = totp_base32_decode(b32, secret, len) && *len == TOTP_SECRET_BYTES &&
		  totp_base32(secret, *len, again) && strcmp(again, b32) == 0;
	secret_wipe(again, sizeof again);
	return ok;
}

/* Whether a role the account holds requires a TOTP code; -1 on an error. */
static int totp_required(struct staff_ctx *c, long long id)
{
	static const char sql_required[] =
	    "SELECT coalesce(bool_or(p.totp_required), false) AS required "
	    "FROM hotline.staff_users u "
	    "JOIN hotline.staff_role_policy p ON p.role = ANY (u.roles) WHERE u.id = $1";
	char uid[24];
	snprintf(uid, sizeof uid, "%lld", id);
	const char *v[1] = {uid};
	PGresult *res = PQexecParams(c->db, sql_required, 1, NULL, v, NULL, NULL, 0);
	int r = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1
		    ? strcmp(PQgetvalue(res, 0, db_col(res, "required")), "t") == 0
		    : -1;
	PQclear(res);
	return r;
}

/* The page after the account is activated: on to the login. */
static void done_render(struct staff_ctx *c)
{
	staff_page_begin(c, i18n(c->lang, M_ACTIVATE_TITLE));
	staff_html(c, "<h1>");
	staff_text(c, M_ACTIVATE_TITLE);
	staff_html(c, "</h1>\n<p class=\"notice\" id=\"done\" role=\"status\">");
	staff_text(c, M_ACTIVATE_DONE);
	staff_html(c, "</p>\n<p><a id=\"to-login\" href=\"/staff/login\">");
	staff_text(c, M_STAFF_LOGIN_TITLE);
	staff_html(c, "</a></p>\n");
	staff_page_end(c);
}

static void activate_get(struct staff_ctx *c)
{
	form_page(c, 200, 0, false, NULL);
}

static void activate_post(struct staff_ctx *c)
{
	struct staff_priv *p = staff_priv(c);
	if (!staff_pre_token_sent(c)) {
		log_info("staff: activation form without its token refused");
		staff_error(c, 403, M_STAFF_CSRF_TITLE, M_STAFF_CSRF);
		return;
	}
	if (!c->db) {
		staff_error(c, 503, M_STAFF_DB_DOWN_TITLE, M_STAFF_DB_DOWN);
		return;
	}
	char login[64];
	const char *typed = staff_arg(c, "login");
	while (*typed == ' ')
		typed++;
	size_t n = 0;
	for (; typed[n] && n + 1 < sizeof login; n++)
		login[n] = (char)tolower((unsigned char)typed[n]);
	while (n > 0 && login[n - 1] == ' ')
		n--;
	login[n] = '\0';
	const char *password = staff_arg(c, "password");
	const char *b32 = staff_arg(c, "secret");
	const char *totp = staff_arg(c, "totp");
	unsigned char secret[64];
	size_t secret_len = 0;
	if (!offered_secret(b32, secret, &secret_len)) {
		secret_wipe(secret, sizeof secret);
		form_page(c, 400, M_ACTIVATE_FAILED, false, NULL);
		return;
	}
	/* validate first: a refused password or TOTP code costs no code try */
	enum msg refused = 0;
	int64_t step = 0;
	if (strcmp(password, staff_arg(c, "again")) != 0)
		refused = M_PASSWORD_DIFFER;
	else if (!account_password_ok(password))
		refused = M_PASSWORD_WEAK;
	else if (totp[0] && !totp_check(secret, secret_len, time(NULL), 0, totp, &step))
		refused = M_MYTOTP_BAD_CODE;
	if (refused) {
		secret_wipe(secret, sizeof secret);
		form_page(c, 400, refused, false, b32);
		return;
	}
	unsigned char key[THROTTLE_KEY_BYTES];
	throttle_key(p->srv->throttle, 'L', login, strlen(login), key);
	time_t now = time(NULL);
	unsigned w1 = throttle_wait(p->srv->throttle, key, now);
	unsigned w2 = throttle_wait(p->srv->throttle, p->client_key, now);
	unsigned wait = w1 > w2 ? w1 : w2;
	if (wait) {
		/* not looked at during the slow-down, as at the login */
		p->delay = wait;
		secret_wipe(secret, sizeof secret);
		form_page(c, 401, M_ACTIVATE_FAILED, true, b32);
		return;
	}
	struct wf_error e = {0};
	long long id = 0;
	enum accountdb_result r = ACCOUNTDB_FAILED;
	if (wfdb_begin(c->db)) {
		r = accountdb_activate(c->db, login, staff_arg(c, "code"), password, &id, &e);
		int required = r == ACCOUNTDB_DONE ? totp_required(c, id) : 0;
		if (required < 0)
			r = ACCOUNTDB_FAILED;
		if (r == ACCOUNTDB_DONE && required && !totp[0]) {
			/* the code is right but spent only with the authenticator */
			wfdb_rollback(c->db);
			secret_wipe(secret, sizeof secret);
			form_page(c, 400, M_ACTIVATE_TOTP_NEEDED, false, b32);
			return;
		}
		/* set up in the same step when given: audited "account.totp" */
		if (r == ACCOUNTDB_DONE && totp[0])
			r = accountdb_totp_enrol(c->db, id, login, login, password, secret,
						 secret_len, (long long)step, &e);
		secret_wipe(secret, sizeof secret);
		if (r == ACCOUNTDB_DONE && wfdb_commit(c->db)) {
			throttle_clear(p->srv->throttle, key);
			log_info("staff: user %lld activated their account", id);
			staff_set_cookie(c, STAFF_PRE_COOKIE, "", 0);
			done_render(c);
			return;
		}
		wfdb_rollback(c->db);
	}
	secret_wipe(secret, sizeof secret);
	if (r == ACCOUNTDB_NO_ROW) {
		unsigned d1 = throttle_fail(p->srv->throttle, key, now);
		unsigned d2 = throttle_fail(p->srv->throttle, p->client_key, now);
		p->delay = d1 > d2 ? d1 : d2;
		if (!audit_append(c->db, 0, "", "account.activate.failed", ""))
			log_error("staff: cannot write the audit row of a failed activation");
		log_info("staff: activation refused (wrong, used or expired code; delay %u s)",
			 p->delay);
		form_page(c, 401, M_ACTIVATE_FAILED, p->delay > 0, b32);
		return;
	}
	log_warning("staff: activation failed: %s", e.text);
	staff_error(c, 503, M_STAFF_DB_DOWN_TITLE, M_STAFF_DB_DOWN);
}

const struct staff_route staff_activate_routes[] = {
    {"GET", "/staff/activate", STAFF_PUBLIC, activate_get, "activate.form"},
    {"POST", "/staff/activate", STAFF_PUBLIC, activate_post, "activate"},
    {NULL, NULL, 0, NULL, NULL},
};
