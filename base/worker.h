/* A small pool of worker threads for work that blocks: each thread has its
 * own PostgreSQL connection (blocking libpq, autocommit), made from the
 * config's `database` and made again when lost. Jobs are submitted from the
 * loop; run() happens on a worker, done() back on the loop. Used by the
 * staff pages (web/server.c): Argon2id, key unwrapping and their queries
 * never run on the loop. */
#ifndef HOTLINE_BASE_WORKER_H
#define HOTLINE_BASE_WORKER_H

#include <stdbool.h>

#include <event2/event.h>
#include <libpq-fe.h>

#include "base/attr.h"

struct worker_job {
	struct worker_job *next; /* the pool's */
	/* On a worker. db is NULL when the database cannot be reached. */
	void (*run)(struct worker_job *job, PGconn *db);
	/* On the loop, after run(); cancelled when the pool stopped before
	 * the job ran (run() was not called). */
	void (*done)(struct worker_job *job, bool cancelled);
	/* Set by run(): close the worker's connection after it. libpq never
	 * shrinks its output buffer, so a job that sent megabytes (a
	 * registrar's files, issue 14) would leave them resident for good. */
	bool renew_db;
};

struct worker_pool;

/* NULL when threads cannot be made. conninfo is copied; NULL makes a pool
 * without a database (run() gets db NULL: the files' cleaning, intake/clean.h).
 * Every connection
 * gets statement_timeout = statement_seconds (0: none), so that a stuck
 * query cannot hold a worker for ever. */
struct worker_pool *worker_pool_new(struct event_base *base, unsigned threads, const char *conninfo,
				    unsigned statement_seconds) MUST_CHECK;

void worker_submit(struct worker_pool *p, struct worker_job *job);

/* Blocks the loop until no job runs, and keeps jobs from starting until
 * worker_resume(): for swapping what the jobs read (a reload). */
void worker_pause(struct worker_pool *p);
void worker_resume(struct worker_pool *p);

/* Lets the running jobs finish, cancels the queued ones, calls every
 * outstanding done() and joins the threads. NULL is a no-op. */
void worker_pool_free(struct worker_pool *p);

#endif
