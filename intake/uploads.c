#include "intake/uploads.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/worker.h"
#include "crypto/seal.h"
#include "intake/form.h"
#include "intake/keep.h"
#include "intake/request.h"
#include "intake/spool.h"

/* A file's encrypted stream, twice, and the cleaned copy held in clear
 * (it may be larger) when its type is cleaned. */
static size_t file_need(const char *name, size_t name_len, size_t len)
{
	size_t need = 0;
	if (clean_supported(name, name_len)) {
		len = clean_max_output(len);
		need += len;
	}
	size_t stream = len + 24 + (len / STREAM_CHUNK + 1) * 17 + 1024;
	return need + 2 * stream;
}

size_t uploads_need(const struct form *f)
{
	size_t need = 64 * 1024;
	for (unsigned i = 0; i < f->nfiles; i++)
		need += file_need(f->files[i].name.data, f->files[i].name.len, f->files[i].len);
	return need;
}

/* The kept files' ciphertext, on top of the form's. */
size_t uploads_kept_need(const struct keep_set *kept)
{
	size_t need = 0;
	for (unsigned i = 0; kept && i < kept->nfiles; i++)
		need += file_need(kept->files[i].name.data, kept->files[i].name.len,
				  kept->files[i].len);
	return need;
}

void uploads_kept_release(struct web *w, struct keep_set *s)
{
	if (!s)
		return;
	budget_give_slice(w, s->slice);
	s->slice = 0;
	keep_set_free(s);
}

static void cleaned_free(struct cleaned_file *c, unsigned n)
{
	for (unsigned i = 0; c && i < n; i++)
		clean_free(c[i].data, c[i].len);
	free(c);
}

/* --- cleaning, on the cleaner's threads --- */

/* The form leaves the request while a worker reads its files from the
 * spool: a request answered meanwhile (timeout) cannot free them under it. */
struct clean_wait {
	struct worker_job job; /* first: the pool hands it back */
	struct ticket *ticket;
	struct web *web;
	unsigned long req_id;
	size_t budget; /* req->budget_need, given back if the request is gone */
	struct clean_opts opts;
	struct form form;
	struct keep_set *kept;	      /* req->kept: files of earlier tries, cleaned first */
	struct cleaned_file *cleaned; /* one per file: the kept ones, then the form's */
	cleaned_file_fn then;
	void (*gone)(void *arg);
	void *arg;
};

static void clean_run(struct worker_job *job, PGconn *db)
{
	(void)db;
	struct clean_wait *cw = (struct clean_wait *)job;
	unsigned nkept = cw->kept ? cw->kept->nfiles : 0;
	for (unsigned i = 0; i < nkept; i++) {
		const struct keep_file *kf = &cw->kept->files[i];
		struct spool_reader reader;
		spool_reader_init(&reader, kf->up, kf->index);
		cw->cleaned[i].state =
		    clean_file(&cw->opts, kf->name.data, kf->name.len, kf->len, spool_read, &reader,
			       &cw->cleaned[i].data, &cw->cleaned[i].len);
	}
	for (unsigned i = 0; i < cw->form.nfiles; i++) {
		const struct form_file *ff = &cw->form.files[i];
		struct cleaned_file *c = &cw->cleaned[nkept + i];
		struct spool_reader reader;
		spool_reader_init(&reader, cw->form.up, ff->index);
		c->state = clean_file(&cw->opts, ff->name.data, ff->name.len, ff->len, spool_read,
				      &reader, &c->data, &c->len);
	}
}

static void clean_done(struct worker_job *job, bool cancelled)
{
	struct clean_wait *cw = (struct clean_wait *)job;
	struct request *req = ticket_take(cw->ticket);
	unsigned done = 0, n = (cw->kept ? cw->kept->nfiles : 0) + cw->form.nfiles;
	for (unsigned i = 0; i < n; i++)
		done += cw->cleaned[i].state == CLEAN_DONE;
	if (!req || cancelled) {
		budget_give(cw->web, cw->budget);
		form_free(&cw->form);
		uploads_kept_release(cw->web, cw->kept);
		if (cw->gone)
			cw->gone(cw->arg);
		if (req) {
			page_not_saved(req);
			request_resume(req);
		}
	} else {
		/* counts only: a file's name may say who sent it */
		log_info("request %lu: %u of %u files cleaned of metadata, %u kept as they came",
			 cw->req_id, done, n, n - done);
		req->form = cw->form;
		req->kept = cw->kept;
		req->budget_need = cw->budget;
		cw->then(req, cw->cleaned, cw->arg);
		if (req->response && !req->ticket && req->suspended)
			request_resume(req);
	}
	cleaned_free(cw->cleaned, n);
	free(cw);
}

void uploads_clean(struct request *req, cleaned_file_fn then, void (*gone)(void *arg), void *arg)
{
	struct clean_opts opts;
	clean_opts_from(&opts, req->web->cfg);
	unsigned nfiles = (req->kept ? req->kept->nfiles : 0) + req->form.nfiles;
	if (nfiles == 0 || !opts.on) {
		then(req, NULL, arg);
		return;
	}
	struct clean_wait *cw = calloc(1, sizeof(*cw));
	if (!cw || !(cw->cleaned = calloc(nfiles, sizeof(*cw->cleaned))))
		abort();
	cw->job.run = clean_run;
	cw->job.done = clean_done;
	cw->web = req->web;
	cw->req_id = req->id;
	cw->opts = opts;
	cw->then = then;
	cw->gone = gone;
	cw->arg = arg;
	cw->budget = req->budget_need;
	req->budget_need = 0;
	cw->form = req->form;
	memset(&req->form, 0, sizeof(req->form));
	/* the kept files leave with the form: a request answered meanwhile
	 * releases what it holds, not what the worker reads */
	cw->kept = req->kept;
	req->kept = NULL;
	/* each file may take clean_timeout, then the database its time */
	cw->ticket = request_wait(req, opts.timeout * nfiles + req->request_timeout + 10);
	worker_submit(req->web->cleaner, &cw->job);
}
