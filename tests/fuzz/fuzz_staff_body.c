/* libFuzzer harness: the staff pages' request arguments, web/body.c (the
 * query string and the form body, urlencoded or multipart, any field name),
 * behind a real libmicrohttpd daemon (its post processor and its query
 * parsing need a real connection).
 *
 * One MHD daemon with its own polling thread listens on 127.0.0.1, port 0,
 * for the whole run. Each input becomes one request over a fresh loopback
 * connection:
 *   byte 0      bits 0-1: the Content-Type: 0 urlencoded; 1 multipart with
 *               a fixed boundary; 2 multipart whose boundary is the input
 *               up to the first '\n'; 3 a Content-Type that is the input up
 *               to the first '\n' (garbage, or a type with parameters);
 *               bit 2: a query string, the input up to the next '\n';
 *               bit 3: the body sent chunked (no Content-Length, so only
 *               the byte count stops an oversized body);
 *               bit 4: GET instead of POST
 *   byte 1      the size of the pieces handed to staff_body_feed() (1..256)
 *               and of the chunks, so that part boundaries fall anywhere
 *   the rest    the body.
 * The access handler runs staff_body_begin/feed/end as web/server.c does
 * (a refusal before the body is answered at once), checks the invariants
 * below, and answers. The harness waits for the answer before taking the
 * next input, so one request is in flight at a time and the state below is
 * shared without a lock. staff_body_free() runs in the completion callback;
 * LeakSanitizer reports anything it leaves. FUZZ_STAFF_BODY_VERBOSE=1 prints
 * each answer's status line and, at exit, the count of each outcome. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "intake/spool.h"
#include "base/utf8.h"
#include "web/body.h"
#include "tests/fuzz/loopback.h"

/* Small, so that every limit is reached within libFuzzer's default
 * 4096-byte inputs: 1,001 fields ("a&a&...") fit in max_body. */
static struct staff_body_limits limits = {
    .max_body = 3000,
    .max_text = 256,
    .max_file = 1024,
    .max_files = 2,
};

/* odd inputs keep their files in memory, even ones spool them (set per
 * input); the spool lives in a fresh directory */
static struct spool *spool;
static char spool_dir[] = "/tmp/fuzz_staff_body_spool.XXXXXX";

static struct MHD_Daemon *daemon_mhd;
static uint16_t port;
static size_t feed_piece = 1; /* set per input, read by the handler */
static bool expect_post;      /* set per input */
static size_t sent_body;      /* the body bytes of this input */
static unsigned outcomes[5 + 6];

struct request {
	struct staff_body body;
	enum staff_body_start start;
	bool refused;
};

