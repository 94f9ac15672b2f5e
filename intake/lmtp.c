#include "intake/lmtp.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "base/log.h"
#include "crypto/seal.h"
#include "intake/mailworker.h"

#define MAX_RECIPIENTS 100
#define MAX_COMMAND_LINE 4096
#define IDLE_TIMEOUT 300

enum conn_state { CONN_COMMAND, CONN_DATA, CONN_WAIT, CONN_CLOSING };

/* Where a connection is in its mail transaction, in order: the states a
 * command is allowed in are a range of these (struct command). */
enum phase {
	PHASE_FRESH,   /* before LHLO */
	PHASE_GREETED, /* no MAIL yet, or after RSET or an answered DATA */
	PHASE_MAIL,    /* MAIL given, no RCPT accepted yet */
	PHASE_RCPT,    /* one RCPT accepted or more */
};

struct conn {
	struct lmtp *lmtp;
	struct bufferevent *bev;
	unsigned long id;
	enum conn_state state;
	bool greeted;
	bool in_mail;
	char *envelope_from;
	unsigned nrcpt;
	struct evbuffer *data;
	size_t data_bytes;
	bool oversize;
	bool at_line_start;
	struct mailworker_job *job;
	struct conn *prev, *next;
};

struct lmtp {
	struct event_base *base;
	const struct config *cfg;
	struct evconnlistener *listener;
	char *unix_path;
	struct conn *conns;
	unsigned long next_id;
	struct mailworker *worker;
};

/* --- replies --- */

static void reply(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply(struct conn *c, const char *fmt, ...)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	va_list ap;
	va_start(ap, fmt);
	evbuffer_add_vprintf(out, fmt, ap);
	va_end(ap);
	evbuffer_add(out, "\r\n", 2);
}

/* One reply per accepted recipient: LMTP's answer to DATA. */
static void reply_each(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply_each(struct conn *c, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	for (unsigned i = 0; i < c->nrcpt; i++)
		reply(c, "%s", text);
}

static void transaction_reset(struct conn *c)
{
	free(c->envelope_from);
	c->envelope_from = NULL;
	c->in_mail = false;
	c->nrcpt = 0;
	if (c->data) {
		evbuffer_free(c->data);
		c->data = NULL;
	}
	c->data_bytes = 0;
	c->oversize = false;
}

static void conn_free(struct conn *c)
{
	struct lmtp *l = c->lmtp;
	mailworker_detach(c->job);
	transaction_reset(c);
	bufferevent_free(c->bev);
	if (c->prev)
		c->prev->next = c->next;
	else
		l->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c);
}

static void conn_read(struct bufferevent *bev, void *arg);

/* After the answer to DATA: take the next commands (pipelined ones may be
 * waiting in the input already). */
static void conn_resume(struct conn *c)
{
	transaction_reset(c);
	c->state = CONN_COMMAND;
	bufferevent_enable(c->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_input(c->bev)))
		conn_read(c->bev, c);
}

/* A mailworker_answer_fn: the mail's answer, once per recipient. */
static void mail_answered(void *conn, const char *answer)
{
	struct conn *c = conn;
	c->job = NULL;
	reply_each(c, "%s", answer);
	conn_resume(c);
}

/* --- DATA --- */

static void data_end(struct conn *c)
{
	struct lmtp *l = c->lmtp;
	c->state = CONN_WAIT;
	bufferevent_disable(c->bev, EV_READ);
	if (c->oversize) {
		log_info("lmtp %lu: mail refused, over max_mail_bytes", c->id);
		reply_each(c, "552 5.3.4 Message too big (at most %zu bytes)",
			   l->cfg->max_mail_bytes);
		conn_resume(c);
		return;
	}
	c->job = mailworker_start(l->worker, c->data, c->envelope_from, c->id, c);
	if (c->job)
		return;
	log_error("lmtp %lu: cannot start parsing a mail", c->id);
	reply_each(c, "451 4.3.0 Temporary failure, please try again later");
	conn_resume(c);
}

/* One line of DATA (without its line end), dot-unstuffed here. */
static void data_line(struct conn *c, const char *line, size_t len, bool complete)
{
	size_t max = c->lmtp->cfg->max_mail_bytes;
	if (c->at_line_start && len && line[0] == '.') {
		line++;
		len--;
	}
	size_t add = len + (complete ? 2 : 0);
	c->data_bytes += add;
	if (c->data_bytes > max)
		c->oversize = true;
	if (!c->oversize) {
		evbuffer_add(c->data, line, len);
		if (complete)
			evbuffer_add(c->data, "\r\n", 2);
	}
	c->at_line_start = complete;
}

