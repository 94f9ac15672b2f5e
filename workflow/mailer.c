/* The outbox sender: one worker thread with its own PostgreSQL connection;
 * base/mailsend.c does each SMTP session. See workflow/mailer.h for the
 * contract and docs/mail.md for the behaviour an operator sees.
 *
 * Everything below runs in the worker except mailer_check_config(),
 * mailer_start(), mailer_reload() and mailer_stop(), which run on the loop
 * and touch only the fields marked "under lock", the wake-up pipe and the
 * stop flag. Every wait of the worker (database, back-off, idle) also
 * watches the wake-up pipe, so a stop is seen at once; only an SMTP session
 * in flight is not interruptible, and smtp_timeout bounds each of its
 * steps. */
#include "workflow/mailer.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <auth-client.h>
#include <libpq-fe.h>
#include <openssl/ssl.h>

#include <jansson.h>

#include "crypto/seal.h"
#include "base/db.h"
#include "base/log.h"
#include "base/mailmsg.h"
#include "base/mailsend.h"

#define IDLE_POLL_MS 5000     /* look at the table at least this often */
#define IDLE_MIN_MS 250	      /* rows due but locked by another daemon */
#define DB_RETRY_MIN_MS 1000  /* reconnect back-off */
#define DB_RETRY_MAX_MS 30000 /* its cap */
#define DB_STATEMENT_MS 30000 /* a statement or connect that takes longer: connection dropped */
#define STOP_NUDGE_MS 200     /* mailer_stop() interrupts the worker after this */
#define WHY_MAX 128	      /* last_error: a short status, never content */

/* A row withdrawn (a reminder about a case that ended meanwhile,
 * workflow/deadline.c) is never sent. A batch is at most 20 rows (the
 * LIMIT): the claim holds their row locks while they are sent, one SMTP
 * session each. */
static const char sql_listen[] = "LISTEN hotline_outbox";
static const char sql_begin[] = "BEGIN";
static const char sql_commit[] = "COMMIT";
static const char sql_claim[] =
    "SELECT id, recipient, subject, body, attempts, "
    "extract(epoch FROM created_at)::bigint AS created, sealed, sealed_key "
    "FROM hotline.outbox WHERE sent_at IS NULL AND withdrawn_at IS NULL "
    "AND next_attempt_at <= now() "
    "ORDER BY id LIMIT 20 FOR UPDATE SKIP LOCKED";
static const char sql_mark_sent[] =
    "UPDATE hotline.outbox SET sent_at = clock_timestamp(), sealed = NULL, sealed_key = NULL "
    "WHERE id = $1";
static const char sql_mark_failed[] =
    "UPDATE hotline.outbox SET attempts = attempts + 1, "
    "next_attempt_at = clock_timestamp() + make_interval(secs => $2::integer), "
    "last_error = $3 WHERE id = $1";
static const char sql_next_due[] =
    "SELECT ceil(extract(epoch FROM min(next_attempt_at) - clock_timestamp()) * 1000)::bigint "
    "AS due_ms FROM hotline.outbox WHERE sent_at IS NULL AND withdrawn_at IS NULL";

/* The reloadable keys, as the worker uses them. */
struct smtp_settings {
	struct mailsend_settings smtp;
	unsigned retry_min, retry_max; /* seconds */
};

struct mailer {
	pthread_t thread;
	bool started;
	int wake_rd, wake_wr; /* the loop writes a byte; the worker drains */
	atomic_bool stopping;
	char *conninfo;
	struct content_key *outbox_key; /* NULL: sealed rows cannot be sent; read-only */
	char spool_dir[4096];		/* the acknowledgments' own keys; "" without outbox_key */

	pthread_mutex_t lock;
	struct smtp_settings shared; /* under lock */
	unsigned generation;	     /* under lock: one more per reload */

	/* The worker's own. */
	struct smtp_settings cur;
	unsigned cur_generation;
	SSL_CTX *tls; /* for cur; NULL when STARTTLS is off or could not be set up */
	PGconn *pg;
	bool db_was_up;
	unsigned db_delay_ms;	    /* current reconnect back-off */
	unsigned server_failures;   /* whole-server SMTP failures in a row */
	int64_t server_pause_until; /* monotonic ms: no SMTP before this */
};

