/* Receipts and the pepper their hashes are keyed with. Why they look the
 * way they do is in docs/keys.md. */
#include "crypto/receipt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define RECEIPT_GROUP 4
#define PEPPER_HEX (2 * PEPPER_BYTES)

_Static_assert(RECEIPT_DIGITS % RECEIPT_GROUP == 0, "whole groups");
_Static_assert(RECEIPT_TEXT_SIZE == RECEIPT_DIGITS + RECEIPT_DIGITS / RECEIPT_GROUP,
	       "digits, separators and NUL");
_Static_assert(RECEIPT_HASH_BYTES == crypto_generichash_BYTES, "hash size");

/* Damm's totally anti-symmetric quasigroup of order 10: the check digit
 * catches every single-digit error and every adjacent transposition. */
static const unsigned char damm[10][10] = {
    {0, 3, 1, 7, 5, 9, 8, 6, 4, 2}, {7, 0, 9, 2, 1, 5, 4, 8, 6, 3}, {4, 2, 0, 6, 8, 7, 1, 3, 5, 9},
    {1, 7, 5, 0, 9, 8, 3, 4, 2, 6}, {6, 1, 2, 3, 0, 4, 5, 9, 7, 8}, {3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
    {5, 8, 6, 9, 7, 2, 0, 1, 3, 4}, {8, 9, 4, 5, 3, 6, 2, 0, 1, 7}, {9, 4, 3, 8, 6, 1, 7, 2, 0, 5},
    {2, 5, 8, 1, 4, 3, 6, 7, 9, 0},
};

char receipt_check_digit(const char *digits, size_t n)
{
	unsigned interim = 0;

	for (size_t i = 0; i < n; i++) {
		if (digits[i] < '0' || digits[i] > '9')
			abort(); /* callers pass digits only */
		interim = damm[interim][digits[i] - '0'];
	}
	return (char)('0' + interim);
}

void receipt_generate(char *digits)
{
	for (size_t i = 0; i < RECEIPT_DIGITS - 1; i++)
		digits[i] = (char)('0' + randombytes_uniform(10));
	digits[RECEIPT_DIGITS - 1] = receipt_check_digit(digits, RECEIPT_DIGITS - 1);
	digits[RECEIPT_DIGITS] = '\0';
}

void receipt_format(const char *digits, char *text)
{
	size_t t = 0;

	for (size_t i = 0; i < RECEIPT_DIGITS; i++) {
		if (i > 0 && i % RECEIPT_GROUP == 0)
			text[t++] = ' ';
		text[t++] = digits[i];
	}
	text[t] = '\0';
}

enum receipt_error receipt_parse(const char *input, size_t len, char *digits)
{
	char got[RECEIPT_DIGITS];
	size_t n = 0;
	enum receipt_error result = RECEIPT_OK;

	/* Look at every character before judging the length, so that a
	 * letter is reported as a letter however long the input. */
	for (size_t i = 0; i < len; i++) {
		char ch = input[i];

		if (ch == ' ' || ch == '-' || ch == '\t')
			continue;
		if (ch < '0' || ch > '9') {
			result = RECEIPT_BAD_CHAR;
			goto done;
		}
		if (n < RECEIPT_DIGITS)
			got[n] = ch;
		n++;
	}
	if (n != RECEIPT_DIGITS) {
		result = RECEIPT_BAD_LENGTH;
		goto done;
	}
	/* Damm: running the table over the digits and their check gives 0. */
	if (receipt_check_digit(got, RECEIPT_DIGITS) != '0') {
		result = RECEIPT_BAD_CHECK;
		goto done;
	}
	memcpy(digits, got, RECEIPT_DIGITS);
	digits[RECEIPT_DIGITS] = '\0';

done:
	sodium_memzero(got, sizeof got);
	return result;
}

void receipt_hash(const struct pepper *pepper, const char *digits,
		  unsigned char out[RECEIPT_HASH_BYTES])
{
	if (crypto_generichash(out, RECEIPT_HASH_BYTES, (const unsigned char *)digits,
			       RECEIPT_DIGITS, pepper->bytes, sizeof pepper->bytes) != 0)
		abort();
}

/* The pepper-derived key for one purpose: a fresh key per purpose keeps
 * the three kinds of hash apart (a receipt's hash is keyed with the pepper
 * itself, as migration 0001 stored them). */
static void purpose_key(const struct pepper *pepper, const char *purpose,
			unsigned char key[crypto_generichash_KEYBYTES])
{
	if (crypto_generichash(key, crypto_generichash_KEYBYTES, (const unsigned char *)purpose,
			       strlen(purpose), pepper->bytes, sizeof pepper->bytes) != 0)
		abort();
}

static void purpose_hash(const struct pepper *pepper, const char *purpose,
			 const unsigned char *data, size_t len,
			 unsigned char out[RECEIPT_HASH_BYTES])
{
	unsigned char key[crypto_generichash_KEYBYTES];
	purpose_key(pepper, purpose, key);
	int rc = crypto_generichash(out, RECEIPT_HASH_BYTES, data, len, key, sizeof key);
	sodium_memzero(key, sizeof key);
	if (rc != 0)
		abort();
}

void receipt_reply_token(char *out)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	for (size_t i = 0; i < REPLY_TOKEN_CHARS; i++)
		out[i] = alphabet[randombytes_uniform(32)];
	out[REPLY_TOKEN_CHARS] = '\0';
}

