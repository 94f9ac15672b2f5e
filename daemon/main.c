/* hotlined: the hotline daemon. One libevent loop carries the web channel
 * (libmicrohttpd in external epoll mode) and the PostgreSQL pool (libpq
 * pipeline mode). See docs/cli.md. */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>

#include <event2/event.h>
#include <systemd/sd-daemon.h>

#include "crypto/keys.h"
#include "crypto/random.h"
#include "crypto/receipt.h"
#include "crypto/sign.h"
#include "workflow/checkpointer.h"
#include "base/config.h"
#include "base/db.h"
#include "base/http.h"
#include "base/log.h"
#include "workflow/mailer.h"
#include "workflow/scanner.h"
#include "base/schema.h"
#include "intake/appeal.h"
#include "intake/lmtp.h"
#include "intake/web.h"
#include "accounts/account.h"
#include "staff/routes.h"
#include "web/server.h"
#include "accounts/totp.h"

struct daemon {
	const char *config_path;
	struct config *cfg;
	struct event_base *base;
	struct db *db;
	struct web *web;
	struct staff_server *staff;
	struct lmtp *lmtp;
	struct http_server *http;
	struct mailer *mailer;
	struct scanner *scanner;
	struct checkpointer *checkpointer;
	struct event *sig_hup, *sig_term, *sig_int, *drain;
	struct timeval drain_started;
	bool draining;
	bool aborted_waiting;
};

static void usage(FILE *to)
{
	fprintf(to, "usage: hotlined -c FILE [-n] | hotlined --routes | hotlined --help\n"
		    "  -c FILE   configuration file (see docs/config.md)\n"
		    "  -n        check the configuration and the files it names, then exit\n"
		    "  --routes  print the staff pages' routes (name method pattern roles), exit\n"
		    "  --help    this text (also -h), exit\n"
		    "See docs/cli.md.\n");
}

/* The files a config names can be read, and parse. */
static bool check_files(const struct config *cfg, char *err, size_t errlen)
{
	struct public_key pk;
	char why[256];
	if (!keys_load_public(cfg->custodian_public_key, &pk, why, sizeof(why))) {
		snprintf(err, errlen, "custodian_public_key %s: %s", cfg->custodian_public_key,
			 why);
		return false;
	}
	if (cfg->case_public_key &&
	    !keys_load_public(cfg->case_public_key, &pk, why, sizeof(why))) {
		snprintf(err, errlen, "case_public_key %s: %s", cfg->case_public_key, why);
		return false;
	}
	struct pepper *pepper = pepper_load(cfg->receipt_pepper_file, why, sizeof(why));
	if (!pepper) {
		snprintf(err, errlen, "receipt_pepper_file %s: %s", cfg->receipt_pepper_file, why);
		return false;
	}
	pepper_free(pepper);
	/* loads it as the process-wide secret too; staff_server_new() loads it
	 * again, the same */
	if (!cfg->account_secret_file) {
		snprintf(err, errlen,
			 "account_secret_file is not set (hotlinectl account-secret "
			 "--out FILE makes one)");
		return false;
	}
	if (!account_secret_load(cfg->account_secret_file, why, sizeof(why))) {
		snprintf(err, errlen, "account_secret_file: %s", why);
		return false;
	}
	if (cfg->checkpoint_secret_key) {
		struct sign_secret *sk =
		    sign_load_secret(cfg->checkpoint_secret_key, why, sizeof(why));
		if (!sk) {
			snprintf(err, errlen, "checkpoint_secret_key %s: %s",
				 cfg->checkpoint_secret_key, why);
			return false;
		}
		sign_secret_free(sk);
	}
	return mailer_check_config(cfg, err, errlen);
}

