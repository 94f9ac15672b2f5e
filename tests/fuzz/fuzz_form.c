/* libFuzzer harness: the form body parser, intake/form.c, behind a real
 * libmicrohttpd daemon (its post processor needs a real connection).
 *
 * One MHD daemon with its own polling thread listens on 127.0.0.1, port 0,
 * for the whole run. Each input becomes one POST over a fresh loopback
 * connection:
 *   byte 0 % 4  the Content-Type: 0 urlencoded; 1 multipart with a fixed
 *               boundary; 2 multipart whose boundary is the input up to
 *               the first '\n'; 3 a Content-Type that is the input up to
 *               the first '\n' (garbage, or a type with parameters)
 *   byte 1      the size of the pieces handed to form_feed() (1..256), so
 *               that part boundaries fall anywhere
 *   the rest    the body, sent with its Content-Length.
 * The access handler feeds it to form_begin/form_feed/form_end/form_free
 * with small limits, checks what form_end() settles, and answers 200.
 * The harness waits for the answer before taking the next input, so one
 * request is in flight at a time and the handler state below is shared
 * without a lock. FUZZ_FORM_VERBOSE=1 prints each answer's status line and,
 * at exit, how many requests reached the handler. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "intake/form.h"
#include "intake/spool.h"
#include "base/utf8.h"
#include "tests/fuzz/loopback.h"

static const struct form_limits limits = {
    .max_body = 8 * 1024,
    .max_text = 512,
    .max_file = 1024,
    .max_files = 2,
};

static struct MHD_Daemon *daemon_mhd;
static uint16_t port;
static struct spool *spool; /* in a fresh directory, for the files */
static char spool_dir[] = "/tmp/fuzz_form_spool.XXXXXX";
static size_t feed_piece = 1; /* set per input, read by the handler */
static unsigned handled;      /* requests that reached the handler */

struct request {
	struct form form;
	bool began;
};

static void check_form(const struct form *f, enum form_status st)
{
	if (st == FORM_OK || st == FORM_TEXT_TOO_LONG) {
		/* Accepted text is within the limits and is valid UTF-8. */
		for (int i = 0; i < FIELD_COUNT; i++) {
			size_t len = form_len(f, (enum form_field)i);
			if (len > f->limits.max_text)
				abort();
			const char *s = form_get(f, (enum form_field)i);
			if (strlen(s) != len || !utf8_valid_text(s, len))
				abort();
		}
		if (f->nfiles > f->limits.max_files)
			abort();
		for (unsigned i = 0; i < f->nfiles; i++) {
			if (f->files[i].len > f->limits.max_file)
				abort();
			/* every file taken reads back whole from the spool */
			static unsigned char back[1024 + 1];
			struct spool_reader r;
			spool_reader_init(&r, f->up, f->files[i].index);
			if (spool_file_size(f->up, f->files[i].index) != f->files[i].len ||
			    !spool_read(&r, back, f->files[i].len))
				abort();
		}
	}
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url,
			       const char *method, const char *version, const char *upload_data,
			       size_t *upload_data_size, void **con_cls)
{
	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	struct request *req = *con_cls;
	if (!req) {
		req = calloc(1, sizeof(*req));
		if (!req)
			abort();
		*con_cls = req;
		handled++;
		req->began = form_begin(&req->form, conn, &limits, spool);
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (req->began) {
			for (size_t off = 0; off < *upload_data_size; off += feed_piece) {
				size_t n = *upload_data_size - off;
				form_feed(&req->form, upload_data + off,
					  n < feed_piece ? n : feed_piece);
			}
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (!req->began)
		return loopback_answer(conn, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE);
	enum form_status st = form_end(&req->form);
	check_form(&req->form, st);
	return loopback_answer(conn, st == FORM_OK ? MHD_HTTP_OK : MHD_HTTP_BAD_REQUEST);
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
	form_free(&req->form);
	free(req);
	*con_cls = NULL;
	/* the spool is left empty by every request */
	if (spool_files(spool) != 0 || spool_used(spool) != 0)
		abort();
}

static void stop_daemon(void)
{
	if (getenv("FUZZ_FORM_VERBOSE"))
		fprintf(stderr, "fuzz_form: %u requests reached the handler\n", handled);
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
	    !(spool = spool_open(spool_dir, 64 * 1024 * 1024, err, sizeof(err))))
		abort();
	daemon_mhd = loopback_start("fuzz_form", handler, completed, 3, 0, &port);
	atexit(stop_daemon);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	unsigned mode = data[0] % 4;
	feed_piece = (size_t)data[1] + 1;
	const uint8_t *body = data + 2;
	size_t blen = size - 2;

	char ctype[256];
	loopback_content_type(ctype, sizeof ctype, mode, &body, &blen);

	char head[512];
	int hl = snprintf(head, sizeof head,
			  "POST /report HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\n"
			  "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			  ctype, blen);
	if (hl < 0 || (size_t)hl >= sizeof head)
		abort();

	int fd = loopback_connect("fuzz_form", port);
	/* MHD may answer (and close) before the body is all sent: a failed
	 * send is not an error, the answer is read all the same. */
	if (loopback_send_all(fd, head, (size_t)hl))
		(void)loopback_send_all(fd, (const char *)body, blen);
	char resp[1024];
	loopback_read_answer(fd, resp, sizeof resp);
	if (getenv("FUZZ_FORM_VERBOSE"))
		fprintf(stderr, "fuzz_form: %.*s\n", (int)strcspn(resp, "\r"),
			resp[0] ? resp : "no answer");
	return 0;
}
