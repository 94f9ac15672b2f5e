#include "base/db.h"
#include "base/schema.h"

#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "base/log.h"

enum conn_state { CONN_DOWN, CONN_CONNECTING, CONN_READY, CONN_BUSY };

struct db_stmt {
	char *sql_text;
	int nparams;
	char **values;
	int *lengths;
	int *formats;
	bool borrowed; /* values are the caller's (db_job_add_borrowed) */
};

struct db_job {
	db_done_fn done;
	void *arg;
	struct db_stmt *stmts;
	int nstmts;
	PGresult **results;
	int next_result; /* statement whose results arrive now */
	bool failed;
	bool in_doubt; /* its connection was lost while it was sent */
	int backend_pid;
	char sqlstate[6];
	struct timeval queued_at;
	struct db_job *next;
};

struct db_conn {
	struct db *db;
	unsigned index;
	enum conn_state state;
	PGconn *pg;
	struct event *ev;
	int ev_fd;
	short ev_what;
	struct event *retry;
	unsigned backoff_ms;
	struct db_job *job;
	bool cleaning; /* a ROLLBACK after a failed job is on its way */
	bool recycle;  /* connect afresh once idle: libpq kept a big buffer */
	bool renewed;  /* connecting again after a recycle: not news */
};

struct db {
	struct event_base *base;
	char *conninfo;
	unsigned nconn;
	struct db_conn *conns;
	struct db_job *queue_head, *queue_tail;
	unsigned queue_timeout;
	struct event *queue_timer;
	struct event *deliver; /* runs done() of finished jobs from the loop */
	struct db_job *finished_head, *finished_tail;
	bool ever_up;
	bool closing;
};

static void conn_connect(struct db_conn *c);
static void conn_dispatch(struct db *db);
static void conn_on_event(evutil_socket_t fd, short what, void *arg);

/* --- jobs --- */

struct db_job *db_job_new(db_done_fn done, void *arg)
{
	struct db_job *job = calloc(1, sizeof(*job));
	if (!job)
		abort();
	job->done = done;
	job->arg = arg;
	return job;
}

void db_job_add(struct db_job *job, const char *sql, int nparams, const char *const *values,
		const int *lengths, const int *formats)
{
	struct db_stmt *stmts = realloc(job->stmts, sizeof(*stmts) * (size_t)(job->nstmts + 1));
	if (!stmts)
		abort();
	job->stmts = stmts;
	struct db_stmt *s = &stmts[job->nstmts++];
	memset(s, 0, sizeof(*s));
	s->sql_text = strdup(sql);
	s->nparams = nparams;
	if (nparams > 0) {
		s->values = calloc((size_t)nparams, sizeof(char *));
		s->lengths = calloc((size_t)nparams, sizeof(int));
		s->formats = calloc((size_t)nparams, sizeof(int));
		if (!s->values || !s->lengths || !s->formats)
			abort();
	}
	if (!s->sql_text)
		abort();
	for (int i = 0; i < nparams; i++) {
		if (!values[i])
			continue;
		int len = lengths && formats && formats[i] ? lengths[i] : (int)strlen(values[i]);
		s->values[i] = malloc((size_t)len + 1);
		if (!s->values[i])
			abort();
		memcpy(s->values[i], values[i], (size_t)len);
		s->values[i][len] = '\0';
		s->lengths[i] = len;
		s->formats[i] = formats ? formats[i] : 0;
	}
}

void db_job_add_borrowed(struct db_job *job, const char *sql, int nparams,
			 const char *const *values, const int *lengths, const int *formats)
{
	struct db_stmt *stmts = realloc(job->stmts, sizeof(*stmts) * (size_t)(job->nstmts + 1));
	if (!stmts)
		abort();
	job->stmts = stmts;
	struct db_stmt *s = &stmts[job->nstmts++];
	memset(s, 0, sizeof(*s));
	s->borrowed = true;
	s->sql_text = strdup(sql);
	s->nparams = nparams;
	s->values = calloc((size_t)nparams, sizeof(char *));
	s->lengths = calloc((size_t)nparams, sizeof(int));
	s->formats = calloc((size_t)nparams, sizeof(int));
	if (!s->sql_text || !s->values || !s->lengths || !s->formats)
		abort();
	for (int i = 0; i < nparams; i++) {
		s->values[i] = (char *)values[i];
		s->lengths[i] = lengths[i];
		s->formats[i] = formats[i];
	}
}

