/* base/config.c: defaults, every key, quoting, size suffixes, every error
 * with its line number, keeping FIXED keys on reload, and that
 * docs/config.md and deploy/hotlined.conf.sample describe exactly the keys
 * the parser knows. Runs with the repository root as working directory
 * (tools/unit.sh does that). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/config.h"

#define DOCS_PATH "docs/config.md"
#define SAMPLE_PATH "deploy/hotlined.conf.sample"

/* The four keys without a default, on lines 1-4. */
#define REQUIRED                                                                                   \
	"database = host=/run/postgresql dbname=hotline user=hotline_app\n"                        \
	"receipt_pepper_file = /etc/hotline/receipt.pepper\n"                                      \
	"custodian_public_key = /etc/hotline/custodian.pub\n"                                      \
	"case_public_key = /etc/hotline/case.pub\n"

static const char *const fixed_keys[] = {
    "listen_address",	     "listen_port",	    "database",	       "db_connections",
    "receipt_pepper_file",   "lmtp_listen",	    "outbox_key_file", "staff_workers",
    "checkpoint_secret_key", "account_secret_file", "spool_dir",       NULL};

static bool is_fixed(const char *key)
{
	for (const char *const *k = fixed_keys; *k != NULL; k++)
		if (strcmp(*k, key) == 0)
			return true;
	return false;
}

static bool is_known(const char *key)
{
	for (const char *const *k = config_keys(); *k != NULL; k++)
		if (strcmp(*k, key) == 0)
			return true;
	return false;
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		print_error("cannot open %s (tests run from the repository root)\n", path);
		return NULL;
	}
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	assert_non_null(out);
	int c;
	while ((c = fgetc(f)) != EOF)
		fputc(c, out);
	fclose(f);
	fclose(out);
	return text;
}

/* Parses text and expects exactly this error. */
static void check_error(const char *text, const char *expected)
{
	char err[512] = "unchanged";
	struct config *cfg = config_parse(text, "test.conf", err, sizeof(err));
	if (cfg != NULL || strcmp(err, expected) != 0) {
		print_error("config:\n%s\nexpected error: %s\ngot: %s\n", text, expected,
			    cfg != NULL ? "(accepted)" : err);
		config_free(cfg);
		fail();
	}
}

static struct config *parse_ok(const char *text)
{
	char err[512] = "";
	struct config *cfg = config_parse(text, "test.conf", err, sizeof(err));
	if (cfg == NULL) {
		print_error("config:\n%s\nrejected: %s\n", text, err);
		fail();
	}
	assert_string_equal(err, "");
	return cfg;
}

static void test_defaults(void **state)
{
	(void)state;
	struct config *cfg = parse_ok(REQUIRED);
	assert_string_equal(cfg->listen_address, "127.0.0.1");
	assert_int_equal(cfg->listen_port, 8080);
	assert_string_equal(cfg->database, "host=/run/postgresql dbname=hotline user=hotline_app");
	assert_int_equal(cfg->db_connections, 4);
	assert_string_equal(cfg->receipt_pepper_file, "/etc/hotline/receipt.pepper");
	assert_string_equal(cfg->custodian_public_key, "/etc/hotline/custodian.pub");
	assert_string_equal(cfg->case_public_key, "/etc/hotline/case.pub");
	assert_int_equal(cfg->max_body_bytes, 26214400);
	assert_int_equal(cfg->max_file_bytes, 10485760);
	assert_int_equal(cfg->max_files, 5);
	assert_int_equal(cfg->max_text_bytes, 65536);
	assert_int_equal(cfg->request_timeout, 15);
	assert_int_equal(cfg->max_batch, 64);
	assert_null(cfg->lmtp_listen);
	assert_int_equal(cfg->max_mail_bytes, 26214400);
	assert_int_equal(cfg->max_mail_attachments, 10);
	assert_string_equal(cfg->mail_acknowledge, "yes");
	assert_string_equal(cfg->mail_receipt, "no");
	assert_null(cfg->mail_address);
	assert_null(cfg->outbox_key_file);
	assert_string_equal(cfg->default_language, "ru");
	assert_string_equal(cfg->log_level, "info");
	assert_int_equal(cfg->lookup_free_failures, 5);
	assert_int_equal(cfg->lookup_max_delay, 30);
	assert_int_equal(cfg->receipt_page_seconds, 900);
	assert_string_equal(cfg->public_url, "http://127.0.0.1:8080/");
	assert_string_equal(cfg->smtp_server, "127.0.0.1");
	assert_int_equal(cfg->smtp_port, 25);
	assert_string_equal(cfg->smtp_starttls, "try");
	assert_null(cfg->smtp_user);
	assert_null(cfg->smtp_password_file);
	assert_null(cfg->smtp_ca_file);
	assert_string_equal(cfg->mail_from, "hotline@localhost");
	assert_int_equal(cfg->smtp_timeout, 30);
	assert_int_equal(cfg->outbox_retry_min, 30);
	assert_int_equal(cfg->outbox_retry_max, 3600);
	config_free(cfg);
}

