/* hotlined's configuration file: `key = value` lines, whole-line `#`
 * comments, optional double quotes. The grammar and every key are described
 * in docs/config.md.
 *
 * Nothing here logs (the logger is configured from this very file), and no
 * message ever quotes the value of a string key: `database` is a libpq
 * conninfo that may hold a password. */
#include "base/config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clientaddr.h"
#include "base/mailmsg.h"

/* A config file is a few hundred bytes; anything this big is a mistake
 * (a key file or a log given by -c). */
#define CONFIG_MAX_FILE_BYTES (1024 * 1024)

enum key_id {
	KEY_LISTEN_ADDRESS,
	KEY_LISTEN_PORT,
	KEY_DATABASE,
	KEY_DB_CONNECTIONS,
	KEY_RECEIPT_PEPPER_FILE,
	KEY_CUSTODIAN_PUBLIC_KEY,
	KEY_CASE_PUBLIC_KEY,
	KEY_MAX_BODY_BYTES,
	KEY_MAX_FILE_BYTES,
	KEY_MAX_FILES,
	KEY_MAX_TEXT_BYTES,
	KEY_REQUEST_TIMEOUT,
	KEY_MAX_BATCH,
	KEY_DEFAULT_LANGUAGE,
	KEY_LOG_LEVEL,
	KEY_LOOKUP_FREE_FAILURES,
	KEY_LOOKUP_MAX_DELAY,
	KEY_RECEIPT_PAGE_SECONDS,
	KEY_PUBLIC_URL,
	KEY_TRUSTED_PROXIES,
	KEY_SMTP_SERVER,
	KEY_SMTP_PORT,
	KEY_SMTP_STARTTLS,
	KEY_SMTP_USER,
	KEY_SMTP_PASSWORD_FILE,
	KEY_SMTP_CA_FILE,
	KEY_MAIL_FROM,
	KEY_SMTP_TIMEOUT,
	KEY_OUTBOX_RETRY_MIN,
	KEY_OUTBOX_RETRY_MAX,
	KEY_LMTP_LISTEN,
	KEY_MAX_MAIL_BYTES,
	KEY_MAX_MAIL_ATTACHMENTS,
	KEY_MAIL_ACKNOWLEDGE,
	KEY_MAIL_RECEIPT,
	KEY_MAIL_ADDRESS,
	KEY_OUTBOX_KEY_FILE,
	KEY_DEADLINE_SCAN_INTERVAL,
	KEY_REMINDER_WORKING_DAYS,
	KEY_CLOCK_OFFSET,
	KEY_STAFF_WORKERS,
	KEY_STAFF_IDLE_TIMEOUT,
	KEY_STAFF_COOKIE_SECURE,
	KEY_CHECKPOINT_SECRET_KEY,
	KEY_CHECKPOINT_INTERVAL,
	KEY_ACCOUNT_SECRET_FILE,
	KEY_ACCOUNT_KDF,
	KEY_UPLOAD_MEMORY_BYTES,
	KEY_SPOOL_MAX_BYTES,
	KEY_SPOOL_DIR,
	KEY_KEPT_FILES_SECONDS,
	KEY_CLEAN_FILES,
	KEY_CLEAN_MAT2,
	KEY_CLEAN_BWRAP,
	KEY_CLEAN_DIR,
	KEY_CLEAN_TIMEOUT,
	KEY_CLEAN_MAX_BYTES,
	KEY_COUNT
};

