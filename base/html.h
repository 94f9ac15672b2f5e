/* Building HTML pages safely: every piece of outside text goes through
 * html_escape(). */
#ifndef HOTLINE_BASE_HTML_H
#define HOTLINE_BASE_HTML_H

#include <stddef.h>

#include "base/buf.h"
#include "base/i18n.h"

/* Escapes & < > " ' so the text is safe in element content and in quoted
 * attribute values. */
void html_escape(struct buf *b, const char *s, size_t len);
void html_escape_str(struct buf *b, const char *s);

/* The page shell: doctype, <html lang>, head with viewport and stylesheet,
 * header with the language links (to self_path?lang=..), <main>. */
void html_begin(struct buf *b, enum lang lang, const char *title, const char *self_path);
void html_end(struct buf *b, enum lang lang);

/* The stylesheet served at /style.css. */
const char *html_stylesheet(void);

/* "25 MB", "512 KB": for limits shown to people. */
void html_size(char *out, size_t outlen, size_t bytes);

#endif
