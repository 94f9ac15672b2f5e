/* The foundation's own pages: the page shell, login, logout, the home
 * page and the stylesheet (docs/staff.md). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/keys.h"
#include "base/db.h"
#include "base/config.h"
#include "base/log.h"
#include "base/html.h"
#include "accounts/accountdb.h"
#include "crypto/digest.h"
#include "crypto/hex.h"
#include "crypto/random.h"
#include "crypto/secret.h"
#include "accounts/audit.h"
#include "staff/internal.h"
#include "staff/seals.h"
#include "accounts/totp.h"
#include "workflow/calendar.h"

/* ------------------------------------------------------------ page shell */

static void menu_entries(struct staff_ctx *c, const char *cls)
{
	staff_html(c, "<ul class=\"%s\">\n", cls);
	for (const struct staff_menu *const *t = staff_menu_tables(); *t; t++) {
		for (const struct staff_menu *m = *t; m->path; m++) {
			if (!staff_may_open(c->user->roles, m->path))
				continue;
			staff_html(c, "<li><a href=\"");
			staff_esc(c, m->path);
			staff_html(c, "\">");
			staff_text(c, m->title);
			staff_html(c, "</a></li>\n");
		}
	}
	staff_html(c, "</ul>\n");
}

void staff_page_begin(struct staff_ctx *c, const char *title)
{
	staff_html(c,
		   "<!doctype html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
		   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		   "<title>",
		   i18n_code(c->lang));
	staff_esc(c, title);
	staff_html(c, " · ");
	staff_text(c, M_STAFF_SITE);
	staff_html(c, "</title>\n<link rel=\"stylesheet\" href=\"/staff/style.css\">\n</head>\n"
		      "<body class=\"staff\">\n<header class=\"top\">\n<div class=\"bar\">\n"
		      "<a class=\"site\" href=\"/staff/\">");
	staff_text(c, M_STAFF_SITE);
	staff_html(c, "</a>\n<nav class=\"langs\" aria-label=\"language\">");
	for (int l = 0; l < LANG_COUNT; l++) {
		const char *code = i18n_code((enum lang)l);
		if ((enum lang)l == c->lang) {
			staff_html(c, " <strong lang=\"%s\">%s</strong>", code, code);
			continue;
		}
		staff_html(c, " <a lang=\"%s\" hreflang=\"%s\" href=\"", code, code);
		staff_esc(c, c->path);
		staff_html(c, "?lang=%s\">%s</a>", code, code);
	}
	staff_html(c, "</nav>\n");
	if (c->user) {
		staff_html(c, "<span class=\"who\" id=\"who\">");
		staff_esc(c, c->user->name);
		staff_html(c, " <span class=\"login\">(");
		staff_esc(c, c->user->login);
		staff_html(c, ")</span></span>\n");
		staff_form_open(c, "/staff/logout", false);
		staff_html(c, "<button type=\"submit\" id=\"logout\" class=\"link\">");
		staff_text(c, M_STAFF_LOGOUT);
		staff_html(c, "</button></form>\n</div>\n<nav class=\"menu\" id=\"menu\">\n");
		menu_entries(c, "menu");
		staff_html(c, "</nav>\n");
	} else {
		staff_html(c, "</div>\n");
	}
	staff_html(c, "</header>\n<main id=\"main\">\n");
}

void staff_page_end(struct staff_ctx *c)
{
	staff_html(c, "</main>\n</body>\n</html>\n");
}

/* Before a page's first form (not the header's logout): when the session
 * ends if nothing is sent, in Astana time, and that a form sent later is
 * kept (web/server.c keep_posted_form). No script: the time is written
 * when the page is. */
static void idle_note(struct staff_ctx *c, const char *action)
{
	struct staff_priv *p = staff_priv(c);
	if (!c->user || p->idle_note || strcmp(action, "/staff/logout") == 0)
		return;
	p->idle_note = true;
	struct cal_time t =
	    calendar_local_time((int64_t)time(NULL) + p->srv->cfg->staff_idle_timeout);
	char at[8], line[512];
	snprintf(at, sizeof at, "%02d:%02d", t.hour % 24, t.minute % 60);
	snprintf(line, sizeof line, i18n(c->lang, M_STAFF_IDLE_NOTE),
		 p->srv->cfg->staff_idle_timeout / 60, at);
	staff_html(c, "<p class=\"hint idle-note\" id=\"idle-note\" data-fresh>");
	staff_esc(c, line);
	staff_html(c, "</p>\n");
}

void staff_form_open(struct staff_ctx *c, const char *action, bool multipart)
{
	idle_note(c, action);
	staff_html(c, "<form method=\"post\" action=\"");
	staff_esc(c, action);
	staff_markup(c, multipart ? "\" enctype=\"multipart/form-data\">\n" : "\">\n");
	staff_html(c, "<input type=\"hidden\" name=\"csrf\" value=\"");
	staff_esc(c, c->csrf ? c->csrf : "");
	staff_html(c, "\">\n");
}

