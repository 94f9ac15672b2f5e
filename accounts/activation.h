/* One-time activation codes of new and reset accounts, and the key
 * fingerprint a person compares with whoever confirms their privileged
 * role (docs/staff.md, "Accounts and activation"). The code is shown once
 * to the administrator, who hands it over; only its hash is stored. */
#ifndef HOTLINE_ACCOUNTS_ACTIVATION_H
#define HOTLINE_ACCOUNTS_ACTIVATION_H

#include <stdbool.h>

#include "base/attr.h"

/* "k3mz8-q0w7r-abcde-fghij": 20 characters of a 32-letter alphabet
 * without look-alikes, 100 random bits. */
#define ACTIVATION_CODE_SIZE 24
#define ACTIVATION_HASH_BYTES 32
#define ACTIVATION_HOURS 72 /* as migrations/0020 sets activation_expires_at */

void activation_code_new(char out[ACTIVATION_CODE_SIZE]);

/* BLAKE2b-256 of the login and the code as typed, upper case, spaces and
 * dashes ignored. False when typed is not 20 letters of the alphabet (then
 * out is not written). A fast hash is enough: 100 random bits cannot be
 * guessed from a dump, and the code is single use and expires. */
bool activation_code_hash(const char *login, const char *typed,
			  unsigned char out[ACTIVATION_HASH_BYTES]) MUST_CHECK;

/* The first 16 bytes of BLAKE2b-256 of a public key, in 8 groups of 4 hex
 * digits ("3f2a 9b01 ..."). */
#define FINGERPRINT_TEXT_SIZE 40
void activation_fingerprint(const unsigned char public_key[32], char out[FINGERPRINT_TEXT_SIZE]);

#endif
