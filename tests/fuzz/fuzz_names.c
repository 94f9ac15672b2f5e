/* libFuzzer harness: names_mentioned() (workflow/names.c). The input is
 * split at its first NUL byte (or, without one, in the middle) into the
 * report text and the person's name. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "workflow/names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t plen = nul ? (size_t)(nul - data) : size / 2;
	const uint8_t *rest = nul ? nul + 1 : data + plen;
	size_t tlen = size - (size_t)(rest - data);

	char *person = malloc(plen + 1);
	char *text = malloc(tlen ? tlen : 1); /* exact size: ASan sees overreads */
	if (!person || !text)
		abort();
	memcpy(person, data, plen);
	person[plen] = '\0';
	memcpy(text, rest, tlen);

	(void)names_mentioned(text, tlen, person);
	/* The name searched in itself: text and needle of the same length. */
	(void)names_mentioned(person, plen, person);
	free(person);
	free(text);
	return 0;
}