void staff_error(struct staff_ctx *c, unsigned status, enum msg title, enum msg text)
{
	buf_wipe(&c->body);
	buf_init(&c->body);
	c->location[0] = '\0';
	c->download_name[0] = '\0';
	c->content_type = NULL;
	c->status = status;
	staff_page_begin(c, i18n(c->lang, title));
	staff_html(c, "<h1>");
	staff_text(c, title);
	staff_html(c, "</h1>\n<p class=\"error\" id=\"error\" role=\"alert\">");
	staff_text(c, text);
	staff_html(c, "</p>\n<p><a href=\"/staff/\">");
	staff_text(c, M_STAFF_BACK_HOME);
	staff_html(c, "</a></p>\n");
	staff_page_end(c);
}

/* ------------------------------------------------------------ login */

static bool token_ok(const char *token)
{
	if (strlen(token) != SESSION_CSRF_HEX)
		return false;
	for (const char *p = token; *p; p++) {
		if (!isxdigit((unsigned char)*p))
			return false;
	}
	return true;
}

const char *staff_pre_token(struct staff_ctx *c, char fresh[SESSION_CSRF_HEX + 1])
{
	struct staff_priv *p = staff_priv(c);
	if (token_ok(p->pre_token))
		return p->pre_token;
	unsigned char raw[32];
	random_bytes(raw, sizeof raw);
	hex_encode(fresh, raw, sizeof raw);
	staff_set_cookie(c, STAFF_PRE_COOKIE, fresh, -1);
	return fresh;
}

bool staff_pre_token_sent(struct staff_ctx *c)
{
	struct staff_priv *p = staff_priv(c);
	const char *token = staff_arg(c, "csrf");
	return token_ok(token) && token_ok(p->pre_token) &&
	       digest_equal(token, p->pre_token, SESSION_CSRF_HEX);
}

/* A local page to go to after login, else "/staff/". */
static const char *safe_next(const char *next)
{
	if (strncmp(next, "/staff/", 7) != 0 || strlen(next) > 400 || strstr(next, "//") ||
	    strchr(next, '\\') || strncmp(next, "/staff/login", 12) == 0 ||
	    strncmp(next, "/staff/logout", 13) == 0)
		return "/staff/";
	for (const unsigned char *p = (const unsigned char *)next; *p; p++) {
		if (*p < 0x21 || *p > 0x7e)
			return "/staff/";
	}
	return next;
}

void staff_login_page(struct staff_ctx *c, unsigned status, bool error, bool wait)
{
	char fresh[SESSION_CSRF_HEX + 1];
	const char *token = staff_pre_token(c, fresh);
	c->status = status;
	staff_page_begin(c, i18n(c->lang, M_STAFF_LOGIN_TITLE));
	staff_html(c, "<h1>");
	staff_text(c, M_STAFF_LOGIN_TITLE);
	staff_html(c, "</h1>\n");
	if (strcmp(staff_arg(c, "bye"), "1") == 0 && !error) {
		staff_html(c, "<p class=\"notice\" id=\"logged-out\">");
		staff_text(c, M_STAFF_LOGGED_OUT);
		staff_html(c, "</p>\n");
	}
	struct staff_priv *p = staff_priv(c);
	const char *kept = p->kept_token[0] ? p->kept_token : staff_arg(c, "kept");
	if (!keptform_token_ok(kept))
		kept = "";
	if (*kept) {
		char line[512];
		snprintf(line, sizeof line, i18n(c->lang, M_STAFF_KEPT_NOTICE),
			 p->srv->cfg->staff_idle_timeout / 60);
		staff_html(c, "<p class=\"notice\" id=\"kept-notice\" role=\"status\">");
		staff_esc(c, line);
		if (p->kept_files) {
			staff_html(c, " ");
			staff_text(c, M_STAFF_KEPT_NO_FILES);
		}
		staff_html(c, "</p>\n");
	}
	if (error) {
		staff_html(c, "<p class=\"error\" id=\"error\" role=\"alert\">");
		staff_text(c, M_STAFF_LOGIN_FAILED);
		if (wait) {
			staff_html(c, " ");
			staff_text(c, M_STAFF_LOGIN_SLOWED);
		}
		staff_html(c, "</p>\n");
	}
	staff_html(c,
		   "<form method=\"post\" action=\"/staff/login\" class=\"login\">\n"
		   "<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n"
		   "<input type=\"hidden\" name=\"next\" value=\"",
		   token);
	staff_esc(c, safe_next(staff_arg(c, "next")));
	staff_html(c, "\">\n");
	if (*kept)
		staff_html(c, "<input type=\"hidden\" name=\"kept\" value=\"%s\">\n", kept);
	staff_html(c, "<label for=\"login\">");
	staff_text(c, M_STAFF_LOGIN_LOGIN);
	staff_html(
	    c, "</label>\n<input id=\"login\" name=\"login\" autocomplete=\"username\" "
	       "autocapitalize=\"none\" spellcheck=\"false\" required maxlength=\"63\" value=\"");
	if (error)
		staff_esc(c, staff_arg(c, "login"));
	staff_html(c, "\">\n<label for=\"password\">");
	staff_text(c, M_STAFF_LOGIN_PASSWORD);
	staff_html(c, "</label>\n<input id=\"password\" name=\"password\" type=\"password\" "
		      "autocomplete=\"current-password\" required maxlength=\"256\">\n"
		      "<label for=\"code\">");
	staff_text(c, M_STAFF_LOGIN_CODE);
	staff_html(c, "</label>\n<input id=\"code\" name=\"code\" inputmode=\"numeric\" "
		      "autocomplete=\"one-time-code\" pattern=\"[0-9 ]*\" maxlength=\"8\" "
		      "aria-describedby=\"code-hint\">\n<p class=\"hint\" id=\"code-hint\">");
	staff_text(c, M_STAFF_LOGIN_CODE_HINT);
	staff_html(c, "</p>\n<button type=\"submit\" id=\"submit\">");
	staff_text(c, M_STAFF_LOGIN_SUBMIT);
	staff_html(c, "</button>\n</form>\n");
	staff_page_end(c);
}

