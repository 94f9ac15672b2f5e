/* The administrator's pages: accounts (list, add, roles, disable, reset)
 * and which roles must give a TOTP code (docs/staff.md). No case content
 * and no password here: a new or reset account gets a one-time activation
 * code, privileged roles wait for a second person (staff/grants.c). Every
 * change goes through an audited account function (accounts/accountdb.h),
 * and the sessions of a changed account end at once. */
#include <stdlib.h>
#include <string.h>

#include "base/db.h"
#include "base/log.h"
#include "accounts/accountdb.h"
#include "accounts/activation.h"
#include "crypto/secret.h"
#include "staff/internal.h"
#include "workflow/wfdb.h"
#include "base/schema.h"

static const enum msg role_msgs[ROLE_COUNT] = {
    [ROLE_OPERATOR] = M_ROLE_OPERATOR,	   [ROLE_REGISTRAR] = M_ROLE_REGISTRAR,
    [ROLE_COMPLIANCE] = M_ROLE_COMPLIANCE, [ROLE_DIRECTOR] = M_ROLE_DIRECTOR,
    [ROLE_ALTERNATE] = M_ROLE_ALTERNATE,   [ROLE_COMMISSION] = M_ROLE_COMMISSION,
    [ROLE_CUSTODIAN] = M_ROLE_CUSTODIAN,   [ROLE_ANALYST] = M_ROLE_ANALYST,
    [ROLE_ADMIN] = M_ROLE_ADMIN,
};

/* ------------------------------------------------------------ helpers */

static void db_down(struct staff_ctx *c)
{
	staff_error(c, 503, M_STAFF_DB_DOWN_TITLE, M_STAFF_DB_DOWN);
}

/* Runs a statement; the number of rows it touched, -1 on an error. */
static int run(struct staff_ctx *c, const char *sql_text, int n, const char *const *v)
{
	struct db_error err;
	PGresult *res = db_query(c->db, sql_text, n, v, NULL, NULL, &err);
	int rows = res ? atoi(PQcmdTuples(res)) : -1;
	if (rows < 0)
		log_warning("staff admin: statement failed (SQLSTATE %s)", err.sqlstate);
	PQclear(res);
	return rows;
}

/* The checked roles of a form ("roles" checkboxes) as a PostgreSQL array. */
static unsigned form_roles(struct staff_ctx *c, char *array, size_t size)
{
	unsigned n, roles = 0;
	const char *const *v = staff_args(c, "roles", &n);
	for (unsigned i = 0; i < n; i++) {
		enum role r;
		if (role_parse(v[i], &r))
			roles |= ROLE_BIT(r);
	}
	char list[256];
	role_list_text(roles, list, sizeof list);
	snprintf(array, size, "{%s}", list);
	return roles;
}

/* A fieldset of one checkbox per role: field name, each box's id
 * "PREFIX-ROLE", the roles in checked ticked. */
static void role_fieldset(struct staff_ctx *c, const char *id, enum msg legend, const char *name,
			  const char *prefix, unsigned checked)
{
	staff_html(c, "<fieldset id=\"%s\"><legend>", id);
	staff_text(c, legend);
	staff_html(c, "</legend>\n");
	for (int r = 0; r < ROLE_COUNT; r++) {
		staff_html(c,
			   "<label class=\"choice\"><input type=\"checkbox\" name=\"%s\" "
			   "value=\"%s\" id=\"%s-%s\"%s> ",
			   name, role_name((enum role)r), prefix, role_name((enum role)r),
			   checked & ROLE_BIT(r) ? " checked" : "");
		staff_text(c, role_msgs[r]);
		staff_html(c, "</label>\n");
	}
	staff_html(c, "</fieldset>\n");
}

static void role_checkboxes(struct staff_ctx *c, unsigned checked)
{
	role_fieldset(c, "roles", M_STAFF_ROLES, "roles", "role", checked);
}

static void notice(struct staff_ctx *c, const char *id, enum msg text)
{
	staff_html(c, "<p class=\"notice\" id=\"%s\" role=\"status\">", id);
	staff_text(c, text);
	staff_html(c, "</p>\n");
}

static void problem(struct staff_ctx *c, enum msg text)
{
	staff_html(c, "<p class=\"error\" id=\"error\" role=\"alert\">");
	staff_text(c, text);
	staff_html(c, "</p>\n");
}

