/* hotlinectl: the administrator's tool. See docs/cli.md. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keys.h"
#include "ctl/admin.h"
#include "ctl/case_show.h"
#include "ctl/reseal.h"
#include "ctl/casework.h"
#include "ctl/investigate.h"
#include "ctl/journal_verify.h"
#include "ctl/keygen.h"
#include "ctl/migrate.h"
#include "ctl/staff_users.h"
#include "ctl/unmask.h"
#include "base/schema.h"

/* Each command's usage: `hotlinectl COMMAND --help` prints its own and
 * exits 0 before anything else is read or opened (no database, no key);
 * `hotlinectl --help` prints them all. docs/cli.md says the rest. */
struct command_usage {
	const char *name;
	const char *text;
};

static const struct command_usage usages[] = {
    {"migrate", "  migrate --database CONNINFO [--dir DIR]   apply pending migrations\n"},
    {"journal",
     "  journal verify --database CONNINFO         check the journal's hash chain\n"
     "            [--checkpoint \"LINE\" | --checkpoint-file FILE] [--public-key FILE]\n"},
    {"keygen", "  keygen --public FILE --secret FILE [--passphrase-file FILE]\n"},
    {"pepper", "  pepper --out FILE                          make the receipt pepper file\n"},
    {"unmask-key",
     "  unmask-key --public FILE --threshold M --holder ROLE:FILE [--passphrase-file FILE] ...\n"
     "            split the unmasking key among N holders (no database)\n"},
    {"unmask-reshare",
     "  unmask-reshare --share OLD [--passphrase-file FILE] ... --threshold M\n"
     "            --holder ROLE:FILE [--passphrase-file FILE] ...\n"
     "            split the same unmasking key again, e.g. when a holder leaves (no database)\n"},
    {"unmask", "  unmask --packet FILE --share FILE [--passphrase-file FILE] ... [--json]\n"
	       "            open one released identity with M shares (no database)\n"},
    {"checkpoint-key",
     "  checkpoint-key --public FILE --secret FILE  make the checkpoint signing key\n"},
    {"account-secret",
     "  account-secret --out FILE                  make the staff accounts' server secret\n"},
    {"case",
     "  case show REG_NO --database CONNINFO --case-key FILE --passphrase-file FILE\n"
     "  case reseal --case-key OLD.sec --passphrase-file FILE [--recovery-public FILE |\n"
     "            --no-recovery]   move cases to per-case keys sealed to each reader\n"
     "  case triage REG_NO corruption [--director-named yes|no]\n"
     "  case triage REG_NO not_corruption --unit UNIT --case-key FILE --passphrase-file FILE\n"
     "  case triage REG_NO anonymous [--unit UNIT --case-key FILE --passphrase-file FILE] | "
     "urgent\n"
     "  case ack REG_NO\n"
     "  case decide REG_NO forward|investigate|forward_and_investigate|no_grounds [--doc DOC]\n"
     "  case forwarded REG_NO --to BODY --case-key FILE --passphrase-file FILE\n"
     "  case declare-interest REG_NO \"NAME\" --case-key FILE --passphrase-file FILE\n"
     "  case seal-text --case-key FILE --passphrase-file FILE\n"
     "  case cover-letter REG_NO > letter.html\n"
     "  case director-named REG_NO no --reason-file FILE --as LOGIN --case-key FILE\n"
     "      --passphrase-file FILE\n"},
    {"investigation",
     "  investigation order REG_NO --order-no NO --order-date YYYY-MM-DD\n"
     "            --member \"Name|Position[|login]\" [--member ...] --case-key FILE "
     "--passphrase-file FILE\n"
     "  investigation start|close REG_NO\n"
     "  investigation show REG_NO [--case-key FILE --passphrase-file FILE]\n"
     "  investigation request REG_NO --to NAME --what TEXT [--on YYYY-MM-DD] --case-key FILE\n"
     "            --passphrase-file FILE\n"
     "  investigation received REG_NO REQUEST_ID\n"
     "  investigation extend REG_NO --consent-doc NO --consent-date YYYY-MM-DD\n"
     "            --consented-by LOGIN --new-due YYYY-MM-DD\n"
     "  investigation conclude REG_NO --norms TEXT --text-file FILE --case-public-key FILE\n"
     "  investigation submit REG_NO\n"
     "  investigation decide REG_NO stop|hand_over|disciplinary|other_measures\n"
     "            --doc NO --date YYYY-MM-DD --as LOGIN\n"
     "  investigation measures REG_NO --doc DOC --date YYYY-MM-DD\n"},
    {"settings", "  settings set KEY VALUE | settings show\n"
		 "            keys: director_email alternate_email compliance_email console_url "
		 "organisation\n"
		 "            reply_working_days (1..60), consider_anonymous_reports (on|off)\n"
		 "            trust_phone trust_email trust_hours_LANG trust_safety_LANG "
		 "trust_privacy_LANG (LANG: kk ru en)\n"},
    {"calendar", "  calendar set YYYY-MM-DD off|work|holiday \"NOTE\" [--source TEXT]\n"
		 "  calendar unset YYYY-MM-DD\n"
		 "  calendar show YEAR | calendar history [YEAR]\n"},
    {"user", "  user add LOGIN --name NAME --roles R1,R2 | user disable|enable|reset LOGIN\n"
	     "  user roles LOGIN R1,R2 (cases are sealed per person: see case reseal)\n"
	     "  user totp LOGIN [--secret BASE32] | user list\n"},
    {"role", "  role totp ROLE on|off\n"},
    {"audit", "  audit verify --database CONNINFO          check the audit log's hash chain\n"
	      "            [--checkpoint \"LINE\" | --checkpoint-file FILE] [--public-key FILE]\n"},
    {"schema-version",
     "  schema-version                             the schema this build needs\n"},
};

