/* Safe from any thread (the mailer logs from its worker): each line is
 * formatted into a local buffer and written with one fprintf(), which
 * stdio locks; the level is an atomic. log_init() runs before any thread. */
#include "base/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

static const char *log_ident = "hotline";
static atomic_int log_threshold = LOG_LEVEL_INFO;
static bool log_journal;

static const char *const level_names[] = {"error", "warning", "info", "debug"};
/* sd-daemon priorities: err, warning, info, debug. */
static const int level_prio[] = {3, 4, 6, 7};

void log_init(const char *ident)
{
	log_ident = ident;
	log_journal = getenv("JOURNAL_STREAM") != NULL;
}

bool log_set_level(const char *name)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(name, level_names[i]) == 0) {
			atomic_store(&log_threshold, (int)i);
			return true;
		}
	}
	return false;
}

static void log_emit(enum log_level level, const char *fmt, va_list ap, const char *suffix)
{
	char line[1024];
	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_journal) {
		fprintf(stderr, "<%d>%s%s%s\n", level_prio[level], line, suffix ? ": " : "",
			suffix ? suffix : "");
	} else {
		char stamp[32];
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(stderr, "%s %s[%s]: %s%s%s\n", stamp, log_ident, level_names[level], line,
			suffix ? ": " : "", suffix ? suffix : "");
	}
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	if ((int)level > atomic_load(&log_threshold))
		return;
	va_list ap;
	va_start(ap, fmt);
	log_emit(level, fmt, ap, NULL);
	va_end(ap);
}

void log_errno(enum log_level level, const char *fmt, ...)
{
	int saved = errno;
	if ((int)level > atomic_load(&log_threshold))
		return;
	char why[128];
	/* The GNU strerror_r (_GNU_SOURCE): thread-safe, returns the text. */
	const char *text = strerror_r(saved, why, sizeof(why));
	va_list ap;
	va_start(ap, fmt);
	log_emit(level, fmt, ap, text);
	va_end(ap);
}

static void log_from_libevent(int severity, const char *msg)
{
	enum log_level level = LOG_LEVEL_DEBUG;
	if (severity == EVENT_LOG_ERR)
		level = LOG_LEVEL_ERROR;
	else if (severity == EVENT_LOG_WARN)
		level = LOG_LEVEL_WARNING;
	else if (severity == EVENT_LOG_MSG)
		level = LOG_LEVEL_INFO;
	log_msg(level, "libevent: %s", msg);
}

void log_route_libevent(void)
{
	event_set_log_callback(log_from_libevent);
}