/* The roles of a comma list ("compliance,director") in the page's language. */
static void role_list(struct staff_ctx *c, unsigned roles)
{
	bool first = true;
	for (int r = 0; r < ROLE_COUNT; r++) {
		if (!(roles & ROLE_BIT(r)))
			continue;
		staff_html(c, "%s", first ? "" : ", ");
		staff_text(c, role_msgs[r]);
		first = false;
	}
}

/* A page that shows a new account's activation code once: the
 * administrator hands it over and never learns the password
 * (docs/staff.md, "Accounts and activation"). */
static void code_page(struct staff_ctx *c, const char *login, const char *code, const char *pending,
		      enum msg title)
{
	staff_page_begin(c, i18n(c->lang, title));
	staff_html(c, "<h1>");
	staff_text(c, title);
	staff_html(c, "</h1>\n<dl>\n<dt>");
	staff_text(c, M_STAFF_LOGIN_LOGIN);
	staff_html(c, "</dt><dd><code id=\"new-login\">");
	staff_esc(c, login);
	staff_html(c, "</code></dd>\n<dt>");
	staff_text(c, M_ACTIVATE_CODE);
	staff_html(c, "</dt><dd><code id=\"activation-code\" translate=\"no\">");
	staff_esc(c, code);
	staff_html(c, "</code></dd>\n</dl>\n<p class=\"hint\">");
	staff_text(c, M_ADMIN_CODE_ONCE);
	staff_html(c, "</p>\n");
	if (pending[0]) {
		staff_html(c, "<p class=\"notice\" id=\"pending\">");
		staff_text(c, M_ADMIN_ROLES_PENDING);
		staff_html(c, " ");
		role_list(c, role_list_parse(pending));
		staff_html(c, "</p>\n");
	}
	staff_html(c, "<p><a href=\"/staff/admin/user/");
	staff_esc(c, login);
	staff_html(c, "\">");
	staff_text(c, M_ADMIN_TO_ACCOUNT);
	staff_html(c, "</a> · <a href=\"/staff/admin/users\">");
	staff_text(c, M_ADMIN_USERS_TITLE);
	staff_html(c, "</a></p>\n");
	staff_page_end(c);
}

/* ------------------------------------------------------------ the list */

static const char sql_users[] =
    "SELECT u.id, u.login, u.display_name, array_to_string(u.roles, ',') AS roles, u.disabled, "
    "u.failed_logins, u.case_key_sealed IS NOT NULL AS has_case_key, "
    "u.totp_wrapped IS NOT NULL AS has_totp, "
    "coalesce(to_char(u.last_login_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD HH24:MI'), '') "
    "AS last_login, u.public_key IS NULL AS not_activated, "
    "(SELECT coalesce(string_agg(g.role, ','), '') "
    "FROM hotline.staff_grants_pending g WHERE g.user_id = u.id) AS pending_roles "
    "FROM hotline.staff_users u ORDER BY u.login";

/* An account as the list and its page show it. The strings point into the
 * result of the view that holds the row. */
struct account_row {
	const char *login, *name, *failed, *last_login;
	unsigned roles, pending;
	bool has_pending; /* roles wait for a second person (maybe none we know) */
	bool disabled, inactive, has_case_key, has_totp;
};

/* The columns sql_users and sql_user share, resolved once per result. */
struct account_cols {
	int login, name, roles, pending, disabled, inactive, case_key, totp, failed, last_login;
};

static struct account_cols account_cols(const PGresult *res)
{
	return (struct account_cols){
	    .login = db_col(res, "login"),
	    .name = db_col(res, "display_name"),
	    .roles = db_col(res, "roles"),
	    .pending = db_col(res, "pending_roles"),
	    .disabled = db_col(res, "disabled"),
	    .inactive = db_col(res, "not_activated"),
	    .case_key = db_col(res, "has_case_key"),
	    .totp = db_col(res, "has_totp"),
	    .failed = db_col(res, "failed_logins"),
	    .last_login = db_col(res, "last_login"),
	};
}

static bool is_true(const PGresult *res, int row, int col)
{
	return strcmp(PQgetvalue(res, row, col), "t") == 0;
}

