#include "intake/mailworker.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "base/log.h"
#include "base/wipe.h"
#include "crypto/receipt.h"
#include "intake/appeal.h"
#include "intake/clean.h"
#include "intake/followup.h"
#include "intake/mail.h"
#include "intake/mailack.h"
#include "intake/sealing.h"

struct mailworker {
	const struct config *cfg;
	struct web *web;
	mailworker_answer_fn answer;
	int pipe_fd[2]; /* a finished thread writes its job here */
	struct event *pipe_ev;
	struct mailworker_job *running;
	unsigned busy;
	struct content_key *outbox_key; /* NULL: acknowledgments off */
};

/* One mail on its way: built by a worker thread, registered on the loop. */
struct mailworker_job {
	struct mailworker *mw;
	void *conn; /* NULL once the connection closed */
	pthread_t thread;
	unsigned long conn_id;
	/* worker input (copies: the thread touches nothing else) */
	char *raw;
	size_t len;
	char *envelope_from;
	unsigned max_attachments;
	struct intake_keys keys;
	char default_language[4];
	struct clean_opts clean; /* the attachments cleaned of metadata */
	/* spool_dir for the acknowledgment's own key; "" when acknowledgments
	 * are off */
	char spool_dir[4096];
	/* worker output */
	enum mail_status status;
	struct appeal *appeal;
	struct followup *followup;   /* the subject quotes a registration number */
	struct mailack *ack;	     /* NULL: none (automatic mail, no sender) */
	struct mailworker_job *next; /* running threads */
};

static void job_free(struct mailworker_job *job)
{
	if (!job)
		return;
	free(job->raw);
	free(job->envelope_from);
	mailack_free(job->ack);
	appeal_free(job->appeal);
	followup_free(job->followup);
	free(job);
}

