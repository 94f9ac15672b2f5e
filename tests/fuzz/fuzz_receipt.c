/* libFuzzer harness: receipt_parse() (crypto/receipt.c), what a person
 * types into the status page. Checks that an accepted receipt is 28 digits
 * whose Damm check holds and that formatting it parses back the same. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keys.h"
#include "crypto/receipt.h"

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
	/* An exact-size copy so ASan sees any read past len. */
	char *input = malloc(size ? size : 1);
	if (!input)
		abort();
	memcpy(input, data, size);
	char digits[RECEIPT_DIGITS + 1];
	memset(digits, 'x', sizeof digits);
	enum receipt_error rc = receipt_parse(input, size, digits);
	if (rc == RECEIPT_OK) {
		if (strlen(digits) != RECEIPT_DIGITS)
			abort();
		for (size_t i = 0; i < RECEIPT_DIGITS; i++)
			if (digits[i] < '0' || digits[i] > '9')
				abort();
		if (receipt_check_digit(digits, RECEIPT_DIGITS - 1) != digits[RECEIPT_DIGITS - 1])
			abort();
		char text[RECEIPT_TEXT_SIZE];
		receipt_format(digits, text);
		char again[RECEIPT_DIGITS + 1];
		if (receipt_parse(text, strlen(text), again) != RECEIPT_OK ||
		    strcmp(again, digits) != 0)
			abort();
	} else {
		/* "otherwise it is untouched" */
		for (size_t i = 0; i < sizeof digits; i++)
			if (digits[i] != 'x')
				abort();
	}
	free(input);
	return 0;
}