static struct account_row account_row(const PGresult *res, const struct account_cols *k, int i)
{
	return (struct account_row){
	    .login = PQgetvalue(res, i, k->login),
	    .name = PQgetvalue(res, i, k->name),
	    .failed = PQgetvalue(res, i, k->failed),
	    .last_login = PQgetvalue(res, i, k->last_login),
	    .roles = role_list_parse(PQgetvalue(res, i, k->roles)),
	    .pending = role_list_parse(PQgetvalue(res, i, k->pending)),
	    .has_pending = PQgetvalue(res, i, k->pending)[0] != '\0',
	    .disabled = is_true(res, i, k->disabled),
	    .inactive = is_true(res, i, k->inactive),
	    .has_case_key = is_true(res, i, k->case_key),
	    .has_totp = is_true(res, i, k->totp),
	};
}

/* The account list. The view owns res; the rows point into it. */
struct users_view {
	PGresult *res;
	struct account_row *rows;
	int n;
};

static void users_view_free(struct users_view *v)
{
	free(v->rows);
	PQclear(v->res);
}

/* False on a database error or out of memory; free v either way. */
static bool users_load(PGconn *db, struct users_view *v)
{
	*v = (struct users_view){0};
	v->res = PQexecParams(db, sql_users, 0, NULL, NULL, NULL, NULL, 0);
	if (PQresultStatus(v->res) != PGRES_TUPLES_OK)
		return false;
	v->n = PQntuples(v->res);
	if (!(v->rows = calloc(v->n ? (size_t)v->n : 1, sizeof(*v->rows))))
		return false;
	struct account_cols k = account_cols(v->res);
	for (int i = 0; i < v->n; i++)
		v->rows[i] = account_row(v->res, &k, i);
	return true;
}

static void users_render_row(struct staff_ctx *c, const struct account_row *a)
{
	staff_html(c, "<tr data-login=\"");
	staff_esc(c, a->login);
	staff_html(c, "\"><td><a href=\"/staff/admin/user/");
	staff_esc(c, a->login);
	staff_html(c, "\">");
	staff_esc(c, a->login);
	staff_html(c, "</a></td><td>");
	staff_esc(c, a->name);
	staff_html(c, "</td><td>");
	role_list(c, a->roles);
	if (a->has_pending) {
		staff_html(c, " <span class=\"pending\">(");
		staff_text(c, M_ADMIN_ROLES_PENDING);
		staff_html(c, " ");
		role_list(c, a->pending);
		staff_html(c, ")</span>");
	}
	staff_html(c, "</td><td class=\"state\">");
	staff_text(c, a->disabled   ? M_ADMIN_DISABLED
		      : a->inactive ? M_ADMIN_NOT_ACTIVATED
				    : M_ADMIN_ACTIVE);
	if (a->has_case_key) {
		staff_html(c, "; ");
		staff_text(c, M_ADMIN_HAS_CASE_KEY);
	}
	if (a->has_totp) {
		staff_html(c, "; ");
		staff_text(c, M_ADMIN_HAS_TOTP);
	}
	if (atoi(a->failed) > 0)
		staff_html(c, "; %s ✗", a->failed);
	staff_html(c, "</td><td>");
	staff_date(c, a->last_login);
	staff_html(c, "</td></tr>\n");
}

/* The form that adds an account, refilled after an error. */
static void users_render_add(struct staff_ctx *c, enum msg error)
{
	staff_html(c, "<h2 id=\"add\">");
	staff_text(c, M_ADMIN_ADD_TITLE);
	staff_html(c, "</h2>\n");
	staff_form_open(c, "/staff/admin/users/add", false);
	staff_html(c, "<label for=\"new-login-field\">");
	staff_text(c, M_STAFF_LOGIN_LOGIN);
	staff_html(c, "</label>\n<input id=\"new-login-field\" name=\"login\" required "
		      "maxlength=\"63\" pattern=\"[a-z0-9][a-z0-9._\\-]*\" autocapitalize=\"none\" "
		      "spellcheck=\"false\" value=\"");
	if (error)
		staff_esc(c, staff_arg(c, "login"));
	staff_html(c, "\">\n<p class=\"hint\">");
	staff_text(c, M_ADMIN_LOGIN_HINT);
	staff_html(c, "</p>\n<label for=\"new-name\">");
	staff_text(c, M_ADMIN_NAME);
	staff_html(c, "</label>\n<input id=\"new-name\" name=\"name\" required maxlength=\"127\" "
		      "value=\"");
	if (error)
		staff_esc(c, staff_arg(c, "name"));
	staff_html(c, "\">\n");
	role_checkboxes(c, 0);
	staff_html(c, "<p class=\"hint\">");
	staff_text(c, M_ADMIN_ADD_HINT);
	staff_html(c, "</p>\n<button type=\"submit\" id=\"add-submit\">");
	staff_text(c, M_ADMIN_ADD_SUBMIT);
	staff_html(c, "</button>\n</form>\n");
}