/* The answer, once per recipient, to a connection still there. */
static void answer(struct mailworker_job *job, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void answer(struct mailworker_job *job, const char *fmt, ...)
{
	if (!job->conn)
		return;
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	job->mw->answer(job->conn, text);
}

/* Answered (or its connection gone): the job is done. */
static void job_done(struct mailworker_job *job)
{
	job->mw->busy--;
	job_free(job);
}

/* --- the thread: parse and seal, with public keys only --- */

/* A mail's attachment as sealing_build() takes it. */
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

static json_t *identity_of(const struct mailworker_job *job, const struct mail *m)
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

static json_t *content_of(const struct mailworker_job *job, const struct mail *m)
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

static struct appeal *build_appeal(struct mailworker_job *job, const struct mail *m,
				   const char *receipt)
{
	json_t *content = content_of(job, m), *identity = identity_of(job, m);
	unsigned nfiles = m ? m->nfiles : 1, done_count = 0;
	struct sealing_file *files = calloc(nfiles ? nfiles : 1, sizeof(*files));
	struct {
		unsigned char *data;
		size_t len;
	} *cleaned = calloc(nfiles ? nfiles : 1, sizeof(*cleaned));
	struct appeal *a = NULL;
	if (!content || !identity || !files)
		goto done;
	const char *language = m && m->language ? m->language : NULL;
	static const char *const langs[] = {"kk", "ru", "en"};
	for (size_t i = 0; !language && i < 3; i++) {
		if (strcmp(job->default_language, langs[i]) == 0)
			language = langs[i];
	}
	if (!cleaned)
		goto done;
	if (!m) { /* unreadable: the raw mail is kept as its one file */
		files[0] = file_of("message.eml", "application/octet-stream", job->raw, job->len);
		files[0].clean = CLEAN_KEPT;
	}
	for (unsigned i = 0; m && i < m->nfiles; i++) {
		const struct mail_attachment *mf = &m->files[i];
		files[i] = file_of(mf->name, mf->type, mf->data, mf->len);
		/* cleaned of metadata like the web form's (intake/clean.h) */
		files[i].clean = clean_buffer(&job->clean, mf->name, strlen(mf->name), mf->data,
					      mf->len, &cleaned[i].data, &cleaned[i].len);
		if (files[i].clean == CLEAN_DONE) {
			files[i].data = cleaned[i].data;
			files[i].len = cleaned[i].len;
			done_count++;
		}
	}
	if (m && m->nfiles)
		log_info("lmtp %lu: %u of %u attachments cleaned of metadata, %u kept as they came",
			 job->conn_id, done_count, m->nfiles, m->nfiles - done_count);
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
	for (unsigned i = 0; cleaned && i < nfiles; i++)
		clean_free(cleaned[i].data, cleaned[i].len);
	free(cleaned);
	free(files);
	json_decref(content);
	json_decref(identity);
	return a;
}

/* What a later mail about this appeal proves itself with, and, unless the
 * mail must not be answered, its acknowledgment. */
static void add_mail_proof(struct mailworker_job *job, const struct mail *m, const char *to,
			   const char *receipt)
{
	char token[REPLY_TOKEN_CHARS + 1];
	receipt_reply_token(token);
	receipt_sender_hash(job->keys.pepper, to, job->appeal->mail_sender_hash);
	receipt_token_hash(job->keys.pepper, token, job->appeal->reply_token_hash);
	job->appeal->has_mail_proof = true;
	/* MAIL FROM:<> is a bounce: never answered (RFC 5321 4.5.5) */
	if (!m->automatic && job->envelope_from[0])
		job->ack = mailack_new(to, job->appeal->language, receipt, token, job->spool_dir,
				       job->conn_id);
	memset(token, 0, sizeof(token));
}

static void *worker(void *arg)
{
	struct mailworker_job *job = arg;
	struct mail *m = NULL;
	job->status = mail_parse(job->raw, job->len, job->max_attachments, &m);
	if (job->status != MAIL_TOO_MANY_ATTACHMENTS && job->status != MAIL_NO_MEMORY) {
		char receipt[RECEIPT_DIGITS + 1];
		receipt_generate(receipt);
		bool ok = true;
		/* first, so no quoted receipt or token is sealed in clear */
		if (m && m->reg_no[0] &&
		    !(job->followup = followup_proofs(&job->keys, job->envelope_from, m)))
			ok = false;
		if (ok)
			job->appeal = build_appeal(job, m, receipt);
		const char *to = m && m->from_address ? m->from_address : job->envelope_from;
		if (job->appeal && m && to[0] && strchr(to, '@'))
			add_mail_proof(job, m, to, receipt);
		memset(receipt, 0, sizeof(receipt));
		if (job->appeal && job->followup && !followup_seal(job->followup, m, &job->clean)) {
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
		n = write(job->mw->pipe_fd[1], &job, sizeof(job));
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(job))
		abort(); /* the loop would wait for this mail forever */
	return NULL;
}

/* --- back on the loop --- */

static void mail_registered(void *arg, const struct appeal_result *r)
{
	struct mailworker_job *job = arg;
	struct mailworker *mw = job->mw;
	bool unreadable = job->status == MAIL_UNREADABLE;
	mw->busy--;
	if (r->ok) {
		log_info("lmtp %lu: %s mail registered as %s", job->conn_id,
			 unreadable ? "unreadable" : "a", r->reg_no);
		mailack_queue(job->ack, mw->cfg, mw->outbox_key, mw->web->db, r);
	} else
		log_warning("lmtp %lu: registering a mail failed (SQLSTATE %s)%s", job->conn_id,
			    r->sqlstate ? r->sqlstate : "?",
			    r->unknown ? "; it may be registered twice when the MTA retries" : "");
	if (!job->conn) {
		if (r->ok)
			log_warning("lmtp %lu: %s registered after the MTA hung up", job->conn_id,
				    r->reg_no);
	} else if (!r->ok)
		answer(job, "451 4.3.0 Not saved, please try again later");
	else if (unreadable)
		answer(job, "554 5.6.0 Not a readable message; kept as unreadable appeal %s",
		       r->reg_no);
	else
		answer(job, "250 2.0.0 Registered as %s", r->reg_no);
	job_free(job);
}

static void register_appeal(struct mailworker_job *job)
{
	struct appeal *a = job->appeal;
	job->appeal = NULL; /* appeal_register() takes it */
	appeal_register(job->mw->web->appeals, a, job->mw->cfg->request_timeout, mail_registered,
			job);
}

static void followup_saved(void *arg, bool ok, const char *sqlstate)
{
	struct mailworker_job *job = arg;
	const char *reg_no = followup_reg_no(job->followup);
	if (ok)
		log_info("lmtp %lu: mail added to %s as a follow-up", job->conn_id, reg_no);
	else
		log_warning("lmtp %lu: saving a follow-up mail failed (SQLSTATE %s)", job->conn_id,
			    sqlstate);
	if (ok)
		answer(job, "250 2.0.0 Added to %s", reg_no);
	else
		answer(job, "451 4.3.0 Not saved, please try again later");
	job_done(job);
}

static void case_found(void *arg, enum followup_case what, const char *sqlstate)
{
	struct mailworker_job *job = arg;
	struct mailworker *mw = job->mw;
	if (what == FOLLOWUP_LOOKUP_FAILED) {
		log_warning("lmtp %lu: looking up a quoted case failed (SQLSTATE %s)", job->conn_id,
			    sqlstate);
		answer(job, "451 4.3.0 Not saved, please try again later");
		job_done(job);
		return;
	}
	if (!job->conn) {
		log_info("lmtp %lu: connection closed before the mail was saved", job->conn_id);
		job_done(job);
		return;
	}
	if (what != FOLLOWUP_PROVEN) {
		/* No such case: a new appeal that happens to quote a number.
		 * A case, but no proof: a new appeal all the same (never
		 * dropped), marked for the compliance manager; the sender
		 * learns only the new number. */
		const char *reg_no = followup_reg_no(job->followup);
		if (what == FOLLOWUP_UNPROVEN) {
			snprintf(job->appeal->claims_reg_no, sizeof(job->appeal->claims_reg_no),
				 "%s", reg_no);
			log_info("lmtp %lu: mail quotes %s without proof: a new appeal",
				 job->conn_id, reg_no);
		}
		register_appeal(job);
		return;
	}
	if (!followup_save(mw->web->db, job->followup, &job->keys, followup_saved, job)) {
		log_error("lmtp %lu: cannot seal a follow-up's key to its case", job->conn_id);
		answer(job, "451 4.3.0 Not saved, please try again later");
		job_done(job);
	}
}

static void thread_done(struct mailworker *mw, struct mailworker_job *job)
{
	pthread_join(job->thread, NULL);
	for (struct mailworker_job **p = &mw->running; *p; p = &(*p)->next) {
		if (*p == job) {
			*p = job->next;
			break;
		}
	}
	if (!job->conn) {
		/* the MTA gave up: it will deliver again, so register nothing */
		log_info("lmtp %lu: connection closed before the mail was saved", job->conn_id);
		job_done(job);
	} else if (job->status == MAIL_TOO_MANY_ATTACHMENTS) {
		log_info("lmtp %lu: mail refused, more than %u attachments", job->conn_id,
			 job->max_attachments);
		mw->busy--;
		answer(job, "552 5.3.4 Too many attachments (at most %u)", job->max_attachments);
		job_free(job);
	} else if (!job->appeal) {
		log_error("lmtp %lu: parsing or sealing a mail failed", job->conn_id);
		mw->busy--;
		answer(job, "451 4.3.0 Temporary failure, please try again later");
		job_free(job);
	} else if (job->followup) {
		followup_find(mw->web->db, job->followup, case_found, job);
	} else {
		register_appeal(job);
	}
}

static void on_thread_done(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	struct mailworker *mw = arg;
	struct mailworker_job *job;
	while (read(fd, &job, sizeof(job)) == (ssize_t)sizeof(job))
		thread_done(mw, job);
}

/* --- set-up --- */

struct mailworker_job *mailworker_start(struct mailworker *mw, struct evbuffer *data,
					const char *envelope_from, unsigned long conn_id,
					void *conn)
{
	const struct config *cfg = mw->cfg;
	struct mailworker_job *job = calloc(1, sizeof(*job));
	if (!job)
		return NULL;
	job->mw = mw;
	job->conn = conn;
	job->conn_id = conn_id;
	job->len = evbuffer_get_length(data);
	job->raw = malloc(job->len + 1);
	job->envelope_from = strdup(envelope_from ? envelope_from : "");
	if (!job->raw || !job->envelope_from)
		goto fail;
	evbuffer_remove(data, job->raw, job->len);
	job->max_attachments = cfg->max_mail_attachments;
	job->keys = mw->web->keys;
	snprintf(job->default_language, sizeof(job->default_language), "%s", cfg->default_language);
	clean_opts_from(&job->clean, cfg);
	if (mw->outbox_key && strcmp(cfg->mail_acknowledge, "yes") == 0)
		content_key_spool_dir(cfg->outbox_key_file, job->spool_dir, sizeof(job->spool_dir));
	if (pthread_create(&job->thread, NULL, worker, job) != 0)
		goto fail;
	job->next = mw->running;
	mw->running = job;
	mw->busy++;
	return job;
fail:
	job_free(job);
	return NULL;
}

void mailworker_detach(struct mailworker_job *job)
{
	if (job)
		job->conn = NULL;
}

struct mailworker *mailworker_new(struct event_base *base, const struct config *cfg, struct web *w,
				  struct content_key *outbox_key, mailworker_answer_fn answer_fn,
				  char *err, size_t errlen)
{
	struct mailworker *mw = calloc(1, sizeof(*mw));
	if (!mw) {
		content_key_free(outbox_key);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	mw->cfg = cfg;
	mw->web = w;
	mw->answer = answer_fn;
	mw->outbox_key = outbox_key;
	mw->pipe_fd[0] = mw->pipe_fd[1] = -1;
	mail_init();
	if (pipe2(mw->pipe_fd, O_CLOEXEC) != 0 || fcntl(mw->pipe_fd[0], F_SETFL, O_NONBLOCK) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto fail;
	}
	mw->pipe_ev = event_new(base, mw->pipe_fd[0], EV_READ | EV_PERSIST, on_thread_done, mw);
	if (!mw->pipe_ev || event_add(mw->pipe_ev, NULL) != 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	return mw;
fail:
	mailworker_free(mw);
	return NULL;
}

void mailworker_reload(struct mailworker *mw, const struct config *cfg)
{
	if (mw)
		mw->cfg = cfg;
}

unsigned mailworker_busy(const struct mailworker *mw)
{
	return mw ? mw->busy : 0;
}

void mailworker_free(struct mailworker *mw)
{
	if (!mw)
		return;
	while (mw->running) {
		struct mailworker_job *job = mw->running;
		mw->running = job->next;
		pthread_join(job->thread, NULL);
		job_free(job);
	}
	if (mw->pipe_ev)
		event_free(mw->pipe_ev);
	if (mw->pipe_fd[0] >= 0)
		close(mw->pipe_fd[0]);
	if (mw->pipe_fd[1] >= 0)
		close(mw->pipe_fd[1]);
	content_key_free(mw->outbox_key);
	free(mw);
}
