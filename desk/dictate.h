/* A receipt as an operator reads it out over the phone: the groups of four
 * digits of crypto/receipt.h, large, each with its digits spelled as words
 * in the page's language so that nothing is misheard ("8" vs "3"). */
#ifndef HOTLINE_DESK_DICTATE_H
#define HOTLINE_DESK_DICTATE_H

#include <stddef.h>

#include "base/buf.h"
#include "base/i18n.h"

/* The n ASCII digits of group as words separated by spaces, e.g. "four
 * eight two one". Anything but a digit is skipped. Always NUL-terminated,
 * truncated to size. */
void dictate_words(const char *group, size_t n, enum lang lang, char *out, size_t size);

/* digits: RECEIPT_DIGITS digits. Writes the whole code as
 * <code id="receipt">1234 5678 ...</code> and a list of its groups with their
 * words (class "dictation"); escaped. */
void dictate_receipt_html(struct buf *b, const char *digits, enum lang lang);

#endif