/* True when the final "." was read. */
static bool read_data(struct conn *c, struct evbuffer *in)
{
	for (;;) {
		size_t eol_len = 0;
		struct evbuffer_ptr eol =
		    evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_CRLF);
		if (eol.pos < 0) {
			/* a long line without an end: take most of it, keep a
			 * possible CR for the next read */
			size_t have = evbuffer_get_length(in);
			if (have <= 65536)
				return false;
			size_t take = have - 1;
			char *chunk = (char *)evbuffer_pullup(in, (ev_ssize_t)take);
			data_line(c, chunk, take, false);
			evbuffer_drain(in, take);
			continue;
		}
		size_t n = (size_t)eol.pos;
		char *line = (char *)evbuffer_pullup(in, (ev_ssize_t)(n + eol_len));
		if (c->at_line_start && n == 1 && line[0] == '.') {
			evbuffer_drain(in, n + eol_len);
			return true;
		}
		data_line(c, line, n, true);
		evbuffer_drain(in, n + eol_len);
	}
}

/* --- the commands --- */

/* "<addr>" after "FROM:" or "TO:"; returns the address (malloc'd) or NULL. */
static char *path_arg(const char *arg, const char **rest)
{
	while (*arg == ' ')
		arg++;
	if (*arg != '<')
		return NULL;
	const char *end = strchr(arg, '>');
	if (!end)
		return NULL;
	*rest = end + 1;
	return strndup(arg + 1, (size_t)(end - arg - 1));
}

/* Each command gets what follows its verb on the line. */
static void cmd_lhlo(struct conn *c, const char *arg)
{
	(void)arg;
	transaction_reset(c);
	c->greeted = true;
	reply(c,
	      "250-hotlined\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n"
	      "250-8BITMIME\r\n250 SIZE %zu",
	      c->lmtp->cfg->max_mail_bytes);
}

static void cmd_mail(struct conn *c, const char *arg)
{
	size_t max = c->lmtp->cfg->max_mail_bytes;
	const char *rest = "";
	char *from = path_arg(arg, &rest);
	if (!from) {
		reply(c, "501 5.5.4 Syntax: MAIL FROM:<address>");
		return;
	}
	const char *size = strcasestr(rest, "SIZE=");
	if (size && strtoull(size + 5, NULL, 10) > max) {
		free(from);
		log_info("lmtp %lu: mail refused, announced size over max_mail_bytes", c->id);
		reply(c, "552 5.3.4 Message too big (at most %zu bytes)", max);
		return;
	}
	c->envelope_from = from;
	c->in_mail = true;
	reply(c, "250 2.1.0 OK");
}

static void cmd_rcpt(struct conn *c, const char *arg)
{
	const char *rest = "";
	char *to = path_arg(arg, &rest);
	bool ok = to && *to;
	free(to); /* the MTA routes only the hotline's address here */
	if (!ok)
		reply(c, "501 5.5.4 Syntax: RCPT TO:<address>");
	else if (c->nrcpt >= MAX_RECIPIENTS)
		reply(c, "452 4.5.3 Too many recipients");
	else {
		c->nrcpt++;
		reply(c, "250 2.1.5 OK");
	}
}

static void cmd_data(struct conn *c, const char *arg)
{
	(void)arg;
	c->data = evbuffer_new();
	if (!c->data) {
		reply(c, "451 4.3.0 Temporary failure");
		return;
	}
	c->state = CONN_DATA;
	c->at_line_start = true;
	reply(c, "354 End data with <CR><LF>.<CR><LF>");
}

static void cmd_rset(struct conn *c, const char *arg)
{
	(void)arg;
	transaction_reset(c);
	reply(c, "250 2.0.0 OK");
}

static void cmd_noop(struct conn *c, const char *arg)
{
	(void)arg;
	reply(c, "250 2.0.0 OK");
}

static void cmd_quit(struct conn *c, const char *arg)
{
	(void)arg;
	reply(c, "221 2.0.0 Bye");
	c->state = CONN_CLOSING;
	bufferevent_disable(c->bev, EV_READ);
}

static void cmd_smtp(struct conn *c, const char *arg)
{
	(void)arg;
	reply(c, "500 5.5.1 This is LMTP: use LHLO");
}

/* How a line names its command, case ignored. */
enum match {
	MATCH_WORD,   /* the verb, then a space or the end of the line */
	MATCH_PREFIX, /* the line starts with the verb */
	MATCH_EXACT,  /* the line is the verb */
};

