#include "base/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/db.h"
#include "base/log.h"
#include "base/wipe.h"

#define WORKER_MAX_THREADS 16

struct worker_pool {
	struct event_base *base;
	char *conninfo;
	unsigned statement_seconds;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* workers: a job, or stop */
	pthread_cond_t idle; /* pause: no job running */
	struct worker_job *queue_head, *queue_tail;
	struct worker_job *done_head, *done_tail;
	unsigned running;
	bool paused, stopping;
	int pipe_fds[2];
	struct event *on_done;
	unsigned nthreads;
	pthread_t threads[WORKER_MAX_THREADS];
};

static void set_timeout(PGconn *db, unsigned seconds)
{
	if (!seconds)
		return;
	char ms[32];
	snprintf(ms, sizeof ms, "%u", seconds * 1000);
	const char *v[1] = {ms};
	static const char sql_timeout[] = "SELECT set_config('statement_timeout', $1, false)";
	PQclear(db_query(db, sql_timeout, 1, v, NULL, NULL, NULL));
}

static PGconn *ensure_db(PGconn *db, const struct worker_pool *p)
{
	if (!p->conninfo)
		return NULL; /* a pool without a database */
	if (db && PQstatus(db) == CONNECTION_OK) {
		/* an empty query: libpq learns only by trying that the server
		 * went away (restarted) since the last job (not db_query(): its
		 * answer is neither rows nor a command) */
		PGresult *res = PQexec(db, "");
		bool alive = PQresultStatus(res) == PGRES_EMPTY_QUERY;
		PQclear(res);
		if (alive)
			return db;
	}
	if (db) {
		PQreset(db);
		if (PQstatus(db) == CONNECTION_OK) {
			log_info("staff worker: database connection made again");
			set_timeout(db, p->statement_seconds);
			return db;
		}
		PQfinish(db);
	}
	db = PQconnectdb(p->conninfo);
	if (PQstatus(db) != CONNECTION_OK) {
		/* the message may name the server, never a password */
		log_warning("staff worker: cannot connect to the database");
		PQfinish(db);
		return NULL;
	}
	set_timeout(db, p->statement_seconds);
	return db;
}

static void *worker_main(void *arg)
{
	struct worker_pool *p = arg;
	PGconn *db = NULL;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->stopping && (p->paused || !p->queue_head))
			pthread_cond_wait(&p->wake, &p->lock);
		if (p->stopping)
			break;
		struct worker_job *job = p->queue_head;
		p->queue_head = job->next;
		if (!p->queue_head)
			p->queue_tail = NULL;
		p->running++;
		pthread_mutex_unlock(&p->lock);

		db = ensure_db(db, p);
		job->renew_db = false;
		job->run(job, db);
		wipe_stack(); /* passwords, keys and case content the page handled */
		if (db && PQstatus(db) == CONNECTION_OK &&
		    PQtransactionStatus(db) != PQTRANS_IDLE) {
			log_warning("staff worker: a job left a transaction open; rolled back");
			static const char sql_rollback[] = "ROLLBACK";
			PQclear(db_query(db, sql_rollback, 0, NULL, NULL, NULL, NULL));
		}
		if (db && (PQstatus(db) != CONNECTION_OK || job->renew_db)) {
			PQfinish(db); /* the next job connects afresh */
			db = NULL;
		}

		pthread_mutex_lock(&p->lock);
		job->next = NULL;
		if (p->done_tail)
			p->done_tail->next = job;
		else
			p->done_head = job;
		p->done_tail = job;
		p->running--;
		if (p->running == 0)
			pthread_cond_broadcast(&p->idle);
		/* one byte wakes the loop; a full pipe means it is awake already */
		char one = 1;
		ssize_t n = write(p->pipe_fds[1], &one, 1);
		(void)n;
	}
	pthread_mutex_unlock(&p->lock);
	PQfinish(db);
	return NULL;
}

static void deliver(struct worker_pool *p)
{
	pthread_mutex_lock(&p->lock);
	struct worker_job *job = p->done_head;
	p->done_head = p->done_tail = NULL;
	pthread_mutex_unlock(&p->lock);
	while (job) {
		struct worker_job *next = job->next;
		job->done(job, false);
		job = next;
	}
}

static void on_done(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	char drain[64];
	while (read(fd, drain, sizeof drain) > 0)
		;
	deliver(arg);
}

struct worker_pool *worker_pool_new(struct event_base *base, unsigned threads, const char *conninfo,
				    unsigned statement_seconds)
{
	if (threads < 1)
		threads = 1;
	if (threads > WORKER_MAX_THREADS)
		threads = WORKER_MAX_THREADS;
	struct worker_pool *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->base = base;
	p->statement_seconds = statement_seconds;
	p->pipe_fds[0] = p->pipe_fds[1] = -1;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	pthread_cond_init(&p->idle, NULL);
	p->conninfo = conninfo ? strdup(conninfo) : NULL;
	if ((conninfo && !p->conninfo) || pipe2(p->pipe_fds, O_NONBLOCK | O_CLOEXEC) != 0)
		goto fail;
	p->on_done = event_new(base, p->pipe_fds[0], EV_READ | EV_PERSIST, on_done, p);
	if (!p->on_done)
		goto fail;
	event_add(p->on_done, NULL);
	/* the threads take no signal: the loop handles them */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (unsigned i = 0; i < threads; i++) {
		if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0)
			break;
		p->nthreads++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (p->nthreads == 0)
		goto fail;
	return p;
fail:
	worker_pool_free(p);
	return NULL;
}

void worker_submit(struct worker_pool *p, struct worker_job *job)
{
	job->next = NULL;
	pthread_mutex_lock(&p->lock);
	if (p->queue_tail)
		p->queue_tail->next = job;
	else
		p->queue_head = job;
	p->queue_tail = job;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
}

void worker_pause(struct worker_pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->paused = true;
	while (p->running > 0)
		pthread_cond_wait(&p->idle, &p->lock);
	pthread_mutex_unlock(&p->lock);
}

void worker_resume(struct worker_pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->paused = false;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
}

void worker_pool_free(struct worker_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
	for (unsigned i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	deliver(p);
	struct worker_job *job = p->queue_head;
	p->queue_head = p->queue_tail = NULL;
	while (job) {
		struct worker_job *next = job->next;
		job->done(job, true);
		job = next;
	}
	if (p->on_done)
		event_free(p->on_done);
	if (p->pipe_fds[0] >= 0)
		close(p->pipe_fds[0]);
	if (p->pipe_fds[1] >= 0)
		close(p->pipe_fds[1]);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->wake);
	pthread_cond_destroy(&p->idle);
	free(p->conninfo);
	free(p);
}
