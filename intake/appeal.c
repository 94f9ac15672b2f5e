#include "intake/appeal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <event2/event.h>

#include "base/db.h"
#include "base/log.h"
#include "base/pgarray.h"
#include "intake/indoubt.h"
#include "base/schema.h"
#include "crypto/casekey.h"

struct pending {
	struct appeal *appeal;
	struct timeval deadline; /* after it the appeal is never sent */
	appeal_done_fn done;
	void *arg;
	bool solo; /* retried alone after its batch failed */
	struct pending *next;
};

/* A batch whose connection was lost before its COMMIT was answered: it may
 * have committed or not. Its appeals wait until the server can tell
 * (intake/indoubt.h). */
struct doubt {
	int backend_pid;
	struct pending *first;
	struct doubt *next;
};

struct appeal_queue {
	struct db *db;
	unsigned max_batch;
	struct pending *head, *tail;
	unsigned waiting;
	unsigned in_flight;
	bool busy;
	struct doubt *doubts;
	unsigned doubting;
	struct doubt *checking; /* asked about now */
	struct event *doubt_timer;
	/* The compliance managers new cases are sealed to, read again before
	 * a batch when older than READERS_FRESH_MS (docs/keys.md): one who
	 * became one in between gets the seal from the next compliance
	 * session (hotline.case_seals_missing). */
	struct case_reader *readers;
	unsigned nreaders;
	struct timeval readers_at;
	bool readers_loading;
};

#define READERS_FRESH_MS 100
#define READERS_MAX 256

static const char sql_begin[] = "BEGIN";
static const char sql_commit[] = "COMMIT";
static const char sql_rollback[] = "ROLLBACK";
/* The whole batch must end by the earliest deadline in it: the server
 * cancels any statement (a lock wait included) that runs longer, so a
 * reporter told "not saved" is never registered later. */
static const char sql_deadline[] = "SELECT set_config('statement_timeout', $1, true)";
/* The whole batch in one call (migrations/0028_register_batch.sql): element
 * i of each array is appeal i, one row per appeal back in their order. It
 * and sql_attach plan their foreign-key checks as index lookups however
 * small `cases` was when it was last analyzed (docs/architecture.md). */
static const char sql_register[] =
    "SELECT case_id, reg_no, to_char(registered_at AT TIME ZONE " SQL_ZONE ", "
    "'YYYY-MM-DD HH24:MI') AS registered_at "
    "FROM hotline.register_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
    "$14, $15, $16) ORDER BY ord";
static const char sql_readers[] = "SELECT id, public_key FROM hotline.case_readers ORDER BY id";
static const char sql_attach[] = "SELECT hotline.register_attachment($1, $2, $3, $4)";

