#include "intake/lmtp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <jansson.h>

#include "crypto/seal.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/wipe.h"
#include "intake/appeal.h"
#include "intake/sealing.h"
#include "base/i18n.h"
#include "intake/mail.h"

#define MAX_RECIPIENTS 100
#define MAX_COMMAND_LINE 4096
#define IDLE_TIMEOUT 300

enum conn_state { CONN_COMMAND, CONN_DATA, CONN_WAIT, CONN_CLOSING };

struct conn;

/* A mail whose subject quotes a registration number: added to that case
 * as a reporter's message only if it proves it belongs (its sender is the
 * address the appeal came from, or it quotes the case's receipt or the
 * reply token of its acknowledgment), else registered as a new appeal that
 * records the unproven claim: a number is no secret, and anyone could add
 * "the reporter's" words to any case otherwise (docs/mail-intake.md,
 * "Follow-ups"). Encrypted like a web follow-up under its own key sealed
 * to the case key; body_reporter under a random key nobody keeps, since
 * the receipt is not at hand. */
struct followup {
	char reg_no[16];
	/* the proofs, as keyed hashes; absent ones are not compared */
	bool has_from, has_envelope, has_receipt, has_token;
	unsigned char from_hash[RECEIPT_HASH_BYTES], envelope_hash[RECEIPT_HASH_BYTES];
	unsigned char receipt_hash[RECEIPT_HASH_BYTES], token_hash[RECEIPT_HASH_BYTES];
	struct blob key_sealed, body_case, body_reporter;
	struct appeal_file *files;
	unsigned nfiles;
	/* the message key, until the case is known: it is sealed to that
	 * case's own public key (docs/keys.md) */
	struct content_key *key;
};

static void followup_free(struct followup *f)
{
	if (!f)
		return;
	blob_free(&f->key_sealed);
	content_key_free(f->key);
	blob_free(&f->body_case);
	blob_free(&f->body_reporter);
	for (unsigned i = 0; i < f->nfiles; i++) {
		blob_free(&f->files[i].meta);
		blob_free(&f->files[i].data);
	}
	free(f->files);
	free(f);
}

/* One mail on its way: built by a worker thread, registered on the loop. */
struct job {
	struct lmtp *lmtp;
	struct conn *conn; /* NULL once the connection closed */
	pthread_t thread;
	unsigned long conn_id;
	/* worker input (copies: the thread touches nothing else) */
	char *raw;
	size_t len;
	char *envelope_from;
	unsigned max_attachments;
	struct intake_keys keys;
	char default_language[4];
	/* worker output */
	enum mail_status status;
	struct appeal *appeal;
	unsigned dropped;
	struct followup *followup; /* the subject quotes a registration number */
	char *ack_to;		   /* NULL: no acknowledgment (automatic mail, no sender) */
	const char *ack_language;  /* "kk", "ru", "en" */
	char receipt[RECEIPT_DIGITS + 1];
	char token[REPLY_TOKEN_CHARS + 1]; /* the new appeal's reply token */
	/* The acknowledgment's own key (crypto/seal.h, content_key_spool_new),
	 * made here because making its file blocks; erased unless a row sealed
	 * under it was queued. spool_dir "" when acknowledgments are off. */
	char spool_dir[4096];
	struct content_key *ack_key;
	char ack_key_id[CONTENT_KEY_ID_SIZE];
	bool ack_key_queued;
	struct job *next; /* running workers */
};

struct conn {
	struct lmtp *lmtp;
	struct bufferevent *bev;
	unsigned long id;
	enum conn_state state;
	bool greeted;
	bool in_mail;
	char *envelope_from;
	unsigned nrcpt;
	struct evbuffer *data;
	size_t data_bytes;
	bool oversize;
	bool at_line_start;
	struct job *job;
	struct conn *prev, *next;
};

struct lmtp {
	struct event_base *base;
	const struct config *cfg;
	struct web *web;
	struct evconnlistener *listener;
	char *unix_path;
	int pipe_fd[2];
	struct event *pipe_ev;
	struct conn *conns;
	struct job *running;
	unsigned long next_id;
	unsigned busy;
	struct content_key *outbox_key; /* NULL: acknowledgments off */
};

/* --- replies --- */

static void reply(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply(struct conn *c, const char *fmt, ...)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	va_list ap;
	va_start(ap, fmt);
	evbuffer_add_vprintf(out, fmt, ap);
	va_end(ap);
	evbuffer_add(out, "\r\n", 2);
}

/* One reply per accepted recipient: LMTP's answer to DATA. */
static void reply_each(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply_each(struct conn *c, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	for (unsigned i = 0; i < c->nrcpt; i++)
		reply(c, "%s", text);
}

static void transaction_reset(struct conn *c)
{
	free(c->envelope_from);
	c->envelope_from = NULL;
	c->in_mail = false;
	c->nrcpt = 0;
	if (c->data) {
		evbuffer_free(c->data);
		c->data = NULL;
	}
	c->data_bytes = 0;
	c->oversize = false;
}

static void conn_free(struct conn *c)
{
	struct lmtp *l = c->lmtp;
	if (c->job)
		c->job->conn = NULL;
	transaction_reset(c);
	bufferevent_free(c->bev);
	if (c->prev)
		c->prev->next = c->next;
	else
		l->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c);
}

static void conn_read(struct bufferevent *bev, void *arg);

/* After the answer to DATA: take the next commands (pipelined ones may be
 * waiting in the input already). */