static void check(const struct request *req, enum staff_body_status st)
{
	const struct staff_body *b = &req->body;
	/* Always, whatever the status: nothing kept is past a limit. */
	if (b->nfields > STAFF_BODY_MAX_FIELDS)
		abort();
	if (b->nuploads > limits.max_files)
		abort();
	bool seen_body = false;
	for (unsigned i = 0; i < b->nfields; i++) {
		const struct staff_body_field *f = &b->fields[i];
		if (!f->name || !f->value.data || f->value.len > limits.max_text)
			abort();
		if (f->value.data[f->value.len] != '\0')
			abort();
		/* the query is read before the body */
		if (f->query && seen_body)
			abort();
		seen_body |= !f->query;
	}
	if (!expect_post && seen_body)
		abort();
	for (unsigned i = 0; i < b->nuploads; i++) {
		const struct staff_body_upload *u = &b->uploads[i];
		if (!u->field || !u->name.data || !u->type.data || !u->data.data)
			abort();
		if (u->len > limits.max_file)
			abort();
		if (u->spool_index < 0) {
			if (u->len != u->data.len)
				abort();
		} else if (st == STAFF_BODY_OK) {
			/* every file taken reads back whole from the spool */
			static unsigned char back[1024 + 1];
			struct spool_reader r;
			spool_reader_init(&r, b->up, (unsigned)u->spool_index);
			if (u->data.len != 0 ||
			    spool_file_size(b->up, (unsigned)u->spool_index) != u->len ||
			    !spool_read(&r, back, u->len))
				abort();
		}
	}
	if (!expect_post && b->nuploads)
		abort();
	/* The status agrees with the limits. */
	if (b->body_bytes > limits.max_body && st != STAFF_BODY_TOO_LARGE)
		abort();
	/* Every byte sent was counted (MHD hands the whole body over before
	 * the final call). */
	if (b->body_bytes != sent_body)
		abort();
	if (st != STAFF_BODY_OK)
		return;
	/* Accepted: NUL-free valid UTF-8 text everywhere a page reads text. */
	for (unsigned i = 0; i < b->nfields; i++) {
		const struct staff_body_field *f = &b->fields[i];
		if (strlen(f->value.data) != f->value.len ||
		    !utf8_valid_text(f->value.data, f->value.len))
			abort();
		if (i >= 64)
			continue; /* the look-ups below are quadratic: the first ones */
		/* the look-ups find it: a body field before any query one */
		const struct staff_body_field *g = staff_body_find(b, f->name);
		if (!g || strcmp(g->name, f->name) != 0 || (!f->query && g->query))
			abort();
		unsigned n = staff_body_values(b, f->name, NULL);
		if (n == 0 || n > b->nfields)
			abort();
		const char **vals = calloc(n, sizeof(*vals));
		if (!vals || staff_body_values(b, f->name, vals) != n)
			abort();
		if (vals[0] != g->value.data)
			abort();
		free(vals);
		if (f->query && !staff_body_in_query(b, f->name))
			abort();
	}
	for (unsigned i = 0; i < b->nuploads; i++) {
		const struct staff_body_upload *u = &b->uploads[i];
		if (!utf8_valid_text(u->name.data, u->name.len) ||
		    !utf8_valid_text(u->type.data, u->type.len))
			abort();
	}
	unsigned n;
	if (staff_body_uploads(b, &n) != b->uploads || n != b->nuploads)
		abort();
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url,
			       const char *method, const char *version, const char *upload_data,
			       size_t *upload_data_size, void **con_cls)
{
	(void)cls;
	(void)url;
	(void)version;
	struct request *req = *con_cls;
	if (!req) {
		req = calloc(1, sizeof(*req));
		if (!req)
			abort();
		*con_cls = req;
		bool is_post = strcmp(method, "POST") == 0;
		if (is_post != expect_post)
			abort();
		req->start = staff_body_begin(&req->body, conn, &limits, is_post);
		outcomes[req->start]++;
		switch (req->start) {
		case STAFF_BODY_NONE:
		case STAFF_BODY_FORM:
			return MHD_YES;
		case STAFF_BODY_REFUSE_SIZE:
			req->refused = true;
			return loopback_answer(conn, MHD_HTTP_CONTENT_TOO_LARGE);
		case STAFF_BODY_REFUSE_TYPE:
			req->refused = true;
			return loopback_answer(conn, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE);
		case STAFF_BODY_REFUSE_FORM:
			req->refused = true;
			return loopback_answer(conn, MHD_HTTP_BAD_REQUEST);
		}
		abort();
	}
	if (*upload_data_size) {
		if (!req->refused) {
			for (size_t off = 0; off < *upload_data_size; off += feed_piece) {
				size_t n = *upload_data_size - off;
				staff_body_feed(&req->body, upload_data + off,
						n < feed_piece ? n : feed_piece);
			}
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (req->refused)
		return MHD_YES;
	enum staff_body_status st = staff_body_end(&req->body);
	outcomes[5 + st]++;
	check(req, st);
	return loopback_answer(conn, st == STAFF_BODY_OK ? MHD_HTTP_OK : MHD_HTTP_BAD_REQUEST);
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	struct request *req = *con_cls;
	if (!req)
		return;
	staff_body_free(&req->body);
	if (spool_files(spool) != 0 || spool_used(spool) != 0)
		abort(); /* the spool is left empty by every request */
	if (req->body.fields || req->body.uploads || req->body.pp)
		abort();
	free(req);
	*con_cls = NULL;
}

static void stop_daemon(void)
{
	if (getenv("FUZZ_STAFF_BODY_VERBOSE"))
		fprintf(stderr,
			"fuzz_staff_body: begin none %u form %u 413 %u 415 %u 400 %u; "
			"end ok %u too-large %u bad-utf8 %u malformed %u\n",
			outcomes[0], outcomes[1], outcomes[2], outcomes[3], outcomes[4],
			outcomes[5], outcomes[6], outcomes[7], outcomes[8]);
	if (daemon_mhd)
		MHD_stop_daemon(daemon_mhd);
	daemon_mhd = NULL;
	spool_close(spool);
	spool = NULL;
	rmdir(spool_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	char err[256];
	if (sodium_init() < 0 || !mkdtemp(spool_dir) ||
	    !(spool = spool_open(spool_dir, 1 << 20, err, sizeof(err))))
		abort();
	/* as base/http.c: a smaller pool gives up on long query strings
	 * before the handler sees them */
	daemon_mhd =
	    loopback_start("fuzz_staff_body", handler, completed, 1, (size_t)(64 * 1024), &port);
	atexit(stop_daemon);
	return 0;
}

/* A request target cannot hold spaces or controls either. */
static void query_value(char *out, size_t outlen, const uint8_t *s, size_t n)
{
	if (n >= outlen)
		n = outlen - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = (s[i] <= ' ' || s[i] == 0x7f || s[i] == '#') ? '_' : (char)s[i];
	out[n] = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	unsigned mode = data[0] & 3;
	bool with_query = data[0] & 4, chunked = data[0] & 8;
	expect_post = !(data[0] & 16);
	feed_piece = (size_t)data[1] + 1;
	limits.spool = size % 2 ? NULL : spool;
	const uint8_t *body = data + 2;
	size_t blen = size - 2;

	char ctype[256];
	loopback_content_type(ctype, sizeof ctype, mode, &body, &blen);
	const uint8_t *line;
	size_t llen;
	char query[1200] = "";
	if (with_query && (line = loopback_take_line(&body, &blen, &llen)) != NULL) {
		query[0] = '?';
		query_value(query + 1, sizeof query - 1, line, llen);
	}

	char head[2048];
	int hl;
	if (chunked)
		hl = snprintf(head, sizeof head,
			      "%s /staff/x%s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\n"
			      "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
			      expect_post ? "POST" : "GET", query, ctype);
	else
		hl = snprintf(head, sizeof head,
			      "%s /staff/x%s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\n"
			      "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			      expect_post ? "POST" : "GET", query, ctype, blen);
	if (hl < 0 || (size_t)hl >= sizeof head)
		abort();
	sent_body = blen;

	int fd = loopback_connect("fuzz_staff_body", port);
	/* MHD may answer (and close) before the body is all sent: a failed
	 * send is not an error, the answer is read all the same. */
	bool ok = loopback_send_all(fd, head, (size_t)hl);
	if (ok && !chunked) {
		(void)loopback_send_all(fd, (const char *)body, blen);
	} else if (ok) {
		for (size_t off = 0; ok && off < blen; off += feed_piece) {
			size_t n = blen - off < feed_piece ? blen - off : feed_piece;
			char size_line[32];
			int sl = snprintf(size_line, sizeof size_line, "%zx\r\n", n);
			ok = loopback_send_all(fd, size_line, (size_t)sl) &&
			     loopback_send_all(fd, (const char *)body + off, n) &&
			     loopback_send_all(fd, "\r\n", 2);
		}
		if (ok)
			(void)loopback_send_all(fd, "0\r\n\r\n", 5);
	}
	char resp[1024];
	loopback_read_answer(fd, resp, sizeof resp);
	if (getenv("FUZZ_STAFF_BODY_VERBOSE"))
		fprintf(stderr, "fuzz_staff_body: %.*s\n", (int)strcspn(resp, "\r"),
			resp[0] ? resp : "no answer");
	return 0;
}
