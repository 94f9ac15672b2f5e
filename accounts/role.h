/* The roles a staff account may hold, their names, and the comma lists
 * the database gives (hotline.staff_users.roles through array_to_string).
 * Apart from the staff pages so that hotlinectl and
 * tests/fuzz/fuzz_staff_parsers.c can take them alone. */
#ifndef HOTLINE_ACCOUNTS_ROLE_H
#define HOTLINE_ACCOUNTS_ROLE_H

#include <stdbool.h>
#include <stddef.h>

enum role {
	ROLE_OPERATOR,	 /* trust-line operator: logs calls */
	ROLE_REGISTRAR,	 /* registers written and in-person appeals */
	ROLE_COMPLIANCE, /* compliance manager: triage, case pages */
	ROLE_DIRECTOR,	 /* decides; never sees a case that names the director */
	ROLE_ALTERNATE,	 /* alternate recipient: decides when the director is named */
	ROLE_COMMISSION, /* commission member: only the investigations they sit on */
	ROLE_CUSTODIAN,	 /* holds the custodian key: reveals an identity once approved */
	ROLE_ANALYST,	 /* figures only, no case content */
	ROLE_ADMIN,	 /* accounts and roles, no case content */
	ROLE_COUNT
};

#define ROLE_BIT(r) (1u << (r))

/* "operator", "registrar", "compliance", "director", "alternate",
 * "commission", "custodian", "analyst", "admin". */
const char *role_name(enum role r);
bool role_parse(const char *name, enum role *out);

/* "operator,admin" (as array_to_string gives them) to ROLE_BITs, unknown
 * names ignored; and back, comma-separated, in enum order. */
unsigned role_list_parse(const char *list);
void role_list_text(unsigned roles, char *out, size_t size);

#endif