/* Indexed by enum key_id; also what config_keys() returns. */
static const char *const key_names[KEY_COUNT + 1] = {
    [KEY_LISTEN_ADDRESS] = "listen_address",
    [KEY_LISTEN_PORT] = "listen_port",
    [KEY_DATABASE] = "database",
    [KEY_DB_CONNECTIONS] = "db_connections",
    [KEY_RECEIPT_PEPPER_FILE] = "receipt_pepper_file",
    [KEY_CUSTODIAN_PUBLIC_KEY] = "custodian_public_key",
    [KEY_CASE_PUBLIC_KEY] = "case_public_key",
    [KEY_MAX_BODY_BYTES] = "max_body_bytes",
    [KEY_MAX_FILE_BYTES] = "max_file_bytes",
    [KEY_MAX_FILES] = "max_files",
    [KEY_MAX_TEXT_BYTES] = "max_text_bytes",
    [KEY_REQUEST_TIMEOUT] = "request_timeout",
    [KEY_MAX_BATCH] = "max_batch",
    [KEY_DEFAULT_LANGUAGE] = "default_language",
    [KEY_LOG_LEVEL] = "log_level",
    [KEY_LOOKUP_FREE_FAILURES] = "lookup_free_failures",
    [KEY_LOOKUP_MAX_DELAY] = "lookup_max_delay",
    [KEY_RECEIPT_PAGE_SECONDS] = "receipt_page_seconds",
    [KEY_PUBLIC_URL] = "public_url",
    [KEY_TRUSTED_PROXIES] = "trusted_proxies",
    [KEY_SMTP_SERVER] = "smtp_server",
    [KEY_SMTP_PORT] = "smtp_port",
    [KEY_SMTP_STARTTLS] = "smtp_starttls",
    [KEY_SMTP_USER] = "smtp_user",
    [KEY_SMTP_PASSWORD_FILE] = "smtp_password_file",
    [KEY_SMTP_CA_FILE] = "smtp_ca_file",
    [KEY_MAIL_FROM] = "mail_from",
    [KEY_SMTP_TIMEOUT] = "smtp_timeout",
    [KEY_OUTBOX_RETRY_MIN] = "outbox_retry_min",
    [KEY_OUTBOX_RETRY_MAX] = "outbox_retry_max",
    [KEY_LMTP_LISTEN] = "lmtp_listen",
    [KEY_MAX_MAIL_BYTES] = "max_mail_bytes",
    [KEY_MAX_MAIL_ATTACHMENTS] = "max_mail_attachments",
    [KEY_MAIL_ACKNOWLEDGE] = "mail_acknowledge",
    [KEY_MAIL_RECEIPT] = "mail_receipt",
    [KEY_MAIL_ADDRESS] = "mail_address",
    [KEY_OUTBOX_KEY_FILE] = "outbox_key_file",
    [KEY_DEADLINE_SCAN_INTERVAL] = "deadline_scan_interval",
    [KEY_REMINDER_WORKING_DAYS] = "reminder_working_days",
    [KEY_CLOCK_OFFSET] = "clock_offset",
    [KEY_STAFF_WORKERS] = "staff_workers",
    [KEY_STAFF_IDLE_TIMEOUT] = "staff_idle_timeout",
    [KEY_STAFF_COOKIE_SECURE] = "staff_cookie_secure",
    [KEY_CHECKPOINT_SECRET_KEY] = "checkpoint_secret_key",
    [KEY_CHECKPOINT_INTERVAL] = "checkpoint_interval",
    [KEY_ACCOUNT_SECRET_FILE] = "account_secret_file",
    [KEY_ACCOUNT_KDF] = "account_kdf",
    [KEY_UPLOAD_MEMORY_BYTES] = "upload_memory_bytes",
    [KEY_SPOOL_MAX_BYTES] = "spool_max_bytes",
    [KEY_SPOOL_DIR] = "spool_dir",
    [KEY_KEPT_FILES_SECONDS] = "kept_files_seconds",
    [KEY_CLEAN_FILES] = "clean_files",
    [KEY_CLEAN_MAT2] = "clean_mat2",
    [KEY_CLEAN_BWRAP] = "clean_bwrap",
    [KEY_CLEAN_DIR] = "clean_dir",
    [KEY_CLEAN_TIMEOUT] = "clean_timeout",
    [KEY_CLEAN_MAX_BYTES] = "clean_max_bytes",
    [KEY_COUNT] = NULL,
};

enum value_type {
	VALUE_STRING,	/* any non-empty text; char * */
	VALUE_UNSIGNED, /* decimal, min..max; unsigned */
	VALUE_SIZE,	/* decimal bytes, optional K/M/G suffix, >= min; size_t */
	VALUE_CHOICE,	/* one of choices; char * */
};

