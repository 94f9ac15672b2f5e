#include "accounts/role.h"

#include <stdio.h>
#include <string.h>

static const char *const role_names[ROLE_COUNT] = {
    [ROLE_OPERATOR] = "operator",     [ROLE_REGISTRAR] = "registrar",
    [ROLE_COMPLIANCE] = "compliance", [ROLE_DIRECTOR] = "director",
    [ROLE_ALTERNATE] = "alternate",   [ROLE_COMMISSION] = "commission",
    [ROLE_CUSTODIAN] = "custodian",   [ROLE_ANALYST] = "analyst",
    [ROLE_ADMIN] = "admin",
};

const char *role_name(enum role r)
{
	return (unsigned)r < ROLE_COUNT ? role_names[r] : "?";
}

bool role_parse(const char *name, enum role *out)
{
	for (int r = 0; r < ROLE_COUNT; r++) {
		if (strcmp(name, role_names[r]) == 0) {
			*out = (enum role)r;
			return true;
		}
	}
	return false;
}

unsigned role_list_parse(const char *list)
{
	unsigned roles = 0;
	while (*list) {
		size_t n = strcspn(list, ",");
		char name[32];
		if (n < sizeof name) {
			memcpy(name, list, n);
			name[n] = '\0';
			enum role r;
			if (role_parse(name, &r))
				roles |= ROLE_BIT(r);
		}
		list += n;
		if (*list == ',')
			list++;
	}
	return roles;
}

void role_list_text(unsigned roles, char *out, size_t size)
{
	size_t o = 0;
	out[0] = '\0';
	for (int r = 0; r < ROLE_COUNT; r++) {
		if (!(roles & ROLE_BIT(r)))
			continue;
		int n = snprintf(out + o, size - o, "%s%s", o ? "," : "", role_names[r]);
		if (n < 0 || (size_t)n >= size - o)
			break;
		o += (size_t)n;
	}
}
