/* libmicrohttpd inside the libevent loop (external epoll mode). MHD owns
 * the sockets; we watch its epoll fd, run it when readable, and re-arm a
 * timer from MHD_get_timeout() after every run (edge-triggered epoll: no
 * timer, hanging requests).
 *
 * It is also the one front of the HTTP port: each request goes, by the
 * first segments of its path, to the owner of that part of the URL space
 * (the staff pages under /staff, the public channel for the rest), which
 * alone sees the request from its first call to its completion. */
#ifndef HOTLINE_BASE_HTTP_H
#define HOTLINE_BASE_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>
#include <microhttpd.h>

#include "base/attr.h"

struct http_server;

/* An owner of a part of the URL space. prefix "/staff" takes "/staff"
 * and every path below "/staff/"; prefix "" takes every path. handler and
 * completed are MHD's callbacks, given cls and the owner's own *con_cls
 * (NULL on the first call); completed runs once for every request the
 * handler saw, whatever became of it. */
struct http_owner {
	const char *prefix;
	MHD_AccessHandlerCallback handler;
	MHD_RequestCompletedCallback completed;
	void *cls;
};

#define HTTP_MAX_OWNERS 4

struct http_options {
	const char *address;
	unsigned port;
	/* Tried in order, the first that takes the path owns the request:
	 * the last should take "" (a path no owner takes gets no answer but
	 * a closed connection). Copied. */
	struct http_owner owners[HTTP_MAX_OWNERS];
	unsigned nowners;
	unsigned connection_timeout; /* idle seconds before MHD closes a connection */
	unsigned connection_limit;
};

struct http_server *http_start(struct event_base *base, const struct http_options *opt, char *err,
			       size_t errlen) MUST_CHECK;

/* Runs MHD now: call after MHD_resume_connection(). */
void http_kick(struct http_server *srv);

/* Stops accepting new connections; those open go on. */
void http_quiesce(struct http_server *srv);
unsigned http_connections(struct http_server *srv);

/* Stops MHD and frees. All suspended connections must be resumed first. */
void http_stop(struct http_server *srv);

#endif
