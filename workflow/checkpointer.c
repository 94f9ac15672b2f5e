#include "workflow/checkpointer.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/sign.h"
#include "base/buf.h"
#include "base/db.h"
#include "base/log.h"
#include "workflow/checkpoint.h"

struct checkpointer {
	struct db *db;
	struct event *timer;
	struct sign_secret *key; /* NULL: no checkpoints */
	unsigned interval;
	bool running;
	bool again; /* a reload asked for one while one was running */
	/* The previous checkpoint, signed by this key: from this process, or
	 * at start the newest stored line whose signature checks out. Each
	 * checkpoint first checks that the rows it named still have their
	 * hashes, so a rewrite shows in the next mail without anyone running
	 * a verify. */
	bool primed; /* the stored line was looked for */
	bool have_last;
	struct checkpoint last;
};

/* Both heads in one statement, hence one snapshot. A chain's head is its
 * last row: the SQL functions that append take the head row lock before
 * they draw the row's id, so ids grow in the order of the chain. */
static const char sql_heads[] =
    "SELECT coalesce(j.id, 0) AS journal_id, coalesce(j.row_hash, '\\x'::bytea) AS journal_hash, "
    "coalesce(a.id, 0) AS audit_id, coalesce(a.row_hash, '\\x'::bytea) AS audit_hash, "
    "hotline.setting('director_email') AS director_email, "
    "hotline.setting('compliance_email') AS compliance_email, "
    "hotline.setting('organisation') AS organisation "
    "FROM (SELECT 1) AS one "
    "LEFT JOIN LATERAL (SELECT id, row_hash FROM hotline.journal ORDER BY id DESC LIMIT 1) j "
    "ON true "
    "LEFT JOIN LATERAL (SELECT id, row_hash FROM hotline.audit_log ORDER BY id DESC LIMIT 1) a "
    "ON true";
/* The rows the previous checkpoint named, as they are now (NULL: gone). */
static const char sql_last_rows[] =
    "SELECT (SELECT row_hash FROM hotline.journal WHERE id = $1::bigint) AS journal_hash, "
    "(SELECT row_hash FROM hotline.audit_log WHERE id = $2::bigint) AS audit_hash";
static const char sql_last_stored[] =
    "SELECT line FROM hotline.checkpoints ORDER BY id DESC LIMIT 1";
static const char sql_begin[] = "BEGIN";
static const char sql_commit[] = "COMMIT";
static const char sql_keep[] =
    "INSERT INTO hotline.checkpoints (journal_id, audit_id, line) VALUES ($1, $2, $3)";
/* Not a notice about a case (workflow/notice.h): no case_id, no link. */
static const char sql_mail[] = "SELECT hotline.outbox_queue('checkpoint', $1::text[], $2, $3)";

static void schedule(struct checkpointer *c, unsigned seconds)
{
	struct timeval tv = {(time_t)seconds, 0};
	evtimer_add(c->timer, &tv);
}

static void kept(struct db_job *job, void *arg)
{
	struct checkpointer *c = arg;
	c->running = false;
	if (!db_job_ok(job)) {
		/* the line is in the log already; try again soon for the mail */
		log_warning("checkpoint: keeping and mailing it failed (SQLSTATE %s); "
			    "another in 60 s",
			    db_job_sqlstate(job));
		schedule(c, 60);
		return;
	}
	if (c->again) {
		c->again = false;
		schedule(c, 0);
	}
}

static bool head(const PGresult *res, int col_id, int col_hash, struct checkpoint_head *h)
{
	h->row = strtoll(PQgetvalue(res, 0, col_id), NULL, 10);
	memset(h->hash, 0, sizeof h->hash);
	size_t len = 0;
	unsigned char *b = db_bytea(res, 0, col_hash, &len);
	bool ok = b && (len == DIGEST_BYTES || (len == 0 && h->row == 0));
	if (ok && len)
		memcpy(h->hash, b, DIGEST_BYTES);
	PQfreemem(b);
	return ok;
}

