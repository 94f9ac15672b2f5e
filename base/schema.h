/* What the C code shares with the database schema. */
#ifndef HOTLINE_BASE_SCHEMA_H
#define HOTLINE_BASE_SCHEMA_H

/* The schema version this build was written for: the number of the newest
 * file in migrations/. hotlined refuses any other. */
#define SCHEMA_VERSION 38

/* The zone of every date the procedure counts and a person reads (Kazakh
 * time), as SQL text pasted into the statements' literals:
 *     "to_char(j.registered_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD')"
 * A constant, not a SQL function, so that the planner sees it (no call on
 * the registration path). The migrations name it themselves; the C model of
 * the zone's offsets is workflow/calendar.c. */
#define SQL_ZONE "'Asia/Almaty'"

#endif