void blob_free(struct blob *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

void appeal_free(struct appeal *a)
{
	if (!a)
		return;
	blob_free(&a->content_key_sealed);
	blob_free(&a->content);
	blob_free(&a->identity_sealed);
	blob_free(&a->recovery_sealed);
	blob_free(&a->reader_seals);
	free(a->reader_ids);
	secret_key_free(a->case_sk);
	for (unsigned i = 0; i < a->nfiles; i++) {
		blob_free(&a->files[i].meta);
		blob_free(&a->files[i].data);
	}
	free(a->files);
	free(a);
}

static void doubt_tick(evutil_socket_t fd, short what, void *arg);

/* Forgets a half-made list of reader seals: the registration then goes
 * with none (the case is marked due, docs/keys.md) unless a retry makes
 * them. */
static void readers_unseal(struct appeal *a)
{
	free(a->reader_ids);
	a->reader_ids = NULL;
	blob_free(&a->reader_seals);
}

bool appeal_seal_readers(struct appeal *a, const struct case_reader *readers, unsigned n)
{
	if (a->readers_sealed)
		return true;
	if (!a->case_sk)
		return false;
	readers_unseal(a);
	size_t ids_size = 3 + (size_t)n * 21;
	a->reader_ids = malloc(ids_size);
	a->reader_seals.data = n ? malloc((size_t)n * CASEKEY_SEAL_BYTES) : NULL;
	if (!a->reader_ids || (n && !a->reader_seals.data))
		goto fail;
	size_t at = (size_t)snprintf(a->reader_ids, ids_size, "{");
	for (unsigned i = 0; i < n; i++) {
		if (!casekey_seal(a->case_sk, &readers[i].pk,
				  a->reader_seals.data + (size_t)i * CASEKEY_SEAL_BYTES))
			goto fail;
		at += (size_t)snprintf(a->reader_ids + at, ids_size - at, "%s%lld", i ? "," : "",
				       readers[i].id);
	}
	snprintf(a->reader_ids + at, ids_size - at, "}");
	a->reader_seals.len = (size_t)n * CASEKEY_SEAL_BYTES;
	secret_key_free(a->case_sk);
	a->case_sk = NULL;
	a->readers_sealed = true;
	return true;
fail:
	readers_unseal(a);
	return false;
}

/* The rows of sql_readers into a fresh array (*n set); NULL with *n 0 on
 * an error or when there are none. */
static struct case_reader *readers_parse(PGresult *res, unsigned *n)
{
	*n = 0;
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) == 0)
		return NULL;
	unsigned rows = (unsigned)PQntuples(res);
	int id = db_col(res, "id"), public_key = db_col(res, "public_key");
	if (rows > READERS_MAX)
		rows = READERS_MAX;
	struct case_reader *r = calloc(rows, sizeof(*r));
	if (!r)
		return NULL;
	for (unsigned i = 0; i < rows; i++) {
		size_t len = 0;
		unsigned char *pk = PQunescapeBytea(
		    (const unsigned char *)PQgetvalue(res, (int)i, public_key), &len);
		if (!pk || len != KEYS_PUBLIC_BYTES) {
			PQfreemem(pk);
			continue;
		}
		r[*n].id = strtoll(PQgetvalue(res, (int)i, id), NULL, 10);
		memcpy(r[*n].pk.bytes, pk, KEYS_PUBLIC_BYTES);
		(*n)++;
		PQfreemem(pk);
	}
	return r;
}

struct appeal_queue *appeal_queue_new(struct event_base *base, struct db *db, unsigned max_batch)
{
	struct appeal_queue *q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->db = db;
	q->max_batch = max_batch ? max_batch : 1;
	q->doubt_timer = evtimer_new(base, doubt_tick, q);
	if (!q->doubt_timer) {
		free(q);
		return NULL;
	}
	return q;
}

void appeal_queue_set_max_batch(struct appeal_queue *q, unsigned max_batch)
{
	q->max_batch = max_batch ? max_batch : 1;
}

unsigned appeal_pending(const struct appeal_queue *q)
{
	return q->waiting + q->in_flight + q->doubting;
}

/* Runs (or queues) one statement of registering appeals; index 0 is the
 * hotline.register_batch call. False stops the sequence. */
typedef bool (*statement_fn)(void *cls, unsigned index, const char *sql_text, int n,
			     const char *const *values, const int *lengths, const int *formats);

enum {
	P_CHANNEL,
	P_RECEIPT_HASH,
	P_CATEGORY,
	P_DIRECTOR_INVOLVED,
	P_LANGUAGE,
	P_CONTENT_KEY_SEALED,
	P_CONTENT,
	P_IDENTITY_SEALED,
	P_CASE_PUBLIC_KEY,
	P_RECOVERY_SEALED,
	P_READERS, /* text: one list of accounts for the whole batch */
	P_READER_SEALS,
	P_REPORTER_KEY,
	P_MAIL_SENDER_HASH,
	P_REPLY_TOKEN_HASH,
	P_CLAIMS,
	P_COUNT
};

