/* The files of a report or a follow-up message sent on the web form:
 * what registering them holds of the memory cap, the sets of files kept
 * from a form's earlier tries, and cleaning them of metadata on the
 * cleaner's threads (intake/clean.h). Shared by the report (intake/web.c)
 * and the reporter's messages (intake/status.c); runs on the loop, the
 * cleaning itself on the threads. */
#ifndef HOTLINE_INTAKE_UPLOADS_H
#define HOTLINE_INTAKE_UPLOADS_H

#include <stddef.h>

#include "intake/clean.h"
#include "intake/webstate.h"

struct form;
struct keep_set;
struct request;

/* Bytes of the memory cap a report's registration holds: its files'
 * ciphertext, and libpq's copy of it while it is sent. */
size_t uploads_need(const struct form *f);
/* The files kept from earlier tries: their ciphertext, on top of the
 * form's (kept may be NULL). */
size_t uploads_kept_need(const struct keep_set *kept);

/* Gives back what a set of kept files holds of the memory cap and frees
 * it (s may be NULL). */
void uploads_kept_release(struct web *w, struct keep_set *s);

/* What cleaning did to one file of a form (intake/clean.h): the cleaned
 * bytes when state is CLEAN_DONE, else the file is the spool's. */
struct cleaned_file {
	enum clean_state state;
	unsigned char *data;
	size_t len;
};
typedef void (*cleaned_file_fn)(struct request *req, const struct cleaned_file *cleaned, void *arg);

/* Cleans the form's files of metadata on the cleaner's threads (the form
 * and the files kept from its earlier tries, req->kept, leave req
 * meanwhile, req->budget_need with them), then on the loop gives them back
 * and calls then(req, cleaned, arg), one per file (the kept ones first,
 * then the form's), freed after it returns; cleaned NULL when cleaning is
 * off or there are no files (called at once: every file is "kept"). If
 * req was answered meanwhile (timeout, shutdown) gone(arg) is called
 * instead (gone may be NULL). After then(), a req with its answer and no
 * ticket is resumed. */
void uploads_clean(struct request *req, cleaned_file_fn then, void (*gone)(void *arg), void *arg);

#endif
