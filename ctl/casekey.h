/* The content key of one case for a hotlinectl step that writes or reads
 * what staff typed about it (workflow/freetext.h): opened with the
 * case-handling key given as --case-key FILE --passphrase-file FILE (the
 * key every case's content key is sealed to: the "recovery key" of the
 * per-person design, docs/keys.md). */
#ifndef HOTLINE_CTL_CASEKEY_H
#define HOTLINE_CTL_CASEKEY_H

#include <libpq-fe.h>

struct content_key;
struct secret_key;

/* The content key of case reg_no opened with sk; NULL with a message. */
struct content_key *casekey_open(PGconn *pg, const char *reg_no, const struct secret_key *sk)
    __attribute__((warn_unused_result));

/* The same, the key loaded from its files first (slow: Argon2id); NULL
 * with a message when an option is missing or a file does not open. */
struct content_key *casekey_from_files(PGconn *pg, const char *reg_no, const char *key_file,
				       const char *pass_file) __attribute__((warn_unused_result));

#endif
