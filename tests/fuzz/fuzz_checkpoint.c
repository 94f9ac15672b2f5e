/* libFuzzer harness: checkpoint_verify() (workflow/checkpoint.c), which
 * reads lines from files a person hands to `hotlinectl journal|audit verify
 * --checkpoint-file` and from hotline.checkpoints, on arbitrary text. A
 * refused line always says why; an accepted one was signed by the key,
 * so with a fixed key only a line formatted and signed here is accepted,
 * and it formats back to exactly the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keys.h"
#include "crypto/sign.h"
#include "tests/fuzz/cstring.h"
#include "workflow/checkpoint.h"

static struct sign_secret *key;
static struct sign_public pk;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!key) {
		if (!keys_init() || !(key = sign_secret_generate()))
			abort();
		sign_secret_public(key, &pk);
	}
	char *text = fuzz_cstring(data, size);
	struct checkpoint cp;
	char why[200];
	why[0] = '\0';
	if (checkpoint_verify(text, &pk, &cp, why, sizeof why)) {
		/* only a line signed here verifies: it must format back */
		struct buf again;
		buf_init(&again);
		checkpoint_format(&again, &cp, key);
		if (strstr(text, again.data) == NULL)
			abort();
		buf_reset(&again);
	} else if (why[0] == '\0' || memchr(why, '\0', sizeof why) == NULL) {
		abort();
	}
	/* The input's numbers and hashes, signed here, always verify. */
	if (size >= 2 * sizeof cp.journal.hash + 16) {
		struct checkpoint mine;
		memset(&mine, 0, sizeof mine);
		memcpy(mine.journal.hash, data, sizeof mine.journal.hash);
		memcpy(mine.audit.hash, data + 32, sizeof mine.audit.hash);
		int64_t n[2];
		memcpy(n, data + 64, sizeof n);
		mine.journal.row = (long long)((uint64_t)n[0] % 1000000000000000000ull);
		mine.audit.row = (long long)((uint64_t)n[1] % 1000000000000000000ull);
		mine.at = (int64_t)((uint64_t)n[0] % 4102444800ull); /* before 2100 */
		struct buf line;
		buf_init(&line);
		checkpoint_format(&line, &mine, key);
		struct checkpoint back;
		if (!checkpoint_verify(line.data, &pk, &back, why, sizeof why) ||
		    back.journal.row != mine.journal.row || back.audit.row != mine.audit.row ||
		    back.at != mine.at || memcmp(back.audit.hash, mine.audit.hash, 32) != 0)
			abort();
		buf_reset(&line);
	}
	free(text);
	return 0;
}