static void users_render(struct staff_ctx *c, const struct users_view *v, enum msg error)
{
	staff_page_begin(c, i18n(c->lang, M_ADMIN_USERS_TITLE));
	staff_html(c, "<h1>");
	staff_text(c, M_ADMIN_USERS_TITLE);
	staff_html(c, "</h1>\n");
	if (error)
		problem(c, error);
	staff_html(c, "<div class=\"table-wrap\"><table id=\"users\">\n<thead><tr><th>");
	staff_text(c, M_STAFF_LOGIN_LOGIN);
	staff_html(c, "</th><th>");
	staff_text(c, M_ADMIN_NAME);
	staff_html(c, "</th><th>");
	staff_text(c, M_STAFF_ROLES);
	staff_html(c, "</th><th>");
	staff_text(c, M_ADMIN_STATE);
	staff_html(c, "</th><th>");
	staff_text(c, M_ADMIN_LAST_LOGIN);
	staff_html(c, "</th></tr></thead>\n<tbody>\n");
	for (int i = 0; i < v->n; i++)
		users_render_row(c, &v->rows[i]);
	staff_html(c, "</tbody></table></div>\n");
	users_render_add(c, error);
	staff_page_end(c);
}

static void users_page(struct staff_ctx *c, unsigned status, enum msg error)
{
	struct users_view v;
	if (!users_load(c->db, &v)) {
		users_view_free(&v);
		db_down(c);
		return;
	}
	c->status = status;
	users_render(c, &v, error);
	users_view_free(&v);
}

static void users_get(struct staff_ctx *c)
{
	if (!staff_audit(c, "admin.users.view", "")) {
		staff_error(c, 503, M_STAFF_AUDIT_FAILED_TITLE, M_STAFF_AUDIT_FAILED);
		return;
	}
	users_page(c, 200, 0);
}

/* ------------------------------------------------------------ add */

static void user_add_post(struct staff_ctx *c)
{
	const char *login = staff_arg(c, "login");
	const char *name = staff_arg(c, "name");
	char array[300];
	form_roles(c, array, sizeof array);
	if (!account_login_ok(login)) {
		users_page(c, 400, M_ADMIN_BAD_LOGIN);
		return;
	}
	size_t name_len = strlen(name);
	if (name_len < 1 || name_len > 127) {
		users_page(c, 400, M_ADMIN_BAD_NAME);
		return;
	}
	struct wf_error e = {0};
	enum accountdb_result r = ACCOUNTDB_FAILED;
	char code[ACTIVATION_CODE_SIZE], pending[ACCOUNTDB_PENDING_SIZE];
	if (wfdb_begin(c->db)) {
		r = accountdb_add(c->db, c->user->id, c->user->login, login, name, array, code,
				  pending, &e);
		if (r == ACCOUNTDB_DONE && wfdb_commit(c->db)) {
			log_info("staff admin: user %lld added an account", c->user->id);
			code_page(c, login, code, pending, M_ADMIN_ADDED_TITLE);
			secret_wipe(code, sizeof code);
			return;
		}
		wfdb_rollback(c->db);
	}
	secret_wipe(code, sizeof code);
	if (r == ACCOUNTDB_FAILED)
		log_warning("staff admin: adding an account failed: %s", e.text);
	if (r == ACCOUNTDB_NO_ROW)
		users_page(c, 409, M_ADMIN_LOGIN_TAKEN);
	else
		db_down(c);
}

/* ------------------------------------------------------------ one account */

static const char sql_user[] =
    "SELECT u.id, u.login, u.display_name, array_to_string(u.roles, ',') AS roles, u.disabled, "
    "u.failed_logins, u.case_key_sealed IS NOT NULL AS has_case_key, "
    "u.totp_wrapped IS NOT NULL AS has_totp, "
    "coalesce(to_char(u.last_login_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD HH24:MI'), '') "
    "AS last_login, "
    "coalesce(to_char(u.last_failure_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD HH24:MI'), '') "
    "AS last_failure, u.public_key IS NULL AS not_activated, "
    "(SELECT coalesce(string_agg(g.role, ','), '') "
    "FROM hotline.staff_grants_pending g WHERE g.user_id = u.id) AS pending_roles "
    "FROM hotline.staff_users u WHERE u.login = $1";

