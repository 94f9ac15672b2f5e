/* The staff pages' request arguments: the query string and the form body
 * (urlencoded or multipart, through MHD's post processor), within limits.
 * Unlike intake/form.c it takes any field name, keeps repeated fields
 * (checkboxes) in order, and keeps every file input with its field name.
 * This code sees hostile input and holds no key; tests/fuzz/fuzz_staff_body.c
 * fuzzes it behind a real libmicrohttpd daemon.
 *
 * Use: staff_body_begin() on the first call of a request (it reads the
 * query arguments and, for a POST, checks Content-Length and Content-Type
 * and starts the post processor), staff_body_feed() for each piece of the
 * body, staff_body_end() once it is complete, then the look-ups; finally
 * staff_body_free(). */
#ifndef HOTLINE_WEB_BODY_H
#define HOTLINE_WEB_BODY_H

#include <stdbool.h>
#include <stddef.h>

#include <microhttpd.h>

#include "base/buf.h"

struct spool;
struct spool_upload;

/* Fields (query and body together) past this many are refused. */
#define STAFF_BODY_MAX_FIELDS 1000

struct staff_body_limits {
	size_t max_body; /* body bytes */
	size_t max_text; /* bytes of one field's value */
	size_t max_file; /* bytes of one uploaded file */
	unsigned max_files;
	/* The upload spool files go to (intake/spool.h), or NULL: held in
	 * data. */
	struct spool *spool;
};

enum staff_body_status {
	STAFF_BODY_OK,
	STAFF_BODY_TOO_LARGE,	 /* body, a value, a file, the files or fields over the limits */
	STAFF_BODY_BAD_ENCODING, /* a value, file name or file type is not valid UTF-8 text */
	STAFF_BODY_MALFORMED,	 /* the post processor gave up */
	STAFF_BODY_SPOOL_FULL,	 /* the upload spool's cap or the disk: 503 */
	STAFF_BODY_SPOOL_FAILED, /* the upload spool could not be written: 503 */
};

/* What staff_body_begin() says before any body byte. */
enum staff_body_start {
	STAFF_BODY_NONE,	/* not a POST, or a POST without Content-Type: no body taken */
	STAFF_BODY_FORM,	/* a form body is expected: feed it */
	STAFF_BODY_REFUSE_SIZE, /* Content-Length over max_body (413) */
	STAFF_BODY_REFUSE_TYPE, /* not a form encoding (415) */
	STAFF_BODY_REFUSE_FORM, /* the post processor refused the headers (400) */
};

struct staff_body_field {
	char *name;
	struct buf value; /* NUL-terminated, never NULL data */
	bool query;	  /* from the URL, not the body */
};

struct staff_body_upload {
	char *field;		     /* the form field's name */
	struct buf name, type, data; /* NUL-terminated, never NULL data */
	size_t len;		     /* the file's bytes: in data, or on the spool */
	int spool_index;	     /* its file in the body's spool, or -1: in data */
};

struct staff_body {
	struct staff_body_limits limits;
	struct MHD_PostProcessor *pp;
	size_t body_bytes;
	enum staff_body_status status;
	struct staff_body_field *fields; /* in arrival order, query first */
	unsigned nfields, capfields;
	struct staff_body_upload *uploads;
	unsigned nuploads;
	struct spool_upload *up; /* with limits.spool: the files, encrypted */
	bool file_open;
};

/* Sets up b (any previous content is not freed), reads the query
 * arguments, and for a POST checks the headers and starts the post
 * processor. A query value over max_text sets STAFF_BODY_TOO_LARGE, which
 * staff_body_end() reports. */
enum staff_body_start staff_body_begin(struct staff_body *b, struct MHD_Connection *conn,
				       const struct staff_body_limits *limits, bool is_post);
/* A piece of the body; past the limits it only counts. */
void staff_body_feed(struct staff_body *b, const char *data, size_t size);
/* Once the body is complete (or there was none): checks UTF-8, settles
 * the status. */
enum staff_body_status staff_body_end(struct staff_body *b);

/* The body field of that name, else the first query argument of that name,
 * else NULL. */
const struct staff_body_field *staff_body_find(const struct staff_body *b, const char *name);
/* Every value of the name, from the body if it has the name, else from the
 * query, in order, into out (when not NULL); returns their count. */
unsigned staff_body_values(const struct staff_body *b, const char *name, const char **out);
/* True when the query string has an argument of that name. */
bool staff_body_in_query(const struct staff_body *b, const char *name);
const struct staff_body_upload *staff_body_uploads(const struct staff_body *b, unsigned *n);

/* Wipes and frees everything received. Safe on a zeroed struct. */
void staff_body_free(struct staff_body *b);

#endif
