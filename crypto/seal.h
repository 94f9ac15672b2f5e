/* Sealing and encrypting what a reporter gives us.
 *
 * Identity (name, contacts, caller's number, mail sender) is sealed with
 * crypto_box_seal to the custodian's public key: nobody but the custodian
 * can open it. Content (report text, messages, attachments) is encrypted
 * with a fresh random content key per report; that key is itself sealed to
 * the case-handling public key. All output buffers are malloc'd and owned
 * by the caller (free()). */
#ifndef HOTLINE_CRYPTO_SEAL_H
#define HOTLINE_CRYPTO_SEAL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/attr.h"
#include "crypto/keys.h"

/* Opaque, sodium_malloc'd. */
struct content_key;

/* crypto_box_seal of plain to the key. */
bool seal_to(const struct public_key *to, const void *plain, size_t len, unsigned char **out,
	     size_t *outlen) MUST_CHECK;

/* Opens a sealed box; plain is sodium_malloc'd, release it with seal_plain_free(). */
bool seal_open(const struct secret_key *sk, const unsigned char *sealed, size_t len,
	       unsigned char **plain, size_t *plainlen) MUST_CHECK;
void seal_plain_free(unsigned char *plain, size_t len);

struct content_key *content_key_new(void) MUST_CHECK;
/* Derives a content key from material (e.g. a receipt) with a context
 * string of at most 8 bytes (crypto_kdf-style domain separation):
 * key = BLAKE2b-256(material, personal = "hotline1" || context padded with
 * zeros to 8 bytes), no key, no salt. Same material and context, same key;
 * another context, an unrelated key. Fast, so material needs 80+ bits of
 * entropy (a receipt has 89.7), never a passphrase. NULL if context is
 * NULL, empty or longer than 8 bytes. The derivation is a stored format:
 * changing it orphans what was encrypted under it (docs/keys.md). */
struct content_key *content_key_derive(const void *material, size_t len,
				       const char *context) MUST_CHECK;
void content_key_free(struct content_key *key);

/* A content key kept in a file that only hotlined reads (the outbox key,
 * docs/mail-intake.md): 64 lower-case hex digits and a newline, mode 0600.
 * The file is made with a fresh random key when it does not exist yet.
 * NULL with a reason in err. */
struct content_key *content_key_file_load(const char *path, char *err, size_t errlen) MUST_CHECK;

/* One key per sealed acknowledgment (docs/mail-intake.md, "Nothing
 * readable left after delivery"): a file of the same format in the
 * spool folder beside the outbox key file (its path and ".d", mode 0700),
 * named by CONTENT_KEY_ID_SIZE - 1 hex digits. Erased once the
 * acknowledgment is delivered, so what PostgreSQL keeps of the row (dead
 * tuples, WAL, backups) can no longer be opened, not even with the outbox
 * key. */
#define CONTENT_KEY_ID_SIZE 33
void content_key_spool_dir(const char *outbox_key_file, char *out, size_t size);
/* A fresh key in a new file of dir (made if missing); its name in id. */
struct content_key *content_key_spool_new(const char *dir, char id[CONTENT_KEY_ID_SIZE], char *err,
					  size_t errlen) MUST_CHECK;
/* The key named id; NULL when id is not a name we make or the file is gone. */
struct content_key *content_key_spool_load(const char *dir, const char *id, char *err,
					   size_t errlen) MUST_CHECK;
/* Overwrites the file with zeros, syncs and removes it; quiet if gone. */
void content_key_spool_erase(const char *dir, const char *id);

/* Seals the raw key to a public key; content_key_open() reverses it (NULL
 * on a wrong key or damaged box). */
bool content_key_seal(const struct content_key *key, const struct public_key *to,
		      unsigned char **out, size_t *outlen) MUST_CHECK;
struct content_key *content_key_open(const struct secret_key *sk, const unsigned char *sealed,
				     size_t len) MUST_CHECK;

/* Small blobs: out = 24-byte random nonce || crypto_secretbox_easy(plain),
 * 40 bytes longer than plain. Decrypt fails on any change or wrong key. */
bool content_encrypt(const struct content_key *key, const void *plain, size_t len,
		     unsigned char **out, size_t *outlen) MUST_CHECK;
bool content_decrypt(const struct content_key *key, const unsigned char *in, size_t len,
		     unsigned char **plain, size_t *plainlen) MUST_CHECK;

/* Files: out = secretstream header || chunks of at most STREAM_CHUNK bytes
 * of plaintext each, the last tagged FINAL. Every chunk but the last is
 * full, so chunk boundaries follow from the length; 0 bytes encrypt to the
 * header and one empty FINAL chunk. Decrypt rejects truncation (also at a
 * chunk boundary), reordering, any change and anything after FINAL. */
#define STREAM_CHUNK 65536
bool stream_encrypt(const struct content_key *key, const void *plain, size_t len,
		    unsigned char **out, size_t *outlen) MUST_CHECK;
/* The same format, the len bytes of plaintext pulled by read() a chunk at
 * a time (exactly n bytes per call, true when they were read); only one
 * chunk is in memory at once, in guarded memory. */
typedef bool (*stream_read_fn)(void *cls, void *buf, size_t n);
bool stream_encrypt_read(const struct content_key *key, size_t len, stream_read_fn read, void *cls,
			 unsigned char **out, size_t *outlen) MUST_CHECK;
bool stream_decrypt(const struct content_key *key, const unsigned char *in, size_t len,
		    unsigned char **plain, size_t *plainlen) MUST_CHECK;

/* The reporter's key pair, derived from the receipt: the X25519 secret key
 * is content_key_derive(receipt, "rbox"). Its public half is stored with
 * the case (cases.reporter_public_key) so that staff can seal replies the
 * reporter alone opens on the status page (docs/keys.md). A stored format,
 * like content_key_derive(). NULL when out of memory. */
#define REPORTER_KEY_CONTEXT "rbox"
struct secret_key *reporter_key_derive(const void *receipt, size_t len) MUST_CHECK;
/* Only its public half, for registration: the same bytes as
 * secret_key_public(reporter_key_derive()), without making a key pair
 * that would at once be dropped. false when out of memory. */
bool reporter_public_key_derive(const void *receipt, size_t len,
				unsigned char out[KEYS_PUBLIC_BYTES]) MUST_CHECK;

#endif