/* One row of sql_claim; the strings point into its PGresult. */
struct outbox_row {
	const char *id;
	const char *recipient;
	const char *subject;
	const char *body;
	int attempts;
	long long created;
	bool sealed;		 /* recipient, subject and body are in sealed: open_sealed() */
	const char *sealed_text; /* the sealed column, bytea in text form */
	const char *sealed_key;	 /* NULL: sealed under the outbox key; else its own key's name */
	const char *from;	 /* NULL: mail_from */
};

/* ------------------------------------------------------------ helpers */

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *copy_or_null(const char *s)
{
	if (s == NULL)
		return NULL;
	char *c = strdup(s);
	if (c == NULL)
		abort(); /* a few bytes: nothing sensible to do without them */
	return c;
}

static void settings_free(struct smtp_settings *s)
{
	free(s->smtp.server);
	free(s->smtp.user);
	free(s->smtp.password_file);
	free(s->smtp.ca_file);
	free(s->smtp.mail_from);
	memset(s, 0, sizeof(*s));
}

static void settings_from_config(struct smtp_settings *s, const struct config *cfg)
{
	struct mailsend_settings *smtp = &s->smtp;
	smtp->server = copy_or_null(cfg->smtp_server);
	smtp->port = cfg->smtp_port;
	smtp->starttls = strcmp(cfg->smtp_starttls, "no") == 0	       ? MAILSEND_STARTTLS_NO
			 : strcmp(cfg->smtp_starttls, "required") == 0 ? MAILSEND_STARTTLS_REQUIRED
								       : MAILSEND_STARTTLS_TRY;
	smtp->user = copy_or_null(cfg->smtp_user);
	smtp->password_file = copy_or_null(cfg->smtp_password_file);
	smtp->ca_file = copy_or_null(cfg->smtp_ca_file);
	smtp->mail_from = copy_or_null(cfg->mail_from);
	smtp->timeout = cfg->smtp_timeout;
	s->retry_min = cfg->outbox_retry_min;
	s->retry_max = cfg->outbox_retry_max;
}

static void settings_copy(struct smtp_settings *to, const struct smtp_settings *from)
{
	*to = *from;
	to->smtp.server = copy_or_null(from->smtp.server);
	to->smtp.user = copy_or_null(from->smtp.user);
	to->smtp.password_file = copy_or_null(from->smtp.password_file);
	to->smtp.ca_file = copy_or_null(from->smtp.ca_file);
	to->smtp.mail_from = copy_or_null(from->smtp.mail_from);
}

bool mailer_check_config(const struct config *cfg, char *err, size_t errlen)
{
	if (cfg->smtp_password_file != NULL) {
		char password[MAILSEND_PASSWORD_MAX];
		bool ok = mailsend_read_password(cfg->smtp_password_file, password,
						 sizeof(password), err, errlen);
		explicit_bzero(password, sizeof(password));
		if (!ok)
			return false;
	}
	if (cfg->smtp_ca_file != NULL) {
		SSL_CTX *ctx = mailsend_tls_new(cfg->smtp_ca_file);
		if (ctx == NULL) {
			snprintf(err, errlen,
				 "smtp_ca_file %s: cannot load PEM certificates from it",
				 cfg->smtp_ca_file);
			return false;
		}
		SSL_CTX_free(ctx);
	}
	return true;
}

/* ------------------------------------------------------------ waiting */

enum wait_result { WAIT_READY, WAIT_WOKEN, WAIT_TIMEOUT };

/* Waits for events on fd (-1: none), a byte on the wake-up pipe (drained),
 * our interrupt signal, or timeout_ms. */
static enum wait_result wait_for(struct mailer *m, int fd, short events, int64_t timeout_ms)
{
	if (timeout_ms < 0)
		timeout_ms = 0;
	if (timeout_ms > INT32_MAX)
		timeout_ms = INT32_MAX;
	struct pollfd p[2] = {{.fd = m->wake_rd, .events = POLLIN}, {.fd = fd, .events = events}};
	int n = poll(p, fd >= 0 ? 2 : 1, (int)timeout_ms);
	if (n < 0) {
		if (errno != EINTR) {
			log_errno(LOG_LEVEL_ERROR, "mailer: poll");
			struct timespec pause = {0, 100 * 1000 * 1000};
			nanosleep(&pause, NULL);
		}
		return WAIT_WOKEN;
	}
	if (n == 0)
		return WAIT_TIMEOUT;
	if (p[0].revents != 0) {
		char drain[64];
		while (read(m->wake_rd, drain, sizeof(drain)) > 0)
			;
	}
	if (fd >= 0 && p[1].revents != 0)
		return WAIT_READY;
	return WAIT_WOKEN;
}