void db_job_insert(struct db_job *job, int pos, const char *sql_text, int nparams,
		   const char *const *values, const int *lengths, const int *formats)
{
	db_job_add(job, sql_text, nparams, values, lengths, formats);
	struct db_stmt added = job->stmts[job->nstmts - 1];
	memmove(&job->stmts[pos + 1], &job->stmts[pos],
		sizeof(struct db_stmt) * (size_t)(job->nstmts - 1 - pos));
	job->stmts[pos] = added;
}

static void job_free(struct db_job *job)
{
	for (int i = 0; i < job->nstmts; i++) {
		struct db_stmt *s = &job->stmts[i];
		for (int p = 0; p < s->nparams && !s->borrowed; p++) {
			if (s->values[p]) {
				/* parameters carry ciphertext only, but wipe anyway */
				memset(s->values[p], 0, (size_t)s->lengths[p]);
				free(s->values[p]);
			}
		}
		free(s->values);
		free(s->lengths);
		free(s->formats);
		free(s->sql_text);
		if (job->results && job->results[i])
			PQclear(job->results[i]);
	}
	free(job->results);
	free(job->stmts);
	free(job);
}

void db_job_discard(struct db_job *job)
{
	if (job)
		job_free(job);
}

bool db_job_ok(const struct db_job *job)
{
	return !job->failed;
}

int db_job_count(const struct db_job *job)
{
	return job->nstmts;
}

PGresult *db_job_result(const struct db_job *job, int i)
{
	if (!job->results || i < 0 || i >= job->nstmts)
		return NULL;
	return job->results[i];
}

const char *db_job_sqlstate(const struct db_job *job)
{
	return job->sqlstate[0] ? job->sqlstate : "00000";
}

bool db_job_in_doubt(const struct db_job *job)
{
	return job->in_doubt;
}

int db_job_backend(const struct db_job *job)
{
	return job->backend_pid;
}

static void job_fail(struct db_job *job, const char *sqlstate)
{
	if (!job->failed) {
		job->failed = true;
		snprintf(job->sqlstate, sizeof(job->sqlstate), "%s", sqlstate);
	}
}

/* Callbacks always run from the loop, never inside db_submit(). */
static void job_finish(struct db *db, struct db_job *job)
{
	job->next = NULL;
	if (db->finished_tail)
		db->finished_tail->next = job;
	else
		db->finished_head = job;
	db->finished_tail = job;
	event_active(db->deliver, 0, 0);
}

static void deliver_finished(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct db *db = arg;
	struct db_job *job = db->finished_head;
	db->finished_head = db->finished_tail = NULL;
	while (job) {
		struct db_job *next = job->next;
		job->done(job, job->arg);
		job_free(job);
		job = next;
	}
}

/* --- the pool --- */

bool db_is_up(const struct db *db)
{
	for (unsigned i = 0; i < db->nconn; i++) {
		if (db->conns[i].state == CONN_READY || db->conns[i].state == CONN_BUSY)
			return true;
	}
	return false;
}

static void conn_watch(struct db_conn *c, short what)
{
	int fd = c->pg ? PQsocket(c->pg) : -1;
	if (c->ev && c->ev_fd == fd && c->ev_what == what)
		return;
	if (c->ev) {
		event_free(c->ev);
		c->ev = NULL;
	}
	if (fd < 0 || what == 0)
		return;
	c->ev = event_new(c->db->base, fd, what | EV_PERSIST, conn_on_event, c);
	if (!c->ev)
		abort();
	c->ev_fd = fd;
	c->ev_what = what;
	event_add(c->ev, NULL);
}