struct key_def {
	enum value_type type;
	size_t offset;
	bool fixed;    /* read at start only */
	bool required; /* no default */
	const char *default_text;
	unsigned long long default_number;
	unsigned long long min, max;
	const char *const *choices;
	const char *choices_text; /* for messages */
};

static const char *const language_choices[] = {"kk", "ru", "en", NULL};
static const char *const log_level_choices[] = {"error", "warning", "info", "debug", NULL};
static const char *const starttls_choices[] = {"no", "try", "required", NULL};
static const char *const yes_no_choices[] = {"yes", "no", NULL};
static const char *const kdf_choices[] = {"moderate", "sensitive", "interactive", NULL};

#define STRING_KEY(field, is_fixed, is_required, def)                                              \
	{                                                                                          \
		.type = VALUE_STRING, .offset = offsetof(struct config, field), .fixed = is_fixed, \
		.required = is_required, .default_text = def                                       \
	}
#define UNSIGNED_KEY(field, is_fixed, def, lo, hi)                                                 \
	{                                                                                          \
		.type = VALUE_UNSIGNED, .offset = offsetof(struct config, field),                  \
		.fixed = is_fixed, .default_number = def, .min = lo, .max = hi                     \
	}
#define SIZE_KEY(field, def)                                                                       \
	{                                                                                          \
		.type = VALUE_SIZE, .offset = offsetof(struct config, field),                      \
		.default_number = def, .min = 1024, .max = SIZE_MAX                                \
	}
#define CHOICE_KEY(field, def, list, text)                                                         \
	{                                                                                          \
		.type = VALUE_CHOICE, .offset = offsetof(struct config, field),                    \
		.default_text = def, .choices = list, .choices_text = text                         \
	}