static bool stop_asked(struct mailer *m)
{
	return atomic_load(&m->stopping);
}

static void wake(struct mailer *m)
{
	ssize_t n = write(m->wake_wr, "", 1);
	(void)n; /* full: the worker has a wake-up pending anyway */
}

/* ------------------------------------------------------------ database */

static void notice_quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message; /* notices may quote values: not logged */
}

/* why NULL: quietly (we are stopping). */
static void db_drop(struct mailer *m, const char *why)
{
	if (m->pg == NULL)
		return;
	PQfinish(m->pg); /* rolls back a transaction in progress */
	m->pg = NULL;
	if (why != NULL)
		log_warning("mailer: database connection dropped: %s", why);
}

static unsigned next_db_delay(struct mailer *m)
{
	m->db_delay_ms = m->db_delay_ms == 0 ? DB_RETRY_MIN_MS : m->db_delay_ms * 2;
	if (m->db_delay_ms > DB_RETRY_MAX_MS)
		m->db_delay_ms = DB_RETRY_MAX_MS;
	return m->db_delay_ms;
}

/* Runs one statement; its result if the status is want. Otherwise NULL,
 * and the connection is closed (its transaction rolls back). may_abandon:
 * give up as soon as a stop is asked for (false once a message of the
 * transaction has gone out: its mark must reach the database). */
static PGresult *db_exec(struct mailer *m, const char *sql_text, int nparams,
			 const char *const *values, ExecStatusType want, bool may_abandon)
{
	if (m->pg == NULL)
		return NULL;
	const char *why = "cannot send a statement";
	PGresult *first = NULL;
	if (!PQsendQueryParams(m->pg, sql_text, nparams, NULL, values, NULL, NULL, 0))
		goto lost;
	int64_t deadline = now_ms() + DB_STATEMENT_MS;
	for (;;) {
		int unsent = PQflush(m->pg);
		why = "connection broken";
		if (unsent < 0 || !PQconsumeInput(m->pg))
			goto lost;
		if (unsent == 0 && !PQisBusy(m->pg)) {
			PGresult *res = PQgetResult(m->pg);
			if (res == NULL)
				break;
			if (first == NULL)
				first = res;
			else
				PQclear(res);
			continue;
		}
		if (may_abandon && stop_asked(m)) {
			why = NULL;
			goto lost;
		}
		int64_t left = deadline - now_ms();
		if (left <= 0) {
			why = "no answer within 30 s";
			goto lost;
		}
		wait_for(m, PQsocket(m->pg), (short)(POLLIN | (unsent ? POLLOUT : 0)), left);
	}
	if (first != NULL && PQresultStatus(first) == want)
		return first;
	/* The text may quote values: only the SQLSTATE is logged. */
	const char *state = first != NULL ? PQresultErrorField(first, PG_DIAG_SQLSTATE) : NULL;
	log_error("mailer: statement failed, SQLSTATE %s", state != NULL ? state : "unknown");
	why = "after a failed statement";
lost:
	PQclear(first);
	db_drop(m, why);
	return NULL;
}

static bool db_command(struct mailer *m, const char *sql_text, int nparams,
		       const char *const *values, bool may_abandon)
{
	PGresult *res = db_exec(m, sql_text, nparams, values, PGRES_COMMAND_OK, may_abandon);
	PQclear(res);
	return res != NULL;
}

static bool db_connect(struct mailer *m)
{
	/* The conninfo is expanded from dbname; our name unless it sets one. */
	static const char *const keys[] = {"dbname", "fallback_application_name", NULL};
	const char *const values[] = {m->conninfo, "hotlined mailer", NULL};
	PGconn *pg = PQconnectStartParams(keys, values, 1);
	if (pg == NULL)
		abort(); /* libpq is out of memory */
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	int64_t deadline = now_ms() + DB_STATEMENT_MS;
	if (PQstatus(pg) == CONNECTION_BAD)
		st = PGRES_POLLING_FAILED;
	while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
		int64_t left = deadline - now_ms();
		if (stop_asked(m) || left <= 0) {
			st = PGRES_POLLING_FAILED;
			break;
		}
		/* The socket may change between polls (libpq tries each host). */
		wait_for(m, PQsocket(pg), st == PGRES_POLLING_READING ? POLLIN : POLLOUT, left);
		st = PQconnectPoll(pg);
	}
	if (st != PGRES_POLLING_OK || PQsetnonblocking(pg, 1) != 0) {
		PQfinish(pg);
		return false;
	}
	PQsetNoticeProcessor(pg, notice_quiet, NULL);
	m->pg = pg;
	/* LISTEN before the first look at the table: a row inserted in
	 * between is then either seen or notified. */
	if (!db_command(m, sql_listen, 0, NULL, true))
		return false;
	log_info("mailer: database connection ready");
	m->db_was_up = true;
	return true;
}

