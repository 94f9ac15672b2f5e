/* libFuzzer harness: i18n_negotiate() (Accept-Language) and i18n_parse()
 * (the lang= parameter and form field) from base/i18n.c. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "tests/fuzz/cstring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstring(data, size);
	for (int fb = 0; fb < LANG_COUNT; fb++) {
		enum lang l = i18n_negotiate(text, (enum lang)fb);
		if ((int)l < 0 || l >= LANG_COUNT)
			abort();
	}
	enum lang l = LANG_COUNT;
	if (i18n_parse(text, &l)) {
		if ((int)l < 0 || l >= LANG_COUNT)
			abort();
		/* A code that parses is also understood as a header. */
		(void)i18n_code(l);
	}
	free(text);
	return 0;
}
