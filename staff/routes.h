/* The staff pages' route tables, as the process sees them: printed for
 * `hotlined --routes` (tests/integration/staff_routes.expected). */
#ifndef HOTLINE_STAFF_ROUTES_H
#define HOTLINE_STAFF_ROUTES_H

#include <stdio.h>

/* Prints the route table: method, pattern, roles, name (hotlined --routes). */
void staff_print_routes(FILE *out);

#endif