static void conn_resume(struct conn *c)
{
	transaction_reset(c);
	c->state = CONN_COMMAND;
	bufferevent_enable(c->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_input(c->bev)))
		conn_read(c->bev, c);
}

/* --- the worker: parse and seal, with public keys only --- */

/* A mail's attachment as sealing_encrypt_file() takes it. */
static struct sealing_file file_of(const char *name, const char *type, const void *data, size_t len)
{
	return (struct sealing_file){
	    .name = name,
	    .name_len = strlen(name),
	    .type = type,
	    .type_len = strlen(type),
	    .data = data,
	    .len = len,
	};
}

static json_t *identity_of(const struct job *job, const struct mail *m)
{
	json_t *id = json_object();
	if (!id)
		return NULL;
	json_object_set_new(id, "envelope_from", json_string(job->envelope_from));
	if (!m)
		return id;
	if (m->from_address)
		json_object_set_new(id, "from", json_string(m->from_address));
	if (m->from_name)
		json_object_set_new(id, "from_name", json_string(m->from_name));
	json_t *headers = json_array();
	for (unsigned i = 0; headers && i < m->nheaders; i++)
		json_array_append_new(headers,
				      json_pack("[s,s]", m->headers[i].name, m->headers[i].value));
	json_object_set_new(id, "headers", headers);
	return id;
}

static json_t *content_of(const struct job *job, const struct mail *m)
{
	if (!m)
		return json_pack("{s:b,s:I}", "unreadable", 1, "size", (json_int_t)job->len);
	json_t *files = json_array();
	for (unsigned i = 0; files && i < m->nfiles; i++)
		json_array_append_new(files, json_pack("{s:s,s:s,s:I}", "name", m->files[i].name,
						       "type", m->files[i].type, "size",
						       (json_int_t)m->files[i].len));
	return json_pack("{s:s,s:s,s:b,s:o}", "subject", m->subject, "text", m->text, "html",
			 m->from_html, "attachments", files);
}

static struct appeal *build_appeal(struct job *job, const struct mail *m, const char *receipt)
{
	json_t *content = content_of(job, m), *identity = identity_of(job, m);
	unsigned nfiles = m ? m->nfiles : 1;
	struct sealing_file *files = calloc(nfiles ? nfiles : 1, sizeof(*files));
	struct appeal *a = NULL;
	if (!content || !identity || !files)
		goto done;
	const char *language = m && m->language ? m->language : NULL;
	static const char *const langs[] = {"kk", "ru", "en"};
	for (size_t i = 0; !language && i < 3; i++) {
		if (strcmp(job->default_language, langs[i]) == 0)
			language = langs[i];
	}
	if (!m) /* unreadable: the raw mail is kept as its one file */
		files[0] = file_of("message.eml", "application/octet-stream", job->raw, job->len);
	for (unsigned i = 0; m && i < m->nfiles; i++)
		files[i] =
		    file_of(m->files[i].name, m->files[i].type, m->files[i].data, m->files[i].len);
	struct sealing_parts parts = {
	    .channel = "email",
	    .category = "other",
	    .director_involved = "unknown",
	    .language = language ? language : "ru",
	    .receipt = receipt,
	    .content = content,
	    .identity = identity,
	    .files = files,
	    .nfiles = nfiles,
	};
	a = sealing_build(&job->keys, &parts);
done:
	free(files);
	json_decref(content);
	json_decref(identity);
	return a;
}

/* The first quoted receipt with a right check digit in s: its hash into
 * f, and its digits in s blotted out, so the case's readers never see a
 * receipt that would open the reporter's status page. */
static void take_receipt(const struct job *job, char *s, struct followup *f)
{
	size_t from = 0, start, end;
	while (mail_find_receipt(s, from, &start, &end)) {
		char digits[RECEIPT_DIGITS + 1];
		if (receipt_parse(s + start, end - start, digits) == RECEIPT_OK) {
			if (!f->has_receipt) {
				receipt_hash(job->keys.pepper, digits, f->receipt_hash);
				f->has_receipt = true;
			}
			for (size_t i = start; i < end; i++)
				if (s[i] >= '0' && s[i] <= '9')
					s[i] = '*';
			memset(digits, 0, sizeof(digits));
		}
		from = end;
	}
}

/* The same for a reply token "#TOKEN". */
static void take_token(const struct job *job, char *s, struct followup *f)
{
	size_t from = 0, start;
	while (mail_find_token(s, from, REPLY_TOKEN_CHARS, &start)) {
		if (!f->has_token) {
			receipt_token_hash(job->keys.pepper, s + start, f->token_hash);
			f->has_token = true;
		}
		memset(s + start, '*', REPLY_TOKEN_CHARS);
		from = start + REPLY_TOKEN_CHARS;
	}
}

/* The proofs a mail quoting a number offers, hashed; receipts and tokens
 * in its subject and text are blotted out before anything is sealed. */
static struct followup *followup_proofs(const struct job *job, struct mail *m)
{
	struct followup *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	snprintf(f->reg_no, sizeof(f->reg_no), "%s", m->reg_no);
	if (m->from_address && m->from_address[0]) {
		receipt_sender_hash(job->keys.pepper, m->from_address, f->from_hash);
		f->has_from = true;
	}
	if (job->envelope_from[0]) {
		receipt_sender_hash(job->keys.pepper, job->envelope_from, f->envelope_hash);
		f->has_envelope = true;
	}
	take_receipt(job, m->subject, f);
	take_receipt(job, m->text, f);
	take_token(job, m->subject, f);
	take_token(job, m->text, f);
	return f;
}