/* One account's page. The view owns res; the account points into it. */
struct user_view {
	PGresult *res;
	bool found;
	struct account_row account;
	const char *last_failure;
};

static void user_view_free(struct user_view *v)
{
	PQclear(v->res);
}

/* False on a database error; found tells whether login exists. Free v
 * either way. */
static bool user_load(PGconn *db, const char *login, struct user_view *v)
{
	*v = (struct user_view){0};
	const char *p[1] = {login};
	v->res = PQexecParams(db, sql_user, 1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(v->res) != PGRES_TUPLES_OK)
		return false;
	if (PQntuples(v->res) != 1)
		return true;
	struct account_cols k = account_cols(v->res);
	v->found = true;
	v->account = account_row(v->res, &k, 0);
	v->last_failure = PQgetvalue(v->res, 0, db_col(v->res, "last_failure"));
	return true;
}

/* What the account is: state, waiting roles, key, second factor, logins. */
static void user_render_facts(struct staff_ctx *c, const struct user_view *v)
{
	const struct account_row *a = &v->account;
	staff_html(c, "<dl id=\"account\">\n<dt>");
	staff_text(c, M_ADMIN_STATE);
	staff_html(c, "</dt><dd id=\"state\" data-state=\"%s\">",
		   a->disabled	 ? "disabled"
		   : a->inactive ? "inactive"
				 : "active");
	staff_text(c, a->disabled   ? M_ADMIN_DISABLED
		      : a->inactive ? M_ADMIN_NOT_ACTIVATED
				    : M_ADMIN_ACTIVE);
	staff_html(c, "</dd>\n");
	if (a->has_pending) {
		staff_html(c, "<dt>");
		staff_text(c, M_ADMIN_ROLES_PENDING);
		staff_html(c, "</dt><dd id=\"pending\">");
		role_list(c, a->pending);
		staff_html(c, "</dd>\n");
	}
	staff_html(c, "<dt>");
	staff_text(c, M_ADMIN_HAS_CASE_KEY);
	staff_html(c, "</dt><dd id=\"case-key\">");
	staff_text(c, a->has_case_key ? M_ADMIN_YES : M_ADMIN_NO);
	staff_html(c, "</dd>\n<dt>");
	staff_text(c, M_ADMIN_HAS_TOTP);
	staff_html(c, "</dt><dd id=\"totp\">");
	staff_text(c, a->has_totp ? M_ADMIN_YES : M_ADMIN_NO);
	staff_html(c, "</dd>\n<dt>");
	staff_text(c, M_ADMIN_LAST_LOGIN);
	staff_html(c, "</dt><dd>");
	staff_date(c, a->last_login);
	staff_html(c, "</dd>\n<dt>");
	staff_text(c, M_ADMIN_FAILED_LOGINS);
	staff_html(c, "</dt><dd id=\"failed\">%d", atoi(a->failed));
	if (v->last_failure[0]) {
		staff_html(c, " (");
		staff_date(c, v->last_failure);
		staff_html(c, ")");
	}
	staff_html(c, "</dd>\n</dl>\n");
}

/* The forms that change the account: roles, access, a new code. */
static void user_render_forms(struct staff_ctx *c, const char *login, const struct user_view *v)
{
	const struct account_row *a = &v->account;
	staff_html(c, "<h2>");
	staff_text(c, M_STAFF_ROLES);
	staff_html(c, "</h2>\n");
	staff_form_open(c, "/staff/admin/user/roles", false);
	staff_html(c, "<input type=\"hidden\" name=\"login\" value=\"");
	staff_esc(c, login);
	staff_html(c, "\">\n");
	role_checkboxes(c, a->roles | a->pending);
	staff_html(c, "<p class=\"hint\">");
	staff_text(c, M_ADMIN_ROLES_HINT);
	staff_html(c, "</p>\n<button type=\"submit\" id=\"roles-submit\">");
	staff_text(c, M_ADMIN_ROLES_SUBMIT);
	staff_html(c, "</button>\n</form>\n<h2>");
	staff_text(c, M_ADMIN_ACCESS_TITLE);
	staff_html(c, "</h2>\n");
	staff_form_open(c, "/staff/admin/user/disable", false);
	staff_html(c, "<input type=\"hidden\" name=\"login\" value=\"");
	staff_esc(c, login);
	staff_html(c,
		   "\">\n<input type=\"hidden\" name=\"disable\" value=\"%s\">\n"
		   "<button type=\"submit\" id=\"disable-submit\" class=\"secondary\">",
		   a->disabled ? "no" : "yes");
	staff_text(c, a->disabled ? M_ADMIN_ENABLE : M_ADMIN_DISABLE);
	staff_html(c, "</button>\n</form>\n");
	staff_form_open(c, "/staff/admin/user/reset", false);
	staff_html(c, "<input type=\"hidden\" name=\"login\" value=\"");
	staff_esc(c, login);
	staff_html(c, "\">\n<p class=\"hint\">");
	staff_text(c, M_ADMIN_RESET_CODE_HINT);
	staff_html(c, "</p>\n<button type=\"submit\" id=\"reset-submit\" class=\"secondary\">");
	staff_text(c, M_ADMIN_RESET);
	staff_html(c, "</button>\n</form>\n<p><a href=\"/staff/admin/users\">");
	staff_text(c, M_ADMIN_USERS_TITLE);
	staff_html(c, "</a></p>\n");
}