static void login_get(struct staff_ctx *c)
{
	struct staff_priv *p = staff_priv(c);
	struct session_view v;
	if (p->session_id[0] && session_lookup(p->srv->sessions, p->session_id,
					       p->srv->cfg->staff_idle_timeout, time(NULL), &v)) {
		session_view_clear(&v);
		staff_redirect(c, "/staff/");
		return;
	}
	staff_login_page(c, 200, false, false);
}

static const char sql_login[] =
    "SELECT u.id, u.password_hash, u.disabled, u.kek_salt, u.secret_key_wrapped, "
    "u.case_key_sealed, u.totp_wrapped, u.totp_last_step, u.epoch, u.display_name, "
    "array_to_string(u.roles, ',') AS roles, "
    "(SELECT coalesce(bool_or(p.totp_required), false) FROM hotline.staff_role_policy p "
    "WHERE p.role = ANY (u.roles)) AS totp_required, "
    "u.kdf_version, coalesce(u.kdf_opslimit, 0) AS kdf_opslimit, "
    "coalesce(u.kdf_memlimit, 0) AS kdf_memlimit "
    "FROM hotline.staff_users u WHERE u.login = $1";
/* hotline_app changes accounts only through these audited functions
 * (migrations/0020_accounts_unread.sql): the failure count and its
 * "login.failed" row; the accepted TOTP step (false: used meanwhile), the
 * last login and its "login" row. */
static const char sql_failed[] = "SELECT hotline.staff_login_failed($1)";
static const char sql_logged_in[] = "SELECT hotline.staff_login_done($1, $2) AS recorded";

static unsigned char *bytea_col(const PGresult *res, int col, size_t *len)
{
	*len = 0;
	if (PQgetisnull(res, 0, col))
		return NULL;
	return PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, col), len);
}

static bool exec_ok(PGconn *db, const char *sql_text, int n, const char *const *v, int *rows)
{
	PGresult *res = db_query(db, sql_text, n, v, NULL, NULL, NULL);
	bool ok = res != NULL;
	if (rows)
		*rows = ok ? atoi(PQcmdTuples(res)) : 0;
	PQclear(res);
	return ok;
}

struct login_try {
	char login[64];
	unsigned char login_key[THROTTLE_KEY_BYTES];
	long long user_id; /* 0: unknown login */
	/* the device cookie sent (crypto/devcookie.h): valid, whose, which */
	bool dev_valid;
	long long dev_user;
	unsigned char dev_nonce[DEVCOOKIE_NONCE_BYTES];
	/* it is valid for this login and not worn out (accounts/devtrust.h) */
	bool trusted;
	unsigned dev_tries; /* the cookie's count with this try */
};

/* An untrusted failure earns the account and the client their next delay;
 * a trusted one (a device cookie for this login) counts on that cookie
 * only, so a person's own typing mistakes do not slow the account down for
 * everyone, and a stolen cookie wears out after DEVTRUST_MAX_FAILURES. */
