/* libFuzzer harness: config_parse() (base/config.c) on arbitrary text.
 * The input is made a NUL-terminated string; a parsed config is freed. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "tests/fuzz/cstring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstring(data, size);
	char err[256];
	err[0] = '\0';
	struct config *cfg = config_parse(text, "fuzz.conf", err, sizeof err);
	if (cfg) {
		/* A config that parses must hold its own invariants. */
		if (cfg->outbox_retry_min > cfg->outbox_retry_max)
			abort();
		int days[8];
		if (cfg->reminder_working_days)
			(void)config_reminder_days(cfg->reminder_working_days, days);
		config_free(cfg);
	} else if (err[0] == '\0' || memchr(err, '\0', sizeof err) == NULL) {
		abort(); /* a refusal always says why */
	}
	/* The days list parser sees the same hostile text on its own. */
	int days[8];
	(void)config_reminder_days(text, days);
	free(text);
	return 0;
}
