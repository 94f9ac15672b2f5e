/* libFuzzer harness: the e-mail parser (intake/mail.c, GMime) on arbitrary
 * bytes, and the text helpers it uses on outside input. Checks that what
 * comes out is valid UTF-8 text. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intake/mail.h"
#include "base/utf8.h"
#include "tests/fuzz/cstring.h"

static void must_be_text(const char *s)
{
	if (s && !utf8_valid_text(s, strlen(s)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	if (!ready) {
		mail_init();
		ready = true;
	}
	struct mail *m = NULL;
	enum mail_status st = mail_parse((const char *)data, size, 3, &m);
	if (st == MAIL_OK || st == MAIL_TOO_MANY_ATTACHMENTS) {
		if (!m)
			abort();
		must_be_text(m->subject);
		must_be_text(m->text);
		must_be_text(m->from_name);
		if (m->nfiles > 3)
			abort();
		mail_free(m);
	} else if (m) {
		abort(); /* documented: NULL on failure */
	}
	char *t = mail_html_to_text((const char *)data, size);
	free(t);
	char *c = mail_clean_text((const char *)data, size);
	must_be_text(c);
	free(c);
	char reg[16];
	char *z = fuzz_cstring(data, size);
	if (mail_find_reg_no(z, reg) && (strlen(reg) < 11 || strlen(reg) > 13 || reg[4] != '-'))
		abort();
	(void)mail_guess_language(z);
	/* the follow-up proofs' scanners (docs/mail-intake.md): spans inside
	 * the text, always moving forward */
	size_t zlen = strlen(z), from = 0, start, end;
	while (mail_find_receipt(z, from, &start, &end)) {
		if (start < from || end <= start || end > zlen)
			abort();
		from = end;
	}
	from = 0;
	while (mail_find_token(z, from, 24, &start)) {
		if (start < from || start + 24 > zlen || z[start - 1] != '#')
			abort();
		from = start + 24;
	}
	free(z);
	return 0;
}