static void test_every_key(void **state)
{
	(void)state;
	struct config *cfg = parse_ok("listen_address = ::1\n"
				      "listen_port = 65535\n"
				      "database = dbname=other\n"
				      "db_connections = 64\n"
				      "receipt_pepper_file = /p\n"
				      "custodian_public_key = /c\n"
				      "case_public_key = /k\n"
				      "max_body_bytes = 1048576\n"
				      "max_file_bytes = 2048\n"
				      "max_files = 0\n"
				      "max_text_bytes = 1024\n"
				      "request_timeout = 600\n"
				      "max_batch = 1000\n"
				      "default_language = kk\n"
				      "log_level = debug\n"
				      "lookup_free_failures = 0\n"
				      "lookup_max_delay = 3600\n"
				      "public_url = https://hotline.example.kz/\n"
				      "smtp_server = mail.example.kz\n"
				      "smtp_port = 587\n"
				      "smtp_starttls = required\n"
				      "smtp_user = hotline\n"
				      "smtp_password_file = /etc/hotline/smtp-password\n"
				      "smtp_ca_file = /etc/hotline/smtp-ca.pem\n"
				      "mail_from = notices@hotline.example.kz\n"
				      "smtp_timeout = 3600\n"
				      "outbox_retry_min = 86400\n"
				      "outbox_retry_max = 604800\n");
	assert_string_equal(cfg->listen_address, "::1");
	assert_int_equal(cfg->listen_port, 65535);
	assert_string_equal(cfg->database, "dbname=other");
	assert_int_equal(cfg->db_connections, 64);
	assert_string_equal(cfg->receipt_pepper_file, "/p");
	assert_string_equal(cfg->custodian_public_key, "/c");
	assert_string_equal(cfg->case_public_key, "/k");
	assert_int_equal(cfg->max_body_bytes, 1048576);
	assert_int_equal(cfg->max_file_bytes, 2048);
	assert_int_equal(cfg->max_files, 0);
	assert_int_equal(cfg->max_text_bytes, 1024);
	assert_int_equal(cfg->request_timeout, 600);
	assert_int_equal(cfg->max_batch, 1000);
	assert_string_equal(cfg->default_language, "kk");
	assert_string_equal(cfg->log_level, "debug");
	assert_int_equal(cfg->lookup_free_failures, 0);
	assert_int_equal(cfg->lookup_max_delay, 3600);
	assert_string_equal(cfg->public_url, "https://hotline.example.kz/");
	assert_string_equal(cfg->smtp_server, "mail.example.kz");
	assert_int_equal(cfg->smtp_port, 587);
	assert_string_equal(cfg->smtp_starttls, "required");
	assert_string_equal(cfg->smtp_user, "hotline");
	assert_string_equal(cfg->smtp_password_file, "/etc/hotline/smtp-password");
	assert_string_equal(cfg->smtp_ca_file, "/etc/hotline/smtp-ca.pem");
	assert_string_equal(cfg->mail_from, "notices@hotline.example.kz");
	assert_int_equal(cfg->smtp_timeout, 3600);
	assert_int_equal(cfg->outbox_retry_min, 86400);
	assert_int_equal(cfg->outbox_retry_max, 604800);
	config_free(cfg);

	/* The other ends of the ranges and the other choices. */
	cfg = parse_ok(REQUIRED "listen_port = 1\ndb_connections = 1\nmax_files = 100\n"
				"request_timeout = 1\nmax_batch = 1\nlookup_max_delay = 1\n"
				"lookup_free_failures = 1000\ndefault_language = en\n"
				"log_level = error\n"
				"smtp_port = 1\nsmtp_timeout = 1\nsmtp_starttls = no\n"
				"outbox_retry_min = 1\noutbox_retry_max = 1\n");
	assert_int_equal(cfg->listen_port, 1);
	assert_int_equal(cfg->db_connections, 1);
	assert_int_equal(cfg->max_files, 100);
	assert_int_equal(cfg->request_timeout, 1);
	assert_int_equal(cfg->max_batch, 1);
	assert_int_equal(cfg->lookup_max_delay, 1);
	assert_int_equal(cfg->lookup_free_failures, 1000);
	assert_string_equal(cfg->default_language, "en");
	assert_string_equal(cfg->log_level, "error");
	assert_int_equal(cfg->smtp_port, 1);
	assert_int_equal(cfg->smtp_timeout, 1);
	assert_string_equal(cfg->smtp_starttls, "no");
	assert_int_equal(cfg->outbox_retry_min, 1);
	assert_int_equal(cfg->outbox_retry_max, 1);
	config_free(cfg);

	cfg = parse_ok(REQUIRED "log_level = warning\n");
	assert_string_equal(cfg->log_level, "warning");
	config_free(cfg);
}