static void login_failed(struct staff_ctx *c, struct login_try *t)
{
	struct staff_priv *p = staff_priv(c);
	time_t now = time(NULL);
	if (t->trusted) {
		/* counted when it was taken (devtrust_take) */
		p->delay = throttle_delay(t->dev_tries);
	} else {
		unsigned d1 = throttle_fail(p->srv->throttle, t->login_key, now);
		unsigned d2 = throttle_fail(p->srv->throttle, p->client_key, now);
		p->delay = d1 > d2 ? d1 : d2;
	}
	const char *v[1] = {t->login};
	/* the same statement for a known and an unknown login; it writes the
	 * audit row too */
	if (!exec_ok(c->db, sql_failed, 1, v, NULL))
		log_error("staff: cannot count a failed login");
	log_info("staff: login failed (%s, delay %u s)", t->trusted ? "known device" : "untrusted",
		 p->delay);
	staff_login_page(c, 401, true, p->delay > 0);
}

/* What the typed password and code open. Every path does the same work for
 * a given account, right password or not, second factor required or not:
 * one Argon2id key derivation at the account's stored limits (an unknown
 * login: at the current limits with a random salt, like a new account),
 * keyed with the server secret, an attempt to unwrap the secret key (its
 * tag is the password check) and the TOTP secret, and one TOTP check
 * (against a random secret when none opens). An account still in form 1
 * (account.h) also verifies its legacy hash first, right or wrong. So the
 * time of the answer does not tell a right password from a wrong one
 * (docs/staff.md, "Login timing"; make bench shows it). */
struct login_check {
	bool known, password_ok, enabled, code_ok;
	struct account_kdf kdf; /* how the account is stored */
	int64_t step;
	struct account_kek *kek;
	struct secret_key *user_sk;
	unsigned char *plain, *totp_secret;
	size_t plain_len, totp_len;
};

static void login_check_run(const PGresult *res, const char *password, const char *code,
			    struct login_check *k)
{
	memset(k, 0, sizeof *k);
	int c_hash = db_col(res, "password_hash"), c_disabled = db_col(res, "disabled");
	int c_salt = db_col(res, "kek_salt"), c_wrapped = db_col(res, "secret_key_wrapped");
	int c_totp = db_col(res, "totp_wrapped"), c_last = db_col(res, "totp_last_step");
	int c_required = db_col(res, "totp_required"), c_version = db_col(res, "kdf_version");
	int c_ops = db_col(res, "kdf_opslimit"), c_mem = db_col(res, "kdf_memlimit");
	k->known = PQntuples(res) == 1;
	account_kdf_current(&k->kdf);
	if (k->known) {
		k->kdf.version = atoi(PQgetvalue(res, 0, c_version));
		k->kdf.opslimit = strtoull(PQgetvalue(res, 0, c_ops), NULL, 10);
		k->kdf.memlimit = (size_t)strtoull(PQgetvalue(res, 0, c_mem), NULL, 10);
	}
	bool legacy = k->kdf.version == ACCOUNT_KDF_LEGACY;
	/* form 1: its hash says whether the password is right, checked right
	 * or wrong (form 2 and unknown logins have none to check) */
	bool legacy_ok = legacy && !PQgetisnull(res, 0, c_hash) &&
			 account_verify_password(PQgetvalue(res, 0, c_hash), password);
	k->enabled = k->known && strcmp(PQgetvalue(res, 0, c_disabled), "f") == 0;

	size_t salt_len = 0, wrapped_len = 0, tw_len = 0;
	unsigned char *salt = k->known ? bytea_col(res, c_salt, &salt_len) : NULL;
	unsigned char *wrapped = k->known ? bytea_col(res, c_wrapped, &wrapped_len) : NULL;
	unsigned char *tw = k->known ? bytea_col(res, c_totp, &tw_len) : NULL;
	unsigned char dummy_salt[ACCOUNT_SALT_BYTES];
	random_bytes(dummy_salt, sizeof dummy_salt);
	bool salt_ok = salt && salt_len == ACCOUNT_SALT_BYTES;
	k->kek = account_kek_derive_with(password, salt_ok ? salt : dummy_salt, &k->kdf);
	/* form 2: the secretbox's tag is the password check */
	bool unwrapped = k->kek && wrapped &&
			 account_unwrap(k->kek, wrapped, wrapped_len, &k->plain, &k->plain_len) &&
			 k->plain_len == KEYS_SECRET_BYTES;
	k->password_ok = k->known && unwrapped && (!legacy || legacy_ok);
	if (k->password_ok)
		k->user_sk = secret_key_from_raw(k->plain);
	bool opened =
	    k->kek && tw && account_unwrap(k->kek, tw, tw_len, &k->totp_secret, &k->totp_len);
	unsigned char dummy_secret[TOTP_SECRET_BYTES];
	random_bytes(dummy_secret, sizeof dummy_secret);
	long long last = k->known ? atoll(PQgetvalue(res, 0, c_last)) : 0;
	bool matched = totp_check(opened ? k->totp_secret : dummy_secret,
				  opened ? k->totp_len : sizeof dummy_secret, time(NULL), last,
				  code, &k->step);
	bool required = k->known && strcmp(PQgetvalue(res, 0, c_required), "t") == 0;
	k->code_ok = !required || (opened && matched);
	if (!required)
		k->step = 0;
	secret_wipe(dummy_secret, sizeof dummy_secret);
	PQfreemem(salt);
	PQfreemem(wrapped);
	PQfreemem(tw);
}

