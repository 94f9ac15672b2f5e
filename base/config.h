/* hotlined's configuration: one struct, parsed from a `key = value` file.
 * Every key is documented in docs/config.md and deploy/hotlined.conf.sample
 * (tests/unit/test_config.c checks that they agree). Keys marked FIXED are
 * read at start only; a SIGHUP that changes them keeps the old value and
 * says so. */
#ifndef HOTLINE_BASE_CONFIG_H
#define HOTLINE_BASE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "base/attr.h"

struct config {
	/* FIXED */
	char *listen_address;	 /* listen_address = 127.0.0.1 */
	unsigned listen_port;	 /* listen_port = 8080 */
	char *database;		 /* database = libpq conninfo */
	unsigned db_connections; /* db_connections = 4 (1..64) */
	char *receipt_pepper_file;

	/* reloadable */
	char *custodian_public_key;    /* path */
	char *case_public_key;	       /* path */
	size_t max_body_bytes;	       /* whole POST body, default 26214400 (25 MiB) */
	size_t max_file_bytes;	       /* one attachment, default 10485760 */
	unsigned max_files;	       /* attachments per submission, default 5 */
	size_t max_text_bytes;	       /* one text field, default 65536 */
	unsigned request_timeout;      /* seconds a request may wait on the database, default 15 */
	unsigned max_batch;	       /* reports registered in one transaction, default 64 */
	char *default_language;	       /* kk, ru or en; default ru */
	char *log_level;	       /* error, warning, info, debug; default info */
	unsigned lookup_free_failures; /* wrong receipt lookups per client before slowing down,
					  default 5 */
	unsigned lookup_max_delay;     /* seconds, cap of the slow-down, default 30 */
	unsigned receipt_page_seconds; /* how long the receipt page shows a new receipt,
					  default 900 (docs/http.md "The receipt page") */
	char *public_url;	       /* shown in notices, default http://127.0.0.1:8080/ */
	char *trusted_proxies;	       /* reverse proxies whose X-Forwarded-For is believed
					* (base/clientaddr.h); NULL: none */
	size_t upload_memory_bytes;    /* memory cap of all uploads together, default 32 MiB */
	size_t spool_max_bytes;	       /* disk cap of the upload spool, default 2 GiB */
	unsigned kept_files_seconds;   /* files of a returned form kept, default 3600 */
	char *spool_dir; /* fixed: the upload spool; NULL: "spool" beside the pepper */

	/* reloadable: the reporters' files cleaned of metadata (intake/clean.h) */
	char *clean_files;	/* yes or no; default yes */
	char *clean_mat2;	/* default /usr/bin/mat2 */
	char *clean_bwrap;	/* default /usr/bin/bwrap */
	char *clean_dir;	/* where the clear file lives briefly; default /dev/shm */
	unsigned clean_timeout; /* seconds per file, default 30 (1..600) */
	size_t clean_max_bytes; /* larger files are kept as they came, default 25 MiB */

	/* reloadable: the outbox sender (workflow/mailer.c) */
	char *smtp_server;	   /* host name or address, default 127.0.0.1 */
	unsigned smtp_port;	   /* default 25 */
	char *smtp_starttls;	   /* no, try or required; default try */
	char *smtp_user;	   /* optional; needs smtp_password_file */
	char *smtp_password_file;  /* optional; the password on its first line */
	char *smtp_ca_file;	   /* optional; PEM certificates trusted for required STARTTLS */
	char *mail_from;	   /* envelope and From: address, default hotline@localhost */
	unsigned smtp_timeout;	   /* seconds per SMTP step, default 30 */
	unsigned outbox_retry_min; /* seconds before the first retry, default 30 */
	unsigned outbox_retry_max; /* seconds, cap of the doubling back-off, default 3600 */

	/* the e-mail intake (intake/lmtp.c, docs/mail-intake.md) */
	char *lmtp_listen;	       /* FIXED: "host:port" or a UNIX socket path; NULL: off */
	size_t max_mail_bytes;	       /* one mail, default 26214400 (25 MiB) */
	unsigned max_mail_attachments; /* per mail, default 10 */
	char *mail_acknowledge;	       /* yes or no; default yes */
	char *mail_receipt;    /* yes or no; default no: the receipt in the acknowledgment */
	char *mail_address;    /* the hotline's own address: From of acks; else mail_from */
	char *outbox_key_file; /* FIXED: key of sealed outbox rows; needed for acks */

	/* the deadline scanner (reloadable) */
	unsigned deadline_scan_interval; /* seconds between scans, default 60 */
	char *reminder_working_days;	 /* working days before a due date, default "2,0" */
	unsigned clock_offset;		 /* seconds added to the clock: tests only, default 0 */

	/* the staff pages (staff/, docs/staff.md) */
	unsigned staff_workers;	     /* FIXED: worker threads, default 2 (1..16) */
	unsigned staff_idle_timeout; /* seconds a session may sit idle, default 900 */
	char *staff_cookie_secure;   /* yes or no; default yes */
	char *account_secret_file;   /* FIXED: the accounts' server secret (accounts/account.h);
					hotlined refuses to start without it */
	char *account_kdf;	     /* Argon2id limits of new wraps: moderate (default),
					sensitive or interactive */

	/* the chain checkpoints (workflow/checkpointer.c, docs/keys.md) */
	char *checkpoint_secret_key;  /* FIXED: path of the Ed25519 secret key; NULL: none */
	unsigned checkpoint_interval; /* seconds between checkpoints, default 86400 (1..86400) */
};

/* Parses a config file. NULL with a message "FILE:LINE: reason" in err on
 * any unknown key, bad value or missing required key (database,
 * receipt_pepper_file, custodian_public_key, case_public_key), or keys that
 * do not fit together (smtp_user without smtp_password_file, a mail_from
 * that is not an address, outbox_retry_min above outbox_retry_max). */
struct config *config_load(const char *path, char *err, size_t errlen) MUST_CHECK;

/* Same from a string (for tests); name is used in messages. */
struct config *config_parse(const char *text, const char *name, char *err,
			    size_t errlen) MUST_CHECK;

/* Copies the FIXED keys of old into fresh, and writes into note (may be
 * NULL) which changed FIXED keys were ignored. */
void config_keep_fixed(struct config *fresh, const struct config *old, char *note, size_t notelen);

/* Parses reminder_working_days ("2,0") into days[]; returns how many, -1 if
 * malformed (each 0..30, at most 8, comma-separated). */
int config_reminder_days(const char *text, int days[8]);

/* The list of known keys, NULL-terminated (for the docs check). */
const char *const *config_keys(void);

/* The public address of one page: public_url, a '/' when it lacks one,
 * then path (e.g. "status"), cut to size. cfg or its public_url may be
 * NULL (then "/" + path). */
void config_public_link(const struct config *cfg, const char *path, char *out, size_t size);

void config_free(struct config *cfg);

#endif