#define NUSAGES (sizeof(usages) / sizeof(usages[0]))

static void usage(FILE *to)
{
	fputs("usage: hotlinectl COMMAND ...\n", to);
	for (size_t i = 0; i < NUSAGES; i++)
		fputs(usages[i].text, to);
	fputs("Commands that use the database take --database CONNINFO or $HOTLINE_DATABASE; "
	      "changes are\naudited as the operating-system user (\"os:NAME\"). "
	      "See docs/cli.md.\n",
	      to);
}

/* `hotlinectl COMMAND ... --help`: true after printing COMMAND's usage. */
static bool command_help(int argc, char **argv)
{
	bool asked = false;
	for (int i = 2; i < argc; i++)
		asked |= strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0;
	for (size_t i = 0; asked && i < NUSAGES; i++) {
		if (strcmp(argv[1], usages[i].name) == 0) {
			printf("usage: hotlinectl %s ...\n%sSee docs/cli.md.\n", usages[i].name,
			       usages[i].text);
			return true;
		}
	}
	return false;
}

/* The value of a flag of a command line, before the command takes it out
 * of argv; NULL when absent. */
static const char *flag_arg(int argc, char **argv, const char *flag)
{
	for (int i = 1; i + 1 < argc; i++) {
		if (strcmp(argv[i], flag) == 0)
			return argv[i + 1];
	}
	return NULL;
}

/* The --database of a command line (or HOTLINE_DATABASE). */
static const char *database_arg(int argc, char **argv)
{
	if (flag_arg(argc, argv, "--database"))
		return flag_arg(argc, argv, "--database");
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--database=", 11) == 0)
			return argv[i] + 11;
	}
	return getenv("HOTLINE_DATABASE");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (command_help(argc, argv))
		return 0;
	if (!keys_init()) {
		fprintf(stderr, "hotlinectl: libsodium failed to initialise\n");
		return 1;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "migrate") == 0)
		return migrate_main(argc - 1, argv + 1);
	if (strcmp(cmd, "keygen") == 0)
		return keygen_main(argc - 1, argv + 1);
	if (strcmp(cmd, "pepper") == 0)
		return pepper_main(argc - 1, argv + 1);
	if (strcmp(cmd, "unmask-key") == 0)
		return unmask_key_main(argc - 1, argv + 1);
	if (strcmp(cmd, "unmask-reshare") == 0)
		return unmask_reshare_main(argc - 1, argv + 1);
	if (strcmp(cmd, "unmask") == 0)
		return unmask_main(argc - 1, argv + 1);
	if (strcmp(cmd, "checkpoint-key") == 0)
		return checkpoint_key_main(argc - 1, argv + 1);
	if (strcmp(cmd, "account-secret") == 0)
		return account_secret_main(argc - 1, argv + 1);
	if (strcmp(cmd, "journal") == 0 && argc > 2 && strcmp(argv[2], "verify") == 0)
		return journal_verify_main(argc - 2, argv + 2);
	if (strcmp(cmd, "case") == 0 && argc > 2 && strcmp(argv[2], "show") == 0)
		return case_show_main(argc - 2, argv + 2);
	if (strcmp(cmd, "case") == 0 && argc > 2 && strcmp(argv[2], "reseal") == 0)
		return reseal_main(argc - 2, argv + 2);
	if (strcmp(cmd, "case") == 0 && argc > 2) {
		const char *conninfo = database_arg(argc, argv);
		const char *key = flag_arg(argc, argv, "--case-key");
		const char *pass = flag_arg(argc, argv, "--passphrase-file");
		int rc = casework_main(argc - 2, argv + 2);
		if (rc == 0)
			reseal_fulfil_after(conninfo, key, pass);
		return rc;
	}
	if (strcmp(cmd, "investigation") == 0 && argc > 2) {
		const char *conninfo = database_arg(argc, argv);
		const char *key = flag_arg(argc, argv, "--case-key");
		const char *pass = flag_arg(argc, argv, "--passphrase-file");
		int rc = investigate_main(argc - 2, argv + 2);
		if (rc == 0)
			reseal_fulfil_after(conninfo, key, pass);
		return rc;
	}
	if (strcmp(cmd, "settings") == 0 && argc > 2)
		return settings_main(argc - 2, argv + 2);
	if (strcmp(cmd, "calendar") == 0 && argc > 2)
		return calendar_main(argc - 2, argv + 2);
	if (strcmp(cmd, "user") == 0 && argc > 2)
		return user_main(argc - 2, argv + 2);
	if (strcmp(cmd, "role") == 0 && argc > 2)
		return role_main(argc - 2, argv + 2);
	if (strcmp(cmd, "audit") == 0 && argc > 2 && strcmp(argv[2], "verify") == 0)
		return audit_verify_main(argc - 3, argv + 3);
	if (strcmp(cmd, "schema-version") == 0) {
		printf("%d\n", SCHEMA_VERSION);
		return 0;
	}
	for (size_t i = 0; i < NUSAGES; i++) {
		if (strcmp(cmd, usages[i].name) == 0) {
			fprintf(stderr, "usage: hotlinectl %s ...\n%s", cmd, usages[i].text);
			return 2;
		}
	}
	fprintf(stderr, "hotlinectl: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