/* One row per command, as tmux and staff/routes.c do it: how it is
 * recognised, the phases it is allowed in (first to last), the 503 texts
 * for a line that comes before or after them, and what it does. */
struct command {
	const char *verb;
	enum match match;
	enum phase first, last;
	const char *too_early, *too_late;
	void (*run)(struct conn *c, const char *arg);
};

static const struct command commands[] = {
    {"LHLO", MATCH_WORD, PHASE_FRESH, PHASE_RCPT, NULL, NULL, cmd_lhlo},
    {"MAIL FROM:", MATCH_PREFIX, PHASE_GREETED, PHASE_GREETED, "LHLO first", "Nested MAIL command",
     cmd_mail},
    {"RCPT TO:", MATCH_PREFIX, PHASE_MAIL, PHASE_RCPT, "MAIL first", NULL, cmd_rcpt},
    {"DATA", MATCH_EXACT, PHASE_RCPT, PHASE_RCPT, "RCPT first", NULL, cmd_data},
    {"RSET", MATCH_EXACT, PHASE_FRESH, PHASE_RCPT, NULL, NULL, cmd_rset},
    {"NOOP", MATCH_PREFIX, PHASE_FRESH, PHASE_RCPT, NULL, NULL, cmd_noop},
    {"QUIT", MATCH_EXACT, PHASE_FRESH, PHASE_RCPT, NULL, NULL, cmd_quit},
    /* an SMTP client at the wrong door */
    {"HELO", MATCH_PREFIX, PHASE_FRESH, PHASE_RCPT, NULL, NULL, cmd_smtp},
    {"EHLO", MATCH_PREFIX, PHASE_FRESH, PHASE_RCPT, NULL, NULL, cmd_smtp},
};

static bool matches(const struct command *cmd, const char *line)
{
	size_t n = strlen(cmd->verb);
	switch (cmd->match) {
	case MATCH_WORD:
		return strncasecmp(line, cmd->verb, n) == 0 && (line[n] == ' ' || line[n] == '\0');
	case MATCH_PREFIX:
		return strncasecmp(line, cmd->verb, n) == 0;
	case MATCH_EXACT:
		return strcasecmp(line, cmd->verb) == 0;
	}
	return false;
}

static enum phase phase_of(const struct conn *c)
{
	if (!c->greeted)
		return PHASE_FRESH;
	if (!c->in_mail)
		return PHASE_GREETED;
	return c->nrcpt ? PHASE_RCPT : PHASE_MAIL;
}

static void command(struct conn *c, const char *line)
{
	const struct command *cmd = NULL;
	for (size_t i = 0; !cmd && i < sizeof(commands) / sizeof(commands[0]); i++)
		if (matches(&commands[i], line))
			cmd = &commands[i];
	if (!cmd) {
		reply(c, "500 5.5.2 Command not recognised");
		return;
	}
	enum phase now = phase_of(c);
	if (now < cmd->first) {
		reply(c, "503 5.5.1 %s", cmd->too_early);
		return;
	}
	if (now > cmd->last) {
		reply(c, "503 5.5.1 %s", cmd->too_late);
		return;
	}
	cmd->run(c, line + strlen(cmd->verb));
}

/* --- the connection --- */

static void conn_read(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	while (c->state == CONN_COMMAND || c->state == CONN_DATA) {
		if (c->state == CONN_DATA) {
			if (!read_data(c, in))
				return;
			data_end(c);
			continue;
		}
		size_t n = 0;
		char *line = evbuffer_readln(in, &n, EVBUFFER_EOL_CRLF);
		if (!line) {
			if (evbuffer_get_length(in) > MAX_COMMAND_LINE) {
				reply(c, "500 5.5.6 Line too long");
				c->state = CONN_CLOSING;
				bufferevent_disable(bev, EV_READ);
			}
			return;
		}
		command(c, line);
		free(line);
	}
}

static void conn_write(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	if (c->state == CONN_CLOSING && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		conn_free(c);
}

static void conn_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	struct conn *c = arg;
	if (what & BEV_EVENT_TIMEOUT) {
		if (c->state == CONN_WAIT) {
			bufferevent_enable(c->bev, EV_WRITE);
			return; /* our own work: its answer comes */
		}
		log_info("lmtp %lu: idle too long, closing", c->id);
	}
	conn_free(c);
}