static void test_layout(void **state)
{
	(void)state;
	/* Comments, blank lines, indentation, tabs, CRLF, trailing blanks, no
	 * final newline, a byte order mark. */
	struct config *cfg = parse_ok("\xEF\xBB\xBF# hotlined\r\n"
				      "\r\n"
				      "   # indented comment\n"
				      "\t\n"
				      "database=dbname=x\r\n"
				      "  receipt_pepper_file\t=\t/p  \t\n"
				      "custodian_public_key =/c\n"
				      "case_public_key= /k\n"
				      "listen_port = 9000 \r\n"
				      "public_url = http://a/b#frag");
	assert_string_equal(cfg->database, "dbname=x");
	assert_string_equal(cfg->receipt_pepper_file, "/p");
	assert_string_equal(cfg->custodian_public_key, "/c");
	assert_string_equal(cfg->case_public_key, "/k");
	assert_int_equal(cfg->listen_port, 9000);
	/* `#` inside a value is part of it: passwords may contain one. */
	assert_string_equal(cfg->public_url, "http://a/b#frag");
	config_free(cfg);
}

static void test_quotes(void **state)
{
	(void)state;
	struct config *cfg = parse_ok("database = \"host=db password='a\\\"b\\\\c # d' \"\n"
				      "receipt_pepper_file = \"/etc/hotline/with space\"   \n"
				      "custodian_public_key = \"/c\"\n"
				      "case_public_key = /k/\"not a quote\"\n"
				      "listen_port = \"8081\"\n"
				      "max_body_bytes = \"2M\"\n"
				      "log_level = \"debug\"\n");
	assert_string_equal(cfg->database, "host=db password='a\"b\\c # d' ");
	assert_string_equal(cfg->receipt_pepper_file, "/etc/hotline/with space");
	assert_string_equal(cfg->custodian_public_key, "/c");
	/* Quotes only mean something at the start of a value. */
	assert_string_equal(cfg->case_public_key, "/k/\"not a quote\"");
	assert_int_equal(cfg->listen_port, 8081);
	assert_int_equal(cfg->max_body_bytes, 2u << 20);
	assert_string_equal(cfg->log_level, "debug");
	config_free(cfg);

	check_error(REQUIRED "public_url = \"http://a/\n",
		    "test.conf:5: unterminated quoted value for public_url");
	check_error(
	    REQUIRED "public_url = \"http://a/\\n\"\n",
	    "test.conf:5: bad escape in quoted value for public_url (only \\\" and \\\\ are "
	    "allowed)");
	check_error(REQUIRED "public_url = \"http://a/\" # comment\n",
		    "test.conf:5: text after the closing quote of public_url");
	check_error(REQUIRED "public_url = \"\"\n", "test.conf:5: empty value for public_url");
	check_error(REQUIRED "public_url = \"a\\\"\n",
		    "test.conf:5: unterminated quoted value for public_url");
}

static void test_sizes(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		size_t bytes;
	} ok[] = {
	    {"1024", 1024},	{"1K", 1024},	     {"64K", 65536},	       {"25M", 26214400},
	    {"1G", 1073741824}, {"4G", 4294967296u}, {"123456789", 123456789},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char text[512];
		snprintf(text, sizeof(text),
			 REQUIRED "max_body_bytes = %s\nmax_file_bytes = %s\nmax_text_bytes = %s\n",
			 ok[i].text, ok[i].text, ok[i].text);
		struct config *cfg = parse_ok(text);
		assert_int_equal(cfg->max_body_bytes, ok[i].bytes);
		assert_int_equal(cfg->max_file_bytes, ok[i].bytes);
		assert_int_equal(cfg->max_text_bytes, ok[i].bytes);
		config_free(cfg);
	}

	static const char *const bad[] = {
	    "1023",
	    "0",
	    "1k",
	    "25m",
	    "25MB",
	    "25 M",
	    "M",
	    "1T",
	    "-1024",
	    "+1024",
	    "0x1000",
	    "1.5M",
	    "10KK",
	    "1e6",
	    "2048 bytes",
	    "99999999999999999999",
	    "17179869184G",
	    "18446744073709551616",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[512], expected[512];
		snprintf(text, sizeof(text), REQUIRED "# sizes\nmax_file_bytes = %s\n", bad[i]);
		snprintf(
		    expected, sizeof(expected),
		    "test.conf:6: bad value \"%.32s\" for max_file_bytes: expected a size of at "
		    "least 1024 bytes (a number of bytes, or with K, M or G: 25M)",
		    bad[i]);
		check_error(text, expected);
	}
}