/* login: as the request named it, for the forms. */
static void user_render(struct staff_ctx *c, const char *login, const struct user_view *v,
			enum msg note, bool is_error)
{
	staff_page_begin(c, v->account.name);
	staff_html(c, "<h1>");
	staff_esc(c, v->account.name);
	staff_html(c, " <span class=\"login\">(");
	staff_esc(c, v->account.login);
	staff_html(c, ")</span></h1>\n");
	if (note && is_error)
		problem(c, note);
	else if (note)
		notice(c, "done", note);
	user_render_facts(c, v);
	user_render_forms(c, login, v);
	staff_page_end(c);
}

static void user_page(struct staff_ctx *c, const char *login, unsigned status, enum msg note,
		      bool is_error)
{
	struct user_view v;
	if (!user_load(c->db, login, &v))
		db_down(c);
	else if (!v.found)
		staff_error(c, 404, M_ERR_NOT_FOUND_TITLE, M_ERR_NOT_FOUND);
	else {
		c->status = status;
		user_render(c, login, &v, note, is_error);
	}
	user_view_free(&v);
}

static void user_get(struct staff_ctx *c)
{
	if (!staff_audit(c, "admin.user.view", c->arg)) {
		staff_error(c, 503, M_STAFF_AUDIT_FAILED_TITLE, M_STAFF_AUDIT_FAILED);
		return;
	}
	user_page(c, c->arg, 200, 0, false);
}

/* The id of login, 0 when there is none, -1 on a database error. */
static long long user_id(struct staff_ctx *c, const char *login)
{
	struct wf_error e = {0};
	long long id = 0;
	if (accountdb_user_id(c->db, login, &id, &e) == ACCOUNTDB_FAILED)
		return -1;
	return id;
}

/* The id of an account that exists; 0 after answering 404, or 503 on a
 * database error. */
static long long existing_user(struct staff_ctx *c, const char *login)
{
	long long id = user_id(c, login);
	if (id < 0)
		db_down(c);
	else if (id == 0)
		staff_error(c, 404, M_ERR_NOT_FOUND_TITLE, M_ERR_NOT_FOUND);
	return id > 0 ? id : 0;
}

static void roles_post(struct staff_ctx *c)
{
	const char *login = staff_arg(c, "login");
	char array[300];
	unsigned roles = form_roles(c, array, sizeof array);
	if (strcmp(login, c->user->login) == 0 && !(roles & ROLE_BIT(ROLE_ADMIN))) {
		user_page(c, login, 400, M_ADMIN_NOT_YOURSELF, true);
		return;
	}
	long long id = existing_user(c, login);
	if (id == 0)
		return;
	struct wf_error e = {0};
	char pending[ACCOUNTDB_PENDING_SIZE];
	if (!wfdb_begin(c->db) ||
	    accountdb_roles_set(c->db, c->user->id, c->user->login, login, array, pending, &e) !=
		ACCOUNTDB_DONE ||
	    !wfdb_commit(c->db)) {
		wfdb_rollback(c->db);
		db_down(c);
		return;
	}
	/* a dropped role ends the sessions (new epoch); a waiting one changes
	 * nothing until confirmed */
	session_end_user(staff_priv(c)->srv->sessions, id);
	log_info("staff admin: user %lld changed the roles of account %lld", c->user->id, id);
	user_page(c, login, 200, pending[0] ? M_ADMIN_ROLES_DONE_PENDING : M_ADMIN_ROLES_DONE,
		  false);
}