/* Closes the connection, fails its job, and connects again after a back-off
 * of at least min_ms. */
static void conn_drop_for(struct db_conn *c, const char *why, unsigned min_ms)
{
	struct db *db = c->db;
	bool was_up = c->state == CONN_READY || c->state == CONN_BUSY;
	conn_watch(c, 0);
	if (c->job) {
		/* Unless an earlier statement already failed (then its
		 * transaction cannot commit), whether it did is unknown. */
		c->job->in_doubt = !c->job->failed;
		job_fail(c->job, "08006");
		job_finish(db, c->job);
		c->job = NULL;
	}
	if (c->pg) {
		PQfinish(c->pg);
		c->pg = NULL;
	}
	c->state = CONN_DOWN;
	c->cleaning = false;
	c->renewed = false;
	if (was_up)
		log_warning("database connection %u lost: %s", c->index, why);
	c->backoff_ms = c->backoff_ms ? c->backoff_ms * 2 : 100;
	if (c->backoff_ms > 5000)
		c->backoff_ms = 5000;
	if (c->backoff_ms < min_ms)
		c->backoff_ms = min_ms;
	struct timeval tv = {c->backoff_ms / 1000, (c->backoff_ms % 1000) * 1000};
	evtimer_add(c->retry, &tv);
	if (!db_is_up(db)) {
		/* Nobody can serve the queue now: answer it at once. */
		while (db->queue_head) {
			struct db_job *job = db->queue_head;
			db->queue_head = job->next;
			job_fail(job, "HL000");
			job_finish(db, job);
		}
		db->queue_tail = NULL;
	}
}

static void conn_drop(struct db_conn *c, const char *why)
{
	conn_drop_for(c, why, 0);
}

static void conn_retry(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	conn_connect(arg);
}

static void notice_quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message; /* notices may quote values: not logged */
}

static void conn_connected(struct db_conn *c)
{
	if (PQsetnonblocking(c->pg, 1) != 0 || PQenterPipelineMode(c->pg) != 1) {
		conn_drop(c, "cannot enter pipeline mode");
		return;
	}
	PQsetNoticeProcessor(c->pg, notice_quiet, NULL);
	c->state = CONN_READY;
	c->backoff_ms = 0;
	if (!c->renewed && (!c->db->ever_up || c->index == 0))
		log_info("database connection %u ready", c->index);
	c->renewed = false;
	c->db->ever_up = true;
	conn_watch(c, EV_READ);
	conn_dispatch(c->db);
}

static void conn_poll_connect(struct db_conn *c)
{
	switch (PQconnectPoll(c->pg)) {
	case PGRES_POLLING_READING:
		conn_watch(c, EV_READ);
		break;
	case PGRES_POLLING_WRITING:
		conn_watch(c, EV_WRITE);
		break;
	case PGRES_POLLING_OK:
		conn_connected(c);
		break;
	default:
		conn_drop(c, "connect failed");
		break;
	}
}

static void conn_connect(struct db_conn *c)
{
	c->pg = PQconnectStart(c->db->conninfo);
	if (!c->pg || PQstatus(c->pg) == CONNECTION_BAD) {
		conn_drop(c, "connect failed");
		return;
	}
	c->state = CONN_CONNECTING;
	conn_watch(c, EV_WRITE);
}

static void conn_flush(struct db_conn *c)
{
	int r = PQflush(c->pg);
	if (r < 0)
		conn_drop(c, "send failed");
	else
		conn_watch(c, r == 1 ? EV_READ | EV_WRITE : EV_READ);
}

/* libpq grows its output buffer to the largest message it sent and never
 * shrinks it; a job carrying files (issue 14) would leave megabytes resident
 * per connection for ever. Past this many parameter bytes the connection is
 * opened afresh once the job is done. */
#define DB_RECYCLE_BYTES (1024 * 1024)

