/* The asynchronous PostgreSQL pool: a few libpq connections in pipeline
 * mode, driven by the libevent loop. A job is a list of statements sent as
 * one pipeline with one sync; its callback runs on the loop exactly once,
 * after the sync arrived (all results), or after a failure. Nothing here
 * blocks, apart from db_check_schema(), which runs before the loop. */
#ifndef HOTLINE_BASE_DB_H
#define HOTLINE_BASE_DB_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>
#include <libpq-fe.h>

#include "base/attr.h"

struct db;
struct db_job;

typedef void (*db_done_fn)(struct db_job *job, void *arg);

/* Connects nconn connections in the background; reconnects with back-off.
 * queue_timeout: seconds a job may wait for a free connection. */
struct db *db_new(struct event_base *base, const char *conninfo, unsigned nconn,
		  unsigned queue_timeout) MUST_CHECK;
void db_free(struct db *db);
void db_set_queue_timeout(struct db *db, unsigned seconds);

/* True while at least one connection is established. */
bool db_is_up(const struct db *db);

struct db_job *db_job_new(db_done_fn done, void *arg) MUST_CHECK;
/* Appends a statement; copies sql and the parameters. values[i] NULL is SQL
 * NULL; lengths/formats may be NULL for text parameters. */
void db_job_add(struct db_job *job, const char *sql, int nparams, const char *const *values,
		const int *lengths, const int *formats);
/* Inserts a statement at position pos (0 = first). */
/* The same, but the values are borrowed, not copied: they must stay valid
 * until the job's done() has returned (a file's ciphertext, megabytes,
 * is not copied once more: issue 14). */
void db_job_add_borrowed(struct db_job *job, const char *sql, int nparams,
			 const char *const *values, const int *lengths, const int *formats);
void db_job_insert(struct db_job *job, int pos, const char *sql_text, int nparams,
		   const char *const *values, const int *lengths, const int *formats);
/* Takes the job; done() is always called later from the loop, never from
 * inside db_submit(). The job is freed after done() returns. */
void db_submit(struct db *db, struct db_job *job);

/* Frees a job that was never submitted; done() is not called. */
void db_job_discard(struct db_job *job);

/* In done(): */
bool db_job_ok(const struct db_job *job);
/* Number of statements, and the result of statement i (NULL if it did not
 * run). Valid until done() returns. */
int db_job_count(const struct db_job *job);
PGresult *db_job_result(const struct db_job *job, int i);
/* SQLSTATE of the failure ("08006" for a lost connection, "57014" for a
 * timeout, "HL000" for "database unavailable"); safe to log. */
const char *db_job_sqlstate(const struct db_job *job);
/* The connection was lost after the job was sent and before its sync came
 * back: a COMMIT in it may or may not have taken effect. Which, the server
 * can tell once the session that ran it, db_job_backend(), has ended. */
bool db_job_in_doubt(const struct db_job *job);
/* Process id of the server session the job was sent to (0 if none). */
int db_job_backend(const struct db_job *job);

/* Blocking, for start-up only: connects, reads the schema version from
 * hotline.schema_migrations. -1 when there is none (never migrated), -2 and
 * a reason in err (no password or data in it) when the database cannot be
 * reached or misses a migration below its highest one. */
int db_schema_version(const char *conninfo, char *err, size_t errlen);

/* Why a blocking statement failed. sqlstate: the server's, or "08006"
 * when the connection is gone, or "XX000"; message: the server's primary
 * message, "" when it sent none (then PQerrorMessage() has libpq's reason),
 * never its detail line, which may quote a row's values. Log only
 * sqlstate; the message may be shown to an administrator. */
struct db_error {
	char sqlstate[6];
	char message[512];
};

/* The one blocking statement runner, for a connection of its own
 * (hotlinectl, a worker thread, start-up), never the loop's pool. values
 * as for PQexecParams; lengths and formats NULL for text parameters. The
 * result when the statement returned rows or completed (PQclear() it);
 * else NULL, and err (unless NULL) says why. */
PGresult *db_query(PGconn *pg, const char *sql_text, int nparams, const char *const *values,
		   const int *lengths, const int *formats, struct db_error *err) MUST_CHECK;

/* Blocking: the newest migration applied on pg (0: none, or never
 * migrated) and, unless NULL, how many are applied; -1 when it cannot be
 * read, why (unless NULL) saying why as db_query() does. The one reader of
 * hotline.schema_migrations for hotlined's start and hotlinectl migrate. */
int db_schema_read(PGconn *pg, int *applied, struct db_error *why);

/* Decodes a bytea column of a text-format result; NULL on NULL or error.
 * free() with PQfreemem(). */
unsigned char *db_bytea(const PGresult *res, int row, int col, size_t *len);

/* The number of the result's column called name, looked up once per result
 * so that rows are read by name, not by position:
 *     int reg_no = db_col(res, "reg_no");
 *     for (int i = 0; i < PQntuples(res); i++) use(PQgetvalue(res, i, reg_no));
 * A statement without that column is a broken invariant (the statement and
 * the code that reads it disagree): it is logged and aborts. */
int db_col(const PGresult *res, const char *name);

#endif
