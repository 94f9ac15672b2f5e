/* hotlinectl: the administrator's tool. See docs/cli.md. */
#include <stdio.h>
#include <string.h>

#include "crypto/keys.h"
#include "ctl/admin.h"
#include "ctl/case_show.h"
#include "ctl/casework.h"
#include "ctl/investigate.h"
#include "ctl/journal_verify.h"
#include "ctl/keygen.h"
#include "ctl/migrate.h"
#include "ctl/staff_users.h"
#include "daemon/schema.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: hotlinectl COMMAND ...\n"
		"  migrate --database CONNINFO [--dir DIR]   apply pending migrations\n"
		"  journal verify --database CONNINFO         check the journal's hash chain\n"
		"  keygen --public FILE --secret FILE [--passphrase-file FILE]\n"
		"  pepper --out FILE                          make the receipt pepper file\n"
		"  case show REG_NO --database CONNINFO --case-key FILE --passphrase-file FILE\n"
		"            [--custodian-key FILE --custodian-passphrase-file FILE]\n"
		"  case triage REG_NO corruption|not_corruption|anonymous|urgent [--unit U]\n"
		"  case ack|decide|forwarded|declare-interest|cover-letter REG_NO ...\n"
		"  investigation order|start|conclude|submit|decide|measures|close|extend|request|received|show REG_NO ...\n"
		"  settings set KEY VALUE | settings show\n"
		"  calendar set DATE off|work|holiday NOTE | calendar unset DATE | calendar show YEAR\n"
		"  user add LOGIN --name NAME --roles R1,R2 | user disable|enable|reset LOGIN\n"
		"  user roles LOGIN R1,R2 | user grant-cases LOGIN --case-key FILE --passphrase-file FILE\n"
		"  user totp LOGIN | user list | role totp ROLE on|off | audit verify\n"
		"  schema-version                             the schema this build needs\n"
		"See docs/cli.md.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage();
		return 2;
	}
	if (!crypto_init()) {
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
	if (strcmp(cmd, "journal") == 0 && argc > 2 && strcmp(argv[2], "verify") == 0)
		return journal_verify_main(argc - 2, argv + 2);
	if (strcmp(cmd, "case") == 0 && argc > 2 && strcmp(argv[2], "show") == 0)
		return case_show_main(argc - 2, argv + 2);
	if (strcmp(cmd, "case") == 0 && argc > 2)
		return casework_main(argc - 2, argv + 2);
	if (strcmp(cmd, "investigation") == 0 && argc > 2)
		return investigate_main(argc - 2, argv + 2);
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
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0) {
		usage();
		return 0;
	}
	fprintf(stderr, "hotlinectl: unknown command '%s'\n", cmd);
	usage();
	return 2;
}
