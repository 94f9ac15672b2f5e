/* Blocking database helpers for hotlinectl's subcommands (never used by the
 * daemon: its loop must not block). Every function prints a reason on
 * stderr when it fails. */
#ifndef HOTLINE_CTL_CTLDB_H
#define HOTLINE_CTL_CTLDB_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "workflow/notice.h"

struct calendar;

PGconn *ctldb_connect(const char *conninfo);

/* Runs sql_text with text parameters; NULL (after printing the server's
 * message) unless it returned tuples or completed. */
PGresult *ctldb_exec(PGconn *pg, const char *sql_text, int nparams, const char *const *values);
bool ctldb_run(PGconn *pg, const char *sql_text, int nparams, const char *const *values);

bool ctldb_begin(PGconn *pg);
bool ctldb_commit(PGconn *pg);
void ctldb_rollback(PGconn *pg);

/* The working-day calendar: rules plus the rows of hotline.calendar_days. */
struct calendar *ctldb_calendar(PGconn *pg);

/* A value of hotline.settings, or NULL (caller frees). */
char *ctldb_setting(PGconn *pg, const char *key);

/* Queues a notice for each non-empty recipient, in the caller's
 * transaction. */
bool ctldb_notify(PGconn *pg, const char *case_id, const char *kind, const char *const *recipients,
		  int nrecipients, const struct notice *n);

/* Takes "--database CONNINFO" (anywhere) out of argv and returns it, or
 * $HOTLINE_DATABASE when it is not there. */
const char *ctldb_take_database(int *argc, char **argv);

#endif