static const enum pgarray_type param_types[P_COUNT] = {
    [P_CHANNEL] = PGARRAY_TEXT,		  [P_RECEIPT_HASH] = PGARRAY_BYTEA,
    [P_CATEGORY] = PGARRAY_TEXT,	  [P_DIRECTOR_INVOLVED] = PGARRAY_TEXT,
    [P_LANGUAGE] = PGARRAY_TEXT,	  [P_CONTENT_KEY_SEALED] = PGARRAY_BYTEA,
    [P_CONTENT] = PGARRAY_BYTEA,	  [P_IDENTITY_SEALED] = PGARRAY_BYTEA,
    [P_CASE_PUBLIC_KEY] = PGARRAY_BYTEA,  [P_RECOVERY_SEALED] = PGARRAY_BYTEA,
    [P_READERS] = PGARRAY_INT8,		  [P_READER_SEALS] = PGARRAY_BYTEA,
    [P_REPORTER_KEY] = PGARRAY_BYTEA,	  [P_MAIL_SENDER_HASH] = PGARRAY_BYTEA,
    [P_REPLY_TOKEN_HASH] = PGARRAY_BYTEA, [P_CLAIMS] = PGARRAY_TEXT,
};

static void add_blob(struct pgarray *arr, const struct blob *b)
{
	pgarray_add(arr, b->data, b->len);
}

/* Appeal a as element of each array; its seals only when they are to the
 * batch's readers (an appeal whose sealing failed has none: the case is
 * then marked due, docs/keys.md). */
static void params_add(struct pgarray *arr, const struct appeal *a, const char *readers)
{
	pgarray_add_text(&arr[P_CHANNEL], a->channel);
	pgarray_add(&arr[P_RECEIPT_HASH], a->receipt_hash, RECEIPT_HASH_BYTES);
	pgarray_add_text(&arr[P_CATEGORY], a->category);
	pgarray_add_text(&arr[P_DIRECTOR_INVOLVED], a->director_involved);
	pgarray_add_text(&arr[P_LANGUAGE], a->language);
	add_blob(&arr[P_CONTENT_KEY_SEALED], &a->content_key_sealed);
	add_blob(&arr[P_CONTENT], &a->content);
	add_blob(&arr[P_IDENTITY_SEALED], &a->identity_sealed);
	pgarray_add(&arr[P_CASE_PUBLIC_KEY], a->case_public_key, KEYS_PUBLIC_BYTES);
	add_blob(&arr[P_RECOVERY_SEALED], &a->recovery_sealed);
	bool sealed =
	    a->reader_ids && a->reader_seals.data && readers && strcmp(a->reader_ids, readers) == 0;
	if (a->reader_ids && a->reader_seals.data && !sealed)
		log_warning("registration: a case sealed to other readers than its batch's; "
			    "it is marked for the next compliance session");
	pgarray_add(&arr[P_READER_SEALS], sealed ? a->reader_seals.data : NULL,
		    a->reader_seals.len);
	pgarray_add(&arr[P_REPORTER_KEY], a->has_reporter_key ? a->reporter_key : NULL,
		    KEYS_PUBLIC_BYTES);
	pgarray_add(&arr[P_MAIL_SENDER_HASH], a->has_mail_proof ? a->mail_sender_hash : NULL,
		    RECEIPT_HASH_BYTES);
	pgarray_add(&arr[P_REPLY_TOKEN_HASH], a->has_mail_proof ? a->reply_token_hash : NULL,
		    RECEIPT_HASH_BYTES);
	pgarray_add_text(&arr[P_CLAIMS], a->claims_reg_no[0] ? a->claims_reg_no : NULL);
}

/* The hotline.register_batch call for the n appeals of list, given to fn
 * as statement 0. The arrays are freed once fn has returned (db_job_add
 * and db_query are done with them by then). */