/* A form-1 account (account.h) that just logged in is wrapped again in
 * form 2 with a new salt: the same secret key and TOTP secret, no more
 * password hash, so an upgrade loses nobody and a dump taken later tests
 * no guess (docs/staff.md, "Accounts and keys"). Only after a full login:
 * the extra Argon2id run tells a guesser nothing it did not already see.
 * A failure leaves the old form, tried again at the next login. Through
 * hotline.staff_login_rewrap (migration 0020): hotline_app may not UPDATE
 * accounts itself; the function touches only a form-1 row and audits. */
static const char sql_upgrade[] =
    "SELECT hotline.staff_login_rewrap($1, $2, $3, $4, $5, $6) AS rewrapped";

static void login_upgrade(PGconn *db, long long user_id, const char *password,
			  const struct login_check *k)
{
	unsigned char salt[ACCOUNT_SALT_BYTES];
	random_bytes(salt, sizeof salt);
	struct account_kdf kdf;
	account_kdf_current(&kdf);
	struct account_kek *kek = account_kek_derive_with(password, salt, &kdf);
	unsigned char *sk_w = NULL, *totp_w = NULL;
	size_t sk_len = 0, totp_len = 0;
	bool ok =
	    kek && account_wrap(kek, k->plain, k->plain_len, &sk_w, &sk_len) &&
	    (!k->totp_secret || account_wrap(kek, k->totp_secret, k->totp_len, &totp_w, &totp_len));
	account_kek_free(kek);
	if (ok) {
		char id[24], ops[24], mem[24];
		snprintf(id, sizeof id, "%lld", user_id);
		snprintf(ops, sizeof ops, "%llu", kdf.opslimit);
		snprintf(mem, sizeof mem, "%zu", kdf.memlimit);
		char *salt_hex = accountdb_hex(salt, sizeof salt);
		char *sk_hex = accountdb_hex(sk_w, sk_len);
		char *totp_hex = totp_w ? accountdb_hex(totp_w, totp_len) : NULL;
		const char *v[6] = {id, salt_hex, sk_hex, totp_hex, ops, mem};
		PGresult *res = PQexecParams(db, sql_upgrade, 6, NULL, v, NULL, NULL, 0);
		ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
		     strcmp(PQgetvalue(res, 0, db_col(res, "rewrapped")), "t") == 0;
		PQclear(res);
		free(salt_hex);
		free(sk_hex);
		free(totp_hex);
	}
	free(sk_w);
	free(totp_w);
	if (ok)
		log_info("staff: user %lld: key wrapped again under the server secret", user_id);
	else
		log_error("staff: user %lld: cannot wrap the key again (kept as it was)", user_id);
}

static void login_check_clear(struct login_check *k)
{
	account_plain_free(k->plain, k->plain_len);
	account_plain_free(k->totp_secret, k->totp_len);
	account_kek_free(k->kek);
	secret_key_free(k->user_sk);
	memset(k, 0, sizeof *k);
}

/* An untrusted try made during a slow-down of its login or its client is
 * refused without its password being looked at, and answered once the
 * time is up: so parallel connections give a guesser no more checked
 * guesses than one (docs/staff.md, "Failed logins"). */
static void login_refused(struct staff_ctx *c, unsigned wait)
{
	struct staff_priv *p = staff_priv(c);
	p->delay = wait;
	log_info("staff: untrusted login tried during its slow-down, not looked at (wait %u s)",
		 wait);
	staff_login_page(c, 401, true, true);
}

/* The slow-down of failed logins (accounts/throttle.h) with device cookies
 * (crypto/devcookie.h, accounts/devtrust.h; OWASP "Slow Down Online Guessing
 * Attacks with Device Cookies"): a try with a valid device cookie for the
 * login it names is trusted and always checked in full, so a flood of
 * someone else's failures cannot keep a person out from a browser they
 * logged in from before; any other try is refused unchecked while its
 * login or its client is slowed down. Checked tries do the same work on
 * every path (login_check_run). */