static bool build_followup(const struct mail *m, struct followup *f)
{
	struct content_key *key = content_key_new(), *throwaway = content_key_new();
	size_t slen = strlen(m->subject), tlen = strlen(m->text);
	char *text = malloc(slen + tlen + 3);
	if (!key || !throwaway || !text)
		goto fail;
	memcpy(text, m->subject, slen);
	memcpy(text + slen, "\n\n", 2);
	memcpy(text + slen + 2, m->text, tlen + 1);
	if (!content_encrypt(key, text, slen + tlen + 2, &f->body_case.data, &f->body_case.len) ||
	    !content_encrypt(throwaway, text, slen + tlen + 2, &f->body_reporter.data,
			     &f->body_reporter.len))
		goto fail;
	if (m->nfiles && !(f->files = calloc(m->nfiles, sizeof(*f->files))))
		goto fail;
	for (unsigned i = 0; i < m->nfiles; i++) {
		struct sealing_file file =
		    file_of(m->files[i].name, m->files[i].type, m->files[i].data, m->files[i].len);
		if (!sealing_encrypt_file(key, &file, &f->files[i]))
			goto fail;
		f->nfiles++;
	}
	memset(text, 0, slen + tlen + 2);
	free(text);
	f->key = key; /* sealed once the case is known (case_found) */
	content_key_free(throwaway);
	return true;
fail:
	if (text)
		memset(text, 0, slen + tlen + 2);
	free(text);
	content_key_free(key);
	content_key_free(throwaway);
	return false;
}

static void *worker(void *arg)
{
	struct job *job = arg;
	struct mail *m = NULL;
	job->status = mail_parse(job->raw, job->len, job->max_attachments, &m);
	if (job->status == MAIL_TOO_MANY_ATTACHMENTS) {
		job->dropped = m->files_dropped;
	} else if (job->status != MAIL_NO_MEMORY) {
		char receipt[RECEIPT_DIGITS + 1];
		receipt_generate(receipt);
		bool ok = true;
		/* first, so no quoted receipt or token is sealed in clear */
		if (m && m->reg_no[0] && !(job->followup = followup_proofs(job, m)))
			ok = false;
		if (ok)
			job->appeal = build_appeal(job, m, receipt);
		const char *to = m && m->from_address ? m->from_address : job->envelope_from;
		if (job->appeal && m && to[0] && strchr(to, '@')) {
			/* what a later mail about this appeal proves itself with */
			receipt_reply_token(job->token);
			receipt_sender_hash(job->keys.pepper, to, job->appeal->mail_sender_hash);
			receipt_token_hash(job->keys.pepper, job->token,
					   job->appeal->reply_token_hash);
			job->appeal->has_mail_proof = true;
			/* MAIL FROM:<> is a bounce: never answered (RFC 5321 4.5.5) */
			if (!m->automatic && job->envelope_from[0]) {
				job->ack_to = strdup(to);
				job->ack_language = job->appeal->language;
				memcpy(job->receipt, receipt, sizeof(receipt));
				char why[256];
				if (job->spool_dir[0] &&
				    !(job->ack_key = content_key_spool_new(
					  job->spool_dir, job->ack_key_id, why, sizeof(why))))
					/* the outbox key then seals it, as before 0016 */
					log_warning("lmtp %lu: no key of its own for the "
						    "acknowledgment: %s",
						    job->conn_id, why);
			}
		}
		memset(receipt, 0, sizeof(receipt));
		if (job->appeal && job->followup && !build_followup(m, job->followup)) {
			appeal_free(job->appeal); /* answered 451 */
			job->appeal = NULL;
		}
	}
	mail_free(m);
	memset(job->raw, 0, job->len);
	free(job->raw);
	job->raw = NULL;
	/* GMime, GLib and printf left pieces of the mail on this stack, and
	 * glibc keeps a finished thread's stack for the next one */
	wipe_stack();
	ssize_t n;
	do
		n = write(job->lmtp->pipe_fd[1], &job, sizeof(job));
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(job))
		abort(); /* the loop would wait for this mail forever */
	return NULL;
}

static void job_free(struct job *job)
{
	if (!job)
		return;
	free(job->raw);
	free(job->envelope_from);
	free(job->ack_to);
	memset(job->receipt, 0, sizeof(job->receipt));
	memset(job->token, 0, sizeof(job->token));
	if (job->ack_key && !job->ack_key_queued)
		content_key_spool_erase(job->spool_dir, job->ack_key_id);
	content_key_free(job->ack_key);
	appeal_free(job->appeal);
	followup_free(job->followup);
	free(job);
}

/* --- registration, back on the loop --- */

static const char sql_ack[] =
    "SELECT hotline.outbox_queue_sealed('mail_ack', $1, $2, $3)";

static void ack_queued(struct db_job *dbj, void *arg)
{
	unsigned long conn_id = (unsigned long)(uintptr_t)arg;
	if (db_job_ok(dbj))
		log_info("lmtp %lu: acknowledgment queued", conn_id);
	else
		log_warning("lmtp %lu: queueing the acknowledgment failed (SQLSTATE %s)", conn_id,
			    db_job_sqlstate(dbj));
}