static bool register_statement(const struct appeal *const *list, unsigned n, statement_fn fn,
			       void *cls)
{
	struct pgarray arr[P_COUNT];
	const char *readers = NULL;
	for (unsigned i = 0; i < n && !readers; i++)
		if (list[i]->reader_ids && list[i]->reader_seals.data)
			readers = list[i]->reader_ids;
	for (int p = 0; p < P_COUNT; p++)
		pgarray_begin(&arr[p], param_types[p], n);
	for (unsigned i = 0; i < n; i++)
		params_add(arr, list[i], readers);
	const char *values[P_COUNT];
	int lengths[P_COUNT], formats[P_COUNT];
	bool ok = true;
	for (int p = 0; p < P_COUNT; p++) {
		ok = ok && (p == P_READERS || pgarray_done(&arr[p]));
		values[p] = (const char *)arr[p].data;
		lengths[p] = (int)arr[p].len;
		formats[p] = 1;
	}
	values[P_READERS] = readers ? readers : "{}";
	lengths[P_READERS] = 0;
	formats[P_READERS] = 0;
	if (!ok)
		log_error("registration: cannot compose a batch of %u (out of memory)", n);
	else
		ok = fn(cls, 0, sql_register, P_COUNT, values, lengths, formats);
	for (int p = 0; p < P_COUNT; p++)
		pgarray_free(&arr[p]);
	return ok;
}

/* One INSERT per attachment of a, after the batch's call: a file's ciphertext goes as its own
 * parameter, never copied into an array. */
static bool attach_statements(const struct appeal *a, unsigned *index, statement_fn fn, void *cls)
{
	for (unsigned i = 0; i < a->nfiles; i++) {
		const char *fv[4] = {(const char *)a->receipt_hash,
				     (const char *)a->files[i].meta.data,
				     (const char *)a->files[i].data.data, a->files[i].clean};
		int fl[4] = {RECEIPT_HASH_BYTES, (int)a->files[i].meta.len,
			     (int)a->files[i].data.len, 0};
		int ff[4] = {1, 1, 1, 0};
		if (!fn(cls, (*index)++, sql_attach, 4, fv, fl, ff))
			return false;
	}
	return true;
}

/* The statements of registering list[0..n-1], in order: the batch's call,
 * then each appeal's attachments. Shared by the batched path and
 * appeal_register_sync(), so both store exactly the same rows. */
static bool each_statement(const struct appeal *const *list, unsigned n, statement_fn fn, void *cls)
{
	if (!register_statement(list, n, fn, cls))
		return false;
	unsigned index = 1;
	for (unsigned i = 0; i < n; i++)
		if (!attach_statements(list[i], &index, fn, cls))
			return false;
	return true;
}

static bool job_add(void *cls, unsigned index, const char *sql_text, int n,
		    const char *const *values, const int *lengths, const int *formats)
{
	(void)index;
	/* A file's ciphertext stays in the appeal until done() has run (the
	 * appeal is freed after it, and kept for a retry): not copied again,
	 * so a registration holds it once besides libpq's buffer (issue 14,
	 * uploads_need()). */
	if (sql_text == sql_attach)
		db_job_add_borrowed(cls, sql_text, n, values, lengths, formats);
	else
		db_job_add(cls, sql_text, n, values, lengths, formats);
	return true;
}

struct batch {
	struct appeal_queue *q;
	struct pending *first;
	unsigned count;
};

static long remaining_ms(const struct pending *p)
{
	struct timeval now;
	gettimeofday(&now, NULL);
	return (long)(p->deadline.tv_sec - now.tv_sec) * 1000 +
	       (long)(p->deadline.tv_usec - now.tv_usec) / 1000;
}

static void queue_pump(struct appeal_queue *q);

static void pending_finish(struct pending *p, const struct appeal_result *r)
{
	p->done(p->arg, r);
	appeal_free(p->appeal);
	free(p);
}

/* Row i of sql_register (one per appeal of the batch, in its order) into
 * r; rows: how many the batch must have given. */
