/* Logging. Lines go to stderr; under systemd (JOURNAL_STREAM set) each line
 * carries a sd-daemon "<N>" priority prefix so the journal keeps levels.
 * Never pass report content, names, contacts, receipts or client addresses:
 * log opaque ids (request numbers, case ids, registration numbers). */
#ifndef HOTLINE_BASE_LOG_H
#define HOTLINE_BASE_LOG_H

#include <stdbool.h>

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARNING, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

void log_init(const char *ident);
/* "error", "warning", "info", "debug"; false if unknown (level unchanged). */
bool log_set_level(const char *name);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends ": strerror(errno)". */
void log_errno(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

/* Routes libevent's own messages through log_msg. */
void log_route_libevent(void);

#endif