/* The acknowledgment carries the receipt, so the whole message goes into
 * the outbox sealed under the outbox key (migration 0004); it is queued
 * after the commit, so a failure here loses the acknowledgment, never the
 * appeal. */
static void acknowledge(struct lmtp *l, struct job *job, const struct appeal_result *r)
{
	const struct config *cfg = l->cfg;
	if (!job->ack_to || !l->outbox_key || strcmp(cfg->mail_acknowledge, "yes") != 0)
		return;
	enum lang lang = LANG_RU;
	if (!i18n_parse(job->ack_language, &lang))
		lang = LANG_RU;
	char subject[256], text[RECEIPT_TEXT_SIZE], url[512], ref[REPLY_TOKEN_CHARS + 2];
	/* the token rides in the subject, which a reply keeps ("Re: ...") */
	snprintf(ref, sizeof(ref), "#%s", job->token);
	int n = snprintf(subject, sizeof(subject), i18n(lang, M_MAIL_ACK_SUBJECT), r->reg_no);
	if (n > 0 && (size_t)n < sizeof(subject))
		snprintf(subject + n, sizeof(subject) - (size_t)n, " [%s]", ref);
	config_public_link(cfg, "status", url, sizeof(url));
	receipt_format(job->receipt, text);
	struct buf body;
	buf_init(&body);
	buf_printf(&body, i18n(lang, M_MAIL_ACK_REGISTERED), r->reg_no);
	/* A receipt in a mailbox is read by whoever reads the mailbox (a
	 * shared or employer's account, a mail administrator): mailed only
	 * when the organisation chose so (mail_receipt). */
	if (strcmp(cfg->mail_receipt, "yes") == 0) {
		buf_printf(&body, "\n\n%s\n\n    %s\n\n", i18n(lang, M_MAIL_ACK_CODE), text);
		buf_printf(&body, i18n(lang, M_MAIL_ACK_KEEP), url);
	} else {
		buf_printf(&body, "\n\n%s", i18n(lang, M_MAIL_ACK_NO_RECEIPT));
	}
	buf_printf(&body, "\n\n");
	buf_printf(&body, i18n(lang, M_MAIL_ACK_WRITE_AGAIN), ref);
	buf_printf(&body, "\n");
	size_t blen = 0;
	char *btext = buf_steal(&body, &blen);
	const char *from = cfg->mail_address ? cfg->mail_address : cfg->mail_from;
	json_t *doc = btext ? json_pack("{s:s,s:s,s:s,s:s}", "to", job->ack_to, "from", from,
					"subject", subject, "body", btext)
			    : NULL;
	char *plain = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	struct blob sealed = {0};
	const struct content_key *key = job->ack_key ? job->ack_key : l->outbox_key;
	bool ok = plain && content_encrypt(key, plain, strlen(plain), &sealed.data, &sealed.len);
	if (plain) {
		memset(plain, 0, strlen(plain));
		free(plain);
	}
	json_decref(doc);
	if (btext) {
		memset(btext, 0, blen);
		free(btext);
	}
	memset(text, 0, sizeof(text));
	memset(ref, 0, sizeof(ref));
	memset(subject, 0, sizeof(subject));
	if (!ok) {
		log_error("lmtp %lu: sealing the acknowledgment failed", job->conn_id);
		return;
	}
	char case_id[32];
	snprintf(case_id, sizeof(case_id), "%lld", r->case_id);
	struct db_job *dbj = db_job_new(ack_queued, (void *)(uintptr_t)job->conn_id);
	if (!dbj)
		abort();
	const char *v[3] = {case_id, (const char *)sealed.data,
			    job->ack_key ? job->ack_key_id : NULL};
	int len[3] = {0, (int)sealed.len, 0};
	int fm[3] = {0, 1, 0};
	db_job_add(dbj, sql_ack, 3, v, len, fm);
	/* kept from now on: the row may commit; the mailer erases it after
	 * delivery (a failed insert leaves a key to nothing) */
	job->ack_key_queued = true;
	blob_free(&sealed);
	db_submit(l->web->db, dbj);
}

static void mail_registered(void *arg, const struct appeal_result *r)
{
	struct job *job = arg;
	struct conn *c = job->conn;
	bool unreadable = job->status == MAIL_UNREADABLE;
	job->lmtp->busy--;
	if (r->ok) {
		log_info("lmtp %lu: %s mail registered as %s", job->conn_id,
			 unreadable ? "unreadable" : "a", r->reg_no);
		acknowledge(job->lmtp, job, r);
	} else
		log_warning("lmtp %lu: registering a mail failed (SQLSTATE %s)%s", job->conn_id,
			    r->sqlstate ? r->sqlstate : "?",
			    r->unknown ? "; it may be registered twice when the MTA retries" : "");
	if (!c) {
		if (r->ok)
			log_warning("lmtp %lu: %s registered after the MTA hung up", job->conn_id,
				    r->reg_no);
	} else {
		c->job = NULL;
		if (!r->ok)
			reply_each(c, "451 4.3.0 Not saved, please try again later");
		else if (unreadable)
			reply_each(c,
				   "554 5.6.0 Not a readable message; kept as unreadable appeal %s",
				   r->reg_no);
		else
			reply_each(c, "250 2.0.0 Registered as %s", r->reg_no);
		conn_resume(c);
	}
	job_free(job);
}

/* The case and whether the mail proves it belongs; a proof the mail does
 * not offer is NULL and matches nothing. */