static bool registered_row(PGresult *res, int i, int rows, struct appeal_result *r)
{
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != rows || i >= rows)
		return false;
	r->ok = true;
	r->case_id = strtoll(PQgetvalue(res, i, db_col(res, "case_id")), NULL, 10);
	snprintf(r->reg_no, sizeof(r->reg_no), "%s", PQgetvalue(res, i, db_col(res, "reg_no")));
	snprintf(r->registered_at, sizeof(r->registered_at), "%s",
		 PQgetvalue(res, i, db_col(res, "registered_at")));
	return true;
}

/* --- batches in doubt --- */

static void doubt_later(struct appeal_queue *q, unsigned ms)
{
	struct timeval tv = {0, (suseconds_t)ms * 1000};
	evtimer_add(q->doubt_timer, &tv);
}

static void doubt_add(struct appeal_queue *q, struct pending *first, int backend_pid)
{
	struct doubt *d = calloc(1, sizeof(*d));
	if (!d)
		abort();
	d->backend_pid = backend_pid;
	d->first = first;
	for (struct pending *p = first; p; p = p->next)
		q->doubting++;
	d->next = q->doubts;
	q->doubts = d;
	doubt_later(q, 0);
}

static void doubt_unlink(struct appeal_queue *q, struct doubt *d)
{
	for (struct doubt **link = &q->doubts; *link; link = &(*link)->next) {
		if (*link == d) {
			*link = d->next;
			break;
		}
	}
	free(d);
}

static void doubt_answer_unknown(struct appeal_queue *q, struct pending *p)
{
	struct appeal_result r;
	indoubt_unknown(&r);
	q->doubting--;
	pending_finish(p, &r);
}

/* Appeals in doubt whose time is up are told so; not those being asked
 * about (their answer is on its way). */
static void doubt_expire(struct appeal_queue *q)
{
	struct doubt *d = q->doubts;
	while (d) {
		struct doubt *next = d->next;
		struct pending **link = &d->first;
		while (d != q->checking && *link) {
			struct pending *p = *link;
			if (remaining_ms(p) > 0) {
				link = &p->next;
				continue;
			}
			*link = p->next;
			doubt_answer_unknown(q, p);
		}
		if (!d->first)
			doubt_unlink(q, d);
		d = next;
	}
}

static void doubt_checked(struct db_job *job, void *arg)
{
	struct appeal_queue *q = arg;
	struct doubt *d = q->checking;
	q->checking = NULL;
	if (!db_job_ok(job) || !indoubt_ended(db_job_result(job, 0))) {
		doubt_later(q, 250); /* no answer yet, or that session still runs */
		return;
	}
	int stmt = 1;
	struct pending *p = d->first;
	d->first = NULL;
	while (p) {
		struct pending *next = p->next;
		struct appeal_result r;
		memset(&r, 0, sizeof(r));
		indoubt_settle(db_job_result(job, stmt++), p->appeal, &r);
		q->doubting--;
		pending_finish(p, &r);
		p = next;
	}
	doubt_unlink(q, d);
	if (q->doubts)
		doubt_later(q, 0);
}

static void doubt_ask(struct appeal_queue *q, struct doubt *d)
{
	struct db_job *job = db_job_new(doubt_checked, q);
	indoubt_ask_ended(job, d->backend_pid);
	for (struct pending *p = d->first; p; p = p->next)
		indoubt_ask_appeal(job, p->appeal);
	q->checking = d;
	db_submit(q->db, job);
}

static void doubt_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct appeal_queue *q = arg;
	doubt_expire(q);
	if (!q->doubts || q->checking)
		return;
	if (db_is_up(q->db))
		doubt_ask(q, q->doubts);
	else
		doubt_later(q, 250);
}

/* --- batches --- */

