/* Clear parts to a sealed appeal: see sealing.h. */
#include "intake/sealing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/casekey.h"
#include "crypto/seal.h"
#include "base/config.h"
#include "crypto/secret.h"

bool intake_keys_load(const struct config *cfg, struct intake_keys *out, char *err, size_t errlen)
{
	char why[256];
	if (!keys_load_public(cfg->custodian_public_key, &out->custodian, why, sizeof(why))) {
		snprintf(err, errlen, "custodian_public_key %s: %s", cfg->custodian_public_key,
			 why);
		return false;
	}
	/* optional: the offline recovery key (docs/keys.md) */
	out->has_case_key = cfg->case_public_key != NULL;
	if (out->has_case_key &&
	    !keys_load_public(cfg->case_public_key, &out->case_key, why, sizeof(why))) {
		snprintf(err, errlen, "case_public_key %s: %s", cfg->case_public_key, why);
		return false;
	}
	out->pepper = pepper_load(cfg->receipt_pepper_file, why, sizeof(why));
	if (!out->pepper) {
		snprintf(err, errlen, "receipt_pepper_file %s: %s", cfg->receipt_pepper_file, why);
		return false;
	}
	return true;
}

void intake_keys_free(struct intake_keys *keys)
{
	pepper_free(keys->pepper);
	keys->pepper = NULL;
}

/* The compact JSON text of obj, malloc'd; wipe it with text_free(). */
static char *json_text(const json_t *obj, size_t *len)
{
	char *text = json_dumps(obj, JSON_COMPACT);
	if (text)
		*len = strlen(text);
	return text;
}

static void text_free(char *text, size_t len)
{
	if (!text)
		return;
	secret_wipe(text, len);
	free(text);
}

/* Encrypts an object as compact JSON under key into out (a content blob);
 * the text is wiped. */
static bool sealing_encrypt_json(const struct content_key *key, const json_t *obj, struct blob *out)
{
	size_t len = 0;
	char *text = json_text(obj, &len);
	bool ok = text && content_encrypt(key, text, len, &out->data, &out->len);
	text_free(text, len);
	return ok;
}

/* Seals an object as compact JSON to a public key into out. */
static bool sealing_seal_json(const struct public_key *to, const json_t *obj, struct blob *out)
{
	size_t len = 0;
	char *text = json_text(obj, &len);
	bool ok = text && seal_to(to, text, len, &out->data, &out->len);
	text_free(text, len);
	return ok;
}

bool sealing_encrypt_file(const struct content_key *key, const struct sealing_file *f,
			  struct appeal_file *out)
{
	json_t *meta =
	    json_pack("{s:s%,s:s%,s:I}", "name", f->name ? f->name : "", f->name_len, "type",
		      f->type ? f->type : "", f->type_len, "size", (json_int_t)f->len);
	bool ok = meta && sealing_encrypt_json(key, meta, &out->meta);
	json_decref(meta);
	out->clean = clean_state_text(f->clean);
	if (ok && f->read)
		return stream_encrypt_read(key, f->len, f->read, f->read_cls, &out->data.data,
					   &out->data.len);
	return ok &&
	       stream_encrypt(key, f->data ? f->data : "", f->len, &out->data.data, &out->data.len);
}

bool sealing_reporter_key(const char *receipt, unsigned char out[KEYS_PUBLIC_BYTES])
{
	return reporter_public_key_derive(receipt, RECEIPT_DIGITS, out);
}

struct appeal *sealing_build(const struct intake_keys *keys, const struct sealing_parts *parts)
{
	struct content_key *key = content_key_new();
	struct appeal *a = calloc(1, sizeof(*a));
	if (!a || !key)
		goto fail;
	a->channel = parts->channel;
	a->category = parts->category;
	a->director_involved = parts->director_involved ? parts->director_involved : "unknown";
	a->language = parts->language;
	receipt_hash(keys->pepper, parts->receipt, a->receipt_hash);
	if (!sealing_reporter_key(parts->receipt, a->reporter_key))
		goto fail;
	a->has_reporter_key = true;
	/* the case's own key pair: its secret goes to the readers when the
	 * registration is composed (appeal_seal_readers) and to the recovery
	 * key now */
	a->case_sk = secret_key_generate();
	if (!a->case_sk)
		goto fail;
	struct public_key case_pk;
	secret_key_public(a->case_sk, &case_pk);
	memcpy(a->case_public_key, case_pk.bytes, KEYS_PUBLIC_BYTES);
	if (keys->has_case_key) {
		a->recovery_sealed.data = malloc(CASEKEY_SEAL_BYTES);
		if (!a->recovery_sealed.data ||
		    !casekey_seal(a->case_sk, &keys->case_key, a->recovery_sealed.data))
			goto fail;
		a->recovery_sealed.len = CASEKEY_SEAL_BYTES;
	}
	if (!content_key_seal(key, &case_pk, &a->content_key_sealed.data,
			      &a->content_key_sealed.len) ||
	    !sealing_encrypt_json(key, parts->content, &a->content))
		goto fail;
	if (parts->identity &&
	    !sealing_seal_json(&keys->custodian, parts->identity, &a->identity_sealed))
		goto fail;
	if (parts->nfiles) {
		a->files = calloc(parts->nfiles, sizeof(*a->files));
		if (!a->files)
			goto fail;
	}
	for (unsigned i = 0; i < parts->nfiles; i++) {
		/* counted first, so appeal_free() frees what a half-made one holds */
		a->nfiles++;
		if (!sealing_encrypt_file(key, &parts->files[i], &a->files[i]))
			goto fail;
	}
	content_key_free(key);
	return a;
fail:
	content_key_free(key);
	appeal_free(a);
	return NULL;
}
