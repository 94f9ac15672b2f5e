/* The parts every paged staff list shares (the board, the director's queue,
 * the commission's list): 50 rows a page, a count that stops at a cap so
 * that counting stays cheap over a million cases, and the plain links to
 * the first and the next page (keyset: the next page's address carries the
 * last row's sort key, never an OFFSET). */
#ifndef HOTLINE_STAFF_PAGER_H
#define HOTLINE_STAFF_PAGER_H

#include "staff/staff.h"

/* Rows a page shows; each list asks for one more to know a page follows. */
#define PAGER_ROWS 50
/* Counts stop here: "more than 10000" costs what counting 10,001 rows does. */
#define PAGER_COUNT_CAP 10000

/* <p class="count" id="ID">: TEXT (a "%d" format) with n, or the "more
 * than PAGER_COUNT_CAP" text when n is over the cap. */
void pager_count(struct staff_ctx *c, const char *id, enum msg text, long n);

/* <nav class="pages" id="ID-pages"> with the first page's link (ID-first)
 * when first_href is not NULL and the next page's (ID-next) when next_href
 * is not NULL. The addresses are escaped here. */
void pager_nav(struct staff_ctx *c, const char *id, const char *first_href, const char *next_href);

/* True when s is a date YYYY-MM-DD by its shape (PostgreSQL checks the
 * rest) or digits only (a row id), the two kinds of keys the links carry. */
bool pager_date_ok(const char *s);
bool pager_id_ok(const char *s);

#endif
