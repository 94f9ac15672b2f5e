/* UTF-8 validation for everything that arrives from outside. */
#ifndef HOTLINE_BASE_UTF8_H
#define HOTLINE_BASE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Well-formed UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF)
 * and no NUL or C0 control characters other than tab, CR and LF. */
bool utf8_valid_text(const char *s, size_t len);

#endif