/* Connects again at once (not a loss: no back-off, nothing failed). */
static void conn_recycle(struct db_conn *c)
{
	conn_watch(c, 0);
	PQfinish(c->pg);
	c->pg = NULL;
	c->recycle = false;
	c->renewed = true;
	c->state = CONN_DOWN;
	log_debug("database connection %u: opened afresh after a large job", c->index);
	conn_connect(c);
}

static void conn_send(struct db_conn *c, struct db_job *job)
{
	size_t bytes = 0;
	for (int i = 0; i < job->nstmts; i++) {
		for (int p = 0; p < job->stmts[i].nparams; p++)
			bytes += (size_t)job->stmts[i].lengths[p];
	}
	c->recycle = bytes > DB_RECYCLE_BYTES;
	c->job = job;
	c->state = CONN_BUSY;
	job->backend_pid = PQbackendPID(c->pg);
	job->results = calloc((size_t)job->nstmts, sizeof(PGresult *));
	if (!job->results)
		abort();
	for (int i = 0; i < job->nstmts; i++) {
		struct db_stmt *s = &job->stmts[i];
		if (!PQsendQueryParams(c->pg, s->sql_text, s->nparams, NULL,
				       (const char *const *)s->values, s->lengths, s->formats, 0)) {
			conn_drop(c, "send failed");
			return;
		}
	}
	if (!PQpipelineSync(c->pg)) {
		conn_drop(c, "sync failed");
		return;
	}
	conn_flush(c);
}

static void conn_read_results(struct db_conn *c)
{
	struct db_job *job = c->job;
	while (c->pg && !PQisBusy(c->pg)) {
		PGresult *res = PQgetResult(c->pg);
		if (!job) {
			/* the ROLLBACK after a failed job, or nothing expected */
			if (!res) {
				if (!c->cleaning)
					return;
				continue;
			}
			bool sync = PQresultStatus(res) == PGRES_PIPELINE_SYNC;
			PQclear(res);
			if (sync && c->cleaning) {
				c->cleaning = false;
				c->state = CONN_READY;
				if (c->recycle)
					conn_recycle(c);
				else
					conn_dispatch(c->db);
				return;
			}
			continue;
		}
		if (!res) {
			job->next_result++;
			continue;
		}
		ExecStatusType st = PQresultStatus(res);
		if (st == PGRES_PIPELINE_SYNC) {
			PQclear(res);
			c->job = NULL;
			bool read_only = job->failed && strcmp(job->sqlstate, "25006") == 0;
			job_finish(c->db, job);
			if (read_only) {
				/* The server refuses writes: a standby after a
				 * fail-over, or default_transaction_read_only set.
				 * Only a new session can find the new primary or the
				 * setting lifted; at most one try a second. */
				conn_drop_for(c, "the server refuses writes (SQLSTATE 25006)",
					      1000);
				return;
			}
			if (PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
				/* A statement failed inside BEGIN..COMMIT: the rest
				 * of the pipeline was skipped and the transaction is
				 * still open, aborted. End it before the next job. */
				static const char sql_rollback[] = "ROLLBACK";
				c->cleaning = true;
				if (!PQsendQueryParams(c->pg, sql_rollback, 0, NULL, NULL, NULL,
						       NULL, 0) ||
				    !PQpipelineSync(c->pg)) {
					conn_drop(c, "rollback failed");
					return;
				}
				conn_flush(c);
				continue;
			}
			c->state = CONN_READY;
			if (c->recycle)
				conn_recycle(c);
			else
				conn_dispatch(c->db);
			return;
		}
		int i = job->next_result;
		if (st == PGRES_FATAL_ERROR || st == PGRES_PIPELINE_ABORTED) {
			const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
			job_fail(job, state ? state : "XX000");
		}
		if (i < job->nstmts && !job->results[i])
			job->results[i] = res;
		else
			PQclear(res);
	}
}

static void conn_on_event(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	struct db_conn *c = arg;
	if (c->state == CONN_CONNECTING) {
		conn_poll_connect(c);
		return;
	}
	if (what & EV_WRITE) {
		conn_flush(c);
		if (!c->pg)
			return;
	}
	if (what & EV_READ) {
		if (!PQconsumeInput(c->pg)) {
			conn_drop(c, "connection closed");
			return;
		}
		conn_read_results(c);
		if (c->pg && PQstatus(c->pg) == CONNECTION_BAD)
			conn_drop(c, "connection closed");
	}
}

