/* The staff pages' route tables and menus. A page module adds its table
 * (and menu) here: declare it and list it, one line each (docs/staff.md,
 * "Writing a role page"). */
#include "staff/routes.h"

#include <string.h>

#include "staff/internal.h"

bool staff_may_open(unsigned roles, const char *path)
{
	const char *arg;
	size_t len;
	bool known;
	const struct staff_route *r = staff_route_match("GET", path, &arg, &len, &known);
	return r && (r->roles & (roles | STAFF_PUBLIC | STAFF_SIGNED_IN));
}

void staff_print_routes(FILE *out)
{
	for (const struct staff_route *const *t = staff_route_tables(); *t; t++) {
		for (const struct staff_route *r = *t; r->pattern; r++) {
			char roles[256];
			if (r->roles & STAFF_PUBLIC)
				snprintf(roles, sizeof roles, "public");
			else
				role_list_text(r->roles, roles, sizeof roles);
			fprintf(out, "%s %s %s %s\n", r->name, r->method, r->pattern, roles);
		}
	}
}

/* The tables: one line per page module. */
extern const struct staff_route staff_core_routes[];
extern const struct staff_route staff_admin_routes[];
extern const struct staff_route staff_settings_routes[];
extern const struct staff_route staff_mytotp_routes[];
extern const struct staff_route staff_activate_routes[];
extern const struct staff_route staff_mypassword_routes[];
extern const struct staff_route staff_grants_routes[];
extern const struct staff_route desk_routes[];
extern const struct staff_route operator_routes[];
extern const struct staff_route registrar_routes[];
extern const struct staff_route figures_routes[];
extern const struct staff_route staff_commission_routes[];
extern const struct staff_route staff_identity_routes[];
extern const struct staff_route staff_auditlog_routes[];
extern const struct staff_route staff_kept_routes[];

extern const struct staff_menu staff_admin_menu[];
extern const struct staff_menu staff_settings_menu[];
extern const struct staff_menu staff_mytotp_menu[];
extern const struct staff_menu staff_mypassword_menu[];
extern const struct staff_menu staff_grants_menu[];
extern const struct staff_route staff_board_routes[];
extern const struct staff_route staff_archive_routes[];
extern const struct staff_route staff_casepage_routes[];
extern const struct staff_route staff_caseaction_routes[];
extern const struct staff_route staff_decision_routes[];
extern const struct staff_route replyletter_routes[];
extern const struct staff_menu staff_board_menu[];
extern const struct staff_menu staff_archive_menu[];
extern const struct staff_menu staff_decision_menu[];
extern const struct staff_menu operator_menu[];
extern const struct staff_menu registrar_menu[];
extern const struct staff_menu figures_menu[];
extern const struct staff_menu staff_commission_menu[];
extern const struct staff_menu staff_identity_menu[];
extern const struct staff_menu staff_auditlog_menu[];

const struct staff_route *const *staff_route_tables(void)
{
	static const struct staff_route *const tables[] = {
	    staff_core_routes,	     staff_admin_routes,
	    staff_settings_routes,   staff_mytotp_routes,
	    staff_activate_routes,   staff_mypassword_routes,
	    staff_grants_routes,     staff_board_routes,
	    staff_archive_routes,    staff_casepage_routes,
	    staff_caseaction_routes, staff_decision_routes,
	    replyletter_routes,	     desk_routes,
	    operator_routes,	     registrar_routes,
	    figures_routes,	     staff_commission_routes,
	    staff_identity_routes,   staff_auditlog_routes,
	    staff_kept_routes,	     NULL,
	};
	return tables;
}

const struct staff_menu *const *staff_menu_tables(void)
{
	static const struct staff_menu *const tables[] = {
	    staff_admin_menu,	 staff_settings_menu,	staff_board_menu,
	    staff_archive_menu,	 staff_decision_menu,	operator_menu,
	    registrar_menu,	 figures_menu,		staff_commission_menu,
	    staff_identity_menu, staff_auditlog_menu,	staff_grants_menu,
	    staff_mytotp_menu,	 staff_mypassword_menu, NULL,
	};
	return tables;
}

const struct staff_route *staff_route_match(const char *method, const char *path, const char **arg,
					    size_t *arg_len, bool *path_known)
{
	bool head = strcmp(method, "HEAD") == 0;
	*path_known = false;
	*arg = "";
	*arg_len = 0;
	const struct staff_route *found = NULL;
	for (const struct staff_route *const *t = staff_route_tables(); *t; t++) {
		for (const struct staff_route *r = *t; r->pattern; r++) {
			const char *a;
			size_t alen;
			if (!staff_pattern_match(r->pattern, path, &a, &alen))
				continue;
			*path_known = true;
			if (strcmp(method, r->method) == 0 ||
			    (head && strcmp(r->method, "GET") == 0)) {
				/* an exact pattern wins over a "*" one */
				if (!found || (alen == 0 && *arg_len != 0) || !found) {
					found = r;
					*arg = a;
					*arg_len = alen;
				}
			}
		}
	}
	return found;
}
