/* What the harnesses that fuzz a request-body parser behind a real
 * libmicrohttpd daemon share (fuzz_form.c, fuzz_staff_body.c): the daemon
 * on 127.0.0.1 with its own polling thread, an empty answer, the request's
 * Content-Type as the input chooses it, and the client side that sends one
 * raw request over a fresh connection and reads the answer until the
 * daemon closes it. Header-only: each harness is one
 * program (tools/fuzz.sh). Every failure of the plumbing aborts, naming
 * the harness: it is not a finding. */
#ifndef HOTLINE_TESTS_FUZZ_LOOPBACK_H
#define HOTLINE_TESTS_FUZZ_LOOPBACK_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

static struct sockaddr_in loopback_addr(uint16_t port)
{
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sa;
}

/* Starts the daemon on an unused port (*port). memory_limit 0: MHD's
 * default per-connection pool. */
static struct MHD_Daemon *loopback_start(const char *who, MHD_AccessHandlerCallback handler,
					 MHD_RequestCompletedCallback completed,
					 unsigned timeout_seconds, size_t memory_limit,
					 uint16_t *port)
{
	struct sockaddr_in sa = loopback_addr(0);
	struct MHD_Daemon *d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, handler, NULL, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
	    MHD_OPTION_CONNECTION_TIMEOUT, timeout_seconds, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    memory_limit ? memory_limit : (size_t)(32 * 1024), MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "%s: MHD_start_daemon failed\n", who);
		abort();
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (!info || info->port == 0) {
		fprintf(stderr, "%s: no port\n", who);
		abort();
	}
	*port = info->port;
	return d;
}

/* An empty answer with that status. */
static enum MHD_Result loopback_answer(struct MHD_Connection *conn, unsigned status)
{
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (!r)
		abort();
	enum MHD_Result ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* A header value cannot hold CR, LF or NUL: they become '_'. */
static void loopback_header_value(char *out, size_t outlen, const uint8_t *s, size_t n)
{
	if (n >= outlen)
		n = outlen - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = (s[i] == '\r' || s[i] == '\n' || s[i] == '\0') ? '_' : (char)s[i];
	out[n] = '\0';
}

/* The input up to its first '\n' (taken off the input), or NULL. */
static const uint8_t *loopback_take_line(const uint8_t **p, size_t *n, size_t *len)
{
	const uint8_t *nl = memchr(*p, '\n', *n);
	if (!nl)
		return NULL;
	const uint8_t *line = *p;
	*len = (size_t)(nl - line);
	*n -= *len + 1;
	*p = nl + 1;
	return line;
}

/* The request's Content-Type by mode (0-3): urlencoded; multipart with a
 * fixed boundary; multipart with the boundary taken from the body's first
 * line; the whole type taken from that line. A line taken is taken off the
 * body; without one, modes 2 and 3 get a fixed type. */
static void loopback_content_type(char *ctype, size_t size, unsigned mode, const uint8_t **body,
				  size_t *blen)
{
	const uint8_t *line;
	size_t llen;
	switch (mode) {
	case 0:
		snprintf(ctype, size, "application/x-www-form-urlencoded");
		break;
	case 1:
		snprintf(ctype, size, "multipart/form-data; boundary=----hotline7MA4YWxkTrZu0gW");
		break;
	default:
		line = loopback_take_line(body, blen, &llen);
		if (line) {
			char value[200];
			loopback_header_value(value, sizeof value, line, llen);
			if (mode == 2)
				snprintf(ctype, size, "multipart/form-data; boundary=%s", value);
			else
				snprintf(ctype, size, "%s", value);
		} else {
			snprintf(ctype, size, "%s",
				 mode == 2 ? "multipart/form-data; boundary=x" : "text/plain");
		}
		break;
	}
}

static bool loopback_send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* A connected socket (TCP_NODELAY). libFuzzer's -timeout alarm (SIGALRM)
 * can interrupt connect(): EINTR means try again, with a fresh socket. */
static int loopback_connect(const char *who, uint16_t port)
{
	for (;;) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			abort();
		struct sockaddr_in sa = loopback_addr(port);
		if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
			int one = 1;
			(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
			return fd;
		}
		int e = errno;
		close(fd);
		if (e != EINTR) {
			fprintf(stderr, "%s: connect: %s\n", who, strerror(e));
			abort();
		}
	}
}

/* Reads until the daemon closes, then closes fd. resp gets the first
 * size - 1 bytes, NUL-terminated; the answer's status line is its first
 * line (empty when none came). */
static void loopback_read_answer(int fd, char *resp, size_t size)
{
	size_t got = 0;
	char sink[1024];
	for (;;) {
		char *to = got < size - 1 ? resp + got : sink;
		size_t room = got < size - 1 ? size - 1 - got : sizeof sink;
		ssize_t r = recv(fd, to, room, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (to == resp + got)
			got += (size_t)r;
	}
	resp[got] = '\0';
	close(fd);
}

#endif