static void on_reload(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct daemon *d = arg;
	char err[512], note[256] = "";
	sd_notify(0, "RELOADING=1");
	struct config *fresh = config_load(d->config_path, err, sizeof(err));
	if (!fresh) {
		log_error("reload refused, keeping the running configuration: %s", err);
		goto done;
	}
	config_keep_fixed(fresh, d->cfg, note, sizeof(note));
	/* the staff workers read the config and the keys: none runs meanwhile */
	staff_pause(d->staff);
	if (!mailer_check_config(fresh, err, sizeof(err)) ||
	    !web_reload(d->web, fresh, err, sizeof(err))) {
		staff_resume(d->staff, d->cfg);
		log_error("reload refused, keeping the running configuration: %s", err);
		config_free(fresh);
		goto done;
	}
	staff_resume(d->staff, fresh);
	if (note[0])
		log_warning("%s", note);
	log_set_level(fresh->log_level);
	mailer_reload(d->mailer, fresh);
	lmtp_reload(d->lmtp, fresh);
	scanner_reload(d->scanner, fresh);
	checkpointer_reload(d->checkpointer, fresh);
	config_free(d->cfg);
	d->cfg = fresh;
	log_info("configuration reloaded");
done:
	sd_notify(0, "READY=1");
}

static double elapsed(const struct timeval *since)
{
	struct timeval now;
	gettimeofday(&now, NULL);
	return (double)(now.tv_sec - since->tv_sec) + (double)(now.tv_usec - since->tv_usec) / 1e6;
}

/* Requests waiting on the database, a worker or a delay, both owners. */
static unsigned requests_waiting(const struct daemon *d)
{
	return web_busy(d->web) + staff_busy(d->staff);
}

static void on_drain_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct daemon *d = arg;
	/* Connections still open may be uploading a report: let them finish. */
	if (http_connections(d->http) == 0 && requests_waiting(d) == 0 && lmtp_busy(d->lmtp) == 0 &&
	    appeal_pending(d->web->appeals) == 0) {
		event_base_loopbreak(d->base);
		return;
	}
	/* At most request_timeout for everyone, then a moment for the 503s. */
	if (!d->aborted_waiting && elapsed(&d->drain_started) > d->cfg->request_timeout - 0.3) {
		log_warning("stopping: %u requests still waiting, answering them 503",
			    requests_waiting(d));
		d->aborted_waiting = true;
		web_abort_waiting(d->web);
	}
	if (elapsed(&d->drain_started) > d->cfg->request_timeout + 0.3)
		event_base_loopbreak(d->base);
}

static void on_stop(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	struct daemon *d = arg;
	if (d->draining) {
		log_warning("second signal %d: stopping now", (int)fd);
		web_abort_waiting(d->web);
		event_base_loopbreak(d->base);
		return;
	}
	d->draining = true;
	sd_notify(0, "STOPPING=1");
	log_info("signal %d: no new connections, finishing the %u open ones", (int)fd,
		 http_connections(d->http));
	http_quiesce(d->http);
	web_quiesce(d->web);
	lmtp_quiesce(d->lmtp);
	gettimeofday(&d->drain_started, NULL);
	d->drain = event_new(d->base, -1, EV_PERSIST, on_drain_tick, d);
	struct timeval tick = {0, 50000};
	event_add(d->drain, &tick);
}

/* HTTP clients may hold at most this many connections... */
#define HTTP_MAX_CONNECTIONS 16384
/* ...and never the last descriptors: these stay for the database pool, the
 * mailer, LMTP, logging and the loop. Were MHD to hit the open-file limit
 * first, accept() would fail (EMFILE) and MHD stop accepting, and a lost
 * database connection could not be made again while clients hold them. */
#define FDS_RESERVED 128
#define HTTP_MIN_CONNECTIONS 64

/* Raises the open-file limit as far as allowed (at most 65536) and returns
 * how many HTTP connections fit under it, or 0 if too few do. */