static void login_post(struct staff_ctx *c)
{
	struct staff_priv *p = staff_priv(c);
	if (!staff_pre_token_sent(c)) {
		log_info("staff: login form without its token refused");
		staff_error(c, 403, M_STAFF_CSRF_TITLE, M_STAFF_CSRF);
		return;
	}
	if (!c->db) {
		staff_error(c, 503, M_STAFF_DB_DOWN_TITLE, M_STAFF_DB_DOWN);
		return;
	}
	struct login_try t;
	memset(&t, 0, sizeof t);
	const char *typed = staff_arg(c, "login");
	while (*typed == ' ')
		typed++;
	size_t n = 0;
	for (; typed[n] && n + 1 < sizeof t.login; n++)
		t.login[n] = (char)tolower((unsigned char)typed[n]);
	while (n > 0 && t.login[n - 1] == ' ')
		n--;
	t.login[n] = '\0';
	const char *password = staff_arg(c, "password");
	char code[16];
	size_t k = 0;
	for (const char *q = staff_arg(c, "code"); *q && k + 1 < sizeof code; q++) {
		if (*q != ' ')
			code[k++] = *q;
	}
	code[k] = '\0';
	throttle_key(p->srv->throttle, 'L', t.login, strlen(t.login), t.login_key);

	time_t now = time(NULL);
	t.dev_valid = devcookie_check(p->srv->devkey, p->device, now, &t.dev_user, t.dev_nonce);
	bool may_trust = t.dev_valid && devtrust_ok(p->srv->devtrust, t.dev_nonce, now);
	unsigned w1 = throttle_wait(p->srv->throttle, t.login_key, now);
	unsigned w2 = throttle_wait(p->srv->throttle, p->client_key, now);
	unsigned wait = w1 > w2 ? w1 : w2;
	if (wait && !may_trust) {
		secret_wipe(code, sizeof code);
		login_refused(c, wait);
		return;
	}

	const char *v[1] = {t.login};
	PGresult *res = PQexecParams(c->db, sql_login, 1, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		secret_wipe(code, sizeof code);
		staff_error(c, 503, M_STAFF_DB_DOWN_TITLE, M_STAFF_DB_DOWN);
		return;
	}
	if (PQntuples(res) == 1)
		t.user_id = atoll(PQgetvalue(res, 0, db_col(res, "id")));
	/* a device cookie of another account gives no trust; the try is
	 * counted on the cookie before it is checked, so tries sent at once
	 * with a stolen cookie get no more than DEVTRUST_MAX_FAILURES */
	if (may_trust && t.user_id > 0 && t.dev_user == t.user_id)
		t.dev_tries = devtrust_take(p->srv->devtrust, t.dev_nonce, now);
	t.trusted = t.dev_tries > 0;
	if (wait && !t.trusted) {
		PQclear(res);
		secret_wipe(code, sizeof code);
		login_refused(c, wait);
		return;
	}
	struct login_check chk;
	login_check_run(res, password, code, &chk);
	secret_wipe(code, sizeof code);
	struct secret_key *case_key = NULL;
	bool ok = false;
	if (!chk.known || !chk.password_ok)
		goto done;
	if (!chk.enabled) {
		log_info("staff: login of a disabled account (user %lld) refused", t.user_id);
		goto done;
	}
	if (!chk.user_sk) {
		log_error("staff: the secret key of user %lld cannot be unwrapped", t.user_id);
		goto done;
	}
	if (!chk.code_ok) {
		log_info("staff: user %lld gave a wrong or used TOTP code, or has none enrolled",
			 t.user_id);
		goto done;
	}
	{
		char id[24], st[24];
		snprintf(id, sizeof id, "%lld", t.user_id);
		snprintf(st, sizeof st, "%lld", (long long)chk.step);
		const char *sv[2] = {id, st};
		PGresult *lr = PQexecParams(c->db, sql_logged_in, 2, NULL, sv, NULL, NULL, 0);
		bool recorded = PQresultStatus(lr) == PGRES_TUPLES_OK && PQntuples(lr) == 1 &&
				strcmp(PQgetvalue(lr, 0, db_col(lr, "recorded")), "t") == 0;
		PQclear(lr);
		if (!recorded) {
			log_info("staff: user %lld: TOTP code used meanwhile, or the login not "
				 "recorded",
				 t.user_id);
			goto done;
		}
	}
	if (chk.kdf.version == ACCOUNT_KDF_LEGACY)
		login_upgrade(c->db, t.user_id, password, &chk);
	/* the session keeps the account's own key: it opens this person's
	 * seals of cases, one case at a time (staff/seals.c); and it makes
	 * the seals someone is owed on the cases this person holds */
	case_key = secret_key_from_raw(secret_key_raw(chk.user_sk));
	if (seals_fulfil(c->db, t.user_id, chk.user_sk, SEALS_PER_REQUEST) < 0)
		log_warning("staff: the missing seals could not be read at a login");
	char sid[SESSION_ID_HEX + 1], csrf[SESSION_CSRF_HEX + 1];
	int epoch = atoi(PQgetvalue(res, 0, db_col(res, "epoch")));
	if (!session_create(p->srv->sessions, t.user_id, epoch, case_key, sid, csrf)) {
		case_key = NULL; /* freed by session_create */
		log_error("staff: too many sessions open; login refused");
		PQclear(res);
		staff_error(c, 503, M_STAFF_DB_DOWN_TITLE, M_STAFF_DB_DOWN);
		goto wipe;
	}
	case_key = NULL;
	/* An untrusted login clears the account's count only: the client's
	 * stays, a guesser behind the same address is not forgiven by someone
	 * else's login. A trusted one clears nothing of the slow-down: a
	 * guesser flooding the account stays refused. */
	if (!t.trusted)
		throttle_clear(p->srv->throttle, t.login_key);
	/* this try was taken on the cookie: given back; the cookie's earlier
	 * failures stay with it, the browser gets a new one below */
	if (t.trusted)
		devtrust_give_back(p->srv->devtrust, t.dev_nonce);
	staff_set_cookie(c, STAFF_COOKIE, sid, -1);
	staff_set_cookie(c, STAFF_PRE_COOKIE, "", 0);
	char device[DEVCOOKIE_TEXT_SIZE];
	if (devcookie_make(p->srv->devkey, t.user_id, time(NULL), device))
		staff_set_cookie(c, STAFF_DEVICE_COOKIE, device, DEVCOOKIE_LIFETIME);
	else
		log_error("staff: cannot make a device cookie for user %lld", t.user_id);
	/* a form kept when the last session ended: its page gives it back */
	const char *kept = staff_arg(c, "kept");
	char back[32 + KEPTFORM_TOKEN_HEX];
	snprintf(back, sizeof back, "/staff/kept?t=%s", kept);
	staff_redirect(c, keptform_token_ok(kept) ? back : safe_next(staff_arg(c, "next")));
	log_info("staff: user %lld logged in", t.user_id);
	secret_wipe(sid, sizeof sid);
	secret_wipe(csrf, sizeof csrf);
	ok = true;
done:
	PQclear(res);
	if (!ok)
		login_failed(c, &t);
wipe:
	login_check_clear(&chk);
	secret_key_free(case_key);
}