/* Reads pending notifications; true if there was one. */
static bool take_notifications(struct mailer *m)
{
	bool any = false;
	PGnotify *n;
	while (m->pg != NULL && (n = PQnotifies(m->pg)) != NULL) {
		any = true;
		PQfreemem(n);
	}
	return any;
}

/* Waits ms, or less: a wake-up, a stop, a lost connection or (if
 * on_notify) a notification end it. Notifications are consumed either way,
 * so they do not pile up while we wait out an SMTP back-off. */
static void idle(struct mailer *m, int64_t ms, bool on_notify)
{
	int64_t deadline = now_ms() + ms;
	/* A notification may already sit in libpq's buffer (it came with the
	 * last result): the socket would not say so. */
	if (m->pg != NULL && take_notifications(m) && on_notify)
		return;
	while (!stop_asked(m)) {
		int64_t left = deadline - now_ms();
		if (left <= 0)
			return;
		int fd = m->pg != NULL ? PQsocket(m->pg) : -1;
		enum wait_result w = wait_for(m, fd, POLLIN, left);
		if (w != WAIT_READY)
			return;
		if (!PQconsumeInput(m->pg)) {
			db_drop(m, "connection broken");
			return;
		}
		if (take_notifications(m) && on_notify)
			return;
	}
}

/* ------------------------------------------------------------ the batch */

/* retry_min, doubled per earlier failure, at most retry_max. */
static unsigned retry_delay(const struct smtp_settings *s, int attempts)
{
	uint64_t d = s->retry_min;
	for (int i = 0; i < attempts && d < s->retry_max; i++)
		d *= 2;
	return d > s->retry_max ? s->retry_max : (unsigned)d;
}

static bool mark_failed(struct mailer *m, const struct outbox_row *row, const char *why,
			bool may_abandon)
{
	unsigned delay = retry_delay(&m->cur, row->attempts);
	char delay_text[16];
	snprintf(delay_text, sizeof(delay_text), "%u", delay);
	const char *params[] = {row->id, delay_text, why};
	log_debug("mailer: outbox %s not sent (%s), attempt %d, next in %u s", row->id, why,
		  row->attempts + 1, delay);
	return db_command(m, sql_mark_failed, 3, params, may_abandon);
}

/* The columns of sql_claim, looked up once per result. */
struct claim_cols {
	int id, recipient, subject, body, attempts, created, sealed, sealed_key;
};

static struct claim_cols claim_cols(const PGresult *res)
{
	return (struct claim_cols){
	    .id = db_col(res, "id"),
	    .recipient = db_col(res, "recipient"),
	    .subject = db_col(res, "subject"),
	    .body = db_col(res, "body"),
	    .attempts = db_col(res, "attempts"),
	    .created = db_col(res, "created"),
	    .sealed = db_col(res, "sealed"),
	    .sealed_key = db_col(res, "sealed_key"),
	};
}

static void row_at(const PGresult *res, const struct claim_cols *c, int i, struct outbox_row *row)
{
	row->id = PQgetvalue(res, i, c->id);
	row->recipient = PQgetvalue(res, i, c->recipient);
	row->subject = PQgetvalue(res, i, c->subject);
	row->body = PQgetvalue(res, i, c->body);
	row->attempts = atoi(PQgetvalue(res, i, c->attempts));
	row->created = strtoll(PQgetvalue(res, i, c->created), NULL, 10);
	row->sealed = !PQgetisnull(res, i, c->sealed);
	row->sealed_text = PQgetvalue(res, i, c->sealed);
	row->sealed_key =
	    PQgetisnull(res, i, c->sealed_key) ? NULL : PQgetvalue(res, i, c->sealed_key);
	row->from = NULL;
}

