/* What every channel does between "the reporter's words are in memory" and
 * appeal_register(): seal the identity to the custodian, encrypt the content
 * and the files under a fresh case content key sealed to the case-handling
 * key, and hash the receipt. The web form, the mail intake, the operator's
 * call form and the registrar's form all end here, so what is sealed to
 * which key (docs/keys.md) is decided in one place. */
#ifndef HOTLINE_INTAKE_SEALING_H
#define HOTLINE_INTAKE_SEALING_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "base/attr.h"
#include "crypto/keys.h"
#include "crypto/receipt.h"
#include "crypto/seal.h"
#include "intake/appeal.h"
#include "intake/clean.h"

struct config;
struct content_key;

/* The public keys and the pepper; the daemon holds nothing more. The
 * pepper is in guarded, read-only memory (crypto/receipt.h pepper_load);
 * a copy of this struct shares it, so it lives as long as the web. */
struct intake_keys {
	struct public_key custodian;
	/* the offline recovery key (config case_public_key), when has_case_key:
	 * every case secret key is also sealed to it (docs/keys.md) */
	struct public_key case_key;
	bool has_case_key;
	struct pepper *pepper;
};

/* Loads the three files named by the config (custodian_public_key,
 * case_public_key, receipt_pepper_file). False with the file and the reason
 * in err (nothing to free then). */
bool intake_keys_load(const struct config *cfg, struct intake_keys *out, char *err,
		      size_t errlen) MUST_CHECK;
/* Wipes and frees the pepper (out->pepper becomes NULL). */
void intake_keys_free(struct intake_keys *keys);

/* A file as the reporter gave it, in clear: its len bytes at data, or,
 * when read is set, pulled from read_cls a chunk at a time (a file on the
 * upload spool, intake/spool.h). */
struct sealing_file {
	const char *name, *type; /* UTF-8, not NUL-terminated: name_len, type_len */
	size_t name_len, type_len;
	const void *data;
	size_t len;
	stream_read_fn read;
	void *read_cls;
	/* what cleaning did to it (intake/clean.h): stored beside it for staff */
	enum clean_state clean;
};

/* The appeal in clear, borrowed for the call. */
struct sealing_parts {
	const char *channel;	       /* "web", "email", "phone", "written", "in_person" */
	const char *category;	       /* static, from the known set, or NULL */
	const char *director_involved; /* static: "yes", "no", "unknown" */
	const char *language;	       /* static: "kk", "ru", "en" */
	const char *receipt;	       /* RECEIPT_DIGITS digits */
	const json_t *content;	       /* an object: encrypted as compact JSON */
	const json_t *identity;	       /* an object, or NULL when anonymous */
	const struct sealing_file *files;
	unsigned nfiles;
};

/* A malloc'd appeal ready for appeal_register(), nothing in it in clear but
 * the routing facts; NULL when out of memory or when libsodium failed. The
 * JSON texts made on the way are wiped before they are freed; the parts
 * stay the caller's to wipe. */
struct appeal *sealing_build(const struct intake_keys *keys,
			     const struct sealing_parts *parts) MUST_CHECK;

/* The public key of the reporter's key pair derived from the receipt
 * (RECEIPT_DIGITS digits): staff seal their replies to it (docs/keys.md). */
bool sealing_reporter_key(const char *receipt, unsigned char out[KEYS_PUBLIC_BYTES]) MUST_CHECK;

/* A file's name, type and size as a blob, and its bytes as a stream, under
 * the key of its case or message. */
bool sealing_encrypt_file(const struct content_key *key, const struct sealing_file *file,
			  struct appeal_file *out) MUST_CHECK;

#endif
