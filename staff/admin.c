/* The administrator's pages: accounts, roles and the TOTP policy per role
 * (docs/staff.md). No case content here. */
#include <stdlib.h>
#include <string.h>

#include "daemon/log.h"
#include "staff/internal.h"

static const char sql_users[] =
    "SELECT id, login, display_name, array_to_string(roles, ','), disabled, failed_logins, "
    "case_key_sealed IS NOT NULL, totp_wrapped IS NOT NULL, "
    "coalesce(to_char(last_login_at AT TIME ZONE 'Asia/Almaty', 'YYYY-MM-DD HH24:MI'), '') "
    "FROM hotline.staff_users ORDER BY login";

static void users_get(struct staff_ctx *c)
{
	PGresult *res = PQexecParams(c->db, sql_users, 0, NULL, NULL, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		staff_error(c, 503, M_STAFF_DB_DOWN_TITLE, M_STAFF_DB_DOWN);
		return;
	}
	if (!staff_audit(c, "admin.users.view", "")) {
		PQclear(res);
		staff_error(c, 503, M_STAFF_AUDIT_FAILED_TITLE, M_STAFF_AUDIT_FAILED);
		return;
	}
	staff_page_begin(c, i18n(c->lang, M_ADMIN_USERS_TITLE));
	staff_printf(c, "<h1>");
	staff_text(c, M_ADMIN_USERS_TITLE);
	staff_printf(c, "</h1>\n<div class=\"table-wrap\"><table id=\"users\">\n<thead><tr><th>");
	staff_text(c, M_STAFF_LOGIN_LOGIN);
	staff_printf(c, "</th><th>");
	staff_text(c, M_ADMIN_NAME);
	staff_printf(c, "</th><th>");
	staff_text(c, M_STAFF_ROLES);
	staff_printf(c, "</th><th>");
	staff_text(c, M_ADMIN_STATE);
	staff_printf(c, "</th></tr></thead>\n<tbody>\n");
	for (int i = 0; i < PQntuples(res); i++) {
		staff_printf(c, "<tr data-login=\"");
		staff_esc(c, PQgetvalue(res, i, 1));
		staff_printf(c, "\"><td>");
		staff_esc(c, PQgetvalue(res, i, 1));
		staff_printf(c, "</td><td>");
		staff_esc(c, PQgetvalue(res, i, 2));
		staff_printf(c, "</td><td>");
		staff_esc(c, PQgetvalue(res, i, 3));
		staff_printf(c, "</td><td>");
		staff_text(c, strcmp(PQgetvalue(res, i, 4), "t") == 0 ? M_ADMIN_DISABLED
								       : M_ADMIN_ACTIVE);
		staff_printf(c, "</td></tr>\n");
	}
	staff_printf(c, "</tbody></table></div>\n");
	staff_page_end(c);
	PQclear(res);
}

const struct staff_route staff_admin_routes[] = {
    {"GET", "/staff/admin/users", ROLE_BIT(ROLE_ADMIN), users_get, "admin.users"},
    {NULL, NULL, 0, NULL, NULL},
};

const struct staff_menu staff_admin_menu[] = {
    {"/staff/admin/users", M_ADMIN_USERS_TITLE},
    {NULL, 0},
};
