/* /staff/grants: a compliance manager or the director confirms the
 * privileged roles others asked for (docs/staff.md, "Privileged roles need
 * a second person"). Each waiting grant shows who asked, when, the role
 * and the key fingerprint of the account, which the confirmer compares
 * with the one the person reads on their own page (/staff/account/
 * password) by phone or in person. The database function refuses a
 * confirmation by the person themself or by the one who asked
 * (migrations/0020_accounts_unread.sql). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/db.h"
#include "base/log.h"
#include "accounts/accountdb.h"
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

/* A privileged role waiting for a second person. The strings point into
 * the result of the view that holds the grant. */
struct grant_row {
	const char *id, *login, *name, *role, *asker, *asked_at;
	char fp[FINGERPRINT_TEXT_SIZE]; /* the account's key, "" before activation */
	bool not_yours;			/* the confirmer's own, or asked by them */
};

/* The waiting grants. The view owns res; the rows point into it. */
struct grants_view {
	PGresult *res;
	struct grant_row *rows;
	int n;
};

static void grants_view_free(struct grants_view *v)
{
	free(v->rows);
	PQclear(v->res);
}

static bool is_true(const PGresult *res, int row, int col)
{
	return strcmp(PQgetvalue(res, row, col), "t") == 0;
}

/* False on a database error or out of memory; free v either way. */
static bool grants_load(struct staff_ctx *c, struct grants_view *v)
{
	static const char sql_waiting[] =
	    "SELECT g.id, u.login, u.display_name, g.role, g.requested_login, "
	    "to_char(g.requested_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD HH24:MI') "
	    "AS requested_at, u.public_key, u.id = $1 AS is_mine, "
	    "coalesce(g.requested_by = $1, false) AS asked_by_me "
	    "FROM hotline.staff_grants_pending g JOIN hotline.staff_users u ON u.id = g.user_id "
	    "ORDER BY g.requested_at, g.id";
	*v = (struct grants_view){0};
	char id[24];
	snprintf(id, sizeof id, "%lld", c->user->id);
	const char *p[1] = {id};
	v->res = PQexecParams(c->db, sql_waiting, 1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(v->res) != PGRES_TUPLES_OK)
		return false;
	const PGresult *res = v->res;
	v->n = PQntuples(res);
	if (!(v->rows = calloc(v->n ? (size_t)v->n : 1, sizeof(*v->rows))))
		return false;
	int col_id = db_col(res, "id"), col_login = db_col(res, "login"),
	    col_name = db_col(res, "display_name"), col_role = db_col(res, "role"),
	    col_asker = db_col(res, "requested_login"), col_asked = db_col(res, "requested_at"),
	    col_key = db_col(res, "public_key"), col_mine = db_col(res, "is_mine"),
	    col_by_me = db_col(res, "asked_by_me");
	for (int i = 0; i < v->n; i++) {
		struct grant_row *g = &v->rows[i];
		g->id = PQgetvalue(res, i, col_id);
		g->login = PQgetvalue(res, i, col_login);
		g->name = PQgetvalue(res, i, col_name);
		g->role = PQgetvalue(res, i, col_role);
		g->asker = PQgetvalue(res, i, col_asker);
		g->asked_at = PQgetvalue(res, i, col_asked);
		accountdb_fingerprint(
		    PQgetisnull(res, i, col_key) ? NULL : PQgetvalue(res, i, col_key), g->fp);
		g->not_yours = is_true(res, i, col_mine) || is_true(res, i, col_by_me);
	}
	return true;
}

static void grant_render(struct staff_ctx *c, const struct grant_row *g)
{
	enum role role;
	staff_html(c, "<section class=\"grant\" data-login=\"");
	staff_esc(c, g->login);
	staff_html(c, "\" data-role=\"");
	staff_esc(c, g->role);
	staff_html(c, "\">\n<h2>");
	staff_esc(c, g->name);
	staff_html(c, " <span class=\"login\">(");
	staff_esc(c, g->login);
	staff_html(c, ")</span></h2>\n<dl>\n<dt>");
	staff_text(c, M_GRANTS_ROLE);
	staff_html(c, "</dt><dd>");
	if (role_parse(g->role, &role))
		staff_text(c, role_msgs[role]);
	staff_html(c, "</dd>\n<dt>");
	staff_text(c, M_GRANTS_ASKED);
	staff_html(c, "</dt><dd>");
	staff_esc(c, g->asker);
	staff_html(c, ", ");
	staff_date(c, g->asked_at);
	staff_html(c, "</dd>\n<dt>");
	staff_text(c, M_PASSWORD_FINGERPRINT);
	staff_html(c, "</dt><dd><code class=\"fingerprint\">");
	if (g->fp[0])
		staff_html(c, "%s", g->fp);
	else
		staff_text(c, M_GRANTS_NOT_ACTIVATED);
	staff_html(c, "</code></dd>\n</dl>\n");
	if (g->not_yours) {
		staff_html(c, "<p class=\"hint\">");
		staff_text(c, M_GRANTS_NOT_YOURS);
		staff_html(c, "</p>\n");
	} else if (g->fp[0]) {
		staff_form_open(c, "/staff/grants/confirm", false);
		staff_html(c,
			   "<input type=\"hidden\" name=\"grant\" value=\"%s\">\n"
			   "<button type=\"submit\" class=\"confirm\">",
			   g->id);
		staff_text(c, M_GRANTS_CONFIRM);
		staff_html(c, "</button>\n</form>\n");
	}
	staff_html(c, "</section>\n");
}

