/* The unmasking key split M-of-N (Shamir's scheme over GF(2^8), Debian's
 * libgfshare) and the reveal packet (docs/reveal.md, docs/keys.md).
 *
 * Reporter identity is sealed to one public key, as before; its secret
 * half exists only while M share holders sit together: shares_split()
 * makes the pair in sodium_malloc memory, writes the public key and one
 * share file per holder (each wrapped under that holder's passphrase) and
 * never writes the whole secret key; shares_combine() rebuilds it from M
 * loaded shares and checks it against the public key the shares name. No
 * single holder, and not the server, can open an identity (issue 14). */
#ifndef HOTLINE_CRYPTO_SHARES_H
#define HOTLINE_CRYPTO_SHARES_H

#include <stdbool.h>
#include <stddef.h>

#include "base/attr.h"
#include "crypto/keys.h"

/* At most this many holders; libgfshare allows 255, people do not. */
#define SHARES_MAX 16
/* "first 8 bytes of SHA-256(public key)" in hex, and its NUL. */
#define SHARES_FINGERPRINT_SIZE 17

/* Roles a share may be held by (the header names it): the director's share
 * is refused for a case that names the director. */
bool shares_role_valid(const char *role) MUST_CHECK;

/* The public key's fingerprint, as share files and packets name it. */
void shares_fingerprint(const struct public_key *pk, char out[SHARES_FINGERPRINT_SIZE]);

struct share_holder {
	const char *role;	/* shares_role_valid() */
	const char *path;	/* the share file to create (mode 0600) */
	const char *passphrase; /* the holder's, wraps their share */
};

/* Makes a fresh box key pair, writes its public key to pub_path (the same
 * format as keys_generate(), mode 0644) and splits its secret key into n
 * shares (2 <= threshold <= n <= SHARES_MAX), share i+1 to holders[i].
 * Refuses to overwrite any file; on failure no file is left behind. The
 * secret key and the shares live only in sodium_malloc memory. */
bool shares_split(const char *pub_path, const struct share_holder *holders, unsigned n,
		  unsigned threshold, char *err, size_t errlen) MUST_CHECK;

/* Splits an existing key again into new share files (a new random
 * polynomial), e.g. rebuilt with shares_combine() when a holder leaves:
 * shares of the new split do not combine with shares of the old one, so
 * once the remaining holders destroy their old shares, the leaver's old
 * share is useless. The public key stays the same. */
bool shares_resplit(const struct secret_key *sk, const struct share_holder *holders, unsigned n,
		    unsigned threshold, char *err, size_t errlen) MUST_CHECK;

/* One share, unwrapped: opaque, in sodium_malloc memory. */
struct share;

/* Reads and unwraps a share file (Argon2id: slow on purpose). NULL with a
 * reason on a wrong passphrase, a changed header or a damaged file. */
struct share *share_load(const char *path, const char *passphrase, char *err,
			 size_t errlen) MUST_CHECK;
unsigned share_index(const struct share *s);
unsigned share_threshold(const struct share *s);
unsigned share_count(const struct share *s);
const char *share_role(const struct share *s);
/* NULL is a no-op. */
void share_free(struct share *s);

/* Rebuilds the secret key from k shares: they must name the same public
 * key, threshold and count, have distinct indices, and be at least the
 * threshold; the rebuilt key must have the public key they name. NULL
 * with a reason otherwise. */
struct secret_key *shares_combine(struct share *const *shares, unsigned k, char *err,
				  size_t errlen) MUST_CHECK;

#endif