static const struct key_def key_defs[KEY_COUNT] = {
    [KEY_LISTEN_ADDRESS] = STRING_KEY(listen_address, true, false, "127.0.0.1"),
    [KEY_LISTEN_PORT] = UNSIGNED_KEY(listen_port, true, 8080, 1, 65535),
    [KEY_DATABASE] = STRING_KEY(database, true, true, NULL),
    [KEY_DB_CONNECTIONS] = UNSIGNED_KEY(db_connections, true, 4, 1, 64),
    [KEY_RECEIPT_PEPPER_FILE] = STRING_KEY(receipt_pepper_file, true, true, NULL),
    [KEY_CUSTODIAN_PUBLIC_KEY] = STRING_KEY(custodian_public_key, false, true, NULL),
    [KEY_CASE_PUBLIC_KEY] = STRING_KEY(case_public_key, false, false, NULL),
    [KEY_MAX_BODY_BYTES] = SIZE_KEY(max_body_bytes, 25ull << 20),
    [KEY_MAX_FILE_BYTES] = SIZE_KEY(max_file_bytes, 10ull << 20),
    [KEY_MAX_FILES] = UNSIGNED_KEY(max_files, false, 5, 0, 100),
    [KEY_MAX_TEXT_BYTES] = SIZE_KEY(max_text_bytes, 64ull << 10),
    [KEY_REQUEST_TIMEOUT] = UNSIGNED_KEY(request_timeout, false, 15, 1, 600),
    [KEY_MAX_BATCH] = UNSIGNED_KEY(max_batch, false, 64, 1, 1000),
    [KEY_DEFAULT_LANGUAGE] = CHOICE_KEY(default_language, "ru", language_choices, "kk, ru or en"),
    [KEY_LOG_LEVEL] =
	CHOICE_KEY(log_level, "info", log_level_choices, "error, warning, info or debug"),
    [KEY_LOOKUP_FREE_FAILURES] = UNSIGNED_KEY(lookup_free_failures, false, 5, 0, 1000),
    [KEY_LOOKUP_MAX_DELAY] = UNSIGNED_KEY(lookup_max_delay, false, 30, 1, 3600),
    [KEY_RECEIPT_PAGE_SECONDS] = UNSIGNED_KEY(receipt_page_seconds, false, 900, 1, 86400),
    [KEY_PUBLIC_URL] = STRING_KEY(public_url, false, false, "http://127.0.0.1:8080/"),
    [KEY_TRUSTED_PROXIES] = STRING_KEY(trusted_proxies, false, false, NULL),
    [KEY_SMTP_SERVER] = STRING_KEY(smtp_server, false, false, "127.0.0.1"),
    [KEY_SMTP_PORT] = UNSIGNED_KEY(smtp_port, false, 25, 1, 65535),
    [KEY_SMTP_STARTTLS] = CHOICE_KEY(smtp_starttls, "try", starttls_choices, "no, try or required"),
    [KEY_SMTP_USER] = STRING_KEY(smtp_user, false, false, NULL),
    [KEY_SMTP_PASSWORD_FILE] = STRING_KEY(smtp_password_file, false, false, NULL),
    [KEY_SMTP_CA_FILE] = STRING_KEY(smtp_ca_file, false, false, NULL),
    [KEY_MAIL_FROM] = STRING_KEY(mail_from, false, false, "hotline@localhost"),
    [KEY_SMTP_TIMEOUT] = UNSIGNED_KEY(smtp_timeout, false, 30, 1, 3600),
    [KEY_OUTBOX_RETRY_MIN] = UNSIGNED_KEY(outbox_retry_min, false, 30, 1, 86400),
    [KEY_OUTBOX_RETRY_MAX] = UNSIGNED_KEY(outbox_retry_max, false, 3600, 1, 604800),
    [KEY_LMTP_LISTEN] = STRING_KEY(lmtp_listen, true, false, NULL),
    [KEY_MAX_MAIL_BYTES] = SIZE_KEY(max_mail_bytes, 25ull << 20),
    [KEY_MAX_MAIL_ATTACHMENTS] = UNSIGNED_KEY(max_mail_attachments, false, 10, 0, 1000),
    [KEY_MAIL_ACKNOWLEDGE] = CHOICE_KEY(mail_acknowledge, "yes", yes_no_choices, "yes or no"),
    [KEY_MAIL_RECEIPT] = CHOICE_KEY(mail_receipt, "no", yes_no_choices, "yes or no"),
    [KEY_MAIL_ADDRESS] = STRING_KEY(mail_address, false, false, NULL),
    [KEY_OUTBOX_KEY_FILE] = STRING_KEY(outbox_key_file, true, false, NULL),
    [KEY_DEADLINE_SCAN_INTERVAL] = UNSIGNED_KEY(deadline_scan_interval, false, 60, 1, 3600),
    [KEY_REMINDER_WORKING_DAYS] = STRING_KEY(reminder_working_days, false, false, "2,0"),
    [KEY_CLOCK_OFFSET] = UNSIGNED_KEY(clock_offset, false, 0, 0, 315360000),
    [KEY_STAFF_WORKERS] = UNSIGNED_KEY(staff_workers, true, 2, 1, 16),
    [KEY_STAFF_IDLE_TIMEOUT] = UNSIGNED_KEY(staff_idle_timeout, false, 900, 1, 86400),
    [KEY_STAFF_COOKIE_SECURE] = CHOICE_KEY(staff_cookie_secure, "yes", yes_no_choices, "yes or no"),
    /* fixed: a SIGHUP must not swap the key that vouches for the chains */
    [KEY_CHECKPOINT_SECRET_KEY] = STRING_KEY(checkpoint_secret_key, true, false, NULL),
    /* at most a day: the heads leave the database at least daily */
    [KEY_CHECKPOINT_INTERVAL] = UNSIGNED_KEY(checkpoint_interval, false, 86400, 1, 86400),
    /* fixed: another secret would open no account's key (accounts/account.h) */
    [KEY_ACCOUNT_SECRET_FILE] = STRING_KEY(account_secret_file, true, false, NULL),
    [KEY_ACCOUNT_KDF] =
	CHOICE_KEY(account_kdf, "moderate", kdf_choices, "moderate, sensitive or interactive"),
    [KEY_UPLOAD_MEMORY_BYTES] = SIZE_KEY(upload_memory_bytes, 32ull << 20),
    [KEY_SPOOL_MAX_BYTES] = SIZE_KEY(spool_max_bytes, 2ull << 30),
    [KEY_SPOOL_DIR] = STRING_KEY(spool_dir, true, false, NULL),
    [KEY_KEPT_FILES_SECONDS] = UNSIGNED_KEY(kept_files_seconds, false, 3600, 1, 86400),
    /* the reporters' files cleaned of metadata (intake/clean.h) */
    [KEY_CLEAN_FILES] = CHOICE_KEY(clean_files, "yes", yes_no_choices, "yes or no"),
    [KEY_CLEAN_MAT2] = STRING_KEY(clean_mat2, false, false, "/usr/bin/mat2"),
    [KEY_CLEAN_BWRAP] = STRING_KEY(clean_bwrap, false, false, "/usr/bin/bwrap"),
    [KEY_CLEAN_DIR] = STRING_KEY(clean_dir, false, false, "/dev/shm"),
    [KEY_CLEAN_TIMEOUT] = UNSIGNED_KEY(clean_timeout, false, 30, 1, 600),
    [KEY_CLEAN_MAX_BYTES] = SIZE_KEY(clean_max_bytes, 25ull << 20),
};

