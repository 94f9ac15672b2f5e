/* The archive (GET /staff/archive): every case in every state, searched by
 * state, channel, category, period of registration and registration
 * number, newest first, 50 a page by keyset. The compliance manager sees
 * every case; the director and the alternate recipient the cases they may
 * see (casefile_visible()). No content: only what the journal and the
 * procedure know, and whether the reporter wrote messages nobody opened. */
#ifndef HOTLINE_STAFF_ARCHIVE_H
#define HOTLINE_STAFF_ARCHIVE_H

#include "staff/staff.h"

extern const struct staff_route staff_archive_routes[];
extern const struct staff_menu staff_archive_menu[];

#endif