bool staff_kept_field_ok(const char *name)
{
	static const char *const never[] = {"password", "passphrase", "secret", "totp"};
	static const char *const exact[] = {"csrf", "code", "again", "kept"};
	for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
		if (strstr(name, never[i]))
			return false;
	for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
		if (strcmp(name, exact[i]) == 0)
			return false;
	return true;
}

/* ------------------------------------------------------------ logout, home */

static void logout_post(struct staff_ctx *c)
{
	struct staff_priv *p = staff_priv(c);
	if (!staff_audit(c, "logout", ""))
		log_error("staff: cannot write the audit row of a logout");
	session_end(p->srv->sessions, p->session_id);
	staff_set_cookie(c, STAFF_COOKIE, "", 0);
	staff_redirect(c, "/staff/login?bye=1");
}

static void home_get(struct staff_ctx *c)
{
	staff_page_begin(c, i18n(c->lang, M_STAFF_HOME_TITLE));
	staff_html(c, "<h1>");
	staff_text(c, M_STAFF_HOME_TITLE);
	staff_html(c, "</h1>\n<p id=\"roles\">");
	staff_text(c, M_STAFF_ROLES);
	staff_html(c, ": ");
	static const enum msg role_msgs[ROLE_COUNT] = {
	    [ROLE_OPERATOR] = M_ROLE_OPERATOR,	   [ROLE_REGISTRAR] = M_ROLE_REGISTRAR,
	    [ROLE_COMPLIANCE] = M_ROLE_COMPLIANCE, [ROLE_DIRECTOR] = M_ROLE_DIRECTOR,
	    [ROLE_ALTERNATE] = M_ROLE_ALTERNATE,   [ROLE_COMMISSION] = M_ROLE_COMMISSION,
	    [ROLE_CUSTODIAN] = M_ROLE_CUSTODIAN,   [ROLE_ANALYST] = M_ROLE_ANALYST,
	    [ROLE_ADMIN] = M_ROLE_ADMIN,
	};
	bool first = true;
	for (int r = 0; r < ROLE_COUNT; r++) {
		if (!(c->user->roles & ROLE_BIT(r)))
			continue;
		staff_html(c, "%s<span class=\"role\" data-role=\"%s\">", first ? "" : ", ",
			   role_name((enum role)r));
		staff_text(c, role_msgs[r]);
		staff_html(c, "</span>");
		first = false;
	}
	staff_html(c, "</p>\n");
	if (staff_holds_seals(c)) {
		staff_html(c, "<p class=\"hint\" id=\"case-key\">");
		staff_text(c, M_STAFF_HOLDS_CASE_KEY);
		staff_html(c, "</p>\n");
	}
	bool any = false;
	for (const struct staff_menu *const *t = staff_menu_tables(); *t && !any; t++) {
		for (const struct staff_menu *m = *t; m->path; m++)
			any |= staff_may_open(c->user->roles, m->path);
	}
	if (any) {
		staff_html(c, "<h2>");
		staff_text(c, M_STAFF_HOME_INTRO);
		staff_html(c, "</h2>\n<nav id=\"home-menu\">\n");
		menu_entries(c, "home-menu");
		staff_html(c, "</nav>\n");
	} else {
		staff_html(c, "<p id=\"nothing\">");
		staff_text(c, M_STAFF_HOME_NOTHING);
		staff_html(c, "</p>\n");
	}
	staff_page_end(c);
}