static const char sql_find_case[] =
    "SELECT c.id, coalesce(c.mail_sender_hash IN ($2, $3) OR c.receipt_hash = $4 "
    "OR c.reply_token_hash = $5, false), c.case_public_key FROM hotline.cases c "
    "JOIN hotline.journal j ON j.id = c.journal_id WHERE j.reg_no = $1";
static const char sql_begin[] = "BEGIN";
static const char sql_commit[] = "COMMIT";
static const char sql_message_add[] =
    "INSERT INTO hotline.messages (case_id, author, key_sealed, body_case, body_reporter) "
    "VALUES ($1, 'reporter', $2, $3, $4)";
static const char sql_message_file[] =
    "INSERT INTO hotline.attachments (case_id, message_id, meta, data) "
    "VALUES ($1, currval(pg_get_serial_sequence('hotline.messages', 'id')), $2, $3)";
static const char sql_message_event[] =
    "SELECT hotline.case_event($1, 'reporter_message', '{\"channel\": \"email\"}')";

static void job_answered(struct job *job)
{
	struct conn *c = job->conn;
	job->lmtp->busy--;
	if (c) {
		c->job = NULL;
		conn_resume(c);
	}
	job_free(job);
}

static void followup_saved(struct db_job *dbj, void *arg)
{
	struct job *job = arg;
	bool ok = db_job_ok(dbj);
	if (ok)
		log_info("lmtp %lu: mail added to %s as a follow-up", job->conn_id,
			 job->followup->reg_no);
	else
		log_warning("lmtp %lu: saving a follow-up mail failed (SQLSTATE %s)", job->conn_id,
			    db_job_sqlstate(dbj));
	if (job->conn) {
		if (ok)
			reply_each(job->conn, "250 2.0.0 Added to %s", job->followup->reg_no);
		else
			reply_each(job->conn, "451 4.3.0 Not saved, please try again later");
	}
	job_answered(job);
}

static void case_found(struct db_job *dbj, void *arg)
{
	struct job *job = arg;
	struct lmtp *l = job->lmtp;
	if (!db_job_ok(dbj)) {
		log_warning("lmtp %lu: looking up a quoted case failed (SQLSTATE %s)", job->conn_id,
			    db_job_sqlstate(dbj));
		if (job->conn)
			reply_each(job->conn, "451 4.3.0 Not saved, please try again later");
		job_answered(job);
		return;
	}
	PGresult *res = db_job_result(dbj, 0);
	if (!job->conn) {
		log_info("lmtp %lu: connection closed before the mail was saved", job->conn_id);
		job_answered(job);
		return;
	}
	bool found = res && PQntuples(res) == 1;
	if (!found || strcmp(PQgetvalue(res, 0, 1), "t") != 0) {
		/* No such case: a new appeal that happens to quote a number.
		 * A case, but no proof: a new appeal all the same (never
		 * dropped), marked for the compliance manager; the sender
		 * learns only the new number. */
		struct appeal *a = job->appeal;
		job->appeal = NULL;
		if (found) {
			snprintf(a->claims_reg_no, sizeof(a->claims_reg_no), "%s",
				 job->followup->reg_no);
			log_info("lmtp %lu: mail quotes %s without proof: a new appeal",
				 job->conn_id, job->followup->reg_no);
		}
		appeal_register(l->web->appeals, a, l->cfg->request_timeout, mail_registered, job);
		return;
	}
	char case_id[32];
	snprintf(case_id, sizeof(case_id), "%s", PQgetvalue(res, 0, 0));
	struct followup *f = job->followup;
	{
		/* the message key to the case's own key; a case not yet resealed
		 * (docs/keys.md) to the recovery key it was sealed to before */
		struct public_key to;
		bool has_to = false;
		size_t pklen = 0;
		unsigned char *pk =
		    PQgetisnull(res, 0, 2)
			? NULL
			: PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, 2), &pklen);
		if (pk && pklen == KEYS_PUBLIC_BYTES) {
			memcpy(to.bytes, pk, KEYS_PUBLIC_BYTES);
			has_to = true;
		} else if (!pk && job->keys.has_case_key) {
			to = job->keys.case_key;
			has_to = true;
		}
		PQfreemem(pk);
		if (!has_to || !f->key ||
		    !content_key_seal(f->key, &to, &f->key_sealed.data, &f->key_sealed.len)) {
			log_error("lmtp %lu: cannot seal a follow-up's key to its case",
				  job->conn_id);
			reply_each(job->conn, "451 4.3.0 Not saved, please try again later");
			job_answered(job);
			return;
		}
		content_key_free(f->key);
		f->key = NULL;
	}
	struct db_job *ins = db_job_new(followup_saved, job);
	if (!ins)
		abort();
	db_job_add(ins, sql_begin, 0, NULL, NULL, NULL);
	{
		const char *v[4] = {case_id, (const char *)f->key_sealed.data,
				    (const char *)f->body_case.data,
				    (const char *)f->body_reporter.data};
		int len[4] = {0, (int)f->key_sealed.len, (int)f->body_case.len,
			      (int)f->body_reporter.len};
		int fm[4] = {0, 1, 1, 1};
		db_job_add(ins, sql_message_add, 4, v, len, fm);
	}
	for (unsigned i = 0; i < f->nfiles; i++) {
		const char *v[3] = {case_id, (const char *)f->files[i].meta.data,
				    (const char *)f->files[i].data.data};
		int len[3] = {0, (int)f->files[i].meta.len, (int)f->files[i].data.len};
		int fm[3] = {0, 1, 1};
		db_job_add(ins, sql_message_file, 3, v, len, fm);
	}
	{
		const char *v[1] = {case_id};
		db_job_add(ins, sql_message_event, 1, v, NULL, NULL);
	}
	db_job_add(ins, sql_commit, 0, NULL, NULL, NULL);
	db_submit(l->web->db, ins);
}