static void batch_done(struct db_job *job, void *arg)
{
	struct batch *batch = arg;
	struct appeal_queue *q = batch->q;
	bool ok = db_job_ok(job);
	if (!ok && db_job_in_doubt(job)) {
		/* Retrying could register them twice: ask first. */
		log_warning("registration batch of %u: connection lost before its COMMIT was "
			    "answered; asking the database what became of it",
			    batch->count);
		q->in_flight -= batch->count;
		q->busy = false;
		doubt_add(q, batch->first, db_job_backend(job));
		free(batch);
		queue_pump(q);
		return;
	}
	bool retry = !ok && batch->count > 1 && db_is_up(q->db);
	if (retry)
		log_warning("registration batch of %u failed (SQLSTATE %s), retrying one by one",
			    batch->count, db_job_sqlstate(job));
	q->in_flight -= batch->count;
	q->busy = false;

	struct pending *retry_head = NULL, *retry_tail = NULL;
	/* statements 0 and 1: BEGIN and the deadline; 2: the batch's call */
	PGresult *res = db_job_result(job, 2);
	int row = 0;
	struct pending *p = batch->first;
	while (p) {
		struct pending *next = p->next;
		p->next = NULL;
		int i = row++;
		if (retry && remaining_ms(p) > 0) {
			p->solo = true;
			if (retry_tail)
				retry_tail->next = p;
			else
				retry_head = p;
			retry_tail = p;
			q->waiting++;
			p = next;
			continue;
		}
		struct appeal_result r;
		memset(&r, 0, sizeof(r));
		if (ok && registered_row(res, i, (int)batch->count, &r)) {
			log_info("registered %s (case %lld, channel %s)", r.reg_no, r.case_id,
				 p->appeal->channel);
		} else {
			r.sqlstate = db_job_sqlstate(job);
			log_warning("registration failed (SQLSTATE %s): nothing was saved",
				    r.sqlstate);
		}
		pending_finish(p, &r);
		p = next;
	}
	free(batch);
	if (retry_head) {
		/* Put them first, in their order. */
		retry_tail->next = q->head;
		q->head = retry_head;
		if (!q->tail)
			q->tail = retry_tail;
	}
	queue_pump(q);
}

/* Appeals whose time ran out while they waited are answered without being
 * sent. */
static void drop_expired(struct appeal_queue *q)
{
	struct pending **link = &q->head;
	q->tail = NULL;
	while (*link) {
		struct pending *p = *link;
		if (remaining_ms(p) > 50) {
			q->tail = p;
			link = &p->next;
			continue;
		}
		*link = p->next;
		q->waiting--;
		struct appeal_result r = {.ok = false, .sqlstate = "57014"};
		log_warning("registration not attempted: its time ran out while waiting");
		pending_finish(p, &r);
	}
}

static void readers_loaded(struct db_job *job, void *arg)
{
	struct appeal_queue *q = arg;
	q->busy = false;
	q->readers_loading = false;
	gettimeofday(&q->readers_at, NULL);
	if (db_job_ok(job)) {
		unsigned n;
		struct case_reader *r = readers_parse(db_job_result(job, 0), &n);
		free(q->readers);
		q->readers = r;
		q->nreaders = r ? n : 0;
	} else {
		log_warning("registration: cannot read the compliance managers' keys (SQLSTATE "
			    "%s); new cases get the seals known before",
			    db_job_sqlstate(job));
	}
	queue_pump(q);
}

/* Whether the readers were read less than READERS_FRESH_MS ago. */
static bool readers_fresh(const struct appeal_queue *q)
{
	struct timeval now;
	gettimeofday(&now, NULL);
	long ms = (long)(now.tv_sec - q->readers_at.tv_sec) * 1000 +
		  (long)(now.tv_usec - q->readers_at.tv_usec) / 1000;
	return q->readers_at.tv_sec && ms >= 0 && ms < READERS_FRESH_MS;
}

