/* A route pattern against a request path (staff_route_match() in
 * staff/routes.c runs it over every route table). Apart from the tables so
 * that tests/fuzz/fuzz_staff_parsers.c can take it alone. */
#include <stdbool.h>
#include <string.h>

#include "staff/internal.h"

/* pattern matches path exactly, or pattern ends in "/" then "*" and path is the
 * same prefix followed by one non-empty segment (no '/'). */
bool staff_pattern_match(const char *pattern, const char *path, const char **arg, size_t *arg_len)
{
	size_t plen = strlen(pattern);
	if (plen >= 2 && strcmp(pattern + plen - 2, "/*") == 0) {
		size_t prefix = plen - 1; /* keeps the '/' */
		if (strncmp(pattern, path, prefix) != 0)
			return false;
		const char *rest = path + prefix;
		if (*rest == '\0' || strchr(rest, '/'))
			return false;
		*arg = rest;
		*arg_len = strlen(rest);
		return true;
	}
	if (strcmp(pattern, path) != 0)
		return false;
	*arg = "";
	*arg_len = 0;
	return true;
}