static void grants_render(struct staff_ctx *c, const struct grants_view *v, enum msg note,
			  bool is_error)
{
	staff_page_begin(c, i18n(c->lang, M_GRANTS_TITLE));
	staff_html(c, "<h1>");
	staff_text(c, M_GRANTS_TITLE);
	staff_html(c, "</h1>\n");
	if (note) {
		staff_html(c, "<p class=\"%s\" id=\"%s\" role=\"%s\">",
			   is_error ? "error" : "notice", is_error ? "error" : "done",
			   is_error ? "alert" : "status");
		staff_text(c, note);
		staff_html(c, "</p>\n");
	}
	staff_html(c, "<p class=\"hint\">");
	staff_text(c, M_GRANTS_INTRO);
	staff_html(c, "</p>\n");
	if (v->n == 0) {
		staff_html(c, "<p id=\"no-grants\">");
		staff_text(c, M_GRANTS_NONE);
		staff_html(c, "</p>\n");
	}
	/* one block per grant, not a table: the fingerprint and the button
	 * stay whole on a phone */
	staff_html(c, "<div id=\"grants\">\n");
	for (int i = 0; i < v->n; i++)
		grant_render(c, &v->rows[i]);
	staff_html(c, "</div>\n");
	staff_page_end(c);
}

static void grants_page(struct staff_ctx *c, unsigned status, enum msg note, bool is_error)
{
	struct grants_view v;
	if (grants_load(c, &v)) {
		c->status = status;
		grants_render(c, &v, note, is_error);
	} else {
		staff_error(c, 503, M_STAFF_DB_DOWN_TITLE, M_STAFF_DB_DOWN);
	}
	grants_view_free(&v);
}

static void grants_get(struct staff_ctx *c)
{
	grants_page(c, 200, 0, false);
}

static void confirm_post(struct staff_ctx *c)
{
	const char *g = staff_arg(c, "grant");
	char *end = NULL;
	long long grant = strtoll(g, &end, 10);
	if (!g[0] || *end || grant <= 0) {
		grants_page(c, 400, M_GRANTS_GONE, true);
		return;
	}
	struct wf_error e = {0};
	char why[16] = "";
	enum accountdb_result r = ACCOUNTDB_FAILED;
	if (wfdb_begin(c->db)) {
		/* audited "grant.confirm" by the function */
		r = accountdb_grant_confirm(c->db, c->user->id, grant, why, &e);
		if (r == ACCOUNTDB_DONE && wfdb_commit(c->db)) {
			log_info("staff: user %lld confirmed grant %lld", c->user->id, grant);
			grants_page(c, 200, M_GRANTS_DONE, false);
			return;
		}
		wfdb_rollback(c->db);
	}
	if (r == ACCOUNTDB_NO_ROW) {
		log_info("staff: user %lld may not confirm grant %lld (%s)", c->user->id, grant,
			 why);
		if (!staff_audit(c, "grant.confirm.refused", g))
			log_error("staff: cannot write the audit row of a refused confirmation");
		enum msg m = strcmp(why, "own") == 0 || strcmp(why, "asked") == 0
				 ? M_GRANTS_NOT_YOURS
			     : strcmp(why, "no-key") == 0 ? M_GRANTS_NOT_ACTIVATED
			     : strcmp(why, "gone") == 0	  ? M_GRANTS_GONE
							  : M_STAFF_DENIED;
		grants_page(c, 403, m, true);
		return;
	}
	log_warning("staff: confirming a grant failed: %s", e.text);
	staff_error(c, 503, M_STAFF_DB_DOWN_TITLE, M_STAFF_DB_DOWN);
}

#define CONFIRMERS (ROLE_BIT(ROLE_COMPLIANCE) | ROLE_BIT(ROLE_DIRECTOR))

const struct staff_route staff_grants_routes[] = {
    {"GET", "/staff/grants", CONFIRMERS, grants_get, "grants"},
    {"POST", "/staff/grants/confirm", CONFIRMERS, confirm_post, "grant.confirm"},
    {NULL, NULL, 0, NULL, NULL},
};

const struct staff_menu staff_grants_menu[] = {
    {"/staff/grants", M_GRANTS_TITLE},
    {NULL, 0},
};