static unsigned http_connection_limit(const struct config *cfg, rlim_t *nofile)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		*nofile = 0;
		return 0;
	}
	if (rl.rlim_cur < rl.rlim_max && rl.rlim_cur < 65536) {
		rl.rlim_cur = rl.rlim_max > 65536 ? 65536 : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	*nofile = rl.rlim_cur;
	rlim_t reserved = FDS_RESERVED + cfg->db_connections;
	if (rl.rlim_cur < reserved + HTTP_MIN_CONNECTIONS)
		return 0;
	rlim_t limit = rl.rlim_cur - reserved;
	return limit > HTTP_MAX_CONNECTIONS ? HTTP_MAX_CONNECTIONS : (unsigned)limit;
}

int main(int argc, char **argv)
{
	struct daemon d;
	memset(&d, 0, sizeof(d));
	bool check_only = false;
	/* A fixed threshold: glibc would otherwise raise it to the largest
	 * block freed (a file's ciphertext, megabytes) and keep later ones in
	 * a heap it rarely gives back. Big blocks are mapped and unmapped, so
	 * the memory cap (issue 14, docs/http.md "Limits") is what RSS shows. */
	(void)mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	if (argc == 2 && strcmp(argv[1], "--routes") == 0) {
		staff_print_routes(stdout);
		return 0;
	}
	/* before getopt, which knows no long option and would complain first */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
	}
	int opt;
	while ((opt = getopt(argc, argv, "c:n")) != -1) {
		switch (opt) {
		case 'c':
			d.config_path = optarg;
			break;
		case 'n':
			check_only = true;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!d.config_path || optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init("hotlined");
	char err[512];
	int status = 1;
	/* hotlined never forks; a thread-local generator saves a getrandom()
	 * per draw (crypto/random.h) */
	if (!random_per_thread() || !keys_init() || !totp_init()) {
		fprintf(stderr, "hotlined: libsodium or liboath failed to initialise\n");
		return 1;
	}
	d.cfg = config_load(d.config_path, err, sizeof(err));
	if (!d.cfg) {
		fprintf(stderr, "hotlined: %s\n", err);
		return 1;
	}
	if (!check_files(d.cfg, err, sizeof(err))) {
		fprintf(stderr, "hotlined: %s: %s\n", d.config_path, err);
		goto out;
	}
	if (check_only) {
		printf("hotlined: %s: configuration ok\n", d.config_path);
		status = 0;
		goto out;
	}
	log_set_level(d.cfg->log_level);

	int version = db_schema_version(d.cfg->database, err, sizeof(err));
	if (version == -2) {
		fprintf(stderr, "hotlined: %s\n", err);
		goto out;
	}
	if (version != SCHEMA_VERSION) {
		if (version < SCHEMA_VERSION)
			fprintf(
			    stderr,
			    "hotlined: the database schema is at version %d, this hotlined needs "
			    "%d: run `hotlinectl migrate` first\n",
			    version < 0 ? 0 : version, SCHEMA_VERSION);
		else
			fprintf(stderr,
				"hotlined: the database schema is at version %d, newer than this "
				"hotlined (%d): install the matching hotlined\n",
				version, SCHEMA_VERSION);
		goto out;
	}

	signal(SIGPIPE, SIG_IGN);
	rlim_t nofile;
	unsigned connection_limit = http_connection_limit(d.cfg, &nofile);
	if (!connection_limit) {
		fprintf(stderr,
			"hotlined: the open-file limit (RLIMIT_NOFILE) is %llu, too low: it needs "
			"at least %u (LimitNOFILE= in the systemd unit, ulimit -n)\n",
			(unsigned long long)nofile,
			FDS_RESERVED + d.cfg->db_connections + HTTP_MIN_CONNECTIONS);
		goto out;
	}
	log_route_libevent();
	d.base = event_base_new();
	if (!d.base) {
		fprintf(stderr, "hotlined: cannot create the event loop\n");
		goto out;
	}
	d.db = db_new(d.base, d.cfg->database, d.cfg->db_connections, d.cfg->request_timeout);
	if (!d.db) {
		fprintf(stderr, "hotlined: cannot set up the database pool\n");
		goto out;
	}
	d.web = web_new(d.base, d.cfg, d.db, err, sizeof(err));
	if (!d.web) {
		fprintf(stderr, "hotlined: %s\n", err);
		goto out;
	}
	d.staff = staff_server_new(d.base, d.cfg, &d.web->keys, err, sizeof(err));
	if (!d.staff) {
		fprintf(stderr, "hotlined: %s\n", err);
		goto out;
	}
	/* staff bodies count against the same memory cap (issue 14) */
	staff_server_set_uploads(d.staff, d.web->spool, web_mem_take, web_mem_give, d.web);
	/* The one HTTP front: the staff pages own /staff and below, the public
	 * channel every other path (and answers 404 and 405 for them). */
	struct http_options hopt = {
	    .address = d.cfg->listen_address,
	    .port = d.cfg->listen_port,
	    .owners =
		{
		    {STAFF_PATH_PREFIX, staff_handle, staff_completed, d.staff},
		    {"", web_handle, web_completed, d.web},
		},
	    .nowners = 2,
	    .connection_timeout = 30,
	    .connection_limit = connection_limit,
	};
	d.http = http_start(d.base, &hopt, err, sizeof(err));
	if (!d.http) {
		fprintf(stderr, "hotlined: %s\n", err);
		goto out;
	}
	d.web->http = d.http;
	staff_server_set_http(d.staff, d.http);
	if (d.cfg->lmtp_listen && d.cfg->lmtp_listen[0]) {
		d.lmtp = lmtp_start(d.base, d.cfg, d.web, err, sizeof(err));
		if (!d.lmtp) {
			fprintf(stderr, "hotlined: %s\n", err);
			goto out;
		}
		log_info("e-mail intake: LMTP on %s", d.cfg->lmtp_listen);
	}
	d.sig_hup = evsignal_new(d.base, SIGHUP, on_reload, &d);
	d.sig_term = evsignal_new(d.base, SIGTERM, on_stop, &d);
	d.sig_int = evsignal_new(d.base, SIGINT, on_stop, &d);
	event_add(d.sig_hup, NULL);
	event_add(d.sig_term, NULL);
	event_add(d.sig_int, NULL);
	/* After the web channel: notices wait in the outbox anyway. */
	d.mailer = mailer_start(d.cfg, err, sizeof(err));
	if (!d.mailer) {
		fprintf(stderr, "hotlined: %s\n", err);
		goto out;
	}
	d.scanner = scanner_start(d.base, d.db, d.cfg);
	if (!d.scanner) {
		fprintf(stderr, "hotlined: cannot start the deadline scanner\n");
		goto out;
	}
	d.checkpointer = checkpointer_start(d.base, d.db, d.cfg, err, sizeof(err));
	if (!d.checkpointer) {
		fprintf(stderr, "hotlined: %s\n", err);
		goto out;
	}

	log_info("listening on http://%s:%u/ (schema version %d, at most %u connections)",
		 d.cfg->listen_address, d.cfg->listen_port, SCHEMA_VERSION, connection_limit);
	sd_notify(0, "READY=1");
	event_base_dispatch(d.base);
	log_info("stopped");
	status = 0;
out:
	mailer_stop(d.mailer); /* the loop has ended: let the sender record what it sent */
	if (d.web)
		web_abort_waiting(d.web);
	staff_stop(d.staff); /* resumes every staff connection */
	http_stop(d.http);
	db_free(d.db);	   /* fails what is still queued: needs web's queues alive */
	lmtp_free(d.lmtp); /* after db_free: failed registrations answer its connections */
	scanner_free(d.scanner);
	checkpointer_free(d.checkpointer);
	staff_server_free(d.staff);
	web_free(d.web);
	if (d.sig_hup)
		event_free(d.sig_hup);
	if (d.sig_term)
		event_free(d.sig_term);
	if (d.sig_int)
		event_free(d.sig_int);
	if (d.drain)
		event_free(d.drain);
	if (d.base)
		event_base_free(d.base);
	config_free(d.cfg);
	return status;
}