static void queue_pump(struct appeal_queue *q)
{
	if (q->busy)
		return;
	drop_expired(q);
	if (!q->head)
		return;
	if (!readers_fresh(q) && !q->readers_loading) {
		/* one small round trip first, so a case is sealed to the
		 * compliance managers of now (docs/keys.md) */
		struct db_job *rj = db_job_new(readers_loaded, q);
		db_job_add(rj, sql_readers, 0, NULL, NULL, NULL);
		q->busy = true;
		q->readers_loading = true;
		db_submit(q->db, rj);
		return;
	}
	struct batch *batch = calloc(1, sizeof(*batch));
	if (!batch)
		abort();
	batch->q = q;
	struct db_job *job = db_job_new(batch_done, batch);
	db_job_add(job, sql_begin, 0, NULL, NULL, NULL);
	struct pending *last = NULL;
	long budget = remaining_ms(q->head);
	bool solo = q->head->solo;
	while (q->head && batch->count < (solo ? 1u : q->max_batch) &&
	       !(batch->count && q->head->solo)) {
		struct pending *p = q->head;
		q->head = p->next;
		if (!q->head)
			q->tail = NULL;
		p->next = NULL;
		if (last)
			last->next = p;
		else
			batch->first = p;
		last = p;
		batch->count++;
		q->waiting--;
		q->in_flight++;
		if (remaining_ms(p) < budget)
			budget = remaining_ms(p);
		if (!appeal_seal_readers(p->appeal, q->readers, q->nreaders))
			log_error("registration: cannot seal a case key to its readers");
	}
	const struct appeal **list = calloc(batch->count, sizeof(*list));
	if (!list)
		abort();
	unsigned n = 0;
	for (struct pending *p = batch->first; p; p = p->next)
		list[n++] = p->appeal;
	/* fails only out of memory, as the allocations above */
	if (!each_statement(list, n, job_add, job))
		abort();
	free(list);
	/* set_config goes second: fill in the budget now that it is known */
	char ms[32];
	snprintf(ms, sizeof(ms), "%ld", budget > 1 ? budget : 1);
	const char *values[1] = {ms};
	db_job_insert(job, 1, sql_deadline, 1, values, NULL, NULL);
	db_job_add(job, sql_commit, 0, NULL, NULL, NULL);
	q->busy = true;
	db_submit(q->db, job);
}

void appeal_register(struct appeal_queue *q, struct appeal *a, unsigned timeout,
		     appeal_done_fn done, void *arg)
{
	struct pending *p = calloc(1, sizeof(*p));
	if (!p)
		abort();
	gettimeofday(&p->deadline, NULL);
	p->deadline.tv_sec += timeout;
	p->appeal = a;
	p->done = done;
	p->arg = arg;
	if (q->tail)
		q->tail->next = p;
	else
		q->head = p;
	q->tail = p;
	q->waiting++;
	queue_pump(q);
}

void appeal_queue_free(struct appeal_queue *q)
{
	if (!q)
		return;
	while (q->head) {
		struct pending *p = q->head;
		q->head = p->next;
		struct appeal_result r = {.ok = false, .sqlstate = "HL001"};
		pending_finish(p, &r);
	}
	q->checking = NULL; /* the pool, freed first, has answered it */
	while (q->doubts) {
		struct doubt *d = q->doubts;
		while (d->first) {
			struct pending *p = d->first;
			d->first = p->next;
			doubt_answer_unknown(q, p);
		}
		doubt_unlink(q, d);
	}
	if (q->doubt_timer)
		event_free(q->doubt_timer);
	free(q->readers);
	free(q);
}

/* --- registering from a worker thread --- */

/* Keeps the SQLSTATE of res (or of a lost connection) in out and clears
 * res. */
static void sync_failed(struct appeal_result *out, PGresult *res, const char *fallback)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	snprintf(out->state, sizeof(out->state), "%s", state && *state ? state : fallback);
	out->sqlstate = out->state;
	out->ok = false;
	PQclear(res);
}

/* A statement that must succeed (sql_stmt: one of the sql_* constants
 * above); false with out's sqlstate set. */
