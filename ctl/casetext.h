/* The content key of one case for a hotlinectl step that writes or reads
 * what staff typed about it (workflow/freetext.h): opened with the
 * recovery key given as --case-key FILE --passphrase-file FILE
 * (docs/keys.md, "Per-case keys and seals"). */
#ifndef HOTLINE_CTL_CASETEXT_H
#define HOTLINE_CTL_CASETEXT_H

#include <libpq-fe.h>

#include "base/attr.h"

struct content_key;
struct secret_key;

/* The content key of case reg_no opened with the recovery key (through
 * the case's recovery seal, or directly for a case not resealed yet);
 * NULL with a message. */
struct content_key *casetext_key(PGconn *pg, const char *reg_no,
				 const struct secret_key *recovery) MUST_CHECK;

/* The same, the key loaded from its files first (slow: Argon2id); NULL
 * with a message when an option is missing or a file does not open. */
struct content_key *casetext_key_from_files(PGconn *pg, const char *reg_no, const char *key_file,
					    const char *pass_file) MUST_CHECK;

/* When neither --case-key nor --passphrase-file was given, the recovery
 * key and its passphrase file from $HOTLINE_CASE_KEY and
 * $HOTLINE_CASE_PASSPHRASE_FILE, as the steps that make seals take them
 * (docs/cli.md); otherwise leaves both as they are. */
void casetext_default_files(const char **key_file, const char **pass_file);

#endif
