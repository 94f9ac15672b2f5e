#include "base/http.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"

struct http_server {
	struct MHD_Daemon *mhd;
	struct event *io;
	struct event *timer;
	struct event *kick;
	int quiesced_fd;
	struct http_owner owners[HTTP_MAX_OWNERS];
	unsigned nowners;
};

/* What the front keeps of a request: MHD's *con_cls is the front's, so the
 * owner is known at every later call and at completion without looking
 * inside the owner's own request, whose pointer is kept beside it. */
struct http_call {
	const struct http_owner *owner;
	void *cls;
};

/* MHD takes its listening socket out of its epoll set when it stops
 * accepting (at the connection limit, or when accept() fails for want of
 * descriptors) and puts it back only inside MHD_run(). Once the connections
 * have closed nothing would wake it: it never accepted again. So it runs
 * at least once a second. */
#define HTTP_MAX_SLEEP_MS 1000

static void http_run(struct http_server *srv)
{
	MHD_run(srv->mhd);
	MHD_UNSIGNED_LONG_LONG ms;
	if (MHD_get_timeout(srv->mhd, &ms) != MHD_YES || ms > HTTP_MAX_SLEEP_MS)
		ms = HTTP_MAX_SLEEP_MS;
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)((ms % 1000) * 1000)};
	evtimer_add(srv->timer, &tv);
}

static void http_on_event(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	http_run(arg);
}

static void http_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	/* MHD's messages can name peers: keep them at debug level, without
	 * anything that looks like an address. */
	char line[512];
	vsnprintf(line, sizeof(line), fmt, ap);
	for (char *p = line; *p; p++) {
		if (*p == '\n')
			*p = ' ';
	}
	log_debug("libmicrohttpd: %.*s", (int)strcspn(line, "0123456789"), line);
}

static const struct http_owner *http_owner_of(const struct http_server *srv, const char *url)
{
	for (unsigned i = 0; i < srv->nowners; i++) {
		const struct http_owner *o = &srv->owners[i];
		size_t n = strlen(o->prefix);
		if (strncmp(url, o->prefix, n) == 0 && (n == 0 || url[n] == '\0' || url[n] == '/'))
			return o;
	}
	return NULL;
}

static enum MHD_Result http_dispatch(void *cls, struct MHD_Connection *conn, const char *url,
				     const char *method, const char *version,
				     const char *upload_data, size_t *upload_data_size,
				     void **con_cls)
{
	struct http_server *srv = cls;
	struct http_call *call = *con_cls;
	if (!call) {
		const struct http_owner *owner = http_owner_of(srv, url);
		if (!owner)
			return MHD_NO;
		call = calloc(1, sizeof(*call));
		if (!call)
			return MHD_NO;
		call->owner = owner;
		*con_cls = call;
	}
	return call->owner->handler(call->owner->cls, conn, url, method, version, upload_data,
				    upload_data_size, &call->cls);
}

static void http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			   enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	struct http_call *call = *con_cls;
	if (!call)
		return;
	call->owner->completed(call->owner->cls, conn, &call->cls, toe);
	free(call);
	*con_cls = NULL;
}

struct http_server *http_start(struct event_base *base, const struct http_options *opt, char *err,
			       size_t errlen)
{
	struct http_server *srv = calloc(1, sizeof(*srv));
	if (!srv) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	srv->quiesced_fd = -1;
	if (opt->nowners > HTTP_MAX_OWNERS) {
		snprintf(err, errlen, "too many owners of the HTTP port");
		free(srv);
		return NULL;
	}
	memcpy(srv->owners, opt->owners, sizeof(srv->owners));
	srv->nowners = opt->nowners;
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)opt->port);
	if (inet_pton(AF_INET, opt->address, &sin.sin_addr) != 1) {
		snprintf(err, errlen, "listen_address %s is not an IPv4 address", opt->address);
		free(srv);
		return NULL;
	}
	srv->mhd = MHD_start_daemon(
	    MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, (uint16_t)opt->port, NULL,
	    NULL, http_dispatch, srv,
	    /* the logger first, so MHD prints nothing of its own before it */
	    MHD_OPTION_EXTERNAL_LOGGER, http_log, NULL, MHD_OPTION_SOCK_ADDR, &sin,
	    MHD_OPTION_NOTIFY_COMPLETED, http_completed, srv, MHD_OPTION_CONNECTION_TIMEOUT,
	    opt->connection_timeout, MHD_OPTION_CONNECTION_LIMIT, opt->connection_limit,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
	    MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, MHD_OPTION_END);
	if (!srv->mhd) {
		snprintf(err, errlen, "cannot listen on %s:%u (in use, or not allowed)",
			 opt->address, opt->port);
		free(srv);
		return NULL;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	srv->io = event_new(base, info->epoll_fd, EV_READ | EV_PERSIST, http_on_event, srv);
	srv->timer = evtimer_new(base, http_on_event, srv);
	srv->kick = event_new(base, -1, 0, http_on_event, srv);
	if (!srv->io || !srv->timer || !srv->kick) {
		snprintf(err, errlen, "out of memory");
		http_stop(srv);
		return NULL;
	}
	event_add(srv->io, NULL);
	http_run(srv);
	return srv;
}

void http_kick(struct http_server *srv)
{
	event_active(srv->kick, 0, 0);
}

void http_quiesce(struct http_server *srv)
{
	if (srv->quiesced_fd < 0) {
		srv->quiesced_fd = MHD_quiesce_daemon(srv->mhd);
		http_kick(srv);
	}
}

unsigned http_connections(struct http_server *srv)
{
	const union MHD_DaemonInfo *info =
	    MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
	return info ? info->num_connections : 0;
}

void http_stop(struct http_server *srv)
{
	if (!srv)
		return;
	if (srv->io)
		event_free(srv->io);
	if (srv->timer)
		event_free(srv->timer);
	if (srv->kick)
		event_free(srv->kick);
	if (srv->mhd)
		MHD_stop_daemon(srv->mhd);
	if (srv->quiesced_fd >= 0)
		close(srv->quiesced_fd);
	free(srv);
}
