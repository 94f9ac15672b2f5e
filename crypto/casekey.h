/* Per-case key pairs (docs/keys.md, "Per-case keys and seals"): each case
 * has its own X25519 key pair; its content, message and conclusion keys are
 * sealed to the case's public key, and the case's secret key is sealed to
 * each account entitled to read it (and to the offline recovery key).
 * These are the only functions that handle a case secret key's bytes. */
#ifndef HOTLINE_CRYPTO_CASEKEY_H
#define HOTLINE_CRYPTO_CASEKEY_H

#include <stdbool.h>
#include <stddef.h>

#include "base/attr.h"
#include "crypto/keys.h"

/* A case secret key sealed to someone: crypto_box_seal of 32 bytes. */
#define CASEKEY_SEAL_BYTES 80

/* Seals the case's secret key to a person's (or the recovery) public key. */
bool casekey_seal(const struct secret_key *case_sk, const struct public_key *to,
		  unsigned char out[CASEKEY_SEAL_BYTES]) MUST_CHECK;

/* Opens a seal with the holder's secret key; NULL when it was not sealed to
 * that key, is damaged or has the wrong length. */
struct secret_key *casekey_open(const struct secret_key *holder, const unsigned char *sealed,
				size_t len) MUST_CHECK;

#endif