static void on_accept(struct evconnlistener *lis, evutil_socket_t fd, struct sockaddr *sa,
		      int salen, void *arg)
{
	(void)lis;
	(void)sa;
	(void)salen;
	struct lmtp *l = arg;
	struct conn *c = calloc(1, sizeof(*c));
	if (!c) {
		evutil_closesocket(fd);
		return;
	}
	c->lmtp = l;
	c->id = ++l->next_id;
	c->bev = bufferevent_socket_new(l->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!c->bev) {
		evutil_closesocket(fd);
		free(c);
		return;
	}
	c->next = l->conns;
	if (l->conns)
		l->conns->prev = c;
	l->conns = c;
	struct timeval idle = {IDLE_TIMEOUT, 0};
	bufferevent_set_timeouts(c->bev, &idle, NULL);
	bufferevent_setcb(c->bev, conn_read, conn_write, conn_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	reply(c, "220 hotlined LMTP ready");
}

/* --- set-up --- */

static struct evconnlistener *listen_on(struct lmtp *l, const char *where, char *err, size_t errlen)
{
	unsigned flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_REUSEABLE;
	struct evconnlistener *lis;
	if (where[0] == '/') {
		struct sockaddr_un sun = {.sun_family = AF_UNIX};
		if (strlen(where) >= sizeof(sun.sun_path)) {
			snprintf(err, errlen, "lmtp_listen %s: path too long", where);
			return NULL;
		}
		strcpy(sun.sun_path, where);
		struct stat st;
		if (lstat(where, &st) == 0 && S_ISSOCK(st.st_mode))
			unlink(where); /* left over by an earlier run */
		lis = evconnlistener_new_bind(l->base, on_accept, l, flags, 64,
					      (struct sockaddr *)&sun, sizeof(sun));
		if (lis) {
			l->unix_path = strdup(where);
			(void)chmod(where, 0660); /* the MTA's group */
		}
	} else {
		struct sockaddr_storage ss;
		int sslen = sizeof(ss);
		if (evutil_parse_sockaddr_port(where, (struct sockaddr *)&ss, &sslen) != 0 ||
		    !strchr(where, ':')) {
			snprintf(err, errlen, "lmtp_listen %s: not host:port or an absolute path",
				 where);
			return NULL;
		}
		lis = evconnlistener_new_bind(l->base, on_accept, l, flags, 64,
					      (struct sockaddr *)&ss, sslen);
	}
	if (!lis)
		snprintf(err, errlen, "lmtp_listen %s: %s", where, strerror(errno));
	return lis;
}

struct lmtp *lmtp_start(struct event_base *base, const struct config *cfg, struct web *w, char *err,
			size_t errlen)
{
	struct lmtp *l = calloc(1, sizeof(*l));
	if (!l) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	l->base = base;
	l->cfg = cfg;
	if (strcmp(cfg->mail_acknowledge, "yes") == 0 && !cfg->outbox_key_file) {
		snprintf(err, errlen,
			 "mail_acknowledge = yes needs outbox_key_file (acknowledgments "
			 "carry a receipt and are stored sealed), or set mail_acknowledge = no");
		goto fail;
	}
	struct content_key *outbox_key = NULL;
	if (cfg->outbox_key_file) {
		char why[256];
		outbox_key = content_key_file_load(cfg->outbox_key_file, why, sizeof(why));
		if (!outbox_key) {
			snprintf(err, errlen, "outbox_key_file: %s", why);
			goto fail;
		}
	}
	l->worker = mailworker_new(base, cfg, w, outbox_key, mail_answered, err, errlen);
	if (!l->worker)
		goto fail;
	l->listener = listen_on(l, cfg->lmtp_listen, err, errlen);
	if (!l->listener)
		goto fail;
	return l;
fail:
	lmtp_free(l);
	return NULL;
}

void lmtp_reload(struct lmtp *l, const struct config *cfg)
{
	if (!l)
		return;
	l->cfg = cfg;
	mailworker_reload(l->worker, cfg);
}

void lmtp_quiesce(struct lmtp *l)
{
	if (l && l->listener)
		evconnlistener_disable(l->listener);
}

unsigned lmtp_busy(const struct lmtp *l)
{
	return l ? mailworker_busy(l->worker) : 0;
}

void lmtp_free(struct lmtp *l)
{
	if (!l)
		return;
	if (l->listener)
		evconnlistener_free(l->listener);
	if (l->unix_path) {
		unlink(l->unix_path);
		free(l->unix_path);
	}
	while (l->conns)
		conn_free(l->conns);
	/* threads still running: waited for, what they made dropped (the MTA
	 * got no answer and will deliver again) */
	mailworker_free(l->worker);
	free(l);
}