/* "{\"a\",\"b\"}" for unnest($1::text[]) */
static void pg_array(struct buf *b, const char *const *items, int n)
{
	buf_puts(b, "{");
	for (int i = 0; i < n; i++) {
		buf_puts(b, i ? ",\"" : "\"");
		for (const char *s = items[i]; *s; s++) {
			if (*s == '"' || *s == '\\')
				buf_add(b, "\\", 1);
			buf_add(b, s, 1);
		}
		buf_puts(b, "\"");
	}
	buf_puts(b, "}");
}

/* The row the previous checkpoint named for one chain, or 0 when it still
 * has the hash that checkpoint signed. */
static long long rewritten_row(const PGresult *now, int col, const struct checkpoint_head *was)
{
	if (was->row == 0)
		return 0; /* the chain was empty: nothing to lose */
	size_t len = 0;
	unsigned char *b = db_bytea(now, 0, col, &len);
	bool same = b && len == DIGEST_BYTES && memcmp(b, was->hash, DIGEST_BYTES) == 0;
	PQfreemem(b);
	return same ? 0 : was->row;
}

static void heads_read(struct db_job *job, void *arg)
{
	struct checkpointer *c = arg;
	PGresult *res = db_job_ok(job) ? db_job_result(job, 0) : NULL;
	PGresult *was = db_job_ok(job) ? db_job_result(job, 1) : NULL;
	struct checkpoint cp = {.at = (int64_t)time(NULL)};
	if (!res || PQntuples(res) != 1 ||
	    !head(res, db_col(res, "journal_id"), db_col(res, "journal_hash"), &cp.journal) ||
	    !head(res, db_col(res, "audit_id"), db_col(res, "audit_hash"), &cp.audit) || !was ||
	    PQntuples(was) != 1) {
		c->running = false;
		log_warning("checkpoint: reading the chains' heads failed (SQLSTATE %s); "
			    "another in 60 s",
			    db_job_sqlstate(job));
		schedule(c, 60);
		return;
	}
	struct buf line, subject, body, to;
	buf_init(&line);
	buf_init(&subject);
	buf_init(&body);
	buf_init(&to);
	long long journal_gone =
	    c->have_last ? rewritten_row(was, db_col(was, "journal_hash"), &c->last.journal) : 0;
	long long audit_gone =
	    c->have_last ? rewritten_row(was, db_col(was, "audit_hash"), &c->last.audit) : 0;
	if (journal_gone || audit_gone)
		log_error("checkpoint: REWRITTEN since the previous checkpoint: journal row %lld, "
			  "audit row %lld (0: unchanged) no longer has the hash it had; see "
			  "docs/keys.md",
			  journal_gone, audit_gone);
	checkpoint_format(&line, &cp, c->key);
	/* The line leaves the database here first: the log (the systemd
	 * journal under systemd). Only ids and hashes: no content. */
	log_info("checkpoint: %s", line.data);
	checkpoint_mail(&subject, &body, line.data, PQgetvalue(res, 0, db_col(res, "organisation")),
			journal_gone, audit_gone);
	c->last = cp;
	c->have_last = true;
	const char *recipients[2] = {PQgetvalue(res, 0, db_col(res, "director_email")),
				     PQgetvalue(res, 0, db_col(res, "compliance_email"))};
	int n = strcmp(recipients[0], recipients[1]) == 0 ? 1 : 2;
	pg_array(&to, recipients, n);
	char jid[24], aid[24];
	snprintf(jid, sizeof jid, "%lld", cp.journal.row);
	snprintf(aid, sizeof aid, "%lld", cp.audit.row);
	const char *keep[3] = {jid, aid, line.data};
	const char *mail[3] = {to.data, subject.data, body.data};
	struct db_job *out = db_job_new(kept, c);
	db_job_add(out, sql_begin, 0, NULL, NULL, NULL);
	db_job_add(out, sql_keep, 3, keep, NULL, NULL);
	db_job_add(out, sql_mail, 3, mail, NULL, NULL);
	db_job_add(out, sql_commit, 0, NULL, NULL, NULL);
	db_submit(c->db, out);
	buf_reset(&line);
	buf_reset(&subject);
	buf_reset(&body);
	buf_reset(&to);
}

