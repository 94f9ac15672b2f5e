/* libmicrohttpd inside the libevent loop (external epoll mode). MHD owns
 * the sockets; we watch its epoll fd, run it when readable, and re-arm a
 * timer from MHD_get_timeout() after every run (edge-triggered epoll: no
 * timer, hanging requests). */
#ifndef HOTLINE_BASE_HTTP_H
#define HOTLINE_BASE_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>
#include <microhttpd.h>

#include "base/attr.h"

struct http_server;

struct http_options {
	const char *address;
	unsigned port;
	MHD_AccessHandlerCallback handler;
	void *handler_cls;
	MHD_RequestCompletedCallback completed;
	void *completed_cls;
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