/* A sealed row (docs/mail-intake.md): {"to", "from", "subject", "body"}
 * under its own key from the spool (sealed_key) or, made before migration
 * 0016, under the outbox key. The strings point into *doc (json_decref
 * it). */
static bool open_sealed(const struct mailer *m, struct outbox_row *row, json_t **doc)
{
	*doc = NULL;
	if (m->outbox_key == NULL)
		return false;
	struct content_key *own = NULL;
	if (row->sealed_key) {
		char why[256];
		own = content_key_spool_load(m->spool_dir, row->sealed_key, why, sizeof(why));
		if (!own)
			return false; /* e.g. another hotlined's row: its own copy sends it */
	}
	size_t len = 0;
	unsigned char *ct = PQunescapeBytea((const unsigned char *)row->sealed_text, &len);
	unsigned char *plain = NULL;
	size_t plainlen = 0;
	bool ok = ct && content_decrypt(own ? own : m->outbox_key, ct, len, &plain, &plainlen);
	content_key_free(own);
	PQfreemem(ct);
	if (!ok)
		return false;
	*doc = json_loadb((const char *)plain, plainlen, 0, NULL);
	memset(plain, 0, plainlen);
	free(plain);
	const char *to = NULL, *from = NULL, *subject = NULL, *body = NULL;
	if (!*doc || json_unpack(*doc, "{s:s,s?s,s:s,s:s}", "to", &to, "from", &from, "subject",
				 &subject, "body", &body) != 0) {
		json_decref(*doc);
		*doc = NULL;
		return false;
	}
	row->recipient = to;
	row->from = from;
	row->subject = subject;
	row->body = body;
	return true;
}

/* Claims due rows, sends them, records each result, commits. The number
 * of rows claimed, or -1 when the database failed (the transaction is
 * gone: what was sent in it goes again later, with the same Message-ID).
 * *server_failed: the server could take nothing; the whole batch is
 * marked, with one session tried rather than one per row. */
static int run_batch(struct mailer *m, bool *server_failed, char *why, size_t whylen)
{
	*server_failed = false;
	if (!db_command(m, sql_begin, 0, NULL, true))
		return -1;
	PGresult *res = db_exec(m, sql_claim, 0, NULL, PGRES_TUPLES_OK, true);
	if (res == NULL)
		return -1;
	int n = PQntuples(res);
	bool sent_any = false, ok = true;
	unsigned sent = 0, failed = 0;
	/* the own keys of the acknowledgments sent, erased once that is committed */
	char erase[20][CONTENT_KEY_ID_SIZE];
	unsigned nerase = 0;
	struct claim_cols cols = claim_cols(res);
	for (int i = 0; i < n && ok && !stop_asked(m); i++) {
		struct outbox_row row;
		row_at(res, &cols, i, &row);
		json_t *doc = NULL;
		if (row.sealed && !open_sealed(m, &row, &doc)) {
			snprintf(why, whylen, "cannot open the sealed message (outbox_key_file)");
			log_warning("mailer: outbox %s not sent: %s", row.id, why);
			failed++;
			ok = mark_failed(m, &row, why, !sent_any);
			continue;
		}
		struct mailmsg msg = {
		    .outbox_id = strtoll(row.id, NULL, 10),
		    .from = row.from ? row.from : m->cur.smtp.mail_from,
		    .to = row.recipient,
		    .subject = row.subject,
		    .body = row.body,
		    .date = (time_t)row.created,
		};
		enum mailsend_result r = mailsend_one(&m->cur.smtp, m->tls, &msg, why, whylen);
		json_decref(doc); /* wiped by the allocator only: short-lived */
		if (r == MAILSEND_OK) {
			const char *params[] = {row.id};
			if (m->server_failures > 0)
				log_info("mailer: SMTP server %s:%u reachable again",
					 m->cur.smtp.server, m->cur.smtp.port);
			log_info("mailer: outbox %s sent (%s)", row.id, why);
			sent_any = true;
			sent++;
			m->server_failures = 0;
			ok = db_command(m, sql_mark_sent, 1, params, false);
			if (row.sealed_key && nerase < 20)
				snprintf(erase[nerase++], CONTENT_KEY_ID_SIZE, "%s",
					 row.sealed_key);
			continue;
		}
		if (stop_asked(m))
			break; /* interrupted by the stop, not a real failure */
		if (r == MAILSEND_FAILED_MESSAGE) {
			log_warning("mailer: outbox %s not sent: %s (attempt %d)", row.id, why,
				    row.attempts + 1);
			m->server_failures = 0;
			failed++;
			ok = mark_failed(m, &row, why, !sent_any);
			continue;
		}
		/* The server takes nothing now: the rest of the batch waits too. */
		*server_failed = true;
		for (int j = i; j < n && ok; j++) {
			row_at(res, &cols, j, &row);
			failed++;
			ok = mark_failed(m, &row, why, !sent_any);
		}
		break;
	}
	PQclear(res);
	if (!ok || !db_command(m, sql_commit, 0, NULL, !sent_any))
		return -1; /* sent again later: the keys stay */
	for (unsigned k = 0; k < nerase; k++)
		content_key_spool_erase(m->spool_dir, erase[k]);
	if (sent > 0 || failed > 0)
		log_debug("mailer: batch of %d: %u sent, %u not sent", n, sent, failed);
	return n;
}

