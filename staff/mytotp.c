/* A staff member sets up their own authenticator app (docs/staff.md, "The
 * second factor"): GET /staff/account/totp shows a fresh secret, as text
 * and as an otpauth:// link, with a form for the password and the code the
 * app then shows; POST checks the code against that secret, confirms the
 * password, wraps the secret under the password-derived key (as
 * `hotlinectl user totp` does) and writes the audit row. The code that
 * confirmed it is not accepted again at login. Setting it up again
 * replaces the old one. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/db.h"
#include "base/log.h"
#include "accounts/accountdb.h"
#include "crypto/random.h"
#include "crypto/secret.h"
#include "staff/internal.h"
#include "staff/qrcode.h"
#include "staff/recheck.h"
#include "accounts/throttle.h"
#include "accounts/totp.h"
#include "workflow/wfdb.h"

/* Whether the user has an authenticator set up; -1 on a database error. */
static int enrolled(struct staff_ctx *c)
{
	static const char sql_has[] =
	    "SELECT totp_wrapped IS NOT NULL AS enrolled FROM hotline.staff_users WHERE id = $1";
	char id[24];
	snprintf(id, sizeof id, "%lld", c->user->id);
	const char *v[1] = {id};
	PGresult *res = PQexecParams(c->db, sql_has, 1, NULL, v, NULL, NULL, 0);
	int r = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1
		    ? strcmp(PQgetvalue(res, 0, db_col(res, "enrolled")), "t") == 0
		    : -1;
	PQclear(res);
	return r;
}

void staff_totp_uri(const char *login, const char *b32, char *out, size_t size)
{
	snprintf(out, size,
		 "otpauth://totp/Hotline%s%s?secret=%s&issuer=Hotline&algorithm=SHA1&digits=%d"
		 "&period=%d",
		 login && *login ? ":" : "", login ? login : "", b32, TOTP_DIGITS, TOTP_STEP);
}

void staff_totp_secret(struct staff_ctx *c, const char *b32)
{
	staff_html(c, "<code id=\"totp-secret\" translate=\"no\" data-fresh>");
	for (size_t i = 0; b32[i]; i++)
		staff_html(c, "%s%c", i && i % 4 == 0 ? " " : "", b32[i]);
	staff_html(c, "</code>");
}

void staff_totp_qr(struct staff_ctx *c, const char *uri)
{
	char *path = NULL;
	int size = 0;
	if (!qrcode_svg_path(uri, &path, &size)) {
		log_warning("staff: cannot draw the QR code of a TOTP key");
		return;
	}
	int q = 4; /* the quiet zone the standard asks for, in modules */
	staff_html(c,
		   "<svg id=\"totp-qr\" role=\"img\" aria-labelledby=\"totp-qr-title\" "
		   "xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"%d %d %d %d\" width=\"%d\" "
		   "height=\"%d\" shape-rendering=\"crispEdges\"><title id=\"totp-qr-title\">",
		   -q, -q, size + 2 * q, size + 2 * q, (size + 2 * q) * 5, (size + 2 * q) * 5);
	staff_text(c, M_MYTOTP_QR_LABEL);
	staff_html(c,
		   "</title><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
		   "<path fill=\"#000\" d=\"%s\"/></svg>",
		   -q, -q, size + 2 * q, size + 2 * q, path);
	qrcode_path_free(path);
}

/* The page with secret (base32) to enter in the app; has: whether one is
 * set up already; error: 0 or why the last try was refused. */
static void form_render(struct staff_ctx *c, bool has, const char *b32, enum msg error)
{
	staff_page_begin(c, i18n(c->lang, M_MYTOTP_TITLE));
	staff_html(c, "<h1>");
	staff_text(c, M_MYTOTP_TITLE);
	staff_html(c, "</h1>\n<p id=\"totp-state\" data-enrolled=\"%s\">", has ? "yes" : "no");
	staff_text(c, has ? M_MYTOTP_ENROLLED : M_MYTOTP_NOT_ENROLLED);
	staff_html(c, "</p>\n");
	if (error) {
		staff_html(c, "<p class=\"error\" id=\"error\" role=\"alert\">");
		staff_text(c, error);
		staff_html(c, "</p>\n");
	}
	char uri[256];
	staff_totp_uri(c->user->login, b32, uri, sizeof uri);
	staff_html(c, "<ol>\n<li>");
	staff_text(c, M_MYTOTP_STEP_SCAN);
	staff_html(c, "<br>");
	staff_totp_qr(c, uri);
	staff_html(c, "<br>");
	staff_text(c, M_MYTOTP_STEP_APP);
	staff_html(c, "<br>");
	staff_totp_secret(c, b32);
	staff_html(c, "<br>");
	staff_text(c, M_MYTOTP_STEP_LINK);
	staff_html(c, " <a id=\"totp-uri\" href=\"otpauth://totp/Hotline:");
	staff_esc(c, c->user->login);
	staff_html(c,
		   "?secret=%s&amp;issuer=Hotline&amp;algorithm=SHA1&amp;digits=%d&amp;period=%d\">"
		   "otpauth://totp/Hotline:",
		   b32, TOTP_DIGITS, TOTP_STEP);
	staff_esc(c, c->user->login);
	staff_html(c, "</a></li>\n<li>");
	secret_wipe(uri, sizeof uri);
	staff_text(c, M_MYTOTP_STEP_CONFIRM);
	staff_html(c, "</li>\n</ol>\n");
	staff_form_open(c, "/staff/account/totp", false);
	staff_html(c,
		   "<input type=\"hidden\" name=\"secret\" value=\"%s\">\n"
		   "<label for=\"totp-code\">",
		   b32);
	staff_text(c, M_MYTOTP_CODE);
	staff_html(c,
		   "</label>\n<input id=\"totp-code\" name=\"code\" required inputmode=\"numeric\" "
		   "autocomplete=\"one-time-code\" maxlength=\"6\" pattern=\"[0-9]{6}\">\n"
		   "<label for=\"totp-password\">");
	staff_text(c, M_MYTOTP_PASSWORD);
	staff_html(c, "</label>\n<input id=\"totp-password\" name=\"password\" type=\"password\" "
		      "required autocomplete=\"current-password\" maxlength=\"256\">\n"
		      "<button type=\"submit\" id=\"totp-submit\">");
	staff_text(c, M_MYTOTP_SUBMIT);
	staff_html(c, "</button>\n</form>\n");
	staff_page_end(c);
}

