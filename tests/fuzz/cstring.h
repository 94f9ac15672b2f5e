/* The fuzz input as a C string, for harnesses whose parser takes one
 * (fuzz_config.c, fuzz_i18n.c, fuzz_mail.c): a malloc'd copy of the bytes
 * with a NUL after them (the caller frees it). Header-only: each harness is
 * one program (tools/fuzz.sh). */
#ifndef HOTLINE_TESTS_FUZZ_CSTRING_H
#define HOTLINE_TESTS_FUZZ_CSTRING_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char *fuzz_cstring(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	return text;
}

#endif