static void on_worker_done(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	struct lmtp *l = arg;
	struct job *job;
	while (read(fd, &job, sizeof(job)) == (ssize_t)sizeof(job)) {
		pthread_join(job->thread, NULL);
		for (struct job **p = &l->running; *p; p = &(*p)->next) {
			if (*p == job) {
				*p = job->next;
				break;
			}
		}
		struct conn *c = job->conn;
		if (!c) {
			/* the MTA gave up: it will deliver again, so register nothing */
			log_info("lmtp %lu: connection closed before the mail was saved",
				 job->conn_id);
			l->busy--;
			job_free(job);
			continue;
		}
		if (job->status == MAIL_TOO_MANY_ATTACHMENTS) {
			log_info("lmtp %lu: mail refused, more than %u attachments", job->conn_id,
				 job->max_attachments);
			reply_each(c, "552 5.3.4 Too many attachments (at most %u)",
				   job->max_attachments);
		} else if (!job->appeal) {
			log_error("lmtp %lu: parsing or sealing a mail failed", job->conn_id);
			reply_each(c, "451 4.3.0 Temporary failure, please try again later");
		} else if (job->followup) {
			struct db_job *find = db_job_new(case_found, job);
			if (!find)
				abort();
			const struct followup *f = job->followup;
			const char *v[5] = {
			    f->reg_no,
			    f->has_from ? (const char *)f->from_hash : NULL,
			    f->has_envelope ? (const char *)f->envelope_hash : NULL,
			    f->has_receipt ? (const char *)f->receipt_hash : NULL,
			    f->has_token ? (const char *)f->token_hash : NULL,
			};
			int len[5] = {0, RECEIPT_HASH_BYTES, RECEIPT_HASH_BYTES, RECEIPT_HASH_BYTES,
				      RECEIPT_HASH_BYTES};
			int fm[5] = {0, 1, 1, 1, 1};
			db_job_add(find, sql_find_case, 5, v, len, fm);
			db_submit(l->web->db, find);
			continue;
		} else {
			struct appeal *a = job->appeal;
			job->appeal = NULL; /* appeal_register() takes it */
			appeal_register(l->web->appeals, a, l->cfg->request_timeout,
					mail_registered, job);
			continue;
		}
		c->job = NULL;
		l->busy--;
		job_free(job);
		conn_resume(c);
	}
}

static void data_end(struct conn *c)
{
	struct lmtp *l = c->lmtp;
	c->state = CONN_WAIT;
	bufferevent_disable(c->bev, EV_READ);
	if (c->oversize) {
		log_info("lmtp %lu: mail refused, over max_mail_bytes", c->id);
		reply_each(c, "552 5.3.4 Message too big (at most %zu bytes)",
			   l->cfg->max_mail_bytes);
		conn_resume(c);
		return;
	}
	struct job *job = calloc(1, sizeof(*job));
	if (!job)
		goto tempfail;
	job->lmtp = l;
	job->conn = c;
	job->conn_id = c->id;
	job->len = evbuffer_get_length(c->data);
	job->raw = malloc(job->len + 1);
	job->envelope_from = strdup(c->envelope_from ? c->envelope_from : "");
	if (!job->raw || !job->envelope_from)
		goto tempfail;
	evbuffer_remove(c->data, job->raw, job->len);
	job->max_attachments = l->cfg->max_mail_attachments;
	job->keys = l->web->keys;
	snprintf(job->default_language, sizeof(job->default_language), "%s",
		 l->cfg->default_language);
	if (l->outbox_key && strcmp(l->cfg->mail_acknowledge, "yes") == 0)
		content_key_spool_dir(l->cfg->outbox_key_file, job->spool_dir,
				      sizeof(job->spool_dir));
	if (pthread_create(&job->thread, NULL, worker, job) != 0)
		goto tempfail;
	job->next = l->running;
	l->running = job;
	c->job = job;
	l->busy++;
	return;
tempfail:
	log_error("lmtp %lu: cannot start parsing a mail", c->id);
	job_free(job);
	reply_each(c, "451 4.3.0 Temporary failure, please try again later");
	conn_resume(c);
}

/* --- the protocol --- */

/* One line of DATA (without its line end), dot-unstuffed here. */
static void data_line(struct conn *c, const char *line, size_t len, bool complete)
{
	size_t max = c->lmtp->cfg->max_mail_bytes;
	if (c->at_line_start && len && line[0] == '.') {
		line++;
		len--;
	}
	size_t add = len + (complete ? 2 : 0);
	c->data_bytes += add;
	if (c->data_bytes > max)
		c->oversize = true;
	if (!c->oversize) {
		evbuffer_add(c->data, line, len);
		if (complete)
			evbuffer_add(c->data, "\r\n", 2);
	}
	c->at_line_start = complete;
}