static bool sync_exec(PGconn *db, const char *sql_stmt, int n, const char *const *values,
		      const int *lengths, const int *formats, PGresult **keep,
		      struct appeal_result *out)
{
	struct db_error err;
	PGresult *res = db_query(db, sql_stmt, n, values, lengths, formats, &err);
	if (!res) {
		sync_failed(out, NULL, err.sqlstate);
		return false;
	}
	if (keep)
		*keep = res;
	else
		PQclear(res);
	return true;
}

struct sync_steps {
	PGconn *db;
	struct appeal_result *out;
};

/* A statement_fn for appeal_register_sync(): runs it; from the first, the
 * registration's number and time (not ok before COMMIT). */
static bool sync_step(void *cls, unsigned index, const char *sql_text, int n,
		      const char *const *values, const int *lengths, const int *formats)
{
	struct sync_steps *st = cls;
	PGresult *row = NULL;
	if (!sync_exec(st->db, sql_text, n, values, lengths, formats, index == 0 ? &row : NULL,
		       st->out))
		return false;
	if (index > 0)
		return true;
	bool got = registered_row(row, 0, 1, st->out);
	PQclear(row);
	st->out->ok = false; /* not before COMMIT */
	if (!got)
		sync_failed(st->out, NULL, "XX000");
	return got;
}

void appeal_register_sync(PGconn *db, struct appeal *a, unsigned timeout, appeal_in_tx_fn in_tx,
			  void *arg, struct appeal_result *out)
{
	memset(out, 0, sizeof(*out));
	if (!a->readers_sealed) {
		PGresult *rr = db_query(db, sql_readers, 0, NULL, NULL, NULL, NULL);
		unsigned n;
		struct case_reader *readers = readers_parse(rr, &n);
		PQclear(rr);
		bool sealed = appeal_seal_readers(a, readers, readers ? n : 0);
		free(readers);
		if (!sealed) {
			sync_failed(out, NULL, "XX000");
			return;
		}
	}
	struct timeval deadline;
	gettimeofday(&deadline, NULL);
	deadline.tv_sec += timeout ? timeout : 1;

	if (!sync_exec(db, sql_begin, 0, NULL, NULL, NULL, NULL, out))
		goto fail;
	char ms[32];
	snprintf(ms, sizeof(ms), "%u", (timeout ? timeout : 1) * 1000u);
	const char *dv[1] = {ms};
	if (!sync_exec(db, sql_deadline, 1, dv, NULL, NULL, NULL, out))
		goto rollback;

	struct sync_steps steps = {db, out};
	const struct appeal *list[1] = {a};
	if (!each_statement(list, 1, sync_step, &steps)) {
		if (!out->sqlstate)
			sync_failed(out, NULL, "XX000");
		goto rollback;
	}
	if (in_tx && !in_tx(db, out, arg)) {
		if (!out->sqlstate) {
			snprintf(out->state, sizeof(out->state), "HL002");
			out->sqlstate = out->state;
		}
		goto rollback;
	}

	int pid = PQbackendPID(db);
	struct db_error err;
	PGresult *res = db_query(db, sql_commit, 0, NULL, NULL, NULL, &err);
	if (res && PQresultStatus(res) == PGRES_COMMAND_OK &&
	    strcmp(PQcmdStatus(res), "COMMIT") == 0) {
		PQclear(res);
		out->ok = true;
		out->sqlstate = NULL;
		log_info("registered %s (case %lld, channel %s)", out->reg_no, out->case_id,
			 a->channel);
		return;
	}
	if (PQstatus(db) == CONNECTION_BAD) {
		PQclear(res);
		indoubt_wait(db, pid, a, &deadline, out);
		return;
	}
	sync_failed(out, res, res ? "XX000" : err.sqlstate);
	goto fail;

rollback:
	if (PQstatus(db) == CONNECTION_OK)
		PQclear(db_query(db, sql_rollback, 0, NULL, NULL, NULL, NULL));
fail:
	out->ok = false;
	log_warning("registration failed (SQLSTATE %s): nothing was saved",
		    out->sqlstate ? out->sqlstate : "?");
}
