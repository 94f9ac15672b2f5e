/* The compliance manager's board of open cases (GET /staff/board). */
#ifndef HOTLINE_STAFF_BOARD_H
#define HOTLINE_STAFF_BOARD_H

#include "staff/staff.h"

/* " <span class="badge unread">2 new</span>" after a case's number when
 * the reporter wrote messages nobody has opened yet (nothing when 0): the
 * board's, the archive's and the commission's lists. */
void board_unread_badge(struct staff_ctx *c, int unread);

/* A filter's <label> and <select> (ids ID_PREFIX-NAME): "all" first, then
 * each value of list with its text, chosen (may be NULL) selected: the
 * board's and the archive's filters. */
void board_filter_select(struct staff_ctx *c, const char *id_prefix, const char *name,
			 enum msg label, const char *chosen, const char *const *list, size_t n,
			 enum msg (*text)(const char *));

/* A filter's text or date box in its own block, its <label> above it (ids
 * ID_PREFIX-NAME), value (may be NULL) in it, extra_markup inside the
 * <input> tag: the archive's and the audit log's filters. */
void board_filter_input(struct staff_ctx *c, const char *id_prefix, const char *name,
			enum msg label, const char *type, const char *value,
			const char *extra_markup);

extern const struct staff_route staff_board_routes[];
extern const struct staff_menu staff_board_menu[];

#endif