/* True when the final "." was read. */
static bool read_data(struct conn *c, struct evbuffer *in)
{
	for (;;) {
		size_t eol_len = 0;
		struct evbuffer_ptr eol =
		    evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_CRLF);
		if (eol.pos < 0) {
			/* a long line without an end: take most of it, keep a
			 * possible CR for the next read */
			size_t have = evbuffer_get_length(in);
			if (have <= 65536)
				return false;
			size_t take = have - 1;
			char *chunk = (char *)evbuffer_pullup(in, (ev_ssize_t)take);
			data_line(c, chunk, take, false);
			evbuffer_drain(in, take);
			continue;
		}
		size_t n = (size_t)eol.pos;
		char *line = (char *)evbuffer_pullup(in, (ev_ssize_t)(n + eol_len));
		if (c->at_line_start && n == 1 && line[0] == '.') {
			evbuffer_drain(in, n + eol_len);
			return true;
		}
		data_line(c, line, n, true);
		evbuffer_drain(in, n + eol_len);
	}
}

/* "<addr>" after "FROM:" or "TO:"; returns the address (malloc'd) or NULL. */
static char *path_arg(const char *arg, const char **rest)
{
	while (*arg == ' ')
		arg++;
	if (*arg != '<')
		return NULL;
	const char *end = strchr(arg, '>');
	if (!end)
		return NULL;
	*rest = end + 1;
	return strndup(arg + 1, (size_t)(end - arg - 1));
}

static void command(struct conn *c, char *line)
{
	struct lmtp *l = c->lmtp;
	if (strncasecmp(line, "LHLO", 4) == 0 && (line[4] == ' ' || line[4] == '\0')) {
		transaction_reset(c);
		c->greeted = true;
		reply(c,
		      "250-hotlined\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n"
		      "250-8BITMIME\r\n250 SIZE %zu",
		      l->cfg->max_mail_bytes);
	} else if (strncasecmp(line, "MAIL FROM:", 10) == 0) {
		const char *rest = "";
		char *from = path_arg(line + 10, &rest);
		if (!c->greeted || c->in_mail) {
			free(from);
			reply(c, "503 5.5.1 %s", c->greeted ? "Nested MAIL command" : "LHLO first");
			return;
		}
		if (!from) {
			reply(c, "501 5.5.4 Syntax: MAIL FROM:<address>");
			return;
		}
		const char *size = strcasestr(rest, "SIZE=");
		if (size && strtoull(size + 5, NULL, 10) > l->cfg->max_mail_bytes) {
			free(from);
			log_info("lmtp %lu: mail refused, announced size over max_mail_bytes",
				 c->id);
			reply(c, "552 5.3.4 Message too big (at most %zu bytes)",
			      l->cfg->max_mail_bytes);
			return;
		}
		c->envelope_from = from;
		c->in_mail = true;
		reply(c, "250 2.1.0 OK");
	} else if (strncasecmp(line, "RCPT TO:", 8) == 0) {
		const char *rest = "";
		char *to = path_arg(line + 8, &rest);
		bool ok = to && *to;
		free(to); /* the MTA routes only the hotline's address here */
		if (!c->in_mail)
			reply(c, "503 5.5.1 MAIL first");
		else if (!ok)
			reply(c, "501 5.5.4 Syntax: RCPT TO:<address>");
		else if (c->nrcpt >= MAX_RECIPIENTS)
			reply(c, "452 4.5.3 Too many recipients");
		else {
			c->nrcpt++;
			reply(c, "250 2.1.5 OK");
		}
	} else if (strcasecmp(line, "DATA") == 0) {
		if (!c->nrcpt) {
			reply(c, "503 5.5.1 RCPT first");
			return;
		}
		c->data = evbuffer_new();
		if (!c->data) {
			reply(c, "451 4.3.0 Temporary failure");
			return;
		}
		c->state = CONN_DATA;
		c->at_line_start = true;
		reply(c, "354 End data with <CR><LF>.<CR><LF>");
	} else if (strcasecmp(line, "RSET") == 0) {
		transaction_reset(c);
		reply(c, "250 2.0.0 OK");
	} else if (strncasecmp(line, "NOOP", 4) == 0) {
		reply(c, "250 2.0.0 OK");
	} else if (strcasecmp(line, "QUIT") == 0) {
		reply(c, "221 2.0.0 Bye");
		c->state = CONN_CLOSING;
		bufferevent_disable(c->bev, EV_READ);
	} else if (strncasecmp(line, "HELO", 4) == 0 || strncasecmp(line, "EHLO", 4) == 0) {
		reply(c, "500 5.5.1 This is LMTP: use LHLO");
	} else {
		reply(c, "500 5.5.2 Command not recognised");
	}
}

static void conn_read(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	while (c->state == CONN_COMMAND || c->state == CONN_DATA) {
		if (c->state == CONN_DATA) {
			if (!read_data(c, in))
				return;
			data_end(c);
			continue;
		}
		size_t n = 0;
		char *line = evbuffer_readln(in, &n, EVBUFFER_EOL_CRLF);
		if (!line) {
			if (evbuffer_get_length(in) > MAX_COMMAND_LINE) {
				reply(c, "500 5.5.6 Line too long");
				c->state = CONN_CLOSING;
				bufferevent_disable(bev, EV_READ);
			}
			return;
		}
		command(c, line);
		free(line);
	}
}

static void conn_write(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	if (c->state == CONN_CLOSING && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		conn_free(c);
}

static void conn_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	struct conn *c = arg;
	if (what & BEV_EVENT_TIMEOUT) {
		if (c->state == CONN_WAIT) {
			bufferevent_enable(c->bev, EV_WRITE);
			return; /* our own work: its answer comes */
		}
		log_info("lmtp %lu: idle too long, closing", c->id);
	}
	conn_free(c);
}

