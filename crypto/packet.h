/* The reveal packet (docs/reveal.md): what hotlined releases to the
 * custodian for one approved request, and what `hotlinectl unmask` opens
 * with the shares of the unmasking key, off the server. */
#ifndef HOTLINE_CRYPTO_PACKET_H
#define HOTLINE_CRYPTO_PACKET_H

#include <stdbool.h>
#include <stddef.h>

#include "base/attr.h"
#include "crypto/keys.h"
#include "crypto/shares.h"

/* What the server releases for one approved request: a small text file.
 *
 *   hotline-reveal-packet-v1
 *   request ID
 *   case REG_NO
 *   director-named yes|no
 *   key FINGERPRINT
 *   identity BASE64
 *   binding HEX
 *
 * binding is SHA-256 of every byte before the binding line; the server
 * records it with the release, so a packet changed afterwards (another
 * identity box, "director-named" turned to "no") no longer matches what
 * the request page shows. */
#define PACKET_MAX (64 * 1024)
#define PACKET_BINDING_SIZE 65

struct reveal_packet {
	char request[24];
	char reg_no[16];
	bool director_named;
	char key[SHARES_FINGERPRINT_SIZE];
	unsigned char *sealed; /* malloc'd */
	size_t sealed_len;
	char binding[PACKET_BINDING_SIZE];
};

/* The packet's text (malloc'd, NUL-terminated) and its binding; NULL when
 * out of memory or a field does not fit. */
char *packet_make(const char *request, const char *reg_no, bool director_named,
		  const struct public_key *pk, const unsigned char *sealed, size_t len,
		  char binding[PACKET_BINDING_SIZE]) MUST_CHECK;
/* Parses a packet and checks its binding. */
bool packet_parse(const char *text, size_t len, struct reveal_packet *out, char *err,
		  size_t errlen) MUST_CHECK;
void packet_clear(struct reveal_packet *p);

#endif