/* Milliseconds until the earliest unsent row is due, within
 * IDLE_MIN_MS..IDLE_POLL_MS; -1 when the database failed. */
static int64_t next_due_ms(struct mailer *m)
{
	PGresult *res = db_exec(m, sql_next_due, 0, NULL, PGRES_TUPLES_OK, true);
	if (res == NULL)
		return -1;
	int64_t ms = IDLE_POLL_MS;
	int due = db_col(res, "due_ms");
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, due))
		ms = strtoll(PQgetvalue(res, 0, due), NULL, 10);
	PQclear(res);
	if (ms < IDLE_MIN_MS)
		ms = IDLE_MIN_MS;
	return ms > IDLE_POLL_MS ? IDLE_POLL_MS : ms;
}

/* ------------------------------------------------------------ the worker */

/* Takes a reload: new settings, a new TLS context, and no more waiting
 * out the back-off of a server that may now be configured right. */
static void refresh_settings(struct mailer *m)
{
	pthread_mutex_lock(&m->lock);
	if (m->generation == m->cur_generation) {
		pthread_mutex_unlock(&m->lock);
		return;
	}
	settings_free(&m->cur);
	settings_copy(&m->cur, &m->shared);
	m->cur_generation = m->generation;
	pthread_mutex_unlock(&m->lock);

	SSL_CTX_free(m->tls);
	m->tls = NULL;
	if (m->cur.smtp.starttls != MAILSEND_STARTTLS_NO) {
		m->tls = mailsend_tls_new(m->cur.smtp.ca_file);
		if (m->tls == NULL)
			log_error("mailer: cannot set up TLS with %s", m->cur.smtp.ca_file != NULL
									   ? "smtp_ca_file"
									   : "the system's CAs");
	}
	m->server_failures = 0;
	m->server_pause_until = 0;
}

static void worker_loop(struct mailer *m)
{
	char why[WHY_MAX];
	while (!stop_asked(m)) {
		refresh_settings(m);
		if (m->pg == NULL) {
			if (db_connect(m))
				continue;
			if (stop_asked(m))
				break;
			unsigned delay = next_db_delay(m);
			if (m->db_was_up || delay == DB_RETRY_MIN_MS)
				log_warning("mailer: cannot reach the database, trying again in "
					    "%u s",
					    delay / 1000);
			m->db_was_up = false;
			idle(m, delay, false);
			continue;
		}
		int64_t now = now_ms();
		if (now < m->server_pause_until) {
			idle(m, m->server_pause_until - now, false);
			continue;
		}

		bool server_failed;
		int n = run_batch(m, &server_failed, why, sizeof(why));
		if (n < 0) {
			if (!stop_asked(m))
				idle(m, next_db_delay(m), false);
			continue;
		}
		m->db_delay_ms = 0;
		if (server_failed) {
			unsigned delay = retry_delay(&m->cur, (int)m->server_failures);
			if (m->server_failures == 0 || delay == m->cur.retry_max)
				log_warning("mailer: SMTP server %s:%u unavailable (%s); "
					    "trying again in %u s",
					    m->cur.smtp.server, m->cur.smtp.port, why, delay);
			m->server_failures++;
			m->server_pause_until = now_ms() + (int64_t)delay * 1000;
			continue;
		}
		if (n > 0)
			continue; /* more may be due */
		int64_t wait = next_due_ms(m);
		if (wait >= 0)
			idle(m, wait, true);
	}
}