static double since(const struct timeval *then)
{
	struct timeval now;
	gettimeofday(&now, NULL);
	return (double)(now.tv_sec - then->tv_sec) + (double)(now.tv_usec - then->tv_usec) / 1e6;
}

static void conn_dispatch(struct db *db)
{
	for (unsigned i = 0; i < db->nconn && db->queue_head; i++) {
		struct db_conn *c = &db->conns[i];
		if (c->state != CONN_READY)
			continue;
		struct db_job *job = db->queue_head;
		db->queue_head = job->next;
		if (!db->queue_head)
			db->queue_tail = NULL;
		job->next = NULL;
		conn_send(c, job);
	}
}

static void queue_expire(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct db *db = arg;
	while (db->queue_head && since(&db->queue_head->queued_at) >= db->queue_timeout) {
		struct db_job *job = db->queue_head;
		db->queue_head = job->next;
		if (!db->queue_head)
			db->queue_tail = NULL;
		job_fail(job, "57014");
		job_finish(db, job);
	}
}

void db_submit(struct db *db, struct db_job *job)
{
	if (db->closing) {
		job_fail(job, "HL001");
		job->done(job, job->arg);
		job_free(job);
		return;
	}
	gettimeofday(&job->queued_at, NULL);
	job->next = NULL;
	if (!db_is_up(db)) {
		job_fail(job, "HL000");
		job_finish(db, job);
		return;
	}
	if (db->queue_tail)
		db->queue_tail->next = job;
	else
		db->queue_head = job;
	db->queue_tail = job;
	conn_dispatch(db);
}

void db_set_queue_timeout(struct db *db, unsigned seconds)
{
	db->queue_timeout = seconds ? seconds : 1;
}

struct db *db_new(struct event_base *base, const char *conninfo, unsigned nconn,
		  unsigned queue_timeout)
{
	struct db *db = calloc(1, sizeof(*db));
	if (!db)
		return NULL;
	db->base = base;
	db->conninfo = strdup(conninfo);
	db->nconn = nconn;
	db->conns = calloc(nconn, sizeof(*db->conns));
	db->deliver = event_new(base, -1, 0, deliver_finished, db);
	db->queue_timer = event_new(base, -1, EV_PERSIST, queue_expire, db);
	if (!db->conninfo || !db->conns || !db->deliver || !db->queue_timer) {
		db_free(db);
		return NULL;
	}
	db_set_queue_timeout(db, queue_timeout);
	struct timeval tick = {0, 250000};
	event_add(db->queue_timer, &tick);
	for (unsigned i = 0; i < nconn; i++) {
		struct db_conn *c = &db->conns[i];
		c->db = db;
		c->index = i;
		c->ev_fd = -1;
		c->retry = evtimer_new(base, conn_retry, c);
		if (!c->retry) {
			db_free(db);
			return NULL;
		}
		conn_connect(c);
	}
	return db;
}

static void fail_now(struct db_job *job)
{
	job_fail(job, "HL001");
	job->done(job, job->arg);
	job_free(job);
}

/* Every job still known gets its callback (as a failure), so that nobody
 * waits for an answer that will not come and nothing leaks. */