static void read_heads(struct checkpointer *c)
{
	char jid[24], aid[24];
	snprintf(jid, sizeof jid, "%lld", c->have_last ? c->last.journal.row : 0);
	snprintf(aid, sizeof aid, "%lld", c->have_last ? c->last.audit.row : 0);
	const char *ids[2] = {jid, aid};
	struct db_job *job = db_job_new(heads_read, c);
	db_job_add(job, sql_heads, 0, NULL, NULL, NULL);
	db_job_add(job, sql_last_rows, 2, ids, NULL, NULL);
	db_submit(c->db, job);
}

/* At start: the newest stored checkpoint, if this key signed it (a line
 * the table's owner forged or took from another key is not used). */
static void last_stored_read(struct db_job *job, void *arg)
{
	struct checkpointer *c = arg;
	PGresult *res = db_job_ok(job) ? db_job_result(job, 0) : NULL;
	c->primed = true;
	if (res && PQntuples(res) == 1) {
		struct sign_public pk;
		sign_secret_public(c->key, &pk);
		char why[200];
		c->have_last = checkpoint_verify(PQgetvalue(res, 0, db_col(res, "line")), &pk,
						 &c->last, why, sizeof why);
		if (!c->have_last)
			log_warning("checkpoint: the newest stored checkpoint is not ours (%s)",
				    why);
	}
	read_heads(c);
}

static void tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct checkpointer *c = arg;
	if (c->running) {
		c->again = true;
		return;
	}
	/* the next one in a full interval; a failure below brings it closer */
	schedule(c, c->interval);
	if (!db_is_up(c->db)) {
		/* at start the pool may still be connecting */
		schedule(c, 1);
		return;
	}
	c->running = true;
	if (c->primed) {
		read_heads(c);
		return;
	}
	struct db_job *job = db_job_new(last_stored_read, c);
	db_job_add(job, sql_last_stored, 0, NULL, NULL, NULL);
	db_submit(c->db, job);
}

struct checkpointer *checkpointer_start(struct event_base *base, struct db *db,
					const struct config *cfg, char *err, size_t errlen)
{
	struct checkpointer *c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->db = db;
	c->interval = cfg->checkpoint_interval;
	if (!cfg->checkpoint_secret_key) {
		log_warning(
		    "no checkpoint_secret_key: the journal's and the audit log's chains are "
		    "not checkpointed, so a rewrite by the database owner cannot be proved "
		    "(docs/keys.md)");
		return c;
	}
	char why[256];
	c->key = sign_load_secret(cfg->checkpoint_secret_key, why, sizeof why);
	if (!c->key) {
		snprintf(err, errlen, "checkpoint_secret_key %s: %s", cfg->checkpoint_secret_key,
			 why);
		free(c);
		return NULL;
	}
	c->timer = evtimer_new(base, tick, c);
	if (!c->timer) {
		snprintf(err, errlen, "cannot make the checkpoint timer");
		checkpointer_free(c);
		return NULL;
	}
	schedule(c, 0);
	return c;
}

void checkpointer_reload(struct checkpointer *c, const struct config *cfg)
{
	if (!c)
		return;
	c->interval = cfg->checkpoint_interval;
	if (!c->timer)
		return;
	if (c->running)
		c->again = true;
	else
		schedule(c, 0);
}

void checkpointer_free(struct checkpointer *c)
{
	if (!c)
		return;
	if (c->timer)
		event_free(c->timer);
	sign_secret_free(c->key);
	free(c);
}
