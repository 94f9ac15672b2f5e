/* libFuzzer harness: packet_parse() (crypto/packet.c), the reveal packet
 * `hotlinectl unmask` reads: a file that came from the server and passed
 * through people's hands. Checks that an accepted packet has printable
 * fields, a non-empty identity box, and the binding of its own bytes: a
 * packet made again from what was parsed parses to the same fields. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keys.h"
#include "crypto/packet.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!keys_init())
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy so ASan sees any read past size. */
	char *input = malloc(size ? size : 1);
	if (!input)
		abort();
	memcpy(input, data, size);
	struct reveal_packet p;
	char err[256];
	if (packet_parse(input, size, &p, err, sizeof err)) {
		if (!p.sealed || p.sealed_len == 0 || strlen(p.binding) != 64 || !p.request[0] ||
		    !p.reg_no[0])
			abort();
		struct public_key pk;
		memset(pk.bytes, 1, sizeof pk.bytes);
		char binding[PACKET_BINDING_SIZE];
		char *again = packet_make(p.request, p.reg_no, p.director_named, &pk, p.sealed,
					  p.sealed_len, binding);
		struct reveal_packet q;
		if (again) {
			if (!packet_parse(again, strlen(again), &q, err, sizeof err) ||
			    strcmp(q.request, p.request) != 0 || strcmp(q.reg_no, p.reg_no) != 0 ||
			    q.director_named != p.director_named || q.sealed_len != p.sealed_len ||
			    memcmp(q.sealed, p.sealed, p.sealed_len) != 0 ||
			    strcmp(q.binding, binding) != 0)
				abort();
			packet_clear(&q);
			free(again);
		}
		packet_clear(&p);
	}
	free(input);
	return 0;
}
