/* Collects a submitted form (urlencoded or multipart) through MHD's post
 * processor, within limits. This code sees hostile input and holds no key. */
#ifndef HOTLINE_INTAKE_FORM_H
#define HOTLINE_INTAKE_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include <microhttpd.h>

#include "base/attr.h"
#include "base/buf.h"

enum form_field {
	FIELD_LANG,
	FIELD_WHAT,
	FIELD_WHEN_WHERE,
	FIELD_WHO,
	FIELD_DIRECTOR,
	FIELD_CATEGORY,
	FIELD_IDENTITY,
	FIELD_NAME,
	FIELD_PHONE,
	FIELD_EMAIL,
	FIELD_ADDRESS,
	FIELD_RECEIPT,
	FIELD_MESSAGE,
	FIELD_KEPT, /* the token of files kept from a returned form (intake/keep.h) */
	FIELD_COUNT
};

struct form_limits {
	size_t max_body;
	size_t max_text;
	size_t max_file;
	unsigned max_files;
};

/* A file's name and type are in memory; its bytes are in the request's
 * spool (intake/spool.h), file number index there. */
struct form_file {
	struct buf name;
	struct buf type;
	size_t len;
	unsigned index;
};

enum form_status {
	FORM_OK,
	FORM_TOO_LARGE,	    /* body, a file or the number of files over the limits */
	FORM_TEXT_TOO_LONG, /* a text field over max_text (see long_field) */
	FORM_BAD_ENCODING,  /* a text field or file name is not valid UTF-8 text */
	FORM_MALFORMED,	    /* the post processor gave up */
	FORM_SPOOL_FULL,    /* the upload spool's cap (or the disk) is reached: 503, try later */
	FORM_SPOOL_FAILED,  /* the spool could not be written */
};

struct spool;
struct spool_upload;

/* Kept files a form can remove (max_files is at most 100). */
#define FORM_MAX_DROP 128

struct form {
	struct form_limits limits;
	struct spool *spool;
	struct spool_upload *up; /* the files' spool, made at the first file */
	bool file_open;		 /* the last file is still being written */
	struct MHD_PostProcessor *pp;
	struct buf fields[FIELD_COUNT];
	bool seen[FIELD_COUNT];
	struct form_file *files;
	unsigned nfiles;
	size_t body_bytes;
	enum form_status status;
	enum form_field long_field;
	/* checkboxes "drop-N": kept file N removed by the reporter */
	unsigned char drop[(FORM_MAX_DROP + 7) / 8];
};

/* False when the request's content type is not a form we take (415). */
bool form_begin(struct form *f, struct MHD_Connection *conn, const struct form_limits *limits,
		struct spool *spool) MUST_CHECK;
/* Feeds a piece of the body; past the limits it only counts. */
void form_feed(struct form *f, const char *data, size_t size);
/* Call once the body is complete: checks UTF-8, settles status. */
enum form_status form_end(struct form *f);

/* The field's text ("" when absent). */
const char *form_get(const struct form *f, enum form_field field);
size_t form_len(const struct form *f, enum form_field field);
const char *form_field_name(enum form_field field);
/* Whether the box "drop-i" was sent. */
bool form_dropped(const struct form *f, unsigned i);

/* Wipes everything that was received and deletes its spool files. Safe on
 * a zeroed struct. */
void form_free(struct form *f);

#endif
