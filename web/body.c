#include "web/body.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intake/spool.h"
#include "base/utf8.h"

static struct staff_body_field *field_add(struct staff_body *b, const char *name, bool query)
{
	if (b->nfields >= STAFF_BODY_MAX_FIELDS)
		return NULL;
	if (b->nfields == b->capfields) {
		unsigned cap = b->capfields ? b->capfields * 2 : 16;
		struct staff_body_field *f = realloc(b->fields, cap * sizeof(*f));
		if (!f)
			abort();
		b->fields = f;
		b->capfields = cap;
	}
	struct staff_body_field *f = &b->fields[b->nfields++];
	f->name = strdup(name);
	if (!f->name)
		abort();
	buf_init(&f->value);
	buf_add(&f->value, "", 0);
	f->query = query;
	return f;
}

/* TOO_LARGE wins over any other failure; otherwise the first one stays. */
static void over(struct staff_body *b, enum staff_body_status st)
{
	if (b->status == STAFF_BODY_OK || st == STAFF_BODY_TOO_LARGE)
		b->status = st;
}

static bool stopped(const struct staff_body *b)
{
	return b->status == STAFF_BODY_TOO_LARGE || b->status == STAFF_BODY_SPOOL_FULL ||
	       b->status == STAFF_BODY_SPOOL_FAILED;
}

static void spool_status(struct staff_body *b, enum spool_result r)
{
	if (r == SPOOL_FULL)
		over(b, STAFF_BODY_SPOOL_FULL);
	else if (r == SPOOL_ERROR)
		over(b, STAFF_BODY_SPOOL_FAILED);
}

static void end_file(struct staff_body *b)
{
	if (!b->file_open)
		return;
	b->file_open = false;
	spool_status(b, spool_file_end(b->up));
}

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *filename, const char *content_type,
			       const char *transfer_encoding, const char *data, uint64_t off,
			       size_t size)
{
	(void)kind;
	(void)transfer_encoding;
	struct staff_body *b = cls;
	if (stopped(b) || !key)
		return MHD_YES;
	if (filename) {
		if (off == 0) {
			end_file(b);
			if (stopped(b))
				return MHD_YES;
			if (filename[0] == '\0' && size == 0)
				return MHD_YES; /* an empty file input */
			if (b->nuploads >= b->limits.max_files) {
				over(b, STAFF_BODY_TOO_LARGE);
				return MHD_YES;
			}
			struct staff_body_upload *u =
			    realloc(b->uploads, sizeof(*u) * (b->nuploads + 1));
			if (!u)
				abort();
			b->uploads = u;
			u = &b->uploads[b->nuploads++];
			u->field = strdup(key);
			if (!u->field)
				abort();
			buf_init(&u->name);
			buf_init(&u->type);
			buf_init(&u->data);
			buf_puts(&u->name, filename);
			buf_puts(&u->type,
				 content_type ? content_type : "application/octet-stream");
			buf_add(&u->data, "", 0);
			u->len = 0;
			u->spool_index = -1;
			if (b->limits.spool) {
				/* to the encrypted spool as it comes (issue 14) */
				if (!b->up && !(b->up = spool_upload_new(b->limits.spool))) {
					over(b, STAFF_BODY_SPOOL_FAILED);
					return MHD_YES;
				}
				u->spool_index = (int)spool_upload_files(b->up);
				spool_status(b, spool_file_begin(b->up));
				b->file_open = !stopped(b);
			}
		}
		if (b->nuploads == 0)
			return MHD_YES;
		struct staff_body_upload *u = &b->uploads[b->nuploads - 1];
		if (u->len + size > b->limits.max_file) {
			over(b, STAFF_BODY_TOO_LARGE);
			return MHD_YES;
		}
		u->len += size;
		if (u->spool_index >= 0)
			spool_status(b, spool_file_write(b->up, data, size));
		else
			buf_add(&u->data, data, size);
		return MHD_YES;
	}
	end_file(b);
	struct staff_body_field *f = NULL;
	if (off > 0 && b->nfields && strcmp(b->fields[b->nfields - 1].name, key) == 0)
		f = &b->fields[b->nfields - 1];
	else
		f = field_add(b, key, false);
	if (!f) {
		over(b, STAFF_BODY_TOO_LARGE);
		return MHD_YES;
	}
	if (f->value.len + size > b->limits.max_text) {
		over(b, STAFF_BODY_TOO_LARGE);
		return MHD_YES;
	}
	buf_add(&f->value, data, size);
	return MHD_YES;
}

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	(void)kind;
	struct staff_body *b = cls;
	if (!key)
		return MHD_YES;
	struct staff_body_field *f = field_add(b, key, true);
	if (!f)
		return MHD_NO;
	if (value) {
		size_t len = strlen(value);
		if (len > b->limits.max_text) {
			over(b, STAFF_BODY_TOO_LARGE);
			return MHD_NO;
		}
		buf_add(&f->value, value, len);
	}
	return MHD_YES;
}

