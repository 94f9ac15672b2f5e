/* Staff free text under the case's content key: see freetext.h. */
#include "workflow/freetext.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/seal.h"
#include "crypto/secret.h"

/* A blob as PostgreSQL's hex bytea input; frees blob. */
static char *hex_bytea(unsigned char *blob, size_t blen)
{
	static const char hex[] = "0123456789abcdef";
	char *out = malloc(2 + 2 * blen + 1);
	if (out) {
		out[0] = '\\';
		out[1] = 'x';
		for (size_t i = 0; i < blen; i++) {
			out[2 + 2 * i] = hex[blob[i] >> 4];
			out[3 + 2 * i] = hex[blob[i] & 15];
		}
		out[2 + 2 * blen] = '\0';
	}
	free(blob);
	return out;
}

char *freetext_seal(const struct content_key *key, const char *text)
{
	if (!key || !text)
		return NULL;
	unsigned char *blob = NULL;
	size_t blen = 0;
	if (!content_encrypt(key, text, strlen(text), &blob, &blen))
		return NULL;
	return hex_bytea(blob, blen);
}

char *freetext_seal_to(const struct public_key *to, const char *text)
{
	if (!to || !text)
		return NULL;
	unsigned char *blob = NULL;
	size_t blen = 0;
	if (!seal_to(to, text, strlen(text), &blob, &blen))
		return NULL;
	return hex_bytea(blob, blen);
}

enum freetext_state freetext_open(const struct content_key *key, const PGresult *res, int row,
				  int sealed_col, int clear_col, char **text)
{
	*text = NULL;
	if (!PQgetisnull(res, row, sealed_col)) {
		size_t len = 0;
		unsigned char *blob =
		    PQunescapeBytea((const unsigned char *)PQgetvalue(res, row, sealed_col), &len);
		unsigned char *plain = NULL;
		size_t plen = 0;
		bool ok = blob && key && content_decrypt(key, blob, len, &plain, &plen);
		PQfreemem(blob);
		if (!ok)
			return FREETEXT_SEALED;
		char *t = malloc(plen + 1);
		if (t) {
			memcpy(t, plain, plen);
			t[plen] = '\0';
		}
		secret_wipe(plain, plen);
		free(plain);
		if (!t)
			return FREETEXT_SEALED;
		*text = t;
		return FREETEXT_OPEN;
	}
	if (clear_col < 0 || PQgetisnull(res, row, clear_col))
		return FREETEXT_NONE;
	*text = strdup(PQgetvalue(res, row, clear_col));
	return *text ? FREETEXT_LEGACY : FREETEXT_NONE;
}

void freetext_free(char *text)
{
	if (!text)
		return;
	secret_wipe(text, strlen(text));
	free(text);
}
