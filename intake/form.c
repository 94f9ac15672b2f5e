#include "intake/form.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intake/spool.h"
#include "base/utf8.h"

static const char *const field_names[FIELD_COUNT] = {
    [FIELD_LANG] = "lang",
    [FIELD_WHAT] = "what",
    [FIELD_WHEN_WHERE] = "when_where",
    [FIELD_WHO] = "who",
    [FIELD_DIRECTOR] = "director_involved",
    [FIELD_CATEGORY] = "category",
    [FIELD_IDENTITY] = "identity",
    [FIELD_NAME] = "name",
    [FIELD_PHONE] = "phone",
    [FIELD_EMAIL] = "email",
    [FIELD_ADDRESS] = "address",
    [FIELD_RECEIPT] = "receipt",
    [FIELD_MESSAGE] = "message",
    [FIELD_KEPT] = "kept",
};

const char *form_field_name(enum form_field field)
{
	return field_names[field];
}

bool form_dropped(const struct form *f, unsigned i)
{
	return i < FORM_MAX_DROP && (f->drop[i / 8] & (1u << (i % 8)));
}

/* "drop-N", N a decimal below FORM_MAX_DROP without leading zeros: the
 * name alone counts, whatever the value. */
static void note_drop(struct form *f, const char *key)
{
	if (strncmp(key, "drop-", 5) != 0)
		return;
	const char *d = key + 5;
	size_t n = strlen(d);
	if (n == 0 || n > 3 || (n > 1 && d[0] == '0'))
		return;
	unsigned i = 0;
	for (size_t j = 0; j < n; j++) {
		if (d[j] < '0' || d[j] > '9')
			return;
		i = i * 10 + (unsigned)(d[j] - '0');
	}
	if (i < FORM_MAX_DROP)
		f->drop[i / 8] |= (unsigned char)(1u << (i % 8));
}

static void form_over(struct form *f, enum form_status status)
{
	if (f->status == FORM_OK || status == FORM_TOO_LARGE || status == FORM_SPOOL_FULL ||
	    status == FORM_SPOOL_FAILED)
		f->status = status;
}

/* Past these nothing more is taken: the request is refused whole. */
static bool form_stopped(const struct form *f)
{
	return f->status == FORM_TOO_LARGE || f->status == FORM_MALFORMED ||
	       f->status == FORM_SPOOL_FULL || f->status == FORM_SPOOL_FAILED;
}

static void spool_status(struct form *f, enum spool_result r)
{
	if (r == SPOOL_FULL)
		form_over(f, FORM_SPOOL_FULL);
	else if (r == SPOOL_ERROR)
		form_over(f, FORM_SPOOL_FAILED);
}

static void end_file(struct form *f)
{
	if (!f->file_open)
		return;
	f->file_open = false;
	spool_status(f, spool_file_end(f->up));
}

static enum MHD_Result form_iterate(void *cls, enum MHD_ValueKind kind, const char *key,
				    const char *filename, const char *content_type,
				    const char *transfer_encoding, const char *data, uint64_t off,
				    size_t size)
{
	(void)kind;
	(void)transfer_encoding;
	struct form *f = cls;
	if (form_stopped(f) || !key)
		return MHD_YES; /* a part without a name is ignored */
	if (filename) {
		if (strcmp(key, "files") != 0)
			return MHD_YES;
		if (off == 0) {
			end_file(f);
			if (form_stopped(f))
				return MHD_YES;
			if (filename[0] == '\0' && size == 0)
				return MHD_YES; /* an empty file input */
			if (f->nfiles >= f->limits.max_files) {
				form_over(f, FORM_TOO_LARGE);
				return MHD_YES;
			}
			if (!f->up && !(f->up = f->spool ? spool_upload_new(f->spool) : NULL)) {
				form_over(f, FORM_SPOOL_FAILED);
				return MHD_YES;
			}
			struct form_file *files =
			    realloc(f->files, sizeof(*files) * (f->nfiles + 1));
			if (!files)
				abort();
			f->files = files;
			struct form_file *file = &files[f->nfiles++];
			buf_init(&file->name);
			buf_init(&file->type);
			file->len = 0;
			file->index = f->nfiles - 1;
			buf_puts(&file->name, filename);
			buf_puts(&file->type,
				 content_type ? content_type : "application/octet-stream");
			/* the bytes go to the encrypted spool as they come: a
			 * slow upload holds a record, not its size (issue 14) */
			f->file_open = true;
			enum spool_result r = spool_file_begin(f->up);
			if (r != SPOOL_OK) {
				f->file_open = false;
				spool_status(f, r);
				return MHD_YES;
			}
		}
		if (f->nfiles == 0 || !f->file_open)
			return MHD_YES;
		struct form_file *file = &f->files[f->nfiles - 1];
		if (file->len + size > f->limits.max_file) {
			form_over(f, FORM_TOO_LARGE);
			return MHD_YES;
		}
		file->len += size;
		spool_status(f, spool_file_write(f->up, data, size));
		return MHD_YES;
	}
	end_file(f);
	note_drop(f, key);
	for (int i = 0; i < FIELD_COUNT; i++) {
		if (strcmp(key, field_names[i]) != 0)
			continue;
		struct buf *b = &f->fields[i];
		if (off == 0 && b->len > 0)
			buf_wipe(b); /* a repeated field: the last one counts */
		f->seen[i] = true;
		if (b->len + size > f->limits.max_text) {
			size_t room = f->limits.max_text > b->len ? f->limits.max_text - b->len : 0;
			buf_add(b, data, room);
			if (f->status == FORM_OK)
				f->long_field = (enum form_field)i;
			form_over(f, FORM_TEXT_TOO_LONG);
			return MHD_YES;
		}
		buf_add(b, data, size);
		return MHD_YES;
	}
	return MHD_YES; /* unknown fields are ignored */
}

