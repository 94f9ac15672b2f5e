/* The database schema version this build was written for: the number of the
 * newest file in migrations/. hotlined refuses any other. */
#ifndef HOTLINE_BASE_SCHEMA_H
#define HOTLINE_BASE_SCHEMA_H

#define SCHEMA_VERSION 26

#endif
