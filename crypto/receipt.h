/* Receipts: what a reporter keeps to come back to their report.
 *
 * 27 random decimal digits (89.7 bits) and one Damm check digit, shown in
 * seven groups of four so it can be read out over a phone in any language.
 * The database stores only a keyed BLAKE2b hash of the digits; the key
 * (pepper) lives in a file outside the database. */
#ifndef HOTLINE_CRYPTO_RECEIPT_H
#define HOTLINE_CRYPTO_RECEIPT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/attr.h"
#include "crypto/keys.h"

#define RECEIPT_DIGITS 28
/* "1234 5678 ... 5678": 7 groups of 4 and 6 spaces, plus NUL. */
#define RECEIPT_TEXT_SIZE 35
#define RECEIPT_HASH_BYTES 32
#define PEPPER_BYTES 32

enum receipt_error {
	RECEIPT_OK = 0,
	RECEIPT_BAD_CHAR,   /* something other than digits, spaces, '-' */
	RECEIPT_BAD_LENGTH, /* not 28 digits */
	RECEIPT_BAD_CHECK,  /* check digit does not match: a typo */
};

struct pepper {
	unsigned char bytes[PEPPER_BYTES];
};

/* digits must hold RECEIPT_DIGITS + 1 bytes; fills it NUL-terminated. */
void receipt_generate(char *digits);

/* Damm check digit ('0'..'9') of n ASCII digits; anything but a digit in
 * them is a programming error and aborts. */
char receipt_check_digit(const char *digits, size_t n);

/* Groups for display: text must hold RECEIPT_TEXT_SIZE bytes. */
void receipt_format(const char *digits, char *text);

/* Accepts what a person types: digits with any spaces, tabs or '-' between
 * them (only the first len bytes of input are looked at). Any other byte
 * gives RECEIPT_BAD_CHAR, whatever the length; then a digit count other
 * than 28 gives RECEIPT_BAD_LENGTH; then a wrong check digit
 * RECEIPT_BAD_CHECK. On RECEIPT_OK, digits (RECEIPT_DIGITS + 1 bytes)
 * holds the bare digits, NUL-terminated; otherwise it is untouched. */
enum receipt_error receipt_parse(const char *input, size_t len, char *digits);

/* Keyed hash for lookup: BLAKE2b-256 of the 28 ASCII digits (check digit
 * included) keyed with the pepper. */
void receipt_hash(const struct pepper *pepper, const char *digits,
		  unsigned char out[RECEIPT_HASH_BYTES]);

/* Proofs that a mail follows up a mailed appeal (docs/mail-intake.md,
 * "Follow-ups"). Both are stored only as BLAKE2b-256 keyed with a subkey
 * derived from the pepper, one subkey per purpose, so a hash of an address
 * can never be compared with a receipt's or a token's.
 *
 * The reply token: REPLY_TOKEN_CHARS characters of base32 (A-Z, 2-7),
 * 120 random bits, carried in the acknowledgment's subject as
 * "[#TOKEN]". */
#define REPLY_TOKEN_CHARS 24

/* out must hold REPLY_TOKEN_CHARS + 1 bytes. */
void receipt_reply_token(char *out);

/* The address is compared without case (RFC 5321 leaves the local part's
 * case to the receiving host; no mail system we know of uses it) and
 * without surrounding blanks or angle brackets. */
void receipt_sender_hash(const struct pepper *pepper, const char *address,
			 unsigned char out[RECEIPT_HASH_BYTES]);
/* token: REPLY_TOKEN_CHARS characters, any case. */
void receipt_token_hash(const struct pepper *pepper, const char *token,
			unsigned char out[RECEIPT_HASH_BYTES]);

/* Pepper file: PEPPER_BYTES random bytes as 64 lower-case hex digits and a
 * newline, mode 0600; pepper_generate() never overwrites a file. */
bool pepper_generate(const char *path, char *err, size_t errlen) MUST_CHECK;
/* The pepper as a process holds it (issue 14, docs/keys.md "What memory
 * holds"): in sodium_malloc() memory (locked, between guard pages, left
 * out of core dumps), read-only once loaded, so a stray write faults
 * rather than changing every receipt's hash. NULL with a reason in err.
 * pepper_free() wipes and unmaps it; NULL is a no-op. */
struct pepper *pepper_load(const char *path, char *err, size_t errlen) MUST_CHECK;
void pepper_free(struct pepper *pepper);

#endif