static void test_numbers(void **state)
{
	(void)state;
	static const struct {
		const char *key, *value, *range;
	} bad[] = {
	    {"listen_port", "0", "1 to 65535"},
	    {"listen_port", "65536", "1 to 65535"},
	    {"listen_port", "80a", "1 to 65535"},
	    {"listen_port", "-1", "1 to 65535"},
	    {"listen_port", "+80", "1 to 65535"},
	    {"listen_port", "0x50", "1 to 65535"},
	    {"listen_port", "8K", "1 to 65535"},
	    {"listen_port", "18446744073709551617", "1 to 65535"},
	    {"listen_port", "4294967376", "1 to 65535"}, /* 80 + 2^32 */
	    {"db_connections", "0", "1 to 64"},
	    {"db_connections", "65", "1 to 64"},
	    {"max_files", "101", "0 to 100"},
	    {"max_files", "five", "0 to 100"},
	    {"request_timeout", "0", "1 to 600"},
	    {"request_timeout", "601", "1 to 600"},
	    {"max_batch", "0", "1 to 1000"},
	    {"max_batch", "1001", "1 to 1000"},
	    {"lookup_free_failures", "1001", "0 to 1000"},
	    {"lookup_max_delay", "0", "1 to 3600"},
	    {"lookup_max_delay", "3601", "1 to 3600"},
	    {"lookup_max_delay", "30s", "1 to 3600"},
	    {"receipt_page_seconds", "0", "1 to 86400"},
	    {"receipt_page_seconds", "86401", "1 to 86400"},
	    {"smtp_port", "0", "1 to 65535"},
	    {"smtp_port", "65536", "1 to 65535"},
	    {"smtp_timeout", "0", "1 to 3600"},
	    {"smtp_timeout", "3601", "1 to 3600"},
	    {"outbox_retry_min", "0", "1 to 86400"},
	    {"outbox_retry_min", "86401", "1 to 86400"},
	    {"outbox_retry_max", "0", "1 to 604800"},
	    {"outbox_retry_max", "604801", "1 to 604800"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[512], expected[512];
		snprintf(text, sizeof(text), "\n\n" REQUIRED "%s = %s\n", bad[i].key, bad[i].value);
		snprintf(expected, sizeof(expected),
			 "test.conf:7: bad value \"%s\" for %s: expected a whole number from %s",
			 bad[i].value, bad[i].key, bad[i].range);
		check_error(text, expected);
	}
	/* Leading zeros are plain decimal, not octal. */
	struct config *cfg = parse_ok(REQUIRED "listen_port = 010\n");
	assert_int_equal(cfg->listen_port, 10);
	config_free(cfg);
}

static void test_errors(void **state)
{
	(void)state;
	check_error("# top\n\nlisten_prot = 80\n" REQUIRED,
		    "test.conf:3: unknown key \"listen_prot\"");
	check_error(REQUIRED "Listen_Port = 80\n", "test.conf:5: unknown key \"Listen_Port\"");
	/* issue 14: the custodian's secret key no longer comes to the server;
	 * refused with the reason, so that its file is removed */
	check_error(REQUIRED "custodian_secret_key = /etc/hotline/custodian.sec\n",
		    "test.conf:5: custodian_secret_key is no longer read: the unmasking key is "
		    "split among its holders and never on the server (docs/reveal.md); remove "
		    "this line and the secret key file it names from this host");
	check_error(REQUIRED "\n# again\nlisten_port = 80\nlisten_port = 81\n",
		    "test.conf:8: duplicate key listen_port (first set on line 7)");
	check_error("database = a\n" REQUIRED,
		    "test.conf:2: duplicate key database (first set on line 1)");
	check_error(REQUIRED "default_language = de\n",
		    "test.conf:5: bad value \"de\" for default_language: expected kk, ru or en");
	check_error(REQUIRED "default_language = RU\n",
		    "test.conf:5: bad value \"RU\" for default_language: expected kk, ru or en");
	check_error(REQUIRED "log_level = verbose\n",
		    "test.conf:5: bad value \"verbose\" for log_level: expected error, warning, "
		    "info or debug");
	check_error(REQUIRED "log_level = warn\n",
		    "test.conf:5: bad value \"warn\" for log_level: expected error, warning, info "
		    "or debug");
	check_error(REQUIRED "listen_port\n", "test.conf:5: expected \"key = value\"");
	check_error(REQUIRED "= 80\n", "test.conf:5: expected \"key = value\"");
	check_error(REQUIRED "listen port = 80\n", "test.conf:5: expected \"key = value\"");
	check_error(REQUIRED "[server]\n", "test.conf:5: expected \"key = value\"");
	check_error(REQUIRED "listen_address =\n", "test.conf:5: empty value for listen_address");
	check_error(REQUIRED "listen_address =   \t\n",
		    "test.conf:5: empty value for listen_address");
	/* The first error wins. */
	check_error(
	    REQUIRED "log_level = loud\nlisten_port = 0\n",
	    "test.conf:5: bad value \"loud\" for log_level: expected error, warning, info or "
	    "debug");
}

/* The SMTP keys that must fit together or have a shape. */
static void test_trusted_proxies(void **state)
{
	(void)state;
	char err[256];
	struct config *cfg = config_parse(REQUIRED, "test.conf", err, sizeof err);
	assert_non_null(cfg);
	assert_null(cfg->trusted_proxies); /* default: no proxy believed */
	config_free(cfg);
	cfg = config_parse(REQUIRED "trusted_proxies = 127.0.0.1, ::1,10.1.0.0/16\n", "test.conf",
			   err, sizeof err);
	assert_non_null(cfg);
	assert_string_equal(cfg->trusted_proxies, "127.0.0.1, ::1,10.1.0.0/16");
	config_free(cfg);
	static const char *const bad[] = {"proxy.example.kz",
					  "127.0.0.1, 300.1.1.1",
					  "10.0.0.0/33",
					  "::1/129",
					  "127.0.0.1/",
					  ",",
					  NULL};
	for (const char *const *b = bad; *b; b++) {
		char text[512];
		snprintf(text, sizeof text, REQUIRED "trusted_proxies = %s\n", *b);
		check_error(text, "test.conf:5: bad value for trusted_proxies: expected IPv4 or "
				  "IPv6 addresses or networks (address/prefix), comma-separated "
				  "(e.g. 127.0.0.1, ::1)");
	}
}

static void test_mail_keys(void **state)
{
	(void)state;
	check_error(
	    REQUIRED "smtp_starttls = yes\n",
	    "test.conf:5: bad value \"yes\" for smtp_starttls: expected no, try or required");
	check_error(REQUIRED "# auth\nsmtp_user = hotline\n",
		    "test.conf:6: smtp_user needs smtp_password_file");
	check_error(REQUIRED "smtp_password_file = /p\n",
		    "test.conf:5: smtp_password_file needs smtp_user");
	check_error(REQUIRED "outbox_retry_min = 61\noutbox_retry_max = 60\n",
		    "test.conf:5: outbox_retry_min (61) is above outbox_retry_max (60)");
	check_error(REQUIRED "outbox_retry_max = 10\n",
		    "test.conf:5: outbox_retry_min (30) is above outbox_retry_max (10)");
	static const char *const bad_from[] = {
	    "hotline",
	    "@example.kz",
	    "hotline@",
	    "hotline@@example.kz",
	    "Hotline <h@example.kz>",
	    "h\x01@example.kz",
	    "h@exa mple.kz",
	    "h@example..kz",
	    ".h@example.kz",
	    "h.@example.kz",
	    "h@-example.kz",
	    "h@example.kz-",
	    "h,i@example.kz",
	    "h@[127.0.0.1]",
	    "h\"i\"@example.kz",
	};
	for (size_t i = 0; i < sizeof(bad_from) / sizeof(bad_from[0]); i++) {
		char text[512];
		snprintf(text, sizeof(text), REQUIRED "mail_from = %s\n", bad_from[i]);
		check_error(text,
			    "test.conf:5: bad value for mail_from: expected an address such as "
			    "hotline@example.kz");
	}
	static const char *const bad_server[] = {"::1", "mail.example.kz:25", "a/b", "\"a b\""};
	for (size_t i = 0; i < sizeof(bad_server) / sizeof(bad_server[0]); i++) {
		char text[512];
		snprintf(text, sizeof(text), REQUIRED "smtp_server = %s\n", bad_server[i]);
		check_error(text,
			    "test.conf:5: bad value for smtp_server: expected a host name or an "
			    "IPv4 address");
	}
	struct config *cfg = parse_ok(REQUIRED "mail_from = o'brien+hotline@mail-1.example.kz\n"
					       "smtp_server = 10.0.0.25\n");
	assert_string_equal(cfg->mail_from, "o'brien+hotline@mail-1.example.kz");
	assert_string_equal(cfg->smtp_server, "10.0.0.25");
	config_free(cfg);
}

static void test_missing(void **state)
{
	(void)state;
	check_error("", "test.conf:0: missing required key database");
	check_error("# nothing\n\n", "test.conf:0: missing required key database");
	check_error("database = x\n", "test.conf:0: missing required key receipt_pepper_file");
	check_error("database = x\nreceipt_pepper_file = p\n",
		    "test.conf:0: missing required key custodian_public_key");
	/* case_public_key, the recovery key, is optional (docs/keys.md) */
	struct config *cfg =
	    parse_ok("database = x\nreceipt_pepper_file = p\ncustodian_public_key = c\n");
	assert_null(cfg->case_public_key);
	config_free(cfg);
	check_error("case_public_key = k\ncustodian_public_key = c\nreceipt_pepper_file = p\n",
		    "test.conf:0: missing required key database");
}

/* The conninfo may hold a password: no message may quote it. */
static void test_conninfo_never_in_errors(void **state)
{
	(void)state;
	static const char *const texts[] = {
	    REQUIRED "database = password=hunter2\n",
	    "database = \"password=hunter2\n" REQUIRED,
	    "database = \"password=hunter2\\x\"\n" REQUIRED,
	    "database = \"password=hunter2\" x\n" REQUIRED,
	    "password=hunter2\n" REQUIRED,
	    "database password=hunter2\n" REQUIRED,
	    "database = password=hunter2\nlisten_port = 0\n",
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		char err[512] = "";
		struct config *cfg = config_parse(texts[i], "test.conf", err, sizeof(err));
		assert_null(cfg);
		assert_true(strncmp(err, "test.conf:", 10) == 0);
		if (strstr(err, "hunter2") != NULL) {
			print_error("leaked: %s\n", err);
			fail();
		}
	}
}

static void test_small_err_buffer(void **state)
{
	(void)state;
	char err[8];
	assert_null(config_parse("x = 1\n", "a-long-file-name.conf", err, sizeof(err)));
	assert_string_equal(err, "a-long-");
	assert_null(config_parse("x = 1\n", "n", NULL, 0));
	struct config *cfg = config_parse(REQUIRED, "n", NULL, 0);
	assert_non_null(cfg);
	config_free(cfg);
}

static void test_load(void **state)
{
	(void)state;
	char err[512];
	assert_null(config_load("/nonexistent/hotlined.conf", err, sizeof(err)));
	assert_string_equal(err,
			    "/nonexistent/hotlined.conf:0: cannot open: No such file or directory");

	char path[] = "/tmp/test_config_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(REQUIRED "listen_port = 8443\n", f);
	fclose(f);
	struct config *cfg = config_load(path, err, sizeof(err));
	assert_non_null(cfg);
	assert_int_equal(cfg->listen_port, 8443);
	config_free(cfg);

	/* Errors are named after the file. */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(REQUIRED "bogus = 1\n", f);
	fclose(f);
	assert_null(config_load(path, err, sizeof(err)));
	char expected[512];
	snprintf(expected, sizeof(expected), "%s:5: unknown key \"bogus\"", path);
	assert_string_equal(err, expected);

	/* A binary file. */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("database = x\n\n", f);
	fputc('\0', f);
	fclose(f);
	assert_null(config_load(path, err, sizeof(err)));
	snprintf(expected, sizeof(expected), "%s:3: NUL byte: not a text file", path);
	assert_string_equal(err, expected);
	unlink(path);
}

static void test_keep_fixed(void **state)
{
	(void)state;
	struct config *old = parse_ok(REQUIRED "listen_port = 8080\nmax_files = 5\n");
	struct config *fresh = parse_ok("database = dbname=other password=hunter2\n"
					"receipt_pepper_file = /etc/hotline/receipt.pepper\n"
					"custodian_public_key = /new/custodian.pub\n"
					"case_public_key = /new/case.pub\n"
					"listen_port = 9090\n"
					"max_files = 7\n"
					"log_level = debug\n"
					"smtp_server = relay.example.kz\n"
					"outbox_retry_max = 60\n");
	char note[256] = "unchanged";
	config_keep_fixed(fresh, old, note, sizeof(note));
	assert_string_equal(
	    note, "ignored change of FIXED keys: listen_port, database (restart to apply)");
	/* FIXED keys keep their old values ... */
	assert_int_equal(fresh->listen_port, 8080);
	assert_string_equal(fresh->database, old->database);
	assert_ptr_not_equal(fresh->database, old->database);
	assert_string_equal(fresh->listen_address, "127.0.0.1");
	/* ... the others take the new ones. */
	assert_string_equal(fresh->custodian_public_key, "/new/custodian.pub");
	assert_string_equal(fresh->case_public_key, "/new/case.pub");
	assert_int_equal(fresh->max_files, 7);
	assert_string_equal(fresh->log_level, "debug");
	assert_string_equal(fresh->smtp_server, "relay.example.kz");
	assert_int_equal(fresh->outbox_retry_max, 60);
	config_free(old);

	/* Nothing FIXED changed: empty note. fresh stays usable after old is
	 * gone (it owns its strings). */
	struct config *again = parse_ok(REQUIRED "max_files = 9\n");
	strcpy(note, "unchanged");
	config_keep_fixed(again, fresh, note, sizeof(note));
	assert_string_equal(note, "");
	assert_int_equal(again->max_files, 9);
	config_free(fresh);

	/* Every FIXED key. */
	struct config *moved = parse_ok("listen_address = 0.0.0.0\nlisten_port = 1\n"
					"database = d\ndb_connections = 2\n"
					"receipt_pepper_file = /q\ncustodian_public_key = /c2\n"
					"case_public_key = /k2\n");
	config_keep_fixed(moved, again, note, sizeof(note));
	assert_string_equal(note, "ignored change of FIXED keys: listen_address, listen_port, "
				  "database, db_connections, receipt_pepper_file (restart to "
				  "apply)");
	assert_string_equal(moved->listen_address, again->listen_address);
	assert_int_equal(moved->listen_port, again->listen_port);
	assert_string_equal(moved->database, again->database);
	assert_int_equal(moved->db_connections, again->db_connections);
	assert_string_equal(moved->receipt_pepper_file, again->receipt_pepper_file);
	assert_string_equal(moved->custodian_public_key, "/c2");
	/* A NULL note is allowed. */
	config_keep_fixed(moved, again, NULL, 0);
	config_free(again);
	config_free(moved);
}

static void test_free_null(void **state)
{
	(void)state;
	config_free(NULL);
}

static void test_reminder_days(void **state)
{
	(void)state;
	int days[8];
	assert_int_equal(config_reminder_days("2,0", days), 2);
	assert_int_equal(days[0], 2);
	assert_int_equal(days[1], 0);
	assert_int_equal(config_reminder_days("5, 2, 1", days), 3);
	assert_int_equal(config_reminder_days("", days), 0);
	assert_int_equal(config_reminder_days("31", days), -1);
	assert_int_equal(config_reminder_days("-1", days), -1);
	assert_int_equal(config_reminder_days("2,", days), -1);
	assert_int_equal(config_reminder_days("two", days), -1);
	assert_int_equal(config_reminder_days("1,1,1,1,1,1,1,1,1", days), -1);
	char err[256];
	struct config *cfg = config_parse("database = x\nreceipt_pepper_file = p\n"
					  "custodian_public_key = c\ncase_public_key = k\n"
					  "reminder_working_days = 3;1\n",
					  "t.conf", err, sizeof(err));
	assert_null(cfg);
	assert_non_null(strstr(err, "t.conf:5:"));
}

static void test_keys(void **state)
{
	(void)state;
	const char *const *keys = config_keys();
	size_t n = 0;
	for (; keys[n] != NULL; n++) {
		for (size_t j = 0; j < n; j++)
			assert_string_not_equal(keys[j], keys[n]);
	}
	assert_int_equal(
	    n, 57); /* 49, receipt_page_seconds, kept_files_seconds and the six clean_* keys */
	for (const char *const *k = fixed_keys; *k != NULL; k++)
		assert_true(is_known(*k));
}

/* Each key is a row `| `key` | default | FIXED or reloadable | ... |` of
 * the table in docs/config.md. */
static void test_docs(void **state)
{
	(void)state;
	char *docs = read_text(DOCS_PATH);
	assert_non_null(docs);
	for (const char *const *k = config_keys(); *k != NULL; k++) {
		char row[128];
		snprintf(row, sizeof(row), "\n| `%s` |", *k);
		const char *at = strstr(docs, row);
		if (at == NULL) {
			print_error("%s: no table row for key %s\n", DOCS_PATH, *k);
			fail();
			continue; /* not reached; tells the compiler at != NULL below */
		}
		const char *end = strchr(at + 1, '\n');
		size_t len = end != NULL ? (size_t)(end - at) : strlen(at);
		char *line = strndup(at + 1, len - 1);
		bool says_fixed = strstr(line, "| FIXED |") != NULL;
		bool says_reloadable = strstr(line, "| reloadable |") != NULL;
		if (says_fixed == says_reloadable || says_fixed != is_fixed(*k)) {
			print_error("%s: row of %s must say %s: %s\n", DOCS_PATH, *k,
				    is_fixed(*k) ? "| FIXED |" : "| reloadable |", line);
			free(line);
			fail();
		}
		free(line);
	}
	/* The privacy note. */
	assert_non_null(strstr(docs, "password"));
	free(docs);
}

/* The sample is a valid config that names every key, set or commented out
 * as `#key = default` (prose comments are `# text`), and every commented
 * value is the real default. */
static void test_sample(void **state)
{
	(void)state;
	char err[512];
	struct config *sample = config_load(SAMPLE_PATH, err, sizeof(err));
	if (sample == NULL) {
		print_error("%s\n", err);
		fail();
	}

	char *text = read_text(SAMPLE_PATH);
	assert_non_null(text);
	char *uncommented = strdup(text);
	assert_non_null(uncommented);
	size_t nkeys = 0;
	for (const char *const *k = config_keys(); *k != NULL; k++)
		nkeys++;
	bool *listed = calloc(nkeys, sizeof(bool));
	assert_non_null(listed);

	unsigned lineno = 0;
	for (char *line = text, *out = uncommented; line != NULL;) {
		char *next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		lineno++;
		bool commented = line[0] == '#';
		const char *key = commented ? line + 1 : line;
		size_t klen = 0;
		while (islower((unsigned char)key[klen]) || isdigit((unsigned char)key[klen]) ||
		       key[klen] == '_')
			klen++;
		const char *rest = key + klen;
		while (*rest == ' ' || *rest == '\t')
			rest++;
		if (klen > 0 && *rest == '=') {
			char name[64];
			snprintf(name, sizeof(name), "%.*s", (int)klen, key);
			if (!is_known(name)) {
				print_error("%s:%u: unknown key %s\n", SAMPLE_PATH, lineno, name);
				fail();
			}
			size_t i = 0;
			while (strcmp(config_keys()[i], name) != 0)
				i++;
			if (listed[i]) {
				print_error("%s:%u: %s listed twice\n", SAMPLE_PATH, lineno, name);
				fail();
			}
			listed[i] = true;
			if (commented)
				out[0] = ' ';
		} else if (commented && line[1] != '\0' && line[1] != ' ') {
			print_error("%s:%u: prose comments start with \"# \", settings with "
				    "\"#key = \"\n",
				    SAMPLE_PATH, lineno);
			fail();
		}
		if (next != NULL)
			out += next - line;
		line = next;
	}
	for (size_t i = 0; i < nkeys; i++) {
		if (!listed[i]) {
			print_error("%s: key %s is missing\n", SAMPLE_PATH, config_keys()[i]);
			fail();
		}
	}

	/* Uncommenting every `#key = value` changes nothing: they are the
	 * defaults. */
	struct config *all = config_parse(uncommented, "uncommented sample", err, sizeof(err));
	if (all == NULL) {
		print_error("%s\n", err);
		fail();
	}
	assert_string_equal(all->listen_address, sample->listen_address);
	assert_int_equal(all->listen_port, sample->listen_port);
	assert_string_equal(all->database, sample->database);
	assert_int_equal(all->db_connections, sample->db_connections);
	assert_string_equal(all->receipt_pepper_file, sample->receipt_pepper_file);
	assert_string_equal(all->custodian_public_key, sample->custodian_public_key);
	assert_string_equal(all->case_public_key, sample->case_public_key);
	assert_int_equal(all->max_body_bytes, sample->max_body_bytes);
	assert_int_equal(all->max_file_bytes, sample->max_file_bytes);
	assert_int_equal(all->max_files, sample->max_files);
	assert_int_equal(all->max_text_bytes, sample->max_text_bytes);
	assert_int_equal(all->request_timeout, sample->request_timeout);
	assert_int_equal(all->max_batch, sample->max_batch);
	assert_string_equal(all->default_language, sample->default_language);
	assert_string_equal(all->log_level, sample->log_level);
	assert_int_equal(all->lookup_free_failures, sample->lookup_free_failures);
	assert_int_equal(all->lookup_max_delay, sample->lookup_max_delay);
	assert_int_equal(all->receipt_page_seconds, sample->receipt_page_seconds);
	assert_string_equal(all->public_url, sample->public_url);
	assert_string_equal(all->smtp_server, sample->smtp_server);
	assert_int_equal(all->smtp_port, sample->smtp_port);
	assert_string_equal(all->smtp_starttls, sample->smtp_starttls);
	assert_string_equal(all->mail_from, sample->mail_from);
	assert_int_equal(all->smtp_timeout, sample->smtp_timeout);
	assert_int_equal(all->outbox_retry_min, sample->outbox_retry_min);
	assert_int_equal(all->outbox_retry_max, sample->outbox_retry_max);
	/* The keys without a default show an example, commented out. */
	assert_null(sample->smtp_user);
	assert_null(sample->smtp_password_file);
	assert_null(sample->smtp_ca_file);
	assert_null(sample->trusted_proxies);
	assert_string_equal(all->trusted_proxies, "127.0.0.1, ::1");
	assert_non_null(all->smtp_user);
	assert_non_null(all->smtp_password_file);
	assert_non_null(all->smtp_ca_file);

	/* Production paths: public keys under /etc, the pepper (a secret made on
	 * the server) in the state directory. */
	assert_true(strncmp(sample->receipt_pepper_file, "/var/lib/hotline/", 17) == 0);
	assert_true(strncmp(sample->custodian_public_key, "/etc/hotline/", 13) == 0);
	assert_true(strncmp(sample->case_public_key, "/etc/hotline/", 13) == 0);

	config_free(all);
	config_free(sample);
	free(listed);
	free(uncommented);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_every_key),
	    cmocka_unit_test(test_layout),
	    cmocka_unit_test(test_quotes),
	    cmocka_unit_test(test_sizes),
	    cmocka_unit_test(test_numbers),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_mail_keys),
	    cmocka_unit_test(test_trusted_proxies),
	    cmocka_unit_test(test_missing),
	    cmocka_unit_test(test_conninfo_never_in_errors),
	    cmocka_unit_test(test_small_err_buffer),
	    cmocka_unit_test(test_load),
	    cmocka_unit_test(test_keep_fixed),
	    cmocka_unit_test(test_free_null),
	    cmocka_unit_test(test_keys),
	    cmocka_unit_test(test_reminder_days),
	    cmocka_unit_test(test_docs),
	    cmocka_unit_test(test_sample),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
