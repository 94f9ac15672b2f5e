/* Per-case keys from hotlinectl (docs/keys.md, "Per-case keys and seals"):
 * opening a case with the offline recovery key, and `hotlinectl case
 * reseal`, the step that moves cases sealed to the old case-handling key
 * to per-case keys sealed to each person entitled now. */
#ifndef HOTLINE_CTL_RESEAL_H
#define HOTLINE_CTL_RESEAL_H

#include <libpq-fe.h>

#include "crypto/keys.h"

/* The key that opens the content, message and conclusion keys of case
 * reg_no: the case's own secret key opened from its recovery seal with
 * given (the recovery key), or, for a case not yet resealed, a copy of
 * given (the old case-handling key). NULL, with a reason on stderr, when
 * given opens neither. Free it with secret_key_free(). */
struct secret_key *reseal_case_key(PGconn *pg, const char *reg_no, const struct secret_key *given);

/* hotlinectl case reseal --case-key OLD.sec --passphrase-file F
 * [--database CONNINFO]; argv[0] is "reseal". */
int reseal_main(int argc, char **argv);

/* After a step by hotlinectl that entitles someone (triage routes a case to
 * the director, an investigation appoints a commission): with the recovery
 * key (the step's own --case-key and --passphrase-file, or else
 * HOTLINE_CASE_KEY and HOTLINE_CASE_PASSPHRASE_FILE), makes the missing
 * seals at once; otherwise they wait for a compliance session
 * (docs/keys.md). Quiet when nothing is missing. */
void reseal_fulfil_after(const char *conninfo, const char *key_path, const char *pass_path);

#endif
