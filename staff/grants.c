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

static const enum msg role_msgs[ROLE_COUNT] = {
    [ROLE_OPERATOR] = M_ROLE_OPERATOR,	   [ROLE_REGISTRAR] = M_ROLE_REGISTRAR,
    [ROLE_COMPLIANCE] = M_ROLE_COMPLIANCE, [ROLE_DIRECTOR] = M_ROLE_DIRECTOR,
    [ROLE_ALTERNATE] = M_ROLE_ALTERNATE,   [ROLE_COMMISSION] = M_ROLE_COMMISSION,
    [ROLE_CUSTODIAN] = M_ROLE_CUSTODIAN,   [ROLE_ANALYST] = M_ROLE_ANALYST,
    [ROLE_ADMIN] = M_ROLE_ADMIN,
};

static void grants_page(struct staff_ctx *c, unsigned status, enum msg note, bool is_error)
{
	static const char sql_waiting[] =
	    "SELECT g.id, u.login, u.display_name, g.role, g.requested_login, "
	    "to_char(g.requested_at AT TIME ZONE 'Asia/Almaty', 'YYYY-MM-DD HH24:MI') "
	    "AS requested_at, u.public_key, u.id = $1 AS is_mine, "
	    "coalesce(g.requested_by = $1, false) AS asked_by_me "
	    "FROM hotline.staff_grants_pending g JOIN hotline.staff_users u ON u.id = g.user_id "
	    "ORDER BY g.requested_at, g.id";
	char id[24];
	snprintf(id, sizeof id, "%lld", c->user->id);
	const char *v[1] = {id};
	PGresult *res = PQexecParams(c->db, sql_waiting, 1, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		staff_error(c, 503, M_STAFF_DB_DOWN_TITLE, M_STAFF_DB_DOWN);
		return;
	}
	c->status = status;
	staff_page_begin(c, i18n(c->lang, M_GRANTS_TITLE));
	staff_printf(c, "<h1>");
	staff_text(c, M_GRANTS_TITLE);
	staff_printf(c, "</h1>\n");
	if (note) {
		staff_printf(c, "<p class=\"%s\" id=\"%s\" role=\"%s\">", is_error ? "error" : "notice",
			     is_error ? "error" : "done", is_error ? "alert" : "status");
		staff_text(c, note);
		staff_printf(c, "</p>\n");
	}
	staff_printf(c, "<p class=\"hint\">");
	staff_text(c, M_GRANTS_INTRO);
	staff_printf(c, "</p>\n");
	if (PQntuples(res) == 0) {
		staff_printf(c, "<p id=\"no-grants\">");
		staff_text(c, M_GRANTS_NONE);
		staff_printf(c, "</p>\n");
	}
	/* one block per grant, not a table: the fingerprint and the button
	 * stay whole on a phone */
	staff_printf(c, "<div id=\"grants\">\n");
	int col_id = db_col(res, "id"), col_login = db_col(res, "login"),
	    col_name = db_col(res, "display_name"), col_role = db_col(res, "role"),
	    col_asker = db_col(res, "requested_login"), col_asked = db_col(res, "requested_at"),
	    col_key = db_col(res, "public_key"), col_mine = db_col(res, "is_mine"),
	    col_by_me = db_col(res, "asked_by_me");
	for (int i = 0; i < PQntuples(res); i++) {
		enum role role;
		char fp[FINGERPRINT_TEXT_SIZE];
		accountdb_fingerprint(PQgetisnull(res, i, col_key) ? NULL : PQgetvalue(res, i, col_key),
				      fp);
		staff_printf(c, "<section class=\"grant\" data-login=\"");
		staff_esc(c, PQgetvalue(res, i, col_login));
		staff_printf(c, "\" data-role=\"");
		staff_esc(c, PQgetvalue(res, i, col_role));
		staff_printf(c, "\">\n<h2>");
		staff_esc(c, PQgetvalue(res, i, col_name));
		staff_printf(c, " <span class=\"login\">(");
		staff_esc(c, PQgetvalue(res, i, col_login));
		staff_printf(c, ")</span></h2>\n<dl>\n<dt>");
		staff_text(c, M_GRANTS_ROLE);
		staff_printf(c, "</dt><dd>");
		if (role_parse(PQgetvalue(res, i, col_role), &role))
			staff_text(c, role_msgs[role]);
		staff_printf(c, "</dd>\n<dt>");
		staff_text(c, M_GRANTS_ASKED);
		staff_printf(c, "</dt><dd>");
		staff_esc(c, PQgetvalue(res, i, col_asker));
		staff_printf(c, ", ");
		staff_esc(c, PQgetvalue(res, i, col_asked));
		staff_printf(c, "</dd>\n<dt>");
		staff_text(c, M_PASSWORD_FINGERPRINT);
		staff_printf(c, "</dt><dd><code class=\"fingerprint\">");
		if (fp[0])
			staff_printf(c, "%s", fp);
		else
			staff_text(c, M_GRANTS_NOT_ACTIVATED);
		staff_printf(c, "</code></dd>\n</dl>\n");
		if (strcmp(PQgetvalue(res, i, col_mine), "t") == 0 ||
		    strcmp(PQgetvalue(res, i, col_by_me), "t") == 0) {
			staff_printf(c, "<p class=\"hint\">");
			staff_text(c, M_GRANTS_NOT_YOURS);
			staff_printf(c, "</p>\n");
		} else if (fp[0]) {
			staff_form_open(c, "/staff/grants/confirm", false);
			staff_printf(c, "<input type=\"hidden\" name=\"grant\" value=\"%s\">\n"
					"<button type=\"submit\" class=\"confirm\">",
				     PQgetvalue(res, i, col_id));
			staff_text(c, M_GRANTS_CONFIRM);
			staff_printf(c, "</button>\n</form>\n");
		}
		staff_printf(c, "</section>\n");
	}
	staff_printf(c, "</div>\n");
	PQclear(res);
	staff_page_end(c);
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
		log_info("staff: user %lld may not confirm grant %lld (%s)", c->user->id, grant, why);
		if (!staff_audit(c, "grant.confirm.refused", g))
			log_error("staff: cannot write the audit row of a refused confirmation");
		enum msg m = strcmp(why, "own") == 0 || strcmp(why, "asked") == 0 ? M_GRANTS_NOT_YOURS
			     : strcmp(why, "no-key") == 0			  ? M_GRANTS_NOT_ACTIVATED
			     : strcmp(why, "gone") == 0			  ? M_GRANTS_GONE
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