/* Our interrupt: it only has to exist, so that a blocking connect() in
 * libesmtp returns EINTR when mailer_stop() signals the worker. */
static void on_interrupt(int sig)
{
	(void)sig;
}

static void *worker_main(void *arg)
{
	struct mailer *m = arg;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	worker_loop(m);

	db_drop(m, NULL);
	SSL_CTX_free(m->tls);
	m->tls = NULL;
	settings_free(&m->cur);
	/* OpenSSL keeps per-thread error state: free it with the thread. */
	OPENSSL_thread_stop();
	return NULL;
}

/* ------------------------------------------------------------ the loop's side */

struct mailer *mailer_start(const struct config *cfg, char *err, size_t errlen)
{
	struct mailer *m = calloc(1, sizeof(*m));
	if (m == NULL) {
		snprintf(err, errlen, "mailer: out of memory");
		return NULL;
	}
	m->wake_rd = m->wake_wr = -1;
	atomic_init(&m->stopping, false);
	int fds[2];
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
		snprintf(err, errlen, "mailer: pipe: %s", strerror(errno));
		free(m);
		return NULL;
	}
	m->wake_rd = fds[0];
	m->wake_wr = fds[1];
	pthread_mutex_init(&m->lock, NULL);
	m->conninfo = copy_or_null(cfg->database);
	if (cfg->outbox_key_file != NULL) {
		char why[256];
		m->outbox_key = content_key_file_load(cfg->outbox_key_file, why, sizeof(why));
		if (m->outbox_key == NULL) {
			snprintf(err, errlen, "outbox_key_file: %s", why);
			close(m->wake_rd);
			close(m->wake_wr);
			free(m->conninfo);
			free(m);
			return NULL;
		}
		content_key_spool_dir(cfg->outbox_key_file, m->spool_dir, sizeof(m->spool_dir));
	}
	settings_from_config(&m->shared, cfg);
	m->generation = 1;
	auth_client_init();

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: connect() must return */
	sigaction(SIGRTMIN, &sa, NULL);

	/* The worker takes no process signals (SIGTERM, SIGHUP belong to the
	 * loop); it unblocks only its interrupt. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&m->thread, NULL, worker_main, m);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "mailer: cannot start its thread: %s", strerror(rc));
		mailer_stop(m);
		return NULL;
	}
	m->started = true;
	log_info("mailer: sending the outbox through %s:%u (STARTTLS %s%s)", cfg->smtp_server,
		 cfg->smtp_port, cfg->smtp_starttls, cfg->smtp_user != NULL ? ", AUTH" : "");
	return m;
}

void mailer_reload(struct mailer *m, const struct config *cfg)
{
	pthread_mutex_lock(&m->lock);
	settings_free(&m->shared);
	settings_from_config(&m->shared, cfg);
	m->generation++;
	pthread_mutex_unlock(&m->lock);
	wake(m);
}

static void add_ms(struct timespec *ts, long ms)
{
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

void mailer_stop(struct mailer *m)
{
	if (m == NULL)
		return;
	atomic_store(&m->stopping, true);
	if (m->started) {
		wake(m);
		pthread_mutex_lock(&m->lock);
		long timeout_ms = (long)m->shared.smtp.timeout * 1000;
		pthread_mutex_unlock(&m->lock);
		/* The interrupt ends a connect() to a server that does not
		 * answer. libesmtp's poll() restarts after it with its whole
		 * timeout, so it is repeated only after a timeout has passed:
		 * each step of a session in flight still ends at its time. */
		long wait_ms = STOP_NUDGE_MS;
		for (bool first = true;; first = false) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			add_ms(&until, wait_ms);
			int rc = pthread_timedjoin_np(m->thread, NULL, &until);
			if (rc == 0)
				break;
			if (rc != ETIMEDOUT)
				abort(); /* a broken invariant: the thread is ours */
			if (first)
				log_info("mailer: waiting for the message in flight");
			pthread_kill(m->thread, SIGRTMIN);
			wait_ms = timeout_ms + STOP_NUDGE_MS;
		}
	}
	auth_client_exit();
	if (m->wake_rd >= 0)
		close(m->wake_rd);
	if (m->wake_wr >= 0)
		close(m->wake_wr);
	pthread_mutex_destroy(&m->lock);
	settings_free(&m->shared);
	content_key_free(m->outbox_key);
	free(m->conninfo);
	free(m);
}
