/* Blocking database helpers for hotlinectl's subcommands (never used by the
 * daemon: its loop must not block). Every function prints a reason on
 * stderr when it fails. */
#ifndef HOTLINE_CTL_CTLDB_H
#define HOTLINE_CTL_CTLDB_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "base/attr.h"
#include "base/db.h"

struct calendar;

PGconn *ctldb_connect(const char *conninfo);

/* Runs sql_text with text parameters; NULL (after printing the server's
 * message) unless it returned tuples or completed. */
/* Takes "FLAG VALUE" or "FLAG=VALUE" out of argv (as ctldb_take_database
 * does --database); else the environment variable env (NULL: none). */
const char *ctldb_take_option(int *argc, char **argv, const char *flag, const char *env);

PGresult *ctldb_exec(PGconn *pg, const char *sql_text, int nparams, const char *const *values);
bool ctldb_run(PGconn *pg, const char *sql_text, int nparams, const char *const *values);
/* Prints why the database refused a statement, as ctldb_exec() does, for
 * a statement run through another module (err as db_query() set it). */
void ctldb_refused(PGconn *pg, const struct db_error *err);

/* BEGIN, and names the transaction's actor (ctldb_actor()) in the
 * transaction-local setting hotline.actor, which the calendar's history
 * trigger records (migrations/0014_ops_audit.sql). */
bool ctldb_begin(PGconn *pg) MUST_CHECK;
bool ctldb_commit(PGconn *pg) MUST_CHECK;
void ctldb_rollback(PGconn *pg);

/* Who runs this hotlinectl: "os:" and the operating-system user name of
 * the effective uid ("os:root"), or "os:uid=N" when it has no name. The
 * owner's database connection says nothing about the person, so the audit
 * log names the account that ran the command (docs/cli.md). */
const char *ctldb_actor(void);

/* ctldb_audit() and COMMIT: every hotlinectl command that changes a case,
 * an investigation, a setting, the calendar or an account ends its
 * transaction here, so that none is left unaudited. */
bool ctldb_commit_audited(PGconn *pg, const char *what, const char *step,
			  const char *object) MUST_CHECK;

/* The working-day calendar: rules plus the rows of hotline.calendar_days. */
struct calendar *ctldb_calendar(PGconn *pg);

/* Takes "--database CONNINFO" (anywhere) out of argv and returns it, or
 * $HOTLINE_DATABASE when it is not there. */
const char *ctldb_take_database(int *argc, char **argv);

#endif