bool form_begin(struct form *f, struct MHD_Connection *conn, const struct form_limits *limits,
		struct spool *spool)
{
	memset(f, 0, sizeof(*f));
	f->limits = *limits;
	f->spool = spool;
	for (int i = 0; i < FIELD_COUNT; i++)
		buf_init(&f->fields[i]);
	const char *type =
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (!type)
		return false;
	if (strncasecmp(type, "application/x-www-form-urlencoded", 33) != 0 &&
	    strncasecmp(type, "multipart/form-data", 19) != 0)
		return false;
	/* The buffer holds a part's headers, never a file: 16 KiB per
	 * connection is plenty, and counts against the memory cap. */
	f->pp = MHD_create_post_processor(conn, 16 * 1024, form_iterate, f);
	return f->pp != NULL;
}

void form_feed(struct form *f, const char *data, size_t size)
{
	f->body_bytes += size;
	if (f->body_bytes > f->limits.max_body)
		form_over(f, FORM_TOO_LARGE);
	if (form_stopped(f) || !f->pp)
		return;
	if (MHD_post_process(f->pp, data, size) != MHD_YES)
		form_over(f, FORM_MALFORMED);
}

enum form_status form_end(struct form *f)
{
	if (f->pp) {
		if (MHD_destroy_post_processor(f->pp) != MHD_YES && f->status == FORM_OK)
			f->status = FORM_MALFORMED;
		f->pp = NULL;
	}
	if (!form_stopped(f))
		end_file(f);
	if (f->status != FORM_OK && f->status != FORM_TEXT_TOO_LONG)
		return f->status;
	for (int i = 0; i < FIELD_COUNT; i++) {
		if (!utf8_valid_text(form_get(f, (enum form_field)i), f->fields[i].len)) {
			f->status = FORM_BAD_ENCODING;
			return f->status;
		}
	}
	for (unsigned i = 0; i < f->nfiles; i++) {
		if (!utf8_valid_text(f->files[i].name.data, f->files[i].name.len) ||
		    !utf8_valid_text(f->files[i].type.data, f->files[i].type.len)) {
			f->status = FORM_BAD_ENCODING;
			return f->status;
		}
	}
	return f->status;
}

const char *form_get(const struct form *f, enum form_field field)
{
	return f->fields[field].data ? f->fields[field].data : "";
}

size_t form_len(const struct form *f, enum form_field field)
{
	return f->fields[field].len;
}

void form_free(struct form *f)
{
	if (f->pp) {
		(void)MHD_destroy_post_processor(f->pp);
		f->pp = NULL;
	}
	for (int i = 0; i < FIELD_COUNT; i++)
		buf_wipe(&f->fields[i]);
	for (unsigned i = 0; i < f->nfiles; i++) {
		buf_wipe(&f->files[i].name);
		buf_wipe(&f->files[i].type);
	}
	spool_upload_free(f->up);
	f->up = NULL;
	f->file_open = false;
	free(f->files);
	f->files = NULL;
	f->nfiles = 0;
}