static void disable_post(struct staff_ctx *c)
{
	const char *login = staff_arg(c, "login");
	bool off = strcmp(staff_arg(c, "disable"), "no") != 0;
	if (off && strcmp(login, c->user->login) == 0) {
		user_page(c, login, 400, M_ADMIN_NOT_YOURSELF, true);
		return;
	}
	if (existing_user(c, login) == 0)
		return;
	struct wf_error e = {0};
	long long id = 0;
	if (!wfdb_begin(c->db) ||
	    accountdb_set_disabled(c->db, c->user->id, c->user->login, login, off, &id, &e) !=
		ACCOUNTDB_DONE ||
	    !wfdb_commit(c->db)) {
		wfdb_rollback(c->db);
		db_down(c);
		return;
	}
	session_end_user(staff_priv(c)->srv->sessions, id);
	log_info("staff admin: user %lld %s account %lld", c->user->id,
		 off ? "disabled" : "enabled", id);
	user_page(c, login, 200, off ? M_ADMIN_DISABLED_DONE : M_ADMIN_ENABLED_DONE, false);
}

static void reset_post(struct staff_ctx *c)
{
	const char *login = staff_arg(c, "login");
	long long id = existing_user(c, login);
	if (id == 0)
		return;
	char code[ACTIVATION_CODE_SIZE], pending[ACCOUNTDB_PENDING_SIZE];
	struct wf_error e = {0};
	if (wfdb_begin(c->db) &&
	    accountdb_reset(c->db, c->user->id, c->user->login, login, code, pending, &e) ==
		ACCOUNTDB_DONE &&
	    wfdb_commit(c->db)) {
		session_end_user(staff_priv(c)->srv->sessions, id);
		log_info("staff admin: user %lld reset account %lld", c->user->id, id);
		code_page(c, login, code, pending, M_ADMIN_RESET_DONE);
	} else {
		wfdb_rollback(c->db);
		db_down(c);
	}
	secret_wipe(code, sizeof code);
}

/* ------------------------------------------------------------ TOTP policy */

/* The TOTP policy. The view owns locked; unenrolled points into it. */
struct policy_view {
	unsigned required; /* roles that must give a code */
	PGresult *locked;
	const char **unenrolled; /* logins a checked role locks out */
	int nunenrolled;
};

static void policy_view_free(struct policy_view *v)
{
	free(v->unenrolled);
	PQclear(v->locked);
}

/* False on a database error or out of memory; free v either way. */
static bool policy_load(PGconn *db, struct policy_view *v)
{
	static const char sql_policy[] =
	    "SELECT role, totp_required FROM hotline.staff_role_policy ORDER BY role";
	/* Accounts a checked role locks out: a code is required, none enrolled. */
	static const char sql_unenrolled[] =
	    "SELECT u.login FROM hotline.staff_users u WHERE NOT u.disabled "
	    "AND u.totp_wrapped IS NULL AND EXISTS (SELECT 1 FROM hotline.staff_role_policy p "
	    "WHERE p.totp_required AND p.role = ANY (u.roles)) ORDER BY u.login";
	*v = (struct policy_view){0};
	PGresult *res = PQexecParams(db, sql_policy, 0, NULL, NULL, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		return false;
	}
	int col_role = db_col(res, "role"), col_required = db_col(res, "totp_required");
	for (int i = 0; i < PQntuples(res); i++) {
		enum role r;
		if (role_parse(PQgetvalue(res, i, col_role), &r) && is_true(res, i, col_required))
			v->required |= ROLE_BIT(r);
	}
	PQclear(res);
	v->locked = PQexecParams(db, sql_unenrolled, 0, NULL, NULL, NULL, NULL, 0);
	if (PQresultStatus(v->locked) != PGRES_TUPLES_OK)
		return false;
	v->nunenrolled = PQntuples(v->locked);
	if (!(v->unenrolled =
		  calloc(v->nunenrolled ? (size_t)v->nunenrolled : 1, sizeof(*v->unenrolled))))
		return false;
	int col_login = db_col(v->locked, "login");
	for (int i = 0; i < v->nunenrolled; i++)
		v->unenrolled[i] = PQgetvalue(v->locked, i, col_login);
	return true;
}