enum staff_body_start staff_body_begin(struct staff_body *b, struct MHD_Connection *conn,
				       const struct staff_body_limits *limits, bool is_post)
{
	memset(b, 0, sizeof(*b));
	b->limits = *limits;
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_query, b);
	if (!is_post)
		return STAFF_BODY_NONE;
	const char *cl =
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl) {
		char *end;
		unsigned long long n = strtoull(cl, &end, 10);
		if (*end == '\0' && n > b->limits.max_body)
			return STAFF_BODY_REFUSE_SIZE;
	}
	const char *type =
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (!type)
		return STAFF_BODY_NONE; /* no body expected; any body is only counted */
	if (strncasecmp(type, "application/x-www-form-urlencoded", 33) != 0 &&
	    strncasecmp(type, "multipart/form-data", 19) != 0)
		return STAFF_BODY_REFUSE_TYPE;
	b->pp = MHD_create_post_processor(conn, 64 * 1024, collect, b);
	return b->pp ? STAFF_BODY_FORM : STAFF_BODY_REFUSE_FORM;
}

void staff_body_feed(struct staff_body *b, const char *data, size_t size)
{
	b->body_bytes += size;
	if (b->body_bytes > b->limits.max_body)
		over(b, STAFF_BODY_TOO_LARGE);
	if (b->status != STAFF_BODY_OK || !b->pp)
		return;
	if (MHD_post_process(b->pp, data, size) != MHD_YES)
		over(b, STAFF_BODY_MALFORMED);
}

enum staff_body_status staff_body_end(struct staff_body *b)
{
	if (b->pp) {
		if (MHD_destroy_post_processor(b->pp) != MHD_YES)
			over(b, STAFF_BODY_MALFORMED);
		b->pp = NULL;
	}
	if (!stopped(b))
		end_file(b);
	if (b->status == STAFF_BODY_OK) {
		for (unsigned i = 0; i < b->nfields; i++) {
			if (!utf8_valid_text(b->fields[i].value.data, b->fields[i].value.len))
				over(b, STAFF_BODY_BAD_ENCODING);
		}
		for (unsigned i = 0; i < b->nuploads; i++) {
			if (!utf8_valid_text(b->uploads[i].name.data, b->uploads[i].name.len) ||
			    !utf8_valid_text(b->uploads[i].type.data, b->uploads[i].type.len))
				over(b, STAFF_BODY_BAD_ENCODING);
		}
	}
	return b->status;
}

const struct staff_body_field *staff_body_find(const struct staff_body *b, const char *name)
{
	const struct staff_body_field *query = NULL;
	for (unsigned i = 0; i < b->nfields; i++) {
		if (strcmp(b->fields[i].name, name) != 0)
			continue;
		if (!b->fields[i].query)
			return &b->fields[i];
		if (!query)
			query = &b->fields[i];
	}
	return query;
}

unsigned staff_body_values(const struct staff_body *b, const char *name, const char **out)
{
	bool body = false;
	for (unsigned i = 0; i < b->nfields; i++)
		body |= !b->fields[i].query && strcmp(b->fields[i].name, name) == 0;
	unsigned k = 0;
	for (unsigned i = 0; i < b->nfields; i++) {
		if (b->fields[i].query != body && strcmp(b->fields[i].name, name) == 0) {
			if (out)
				out[k] = b->fields[i].value.data;
			k++;
		}
	}
	return k;
}

bool staff_body_in_query(const struct staff_body *b, const char *name)
{
	for (unsigned i = 0; i < b->nfields; i++) {
		if (b->fields[i].query && strcmp(b->fields[i].name, name) == 0)
			return true;
	}
	return false;
}

const struct staff_body_upload *staff_body_uploads(const struct staff_body *b, unsigned *n)
{
	*n = b->nuploads;
	return b->uploads;
}

void staff_body_free(struct staff_body *b)
{
	if (b->pp)
		(void)MHD_destroy_post_processor(b->pp);
	b->pp = NULL;
	for (unsigned i = 0; i < b->nfields; i++) {
		free(b->fields[i].name);
		buf_wipe(&b->fields[i].value);
	}
	free(b->fields);
	b->fields = NULL;
	b->nfields = b->capfields = 0;
	for (unsigned i = 0; i < b->nuploads; i++) {
		free(b->uploads[i].field);
		buf_wipe(&b->uploads[i].name);
		buf_wipe(&b->uploads[i].type);
		buf_wipe(&b->uploads[i].data);
	}
	spool_upload_free(b->up);
	b->up = NULL;
	b->file_open = false;
	free(b->uploads);
	b->uploads = NULL;
	b->nuploads = 0;
}