struct parser {
	const char *name;
	unsigned line;
	char *err;
	size_t errlen;
	unsigned seen_on[KEY_COUNT]; /* line of the first setting, 0: not set */
};

static void set_error(char *err, size_t errlen, const char *name, unsigned line, const char *fmt,
		      ...) __attribute__((format(printf, 5, 6)));

static void set_error(char *err, size_t errlen, const char *name, unsigned line, const char *fmt,
		      ...)
{
	if (err == NULL || errlen == 0)
		return;
	int n = snprintf(err, errlen, "%s:%u: ", name, line);
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

#define parse_error(p, ...) set_error((p)->err, (p)->errlen, (p)->name, (p)->line, __VA_ARGS__)

/* The member of cfg that holds key id; its type follows key_defs[id].type. */
static void *field_at(struct config *cfg, enum key_id id)
{
	return (char *)cfg + key_defs[id].offset;
}

static const void *const_field_at(const struct config *cfg, enum key_id id)
{
	return (const char *)cfg + key_defs[id].offset;
}

static char **string_field(struct config *cfg, enum key_id id)
{
	return field_at(cfg, id);
}

static bool is_string_type(enum key_id id)
{
	return key_defs[id].type == VALUE_STRING || key_defs[id].type == VALUE_CHOICE;
}

static void set_number(struct config *cfg, enum key_id id, unsigned long long v)
{
	if (key_defs[id].type == VALUE_SIZE) {
		size_t *field = field_at(cfg, id);
		*field = (size_t)v;
	} else {
		unsigned *field = field_at(cfg, id);
		*field = (unsigned)v;
	}
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.';
}

/* Strict decimal: digits only (strtoull alone would accept "-1", " 1",
 * "+1" and "0x10"), no overflow; with allow_suffix one of K, M, G
 * (powers of 1024) may follow. */
static bool parse_number(const char *s, bool allow_suffix, unsigned long long *out)
{
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	char *end = NULL;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || end == s)
		return false;
	if (allow_suffix && *end != '\0') {
		unsigned shift;
		switch (*end) {
		case 'K':
			shift = 10;
			break;
		case 'M':
			shift = 20;
			break;
		case 'G':
			shift = 30;
			break;
		default:
			return false;
		}
		if (v > (ULLONG_MAX >> shift))
			return false;
		v <<= shift;
		end++;
	}
	if (*end != '\0')
		return false;
	*out = v;
	return true;
}

/* Unquotes in place: value points just after the opening quote. */
static bool unquote(struct parser *p, enum key_id id, char *value)
{
	char *r = value, *w = value;
	for (;;) {
		if (*r == '\0') {
			parse_error(p, "unterminated quoted value for %s", key_names[id]);
			return false;
		}
		if (*r == '"')
			break;
		if (*r == '\\') {
			r++;
			if (*r != '"' && *r != '\\') {
				parse_error(p,
					    "bad escape in quoted value for %s (only \\\" and \\\\ "
					    "are allowed)",
					    key_names[id]);
				return false;
			}
		}
		*w++ = *r++;
	}
	if (r[1] != '\0') {
		parse_error(p, "text after the closing quote of %s", key_names[id]);
		return false;
	}
	*w = '\0';
	return true;
}