static void policy_render(struct staff_ctx *c, const struct policy_view *v, enum msg note)
{
	staff_page_begin(c, i18n(c->lang, M_ADMIN_POLICY_TITLE));
	staff_html(c, "<h1>");
	staff_text(c, M_ADMIN_POLICY_TITLE);
	staff_html(c, "</h1>\n");
	if (note)
		notice(c, "done", note);
	staff_html(c, "<p>");
	staff_text(c, M_ADMIN_POLICY_INTRO);
	staff_html(c, "</p>\n");
	if (v->nunenrolled > 0) {
		staff_html(c, "<div id=\"unenrolled\" role=\"alert\"><p class=\"error\">");
		staff_text(c, M_ADMIN_POLICY_UNENROLLED);
		staff_html(c, "</p>\n<ul>\n");
		for (int i = 0; i < v->nunenrolled; i++) {
			staff_html(c, "<li><a href=\"/staff/admin/user/");
			staff_esc(c, v->unenrolled[i]);
			staff_html(c, "\">");
			staff_esc(c, v->unenrolled[i]);
			staff_html(c, "</a></li>\n");
		}
		staff_html(c, "</ul></div>\n");
	}
	staff_form_open(c, "/staff/admin/policy", false);
	role_fieldset(c, "policy", M_ADMIN_POLICY_LEGEND, "totp", "totp", v->required);
	staff_html(c, "<button type=\"submit\" id=\"policy-submit\">");
	staff_text(c, M_ADMIN_POLICY_SUBMIT);
	staff_html(c, "</button>\n</form>\n");
	staff_page_end(c);
}

static void policy_page(struct staff_ctx *c, enum msg note)
{
	struct policy_view v;
	if (policy_load(c->db, &v))
		policy_render(c, &v, note);
	else
		db_down(c);
	policy_view_free(&v);
}

static void policy_get(struct staff_ctx *c)
{
	policy_page(c, 0);
}

static void policy_post(struct staff_ctx *c)
{
	unsigned n, want = 0;
	const char *const *v = staff_args(c, "totp", &n);
	for (unsigned i = 0; i < n; i++) {
		enum role r;
		if (role_parse(v[i], &r))
			want |= ROLE_BIT(r);
	}
	static const char sql_set[] = "SELECT hotline.staff_policy_set($1, $2, $3, $4)";
	char uid[24];
	snprintf(uid, sizeof uid, "%lld", c->user->id);
	if (!wfdb_begin(c->db)) {
		db_down(c);
		return;
	}
	for (int r = 0; r < ROLE_COUNT; r++) {
		bool on = want & ROLE_BIT(r);
		const char *p[4] = {uid, c->user->login, role_name((enum role)r),
				    on ? "true" : "false"};
		/* audited by the function when it changes */
		if (run(c, sql_set, 4, p) < 0) {
			wfdb_rollback(c->db);
			db_down(c);
			return;
		}
	}
	if (!wfdb_commit(c->db)) {
		wfdb_rollback(c->db);
		db_down(c);
		return;
	}
	policy_page(c, M_ADMIN_POLICY_DONE);
}

const struct staff_route staff_admin_routes[] = {
    {"GET", "/staff/admin/users", ROLE_BIT(ROLE_ADMIN), users_get, "admin.users"},
    {"POST", "/staff/admin/users/add", ROLE_BIT(ROLE_ADMIN), user_add_post, "admin.user.add"},
    {"GET", "/staff/admin/user/*", ROLE_BIT(ROLE_ADMIN), user_get, "admin.user"},
    {"POST", "/staff/admin/user/roles", ROLE_BIT(ROLE_ADMIN), roles_post, "admin.user.roles"},
    {"POST", "/staff/admin/user/disable", ROLE_BIT(ROLE_ADMIN), disable_post, "admin.user.disable"},
    {"POST", "/staff/admin/user/reset", ROLE_BIT(ROLE_ADMIN), reset_post, "admin.user.reset"},
    {"GET", "/staff/admin/policy", ROLE_BIT(ROLE_ADMIN), policy_get, "admin.policy"},
    {"POST", "/staff/admin/policy", ROLE_BIT(ROLE_ADMIN), policy_post, "admin.policy.set"},
    {NULL, NULL, 0, NULL, NULL},
};

const struct staff_menu staff_admin_menu[] = {
    {"/staff/admin/users", M_ADMIN_USERS_TITLE},
    {"/staff/admin/policy", M_ADMIN_POLICY_TITLE},
    {NULL, 0},
};