static const char stylesheet[] =
    ":root{--fg:#1d2327;--muted:#50575e;--line:#c3c4c7;--accent:#0b5cad;--bad:#b32d2e;"
    "--ok:#1a7f37;--bg:#fff;--soft:#f3f5f7}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "color:var(--fg);background:var(--bg)}\n"
    "header.top{background:#0f2b46;color:#fff}\n"
    ".bar{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;padding:.6rem 1rem}\n"
    ".bar a,.bar button.link{color:#fff}\n"
    ".site{font-weight:700;text-decoration:none;margin-right:auto}\n"
    ".langs a,.langs strong{margin-left:.35rem}\n"
    ".who{font-size:.95rem}.who .login{opacity:.8}\n"
    ".bar form{margin:0}\n"
    "button.link{background:none;border:1px solid #fff6;border-radius:4px;padding:.2rem .6rem;"
    "font:inherit;cursor:pointer;width:auto;margin:0}\n"
    "nav.menu{background:#163d63;padding:0 1rem}\n"
    "ul.menu{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:0 1.2rem}\n"
    "ul.menu a{display:block;padding:.45rem 0;color:#fff;text-decoration:none}\n"
    "ul.menu a:hover{text-decoration:underline}\n"
    "main{max-width:72rem;margin:0 auto;padding:1rem}\n"
    "h1{font-size:1.5rem;margin:.5rem 0 1rem}h2{font-size:1.2rem}\n"
    "ul.home-menu{padding-left:1.2rem}ul.home-menu li{margin:.3rem 0}\n"
    "label{display:block;font-weight:600;margin:.8rem 0 .25rem}\n"
    "label.choice{font-weight:400;margin:.35rem 0}\n"
    "dt{font-weight:600}dd{margin:0 0 .5rem}\n"
    "input,select,textarea{font:inherit;width:100%;max-width:32rem;padding:.45rem;"
    "border:1px solid var(--line);border-radius:4px}\n"
    "input[type=checkbox],input[type=radio]{width:auto}\n"
    "textarea{max-width:48rem;min-height:6rem}\n"
    "button{font:inherit;margin-top:1rem;padding:.5rem 1.2rem;border:0;border-radius:4px;"
    "background:var(--accent);color:#fff;cursor:pointer}\n"
    "button.secondary{background:var(--soft);color:var(--fg);border:1px solid var(--line)}\n"
    "form.inline{display:inline}form.inline button{margin:0 .3rem 0 0;padding:.25rem .7rem}\n"
    ".hint{color:var(--muted);font-size:.9rem;margin:.25rem 0}\n"
    ".error{color:var(--bad);font-weight:600}\n"
    ".notice{border-left:4px solid var(--ok);background:var(--soft);padding:.5rem .8rem}\n"
    "form.login{max-width:24rem}\n"
    "table{border-collapse:collapse;width:100%;margin:1rem 0}\n"
    "th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid var(--line);"
    "vertical-align:top}\n"
    "th{background:var(--soft)}\n"
    ".table-wrap{overflow-x:auto}\n"
    "fieldset{border:1px solid var(--line);border-radius:4px;margin:1rem 0;padding:.5rem 1rem}\n"
    "code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace}\n"
    "@media (max-width:40rem){.bar{padding:.5rem .75rem}main{padding:.75rem}"
    "th,td{padding:.3rem}h1{font-size:1.3rem}}\n";

static void style_get(struct staff_ctx *c)
{
	c->content_type = "text/css; charset=utf-8";
	buf_puts(&c->body, stylesheet);
}

const struct staff_route staff_core_routes[] = {
    {"GET", "/staff/login", STAFF_PUBLIC, login_get, "login.form"},
    {"POST", "/staff/login", STAFF_PUBLIC, login_post, "login"},
    {"GET", "/staff/style.css", STAFF_PUBLIC, style_get, "style"},
    {"POST", "/staff/logout", ROLES_ANY, logout_post, "logout"},
    {"GET", "/staff/", ROLES_ANY, home_get, "home"},
    {NULL, NULL, 0, NULL, NULL},
};

int64_t staff_now(const struct staff_ctx *c)
{
	return (int64_t)time(NULL) + (c->cfg ? (int64_t)c->cfg->clock_offset : 0);
}

bool staff_audit(struct staff_ctx *c, const char *action, const char *object)
{
	return audit_append(c->db, c->user ? c->user->id : 0, c->user ? c->user->login : "", action,
			    object);
}