static bool set_value(struct parser *p, struct config *cfg, enum key_id id, const char *value)
{
	const struct key_def *def = &key_defs[id];
	unsigned long long v;

	switch (def->type) {
	case VALUE_STRING:
		break;
	case VALUE_CHOICE: {
		bool ok = false;
		for (const char *const *c = def->choices; *c != NULL; c++)
			if (strcmp(*c, value) == 0)
				ok = true;
		if (!ok) {
			parse_error(p, "bad value \"%.32s\" for %s: expected %s", value,
				    key_names[id], def->choices_text);
			return false;
		}
		break;
	}
	case VALUE_UNSIGNED:
		if (!parse_number(value, false, &v) || v < def->min || v > def->max) {
			parse_error(
			    p,
			    "bad value \"%.32s\" for %s: expected a whole number from %llu to %llu",
			    value, key_names[id], def->min, def->max);
			return false;
		}
		set_number(cfg, id, v);
		return true;
	case VALUE_SIZE:
		if (!parse_number(value, true, &v) || v < def->min || v > def->max) {
			parse_error(p,
				    "bad value \"%.32s\" for %s: expected a size of at least %llu "
				    "bytes (a number of bytes, or with K, M or G: 25M)",
				    value, key_names[id], def->min);
			return false;
		}
		set_number(cfg, id, v);
		return true;
	}

	char *copy = strdup(value);
	if (copy == NULL) {
		parse_error(p, "out of memory");
		return false;
	}
	char **field = string_field(cfg, id);
	free(*field);
	*field = copy;
	return true;
}

/* One line, NUL-terminated, without its newline. */
static bool parse_line(struct parser *p, struct config *cfg, char *line)
{
	size_t len = strlen(line);
	while (len > 0 && is_space(line[len - 1]))
		line[--len] = '\0';
	while (is_space(*line))
		line++;
	if (*line == '\0' || *line == '#')
		return true;

	/* The key: never echo a line that does not look like `key =`, it may be
	 * a stray password. */
	char *key = line;
	while (is_key_char(*line))
		line++;
	char *key_end = line;
	while (is_space(*line))
		line++;
	if (key_end == key || *line != '=') {
		parse_error(p, "expected \"key = value\"");
		return false;
	}
	*key_end = '\0';
	line++;
	while (is_space(*line))
		line++;

	enum key_id id = KEY_COUNT;
	for (int i = 0; i < KEY_COUNT; i++)
		if (strcmp(key_names[i], key) == 0)
			id = (enum key_id)i;
	if (id == KEY_COUNT && strcmp(key, "custodian_secret_key") == 0) {
		/* issue 14: no key that opens an identity lives on the server;
		 * refused, not ignored, so that the file it names is noticed
		 * and removed from this host */
		parse_error(p, "custodian_secret_key is no longer read: the unmasking key is split "
			       "among its holders and never on the server (docs/reveal.md); remove "
			       "this line and the secret key file it names from this host");
		return false;
	}
	if (id == KEY_COUNT) {
		parse_error(p, "unknown key \"%.64s\"", key);
		return false;
	}
	if (p->seen_on[id] != 0) {
		parse_error(p, "duplicate key %s (first set on line %u)", key_names[id],
			    p->seen_on[id]);
		return false;
	}
	p->seen_on[id] = p->line;

	char *value = line;
	if (*value == '"') {
		value++;
		if (!unquote(p, id, value))
			return false;
	}
	if (*value == '\0') {
		parse_error(p, "empty value for %s", key_names[id]);
		return false;
	}
	return set_value(p, cfg, id, value);
}

static bool is_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_';
}

/* Checks of values against each other, and of the few string values with
 * a shape, after the whole file is read. Errors point at the line of the
 * key named first. */