void db_free(struct db *db)
{
	if (!db)
		return;
	db->closing = true;
	for (unsigned i = 0; db->conns && i < db->nconn; i++) {
		struct db_conn *c = &db->conns[i];
		if (c->job) {
			struct db_job *job = c->job;
			c->job = NULL;
			fail_now(job);
		}
	}
	while (db->queue_head) {
		struct db_job *job = db->queue_head;
		db->queue_head = job->next;
		fail_now(job);
	}
	while (db->finished_head) {
		struct db_job *job = db->finished_head;
		db->finished_head = job->next;
		job->done(job, job->arg);
		job_free(job);
	}
	for (unsigned i = 0; db->conns && i < db->nconn; i++) {
		struct db_conn *c = &db->conns[i];
		if (c->ev)
			event_free(c->ev);
		if (c->retry)
			event_free(c->retry);
		if (c->pg)
			PQfinish(c->pg);
	}
	if (db->deliver)
		event_free(db->deliver);
	if (db->queue_timer)
		event_free(db->queue_timer);
	free(db->conns);
	if (db->conninfo) {
		memset(db->conninfo, 0, strlen(db->conninfo));
		free(db->conninfo);
	}
	free(db);
}

int db_schema_version(const char *conninfo, char *err, size_t errlen)
{
	PGconn *pg = PQconnectdb(conninfo);
	int version = -2;
	if (PQstatus(pg) != CONNECTION_OK) {
		snprintf(err, errlen, "cannot connect to the database: %s", PQerrorMessage(pg));
		size_t n = strlen(err);
		while (n && (err[n - 1] == '\n' || err[n - 1] == ' '))
			err[--n] = '\0';
		goto done;
	}
	struct db_error why = {{0}, {0}};
	int applied = 0;
	int newest = db_schema_read(pg, &applied, &why);
	if (newest < 0) {
		snprintf(err, errlen, "cannot read the schema version: %s",
			 why.message[0] ? why.message : "no answer");
	} else if (newest == 0) {
		version = -1;
	} else if (newest <= SCHEMA_VERSION && applied != newest) {
		/* versions 1..N with one missing: hotlinectl migrate names it */
		snprintf(err, errlen,
			 "the database schema is at version %d but lacks an earlier "
			 "migration: run `hotlinectl migrate`, which names it",
			 newest);
	} else {
		version = newest;
	}
done:
	PQfinish(pg);
	return version;
}

int db_schema_read(PGconn *pg, int *applied, struct db_error *why)
{
	/* Two steps: a query naming a missing table fails even in a CASE
	 * branch that would not run. */
	static const char sql_exists[] =
	    "SELECT to_regclass('hotline.schema_migrations') IS NOT NULL AS migrated";
	static const char sql_version[] = "SELECT coalesce(max(version), 0) AS version, "
					  "count(*) AS applied FROM hotline.schema_migrations";
	if (applied)
		*applied = 0;
	PGresult *res = db_query(pg, sql_exists, 0, NULL, NULL, NULL, why);
	if (!res)
		return -1;
	bool migrated = strcmp(PQgetvalue(res, 0, db_col(res, "migrated")), "t") == 0;
	PQclear(res);
	if (!migrated)
		return 0;
	res = db_query(pg, sql_version, 0, NULL, NULL, NULL, why);
	if (!res)
		return -1;
	int newest = atoi(PQgetvalue(res, 0, db_col(res, "version")));
	if (applied)
		*applied = atoi(PQgetvalue(res, 0, db_col(res, "applied")));
	PQclear(res);
	return newest;
}

PGresult *db_query(PGconn *pg, const char *sql_text, int nparams, const char *const *values,
		   const int *lengths, const int *formats, struct db_error *err)
{
	PGresult *res = PQexecParams(pg, sql_text, nparams, NULL, values, lengths, formats, 0);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return res;
	if (err) {
		const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
		if (!state || !*state)
			state = PQstatus(pg) == CONNECTION_BAD ? "08006" : "XX000";
		snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", state);
		const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
		snprintf(err->message, sizeof(err->message), "%s", msg ? msg : "");
	}
	PQclear(res);
	return NULL;
}

unsigned char *db_bytea(const PGresult *res, int row, int col, size_t *len)
{
	if (PQgetisnull(res, row, col))
		return NULL;
	return PQunescapeBytea((const unsigned char *)PQgetvalue(res, row, col), len);
}

int db_col(const PGresult *res, const char *name)
{
	int col = PQfnumber(res, name);
	if (col < 0) {
		log_error("db: the statement has no column %s", name);
		abort();
	}
	return col;
}