static void on_accept(struct evconnlistener *lis, evutil_socket_t fd, struct sockaddr *sa,
		      int salen, void *arg)
{
	(void)lis;
	(void)sa;
	(void)salen;
	struct lmtp *l = arg;
	struct conn *c = calloc(1, sizeof(*c));
	if (!c) {
		evutil_closesocket(fd);
		return;
	}
	c->lmtp = l;
	c->id = ++l->next_id;
	c->bev = bufferevent_socket_new(l->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!c->bev) {
		evutil_closesocket(fd);
		free(c);
		return;
	}
	c->next = l->conns;
	if (l->conns)
		l->conns->prev = c;
	l->conns = c;
	struct timeval idle = {IDLE_TIMEOUT, 0};
	bufferevent_set_timeouts(c->bev, &idle, NULL);
	bufferevent_setcb(c->bev, conn_read, conn_write, conn_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	reply(c, "220 hotlined LMTP ready");
}

/* --- set-up --- */

static struct evconnlistener *listen_on(struct lmtp *l, const char *where, char *err, size_t errlen)
{
	unsigned flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_REUSEABLE;
	struct evconnlistener *lis;
	if (where[0] == '/') {
		struct sockaddr_un sun = {.sun_family = AF_UNIX};
		if (strlen(where) >= sizeof(sun.sun_path)) {
			snprintf(err, errlen, "lmtp_listen %s: path too long", where);
			return NULL;
		}
		strcpy(sun.sun_path, where);
		struct stat st;
		if (lstat(where, &st) == 0 && S_ISSOCK(st.st_mode))
			unlink(where); /* left over by an earlier run */
		lis = evconnlistener_new_bind(l->base, on_accept, l, flags, 64,
					      (struct sockaddr *)&sun, sizeof(sun));
		if (lis) {
			l->unix_path = strdup(where);
			(void)chmod(where, 0660); /* the MTA's group */
		}
	} else {
		struct sockaddr_storage ss;
		int sslen = sizeof(ss);
		if (evutil_parse_sockaddr_port(where, (struct sockaddr *)&ss, &sslen) != 0 ||
		    !strchr(where, ':')) {
			snprintf(err, errlen, "lmtp_listen %s: not host:port or an absolute path",
				 where);
			return NULL;
		}
		lis = evconnlistener_new_bind(l->base, on_accept, l, flags, 64,
					      (struct sockaddr *)&ss, sslen);
	}
	if (!lis)
		snprintf(err, errlen, "lmtp_listen %s: %s", where, strerror(errno));
	return lis;
}

struct lmtp *lmtp_start(struct event_base *base, const struct config *cfg, struct web *w, char *err,
			size_t errlen)
{
	struct lmtp *l = calloc(1, sizeof(*l));
	if (!l) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	l->base = base;
	l->cfg = cfg;
	l->web = w;
	l->pipe_fd[0] = l->pipe_fd[1] = -1;
	mail_init();
	if (strcmp(cfg->mail_acknowledge, "yes") == 0 && !cfg->outbox_key_file) {
		snprintf(err, errlen,
			 "mail_acknowledge = yes needs outbox_key_file (acknowledgments "
			 "carry a receipt and are stored sealed), or set mail_acknowledge = no");
		goto fail;
	}
	if (cfg->outbox_key_file) {
		char why[256];
		l->outbox_key = content_key_file_load(cfg->outbox_key_file, why, sizeof(why));
		if (!l->outbox_key) {
			snprintf(err, errlen, "outbox_key_file: %s", why);
			goto fail;
		}
	}
	if (pipe2(l->pipe_fd, O_CLOEXEC) != 0 || fcntl(l->pipe_fd[0], F_SETFL, O_NONBLOCK) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto fail;
	}
	l->pipe_ev = event_new(base, l->pipe_fd[0], EV_READ | EV_PERSIST, on_worker_done, l);
	if (!l->pipe_ev || event_add(l->pipe_ev, NULL) != 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	l->listener = listen_on(l, cfg->lmtp_listen, err, errlen);
	if (!l->listener)
		goto fail;
	return l;
fail:
	lmtp_free(l);
	return NULL;
}

void lmtp_reload(struct lmtp *l, const struct config *cfg)
{
	if (l)
		l->cfg = cfg;
}

void lmtp_quiesce(struct lmtp *l)
{
	if (l && l->listener)
		evconnlistener_disable(l->listener);
}

unsigned lmtp_busy(const struct lmtp *l)
{
	return l ? l->busy : 0;
}

void lmtp_free(struct lmtp *l)
{
	if (!l)
		return;
	if (l->listener)
		evconnlistener_free(l->listener);
	if (l->unix_path) {
		unlink(l->unix_path);
		free(l->unix_path);
	}
	while (l->conns)
		conn_free(l->conns);
	/* workers still running: wait, then drop what they made (the MTA
	 * got no answer and will deliver again) */
	while (l->running) {
		struct job *job = l->running;
		l->running = job->next;
		pthread_join(job->thread, NULL);
		job_free(job);
	}
	if (l->pipe_ev)
		event_free(l->pipe_ev);
	if (l->pipe_fd[0] >= 0)
		close(l->pipe_fd[0]);
	if (l->pipe_fd[1] >= 0)
		close(l->pipe_fd[1]);
	content_key_free(l->outbox_key);
	free(l);
}