static bool check_together(struct parser *p, const struct config *cfg)
{
	/* libesmtp splits "host:port" at the first colon: no IPv6 literal. */
	for (const char *c = cfg->smtp_server; *c != '\0'; c++) {
		if (!is_host_char(*c)) {
			p->line = p->seen_on[KEY_SMTP_SERVER];
			parse_error(p, "bad value for smtp_server: expected a host name or an IPv4 "
				       "address");
			return false;
		}
	}
	if (!mailmsg_address_ok(cfg->mail_from)) {
		p->line = p->seen_on[KEY_MAIL_FROM];
		parse_error(p, "bad value for mail_from: expected an address such as "
			       "hotline@example.kz");
		return false;
	}
	if (cfg->smtp_user != NULL && cfg->smtp_password_file == NULL) {
		p->line = p->seen_on[KEY_SMTP_USER];
		parse_error(p, "smtp_user needs smtp_password_file");
		return false;
	}
	if (cfg->smtp_password_file != NULL && cfg->smtp_user == NULL) {
		p->line = p->seen_on[KEY_SMTP_PASSWORD_FILE];
		parse_error(p, "smtp_password_file needs smtp_user");
		return false;
	}
	if (cfg->trusted_proxies != NULL && !clientaddr_list_ok(cfg->trusted_proxies)) {
		p->line = p->seen_on[KEY_TRUSTED_PROXIES];
		parse_error(p, "bad value for trusted_proxies: expected IPv4 or IPv6 addresses or "
			       "networks (address/prefix), comma-separated (e.g. 127.0.0.1, ::1)");
		return false;
	}
	int days[8];
	if (config_reminder_days(cfg->reminder_working_days, days) < 0) {
		p->line = p->seen_on[KEY_REMINDER_WORKING_DAYS];
		parse_error(p, "bad value for reminder_working_days: expected working days before "
			       "the due date, 0..30, comma-separated, at most 8 (e.g. 2,0)");
		return false;
	}
	if (cfg->outbox_retry_min > cfg->outbox_retry_max) {
		p->line = p->seen_on[KEY_OUTBOX_RETRY_MIN] != 0 ? p->seen_on[KEY_OUTBOX_RETRY_MIN]
								: p->seen_on[KEY_OUTBOX_RETRY_MAX];
		parse_error(p, "outbox_retry_min (%u) is above outbox_retry_max (%u)",
			    cfg->outbox_retry_min, cfg->outbox_retry_max);
		return false;
	}
	return true;
}

int config_reminder_days(const char *text, int days[8])
{
	int n = 0;
	const char *p = text;
	while (*p) {
		while (*p == ' ')
			p++;
		if (*p < '0' || *p > '9')
			return -1;
		char *end;
		long v = strtol(p, &end, 10);
		if (v > 30 || n >= 8)
			return -1;
		days[n++] = (int)v;
		p = end;
		while (*p == ' ')
			p++;
		if (*p == ',' && p[1] != '\0')
			p++;
		else if (*p)
			return -1;
	}
	return n;
}

static struct config *config_defaults(void)
{
	struct config *cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL)
		return NULL;
	for (int i = 0; i < KEY_COUNT; i++) {
		const struct key_def *def = &key_defs[i];
		if (is_string_type((enum key_id)i)) {
			if (def->default_text == NULL)
				continue;
			char **field = string_field(cfg, (enum key_id)i);
			*field = strdup(def->default_text);
			if (*field == NULL)
				goto fail;
		} else {
			set_number(cfg, (enum key_id)i, def->default_number);
		}
	}
	return cfg;
fail:
	config_free(cfg);
	return NULL;
}

struct config *config_parse(const char *text, const char *name, char *err, size_t errlen)
{
	struct parser p = {.name = name, .err = err, .errlen = errlen};
	char *copy = NULL;
	struct config *cfg = config_defaults();
	if (cfg == NULL)
		goto oom;
	copy = strdup(text);
	if (copy == NULL)
		goto oom;

	char *line = copy;
	/* A UTF-8 byte order mark, as some Windows editors write. */
	if (strncmp(line, "\xEF\xBB\xBF", 3) == 0)
		line += 3;
	while (line != NULL) {
		char *next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		p.line++;
		if (!parse_line(&p, cfg, line))
			goto fail;
		line = next;
	}

