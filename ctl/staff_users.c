/* hotlinectl user ..., role totp, audit verify: staff accounts from the
 * command line (docs/cli.md, docs/staff.md). Every change is written to
 * the audit log as done by the operating-system user (ctldb_actor()). */
#include "ctl/staff_users.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "crypto/keys.h"
#include "crypto/random.h"
#include "crypto/secret.h"
#include "ctl/chaincheck.h"
#include "ctl/ctldb.h"
#include "ctl/keygen.h"
#include "accounts/account.h"
#include "accounts/accountdb.h"
#include "accounts/activation.h"
#include "accounts/audit.h"
#include "accounts/auditchain.h"
#include "accounts/role.h"
#include "accounts/totp.h"
#include "base/db.h"
#include "base/schema.h"
#include "crypto/keys.h"
#include "ctl/chaincheck.h"
#include "ctl/ctldb.h"
#include "ctl/keygen.h"
#include "staff/internal.h"

static void complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void complain(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("hotlinectl: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* The first line of stdin (no echo on a terminal, with a prompt); false
 * when there is none. */
static bool read_password(const char *prompt, char *buf, size_t size)
{
	bool tty = isatty(STDIN_FILENO);
	struct termios old, quiet;
	if (tty) {
		fprintf(stderr, "%s", prompt);
		if (tcgetattr(STDIN_FILENO, &old) == 0) {
			quiet = old;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
		} else {
			tty = false;
		}
	}
	size_t n = 0;
	bool got = false;
	for (;;) {
		char ch;
		ssize_t r = read(STDIN_FILENO, &ch, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got = true;
		if (ch == '\n')
			break;
		if (n + 1 >= size) {
			n = size; /* too long */
			continue;
		}
		if (n < size)
			buf[n++] = ch;
	}
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (n >= size) {
		secret_wipe(buf, size);
		complain("password too long (at most %d bytes)", ACCOUNT_PASSWORD_MAX);
		return false;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return got && n > 0;
}

static bool parse_roles(const char *list, char *pg_array, size_t size)
{
	/* "operator,admin" -> "{operator,admin}", each checked */
	size_t o = 0;
	pg_array[o++] = '{';
	const char *p = list;
	bool first = true;
	while (*p) {
		size_t n = strcspn(p, ",");
		char name[32];
		if (n == 0 || n >= sizeof name) {
			complain("bad role list '%s'", list);
			return false;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		enum role r;
		if (!role_parse(name, &r)) {
			complain("unknown role '%s' (operator, registrar, compliance, director, "
				 "alternate, commission, custodian, analyst, admin)",
				 name);
			return false;
		}
		if (o + n + 3 > size)
			return false;
		if (!first)
			pg_array[o++] = ',';
		memcpy(pg_array + o, name, n);
		o += n;
		first = false;
		p += n;
		if (*p == ',')
			p++;
	}
	pg_array[o++] = '}';
	pg_array[o] = '\0';
	return true;
}

/* An option of a "user" command that takes a value: "--flag VALUE". */
struct user_flag {
	const char *flag;
	const char **value;
};

/* The arguments of a "user" command: LOGIN (once) and the flags (up to
 * the one whose flag is NULL), anywhere; false after saying which argument
 * is not one of them. */
static bool take_login_and_flags(const char *cmd, int argc, char **argv, const char **login,
				 const struct user_flag *flags)
{
	for (int i = 0; i < argc; i++) {
		const struct user_flag *f = flags;
		while (f->flag && !(strcmp(argv[i], f->flag) == 0 && i + 1 < argc))
			f++;
		if (f->flag)
			*f->value = argv[++i];
		else if (!*login && argv[i][0] != '-')
			*login = argv[i];
		else {
			complain("%s: unexpected '%s'", cmd, argv[i]);
			return false;
		}
	}
	return true;
}

/* Ends the transaction of an account change r: the commit when it is done
 * (the account function of accounts/accountdb.c wrote the audit row), else
 * the reason (no_row, %s being the login, when there is no such row) and
 * the rollback. */
__attribute__((format(printf, 4, 0))) static bool commit_change(PGconn *pg, enum accountdb_result r,
								const struct wf_error *e,
								const char *no_row,
								const char *login)
{
	if (r == ACCOUNTDB_NO_ROW)
		complain(no_row, login);
	else if (r == ACCOUNTDB_FAILED)
		complain("%s", e->text);
	if (r == ACCOUNTDB_DONE && ctldb_commit(pg))
		return true;
	ctldb_rollback(pg);
	return false;
}

/* Says which privileged roles wait for a second person. */
static void say_pending(const char *login, const char *pending)
{
	if (pending[0])
		printf("waiting for a compliance manager's or the director's confirmation: %s "
		       "(they confirm at /staff/grants after comparing %s's key fingerprint, or "
		       "with hotlinectl user confirm)\n",
		       pending, login);
}

static void say_code(const char *code)
{
	printf("activation code: %s\n(valid %d hours, once: hand it to the person, who sets "
	       "their own password at /staff/activate)\n",
	       code, ACTIVATION_HOURS);
}

/* ---- user add / reset ---- */

static int user_add(PGconn *pg, int argc, char **argv)
{
	const char *login = NULL, *name = NULL, *roles = "";
	const struct user_flag flags[] = {{"--name", &name}, {"--roles", &roles}, {NULL, NULL}};
	if (!take_login_and_flags("user add", argc, argv, &login, flags))
		return 2;
	if (!login || !name) {
		fprintf(stderr,
			"usage: hotlinectl user add LOGIN --name NAME --roles ROLE[,ROLE...]\n"
			"  prints a one-time activation code for the person\n");
		return 2;
	}
	if (!account_login_ok(login)) {
		complain(
		    "login '%s' refused: 1-63 of a-z 0-9 . _ -, starting with a letter or digit",
		    login);
		return 2;
	}
	char array[256];
	if (!parse_roles(roles, array, sizeof array))
		return 2;
	struct wf_error e = {0};
	char code[ACTIVATION_CODE_SIZE], pending[ACCOUNTDB_PENDING_SIZE];
	int rc = 1;
	if (ctldb_begin(pg) &&
	    commit_change(
		pg, accountdb_add(pg, 0, ctldb_actor(), login, name, array, code, pending, &e), &e,
		"login %s is taken", login)) {
		printf("user %s added (roles asked: %s)\n", login, roles[0] ? roles : "none");
		say_pending(login, pending);
		say_code(code);
		rc = 0;
	}
	secret_wipe(code, sizeof code);
	return rc;
}

static int user_reset(PGconn *pg, const char *login)
{
	struct wf_error e = {0};
	char code[ACTIVATION_CODE_SIZE], pending[ACCOUNTDB_PENDING_SIZE];
	int rc = 1;
	if (ctldb_begin(pg) &&
	    commit_change(pg, accountdb_reset(pg, 0, ctldb_actor(), login, code, pending, &e), &e,
			  "no user %s", login)) {
		printf("user %s reset: no password and no key pair until activated; the case key "
		       "grant and the TOTP enrolment are gone until given again\n",
		       login);
		say_pending(login, pending);
		say_code(code);
		rc = 0;
	}
	secret_wipe(code, sizeof code);
	return rc;
}

/* The person's own step, from the command line: the activation code and
 * the new password (twice on a terminal) on stdin. */
static int user_activate(PGconn *pg, const char *login)
{
	char code[64], password[ACCOUNT_PASSWORD_MAX + 2], again[ACCOUNT_PASSWORD_MAX + 2];
	int rc = 1;
	if (!read_password("Activation code: ", code, sizeof code) ||
	    !read_password("New password: ", password, sizeof password)) {
		complain("the activation code and the new password are needed on stdin");
		goto out;
	}
	if (isatty(STDIN_FILENO) &&
	    (!read_password("Again: ", again, sizeof again) || strcmp(again, password) != 0)) {
		complain("the two passwords differ");
		goto out;
	}
	if (!account_password_ok(password)) {
		complain("password refused: at least %d characters, no control characters",
			 ACCOUNT_PASSWORD_MIN);
		goto out;
	}
	struct wf_error e = {0};
	long long id = 0;
	if (ctldb_begin(pg) &&
	    commit_change(
		pg, accountdb_activate(pg, login, code, password, &id, &e), &e,
		"no user %s waiting for activation with this code (wrong, used or expired)",
		login)) {
		printf("user %s activated: the password is set and the key pair made\n", login);
		rc = 0;
	}
out:
	secret_wipe(code, sizeof code);
	secret_wipe(password, sizeof password);
	secret_wipe(again, sizeof again);
	return rc;
}

/* A waiting grant confirmed by a compliance manager or the director, who
 * proves it is them with their password on stdin (docs/cli.md). */
static int user_confirm(PGconn *pg, int argc, char **argv)
{
	const char *login = NULL, *by = NULL;
	const struct user_flag flags[] = {{"--by", &by}, {NULL, NULL}};
	if (argc < 2 || !take_login_and_flags("user confirm", argc - 1, argv + 1, &login, flags) ||
	    !login || !by) {
		fprintf(stderr, "usage: hotlinectl user confirm ROLE LOGIN --by CONFIRMER\n"
				"  the confirmer's password is read from stdin\n");
		return 2;
	}
	const char *role = argv[0];
	char password[ACCOUNT_PASSWORD_MAX + 2];
	int rc = 1;
	if (!read_password("Password of the confirmer: ", password, sizeof password)) {
		complain("the confirmer's password is needed on stdin");
		return 1;
	}
	struct wf_error e = {0};
	long long actor = 0;
	static const char sql_grant[] =
	    "SELECT g.id FROM hotline.staff_grants_pending g JOIN hotline.staff_users u "
	    "ON u.id = g.user_id WHERE u.login = $1 AND g.role = $2";
	const char *v[2] = {login, role};
	PGresult *res = NULL;
	char why[16] = "";
	if (!ctldb_begin(pg))
		goto out;
	if (!commit_change(pg, accountdb_password_check(pg, by, password, &actor, &e), &e,
			   "no active user %s, or a wrong password", by))
		goto out;
	if (!ctldb_begin(pg) || !(res = ctldb_exec(pg, sql_grant, 2, v)))
		goto fail;
	if (PQntuples(res) != 1) {
		complain("no grant of %s to %s is waiting", role, login);
		goto fail;
	}
	enum accountdb_result r = accountdb_grant_confirm(
	    pg, actor, atoll(PQgetvalue(res, 0, db_col(res, "id"))), why, &e);
	if (r == ACCOUNTDB_DONE && ctldb_commit(pg)) {
		printf("user %s: role %s confirmed by %s\n", login, role, by);
		rc = 0;
		goto out;
	}
	if (r == ACCOUNTDB_NO_ROW)
		complain("%s may not confirm this grant (%s)", by, why);
	else if (r == ACCOUNTDB_FAILED)
		complain("%s", e.text);
fail:
	ctldb_rollback(pg);
out:
	PQclear(res);
	secret_wipe(password, sizeof password);
	return rc;
}

/* The grants waiting for a confirmation, with the key fingerprints to
 * compare. */
static int user_grants(PGconn *pg)
{
	static const char sql_waiting[] =
	    "SELECT u.login, g.role, g.requested_login, "
	    "to_char(g.requested_at AT TIME ZONE " SQL_ZONE
	    ", 'YYYY-MM-DD HH24:MI') AS requested_at, "
	    "u.public_key "
	    "FROM hotline.staff_grants_pending g JOIN hotline.staff_users u ON u.id = g.user_id "
	    "ORDER BY g.requested_at, g.id";
	PGresult *res = ctldb_exec(pg, sql_waiting, 0, NULL);
	if (!res)
		return 1;
	printf("%-16s %-11s %-16s %-17s %s\n", "LOGIN", "ROLE", "ASKED BY", "ASKED AT",
	       "KEY FINGERPRINT");
	int login = db_col(res, "login"), role = db_col(res, "role");
	int by = db_col(res, "requested_login"), at = db_col(res, "requested_at");
	int key = db_col(res, "public_key");
	for (int i = 0; i < PQntuples(res); i++) {
		char fp[FINGERPRINT_TEXT_SIZE];
		accountdb_fingerprint(PQgetisnull(res, i, key) ? NULL : PQgetvalue(res, i, key),
				      fp);
		printf("%-16s %-11s %-16s %-17s %s\n", PQgetvalue(res, i, login),
		       PQgetvalue(res, i, role), PQgetvalue(res, i, by), PQgetvalue(res, i, at),
		       fp[0] ? fp : "(not activated)");
	}
	PQclear(res);
	return 0;
}

static int update_one(PGconn *pg, const char *sql_text, int n, const char *const *v,
		      const char *login, const char *action, const char *done)
{
	int rc = 1;
	PGresult *res = NULL;
	if (ctldb_begin(pg) && (res = ctldb_exec(pg, sql_text, n, v))) {
		if (atoi(PQcmdTuples(res)) != 1)
			complain("no user %s", login);
		else if (ctldb_commit_audited(pg, action, NULL, login)) {
			printf("%s\n", done);
			rc = 0;
		}
	}
	PQclear(res);
	if (rc)
		ctldb_rollback(pg);
	return rc;
}

/* ---- grant-cases ---- */

static int user_grant_cases(PGconn *pg, int argc, char **argv)
{
	(void)pg;
	(void)argc;
	(void)argv;
	/* one case key for every case is gone: each case is sealed to each
	 * person entitled to it (docs/keys.md); `hotlinectl case reseal`
	 * moves the old grants */
	complain("user grant-cases is gone: cases are sealed per person now; run "
		 "`hotlinectl case reseal` once after upgrading (deploy/README.md)");
	return 2;
}

/* ---- totp ---- */

static int user_totp(PGconn *pg, int argc, char **argv)
{
	const char *login = NULL, *given = NULL;
	const struct user_flag flags[] = {{"--secret", &given}, {NULL, NULL}};
	if (!take_login_and_flags("user totp", argc, argv, &login, flags))
		return 2;
	if (!login) {
		fprintf(stderr, "usage: hotlinectl user totp LOGIN [--secret BASE32]\n"
				"  the user's password is read from stdin\n");
		return 2;
	}
	unsigned char secret[64];
	size_t secret_len = sizeof secret;
	if (given) {
		if (!totp_base32_decode(given, secret, &secret_len) || secret_len < 10) {
			complain("--secret: not base32 of at least 10 bytes");
			return 2;
		}
	} else {
		secret_len = TOTP_SECRET_BYTES;
		random_bytes(secret, secret_len);
	}
	char password[ACCOUNT_PASSWORD_MAX + 2];
	int rc = 1;
	if (!read_password("Password of the user: ", password, sizeof password)) {
		complain("the user's password is needed on stdin (it wraps the TOTP secret)");
		goto out;
	}
	char b32[TOTP_BASE32_SIZE];
	if (!totp_base32(secret, secret_len, b32))
		goto out;
	struct wf_error e = {0};
	if (!ctldb_begin(pg))
		goto out;
	enum accountdb_result r =
	    accountdb_totp_enrol(pg, 0, ctldb_actor(), login, password, secret, secret_len, 0, &e);
	if (commit_change(pg, r, &e, "no active user %s, or a wrong password", login)) {
		printf("user %s enrolled for TOTP\n", login);
		printf("secret: %s\nuri: otpauth://totp/Hotline:%s?secret=%s&issuer=Hotline&"
		       "algorithm=SHA1&digits=%d&period=%d\n(shown once: enter it in the "
		       "authenticator app now)\n",
		       b32, login, b32, TOTP_DIGITS, TOTP_STEP);
		rc = 0;
	}
	secret_wipe(b32, sizeof b32);
out:
	secret_wipe(password, sizeof password);
	secret_wipe(secret, sizeof secret);
	return rc;
}

/* ---- list ---- */

static int user_list(PGconn *pg)
{
	static const char sql_list[] =
	    "SELECT login, display_name, array_to_string(roles, ',') AS roles, "
	    "CASE WHEN disabled THEN 'disabled' WHEN public_key IS NULL THEN 'inactive' "
	    "ELSE 'active' END AS state, "
	    "case_key_sealed IS NOT NULL AS has_cases, totp_wrapped IS NOT NULL AS has_totp, "
	    "failed_logins, kdf_version, coalesce(kdf_opslimit, 0) AS kdf_ops, "
	    "coalesce(kdf_memlimit, 0) / 1048576 AS kdf_mib, public_key IS NULL AS no_key "
	    "FROM hotline.staff_users ORDER BY login";
	PGresult *res = ctldb_exec(pg, sql_list, 0, NULL);
	if (!res)
		return 1;
	/* KEY: how the account's key is wrapped (accounts/account.h); "old" until
	 * its next login wraps it under the server secret */
	printf("%-16s %-24s %-28s %-8s %-6s %-5s %-6s %s\n", "LOGIN", "NAME", "ROLES", "STATE",
	       "CASES", "TOTP", "FAILED", "KEY");
	int login = db_col(res, "login"), name = db_col(res, "display_name");
	int roles = db_col(res, "roles"), state = db_col(res, "state");
	int cases = db_col(res, "has_cases"), totp = db_col(res, "has_totp");
	int failed = db_col(res, "failed_logins"), kdf = db_col(res, "kdf_version");
	int ops = db_col(res, "kdf_ops"), mib = db_col(res, "kdf_mib");
	int no_key = db_col(res, "no_key");
	for (int i = 0; i < PQntuples(res); i++) {
		char key[48] = "old";
		if (strcmp(PQgetvalue(res, i, no_key), "t") == 0)
			snprintf(key, sizeof key, "-"); /* not activated: no key yet */
		else if (atoi(PQgetvalue(res, i, kdf)) == ACCOUNT_KDF_PEPPERED)
			snprintf(key, sizeof key, "t=%s,m=%sM", PQgetvalue(res, i, ops),
				 PQgetvalue(res, i, mib));
		printf("%-16s %-24s %-28s %-8s %-6s %-5s %-6s %s\n", PQgetvalue(res, i, login),
		       PQgetvalue(res, i, name), PQgetvalue(res, i, roles),
		       PQgetvalue(res, i, state),
		       strcmp(PQgetvalue(res, i, cases), "t") == 0 ? "yes" : "no",
		       strcmp(PQgetvalue(res, i, totp), "t") == 0 ? "yes" : "no",
		       PQgetvalue(res, i, failed), key);
	}
	PQclear(res);
	return 0;
}

/* The server secret and the limits a command that derives an account's
 * key needs: --account-secret FILE or $HOTLINE_ACCOUNT_SECRET (the file
 * hotlined's account_secret_file names), --account-kdf PRESET or
 * $HOTLINE_ACCOUNT_KDF (moderate by default, as hotlined's account_kdf). */
static bool account_setup(const char *secret_file, const char *preset)
{
	char why[256];
	if (!secret_file || !*secret_file) {
		complain(
		    "this command needs the accounts' server secret: --account-secret FILE "
		    "or $HOTLINE_ACCOUNT_SECRET (hotlined's account_secret_file; docs/cli.md)");
		return false;
	}
	if (!account_secret_load(secret_file, why, sizeof why)) {
		complain("--account-secret: %s", why);
		return false;
	}
	struct account_kdf kdf;
	if (!account_kdf_preset(preset && *preset ? preset : "moderate", &kdf)) {
		complain("--account-kdf: moderate, sensitive or interactive");
		return false;
	}
	account_set_kdf(&kdf);
	return true;
}

int user_main(int argc, char **argv)
{
	const char *conninfo = ctldb_take_database(&argc, argv);
	const char *secret_file =
	    ctldb_take_option(&argc, argv, "--account-secret", "HOTLINE_ACCOUNT_SECRET");
	const char *preset = ctldb_take_option(&argc, argv, "--account-kdf", "HOTLINE_ACCOUNT_KDF");
	if (argc < 2 &&
	    !(argc == 1 && (strcmp(argv[0], "list") == 0 || strcmp(argv[0], "grants") == 0))) {
		fprintf(stderr,
			"usage: hotlinectl user add LOGIN --name NAME --roles R1,R2\n"
			"       hotlinectl user disable|enable|reset|activate LOGIN\n"
			"       hotlinectl user confirm ROLE LOGIN --by CONFIRMER\n"
			"       hotlinectl user grants\n"
			"       hotlinectl user roles LOGIN R1,R2\n"
			"       hotlinectl user email LOGIN ADDRESS|-\n"
			"       hotlinectl user totp LOGIN [--secret BASE32]\n"
			"       hotlinectl user list\n"
			"  (--database CONNINFO or $HOTLINE_DATABASE; add, reset, activate,\n"
			"   confirm and totp also\n"
			"   --account-secret FILE or $HOTLINE_ACCOUNT_SECRET; see docs/cli.md)\n");
		return 2;
	}
	if (!totp_init()) {
		complain("liboath failed to initialise");
		return 1;
	}
	const char *cmd = argv[0];
	/* add and reset write the current limits (account_kdf_current) the
	 * activation will use; activate, confirm and totp derive a kek */
	bool derives = strcmp(cmd, "add") == 0 || strcmp(cmd, "reset") == 0 ||
		       strcmp(cmd, "totp") == 0 || strcmp(cmd, "activate") == 0 ||
		       strcmp(cmd, "confirm") == 0;
	if (derives && !account_setup(secret_file, preset))
		return 1;
	PGconn *pg = ctldb_connect(conninfo);
	if (!pg)
		return 1;
	int rc = 2;
	if (strcmp(cmd, "add") == 0) {
		rc = user_add(pg, argc - 1, argv + 1);
	} else if (strcmp(cmd, "list") == 0) {
		rc = user_list(pg);
	} else if (strcmp(cmd, "reset") == 0 && argc == 2) {
		rc = user_reset(pg, argv[1]);
	} else if ((strcmp(cmd, "disable") == 0 || strcmp(cmd, "enable") == 0) && argc == 2) {
		bool off = strcmp(cmd, "disable") == 0;
		struct wf_error e = {0};
		long long id = 0;
		if (ctldb_begin(pg) &&
		    commit_change(
			pg, accountdb_set_disabled(pg, 0, ctldb_actor(), argv[1], off, &id, &e), &e,
			"no user %s", argv[1])) {
			printf("user %s %s\n", argv[1], off ? "disabled" : "enabled");
			rc = 0;
		} else {
			rc = 1;
		}
	} else if (strcmp(cmd, "roles") == 0 && argc == 3) {
		char array[256];
		struct wf_error e = {0};
		char pending[ACCOUNTDB_PENDING_SIZE];
		rc = 1;
		if (parse_roles(argv[2], array, sizeof array) && ctldb_begin(pg) &&
		    commit_change(
			pg, accountdb_roles_set(pg, 0, ctldb_actor(), argv[1], array, pending, &e),
			&e, "no user %s", argv[1])) {
			printf("user %s roles asked: %s\n", argv[1], argv[2]);
			say_pending(argv[1], pending);
			rc = 0;
		}
	} else if (strcmp(cmd, "activate") == 0 && argc == 2) {
		rc = user_activate(pg, argv[1]);
	} else if (strcmp(cmd, "confirm") == 0) {
		rc = user_confirm(pg, argc - 1, argv + 1);
	} else if (strcmp(cmd, "grants") == 0 && argc == 1) {
		rc = user_grants(pg);
	} else if (strcmp(cmd, "email") == 0 && argc == 3) {
		/* where notices addressed to the person go (a commission member
		 * told of a reporter's new message); "-" removes it */
		static const char sql_email[] =
		    "UPDATE hotline.staff_users SET email = nullif($2, '-'), changed_at = now() "
		    "WHERE login = $1";
		const char *v[2] = {argv[1], argv[2]};
		char done[320];
		snprintf(done, sizeof done, "user %s e-mail: %s", argv[1],
			 strcmp(argv[2], "-") == 0 ? "none" : argv[2]);
		rc = update_one(pg, sql_email, 2, v, argv[1], "user.email", done);
	} else if (strcmp(cmd, "grant-cases") == 0) {
		rc = user_grant_cases(pg, argc - 1, argv + 1);
	} else if (strcmp(cmd, "totp") == 0) {
		rc = user_totp(pg, argc - 1, argv + 1);
	} else {
		complain("user: unknown command '%s'", cmd);
	}
	PQfinish(pg);
	if (!account_set_server_secret(NULL))
		abort();
	return rc;
}

int account_secret_main(int argc, char **argv)
{
	const char *out = ctldb_take_option(&argc, argv, "--out", NULL);
	if (argc != 1 || !out) {
		fprintf(stderr, "usage: hotlinectl account-secret --out FILE\n");
		return 2;
	}
	if (!keys_init()) {
		complain("cannot initialise libsodium");
		return 1;
	}
	char err[512];
	if (!account_secret_generate(out, err, sizeof err)) {
		complain("account-secret: %s", err);
		return 1;
	}
	printf("account secret: %s\n", out);
	return 0;
}

int role_main(int argc, char **argv)
{
	const char *conninfo = ctldb_take_database(&argc, argv);
	enum role r;
	if (argc != 3 || strcmp(argv[0], "totp") != 0 || !role_parse(argv[1], &r) ||
	    (strcmp(argv[2], "on") != 0 && strcmp(argv[2], "off") != 0)) {
		fprintf(stderr, "usage: hotlinectl role totp ROLE on|off\n");
		return 2;
	}
	PGconn *pg = ctldb_connect(conninfo);
	if (!pg)
		return 1;
	bool on = strcmp(argv[2], "on") == 0;
	static const char sql_policy[] = "SELECT hotline.staff_policy_set(NULL, $1, $2, $3)";
	const char *v[3] = {ctldb_actor(), argv[1], on ? "true" : "false"};
	int rc = 1;
	if (ctldb_begin(pg) && ctldb_run(pg, sql_policy, 3, v) && ctldb_commit(pg)) {
		printf("role %s: TOTP %s\n", argv[1], on ? "required" : "not required");
		rc = 0;
	} else {
		ctldb_rollback(pg);
	}
	PQfinish(pg);
	return rc;
}

/* ---- audit verify ---- */

static void chain_row(void *cls, long long id, const unsigned char hash[AUDIT_HASH_BYTES])
{
	chaincheck_row(cls, id, hash, NULL);
}

int audit_verify_main(int argc, char **argv)
{
	const char *conninfo = ctldb_take_database(&argc, argv);
	struct chaincheck *cc = chaincheck_from_args(CHAINCHECK_AUDIT, &argc, argv);
	if (!cc)
		return 2;
	if (argc != 0) {
		fprintf(stderr,
			"usage: hotlinectl audit verify --database CONNINFO "
			"[--checkpoint LINE | --checkpoint-file FILE] [--public-key FILE]\n");
		chaincheck_free(cc);
		return 2;
	}
	PGconn *pg = ctldb_connect(conninfo);
	if (!pg) {
		chaincheck_free(cc);
		return 1;
	}
	int status = 1;
	static const char sql_snapshot[] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
	PQclear(db_query(pg, sql_snapshot, 0, NULL, NULL, NULL, NULL));
	if (!chaincheck_load_stored(cc, pg))
		goto out;
	struct audit_chain chain;
	if (!audit_chain_verify(pg, &chain, chain_row, cc)) {
		complain("query failed: %s", chain.why);
		goto out;
	}
	if (!chain.intact && chain.broken) {
		printf("audit: broken at row %lld: %s\n", chain.broken, chain.why);
		goto out;
	}
	if (!chain.intact) {
		printf("audit: broken at the end: %s\n", chain.why);
		goto out;
	}
	printf("audit: %lld rows, chain intact\n", chain.rows);
	if (chaincheck_finish(cc))
		status = 0;
out:
	chaincheck_free(cc);
	PQfinish(pg);
	return status;
}
