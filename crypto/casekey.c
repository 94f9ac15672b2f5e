/* Per-case key pairs: see casekey.h. */
#include "crypto/casekey.h"

#include <sodium.h>

#include "crypto/secret.h"

bool casekey_seal(const struct secret_key *case_sk, const struct public_key *to,
		  unsigned char out[CASEKEY_SEAL_BYTES])
{
	return crypto_box_seal(out, secret_key_raw(case_sk), KEYS_SECRET_BYTES, to->bytes) == 0;
}

struct secret_key *casekey_open(const struct secret_key *holder, const unsigned char *sealed,
				size_t len)
{
	if (!holder || !sealed || len != CASEKEY_SEAL_BYTES)
		return NULL;
	unsigned char *raw = secret_take(KEYS_SECRET_BYTES);
	if (!raw)
		return NULL;
	struct secret_key *sk = NULL;
	if (secret_key_unseal(holder, raw, sealed, len))
		sk = secret_key_from_raw(raw);
	secret_give(raw, KEYS_SECRET_BYTES);
	return sk;
}