	p.line = 0;
	for (int i = 0; i < KEY_COUNT; i++) {
		if (key_defs[i].required && p.seen_on[i] == 0) {
			parse_error(&p, "missing required key %s", key_names[i]);
			goto fail;
		}
	}
	if (!check_together(&p, cfg))
		goto fail;
	free(copy);
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	return cfg;

oom:
	set_error(err, errlen, name, 0, "out of memory");
fail:
	free(copy);
	config_free(cfg);
	return NULL;
}

struct config *config_load(const char *path, char *err, size_t errlen)
{
	char *text = NULL;
	struct config *cfg = NULL;
	FILE *f = fopen(path, "re");
	if (f == NULL) {
		set_error(err, errlen, path, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	text = malloc(CONFIG_MAX_FILE_BYTES + 1);
	if (text == NULL) {
		set_error(err, errlen, path, 0, "out of memory");
		goto done;
	}
	size_t len = fread(text, 1, CONFIG_MAX_FILE_BYTES + 1, f);
	if (ferror(f)) {
		set_error(err, errlen, path, 0, "cannot read: %s", strerror(errno));
		goto done;
	}
	if (len > CONFIG_MAX_FILE_BYTES) {
		set_error(err, errlen, path, 0, "larger than %d bytes: not a config file",
			  CONFIG_MAX_FILE_BYTES);
		goto done;
	}
	const char *nul = memchr(text, '\0', len);
	if (nul != NULL) {
		unsigned line = 1;
		for (const char *c = text; c < nul; c++)
			line += *c == '\n';
		set_error(err, errlen, path, line, "NUL byte: not a text file");
		goto done;
	}
	text[len] = '\0';
	cfg = config_parse(text, path, err, errlen);
done:
	free(text);
	fclose(f);
	return cfg;
}

void config_keep_fixed(struct config *fresh, const struct config *old, char *note, size_t notelen)
{
	char changed[256] = "";
	size_t used = 0;

	for (int i = 0; i < KEY_COUNT; i++) {
		enum key_id id = (enum key_id)i;
		if (!key_defs[id].fixed)
			continue;
		bool differs;
		if (is_string_type(id)) {
			const char *const *old_field = const_field_at(old, id);
			const char *was = *old_field;
			char **field = string_field(fresh, id);
			differs = (was == NULL) != (*field == NULL) ||
				  (was != NULL && strcmp(was, *field) != 0);
			if (differs) {
				char *copy = NULL;
				if (was != NULL) {
					copy = strdup(was);
					/* This cannot fail by contract; out of
					 * memory for a few bytes is fatal anyway. */
					if (copy == NULL)
						abort();
				}
				free(*field);
				*field = copy;
			}
		} else if (key_defs[id].type == VALUE_SIZE) {
			const size_t *was = const_field_at(old, id);
			size_t *field = field_at(fresh, id);
			differs = *was != *field;
			*field = *was;
		} else {
			const unsigned *was = const_field_at(old, id);
			unsigned *field = field_at(fresh, id);
			differs = *was != *field;
			*field = *was;
		}
		if (differs) {
			int n = snprintf(changed + used, sizeof(changed) - used, "%s%s",
					 used > 0 ? ", " : "", key_names[id]);
			if (n > 0 && (size_t)n < sizeof(changed) - used)
				used += (size_t)n;
		}
	}

	if (note == NULL || notelen == 0)
		return;
	if (used == 0)
		note[0] = '\0';
	else
		snprintf(note, notelen, "ignored change of FIXED keys: %s (restart to apply)",
			 changed);
}

const char *const *config_keys(void)
{
	return key_names;
}

void config_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	for (int i = 0; i < KEY_COUNT; i++)
		if (is_string_type((enum key_id)i))
			free(*string_field(cfg, (enum key_id)i));
	free(cfg);
}

void config_public_link(const struct config *cfg, const char *path, char *out, size_t size)
{
	const char *base = cfg && cfg->public_url ? cfg->public_url : "/";
	size_t n = strlen(base);
	snprintf(out, size, "%s%s%s", base, n && base[n - 1] == '/' ? "" : "/", path);
}