void receipt_sender_hash(const struct pepper *pepper, const char *address,
			 unsigned char out[RECEIPT_HASH_BYTES])
{
	while (*address == ' ' || *address == '\t' || *address == '<')
		address++;
	size_t len = strlen(address);
	while (len &&
	       (address[len - 1] == ' ' || address[len - 1] == '\t' || address[len - 1] == '>'))
		len--;
	unsigned char *lower = malloc(len ? len : 1);
	if (!lower)
		abort(); /* a few bytes: the process is lost anyway */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)address[i];
		lower[i] = c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
	}
	purpose_hash(pepper, "hotline mail sender v1", lower, len, out);
	sodium_memzero(lower, len);
	free(lower);
}

void receipt_token_hash(const struct pepper *pepper, const char *token,
			unsigned char out[RECEIPT_HASH_BYTES])
{
	unsigned char upper[REPLY_TOKEN_CHARS];
	for (size_t i = 0; i < REPLY_TOKEN_CHARS; i++) {
		unsigned char c = (unsigned char)token[i];
		upper[i] = c >= 'a' && c <= 'z' ? (unsigned char)(c - 'a' + 'A') : c;
	}
	purpose_hash(pepper, "hotline reply token v1", upper, sizeof upper, out);
	sodium_memzero(upper, sizeof upper);
}

bool pepper_generate(const char *path, char *err, size_t errlen)
{
	unsigned char bytes[PEPPER_BYTES];
	char text[PEPPER_HEX + 2];
	bool ok;

	randombytes_buf(bytes, sizeof bytes);
	sodium_bin2hex(text, PEPPER_HEX + 1, bytes, sizeof bytes);
	text[PEPPER_HEX] = '\n';
	text[PEPPER_HEX + 1] = '\0';
	ok = keys_file_create(path, 0600, text, PEPPER_HEX + 1, err, errlen);
	sodium_memzero(bytes, sizeof bytes);
	sodium_memzero(text, sizeof text);
	return ok;
}

struct pepper *pepper_load(const char *path, char *err, size_t errlen)
{
	char text[256];
	size_t len = 0, got = 0;
	const char *end = NULL;
	struct pepper *out = NULL;

	if (!keys_file_read(path, text, sizeof text, &len, err, errlen))
		return NULL;
	out = sodium_malloc(sizeof *out);
	if (!out) {
		keys_set_err(err, errlen, "out of memory");
		goto fail;
	}
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
		len--;
	if (len != PEPPER_HEX ||
	    sodium_hex2bin(out->bytes, sizeof out->bytes, text, len, NULL, &got, &end) != 0 ||
	    got != PEPPER_BYTES || end != text + len) {
		keys_set_err(err, errlen, "%s: not a pepper file (%d hex digits expected)", path,
			     PEPPER_HEX);
		sodium_free(out);
		out = NULL;
		goto fail;
	}
	sodium_mprotect_readonly(out);

fail:
	sodium_memzero(text, sizeof text);
	return out;
}

void pepper_free(struct pepper *pepper)
{
	/* sodium_free() makes the pages writable, wipes and unmaps them */
	if (pepper)
		sodium_free(pepper);
}