static void form_page(struct staff_ctx *c, unsigned status, const char *b32, enum msg error)
{
	int has = enrolled(c);
	if (has < 0) {
		staff_error(c, 503, M_STAFF_DB_DOWN_TITLE, M_STAFF_DB_DOWN);
		return;
	}
	c->status = status;
	form_render(c, has, b32, error);
}

static void mytotp_get(struct staff_ctx *c)
{
	unsigned char secret[TOTP_SECRET_BYTES];
	char b32[TOTP_BASE32_SIZE];
	random_bytes(secret, sizeof secret);
	if (!totp_base32(secret, sizeof secret, b32))
		b32[0] = '\0';
	secret_wipe(secret, sizeof secret);
	form_page(c, 200, b32, 0);
	secret_wipe(b32, sizeof b32);
}

/* The page after the authenticator is set up. */
static void done_render(struct staff_ctx *c)
{
	staff_page_begin(c, i18n(c->lang, M_MYTOTP_TITLE));
	staff_html(c, "<h1>");
	staff_text(c, M_MYTOTP_TITLE);
	staff_html(c, "</h1>\n<p class=\"notice\" id=\"done\">");
	staff_text(c, M_MYTOTP_DONE);
	staff_html(c, "</p>\n");
	staff_page_end(c);
}

static void mytotp_post(struct staff_ctx *c)
{
	const char *b32 = staff_arg(c, "secret");
	unsigned char secret[64];
	size_t len = sizeof secret;
	char again[TOTP_BASE32_SIZE];
	/* the secret this page gave out, as it gave it out: nothing else is
	 * echoed into the page or enrolled */
	if (!totp_base32_decode(b32, secret, &len) || len != TOTP_SECRET_BYTES ||
	    !totp_base32(secret, len, again) || strcmp(again, b32) != 0) {
		secret_wipe(secret, sizeof secret);
		mytotp_get(c);
		return;
	}
	int64_t step = 0;
	if (!totp_check(secret, len, time(NULL), 0, staff_arg(c, "code"), &step)) {
		secret_wipe(secret, sizeof secret);
		form_page(c, 400, b32, M_MYTOTP_BAD_CODE);
		return;
	}
	/* a wrong password here counts like one at the login (recheck.h) */
	struct recheck rc;
	if (recheck_begin(c, &rc)) {
		secret_wipe(secret, sizeof secret);
		form_page(c, 400, b32, M_MYTOTP_BAD_PASSWORD);
		return;
	}
	struct wf_error e = {0};
	enum accountdb_result r = ACCOUNTDB_FAILED;
	if (wfdb_begin(c->db)) {
		/* audited "account.totp" by the function (migrations/0020) */
		r = accountdb_totp_enrol(c->db, c->user->id, c->user->login, c->user->login,
					 staff_arg(c, "password"), secret, len, (long long)step,
					 &e);
		if (r == ACCOUNTDB_DONE && wfdb_commit(c->db)) {
			secret_wipe(secret, sizeof secret);
			recheck_right(c, &rc);
			log_info("staff: user %lld set up an authenticator", c->user->id);
			done_render(c);
			return;
		}
		wfdb_rollback(c->db);
	}
	secret_wipe(secret, sizeof secret);
	if (r == ACCOUNTDB_NO_ROW) {
		recheck_wrong(c, &rc);
		log_info("staff: user %lld gave a wrong password setting up an authenticator",
			 c->user->id);
		form_page(c, 400, b32, M_MYTOTP_BAD_PASSWORD);
		return;
	}
	if (r == ACCOUNTDB_FAILED)
		log_warning("staff: setting up an authenticator failed: %s", e.text);
	staff_error(c, 503, M_STAFF_DB_DOWN_TITLE, M_STAFF_DB_DOWN);
}

const struct staff_route staff_mytotp_routes[] = {
    {"GET", "/staff/account/totp", ROLES_ANY, mytotp_get, "account.totp.form"},
    {"POST", "/staff/account/totp", ROLES_ANY, mytotp_post, "account.totp"},
    {NULL, NULL, 0, NULL, NULL},
};

const struct staff_menu staff_mytotp_menu[] = {
    {"/staff/account/totp", M_MYTOTP_MENU},
    {NULL, 0},
};
