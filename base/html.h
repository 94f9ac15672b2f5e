/* The one way to write HTML, for the public and the staff pages alike:
 * every value is escaped unless the function's name says "markup".
 *   html_f(b, "<li class=\"%s\">%d ", cls, n)   the format is the program's
 *       markup; each %s (and %c) value is escaped, numbers are printed as
 *       by printf. A value cannot carry markup into the page.
 *   html_escape_str(b, s), html_msg(b, lang, id)  one escaped text.
 *   html_markup(b, m)  trusted markup: a literal of the program, or a
 *       fragment that other html_* calls built.
 * Writing page bytes with buf_puts()/buf_printf() is what this replaces. */
#ifndef HOTLINE_BASE_HTML_H
#define HOTLINE_BASE_HTML_H

#include <stdarg.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/i18n.h"

/* Escapes & < > " ' so the text is safe in element content and in quoted
 * attribute values. */
void html_escape(struct buf *b, const char *s, size_t len);
void html_escape_str(struct buf *b, const char *s);
/* A translated text (base/i18n.h), escaped. */
void html_msg(struct buf *b, enum lang lang, enum msg id);

/* printf whose %s and %c values are escaped (see the top of this file).
 * The conversions of printf are allowed except %n and %p; a format that
 * has another aborts (a broken invariant, caught by any test of the page). */
void html_f(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void html_vf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Trusted markup, written as it is: never a value from outside. */
void html_markup(struct buf *b, const char *markup);
void html_markup_n(struct buf *b, const char *markup, size_t len);

/* The page shell: doctype, <html lang>, head with viewport and stylesheet,
 * header with the organisation's face (below) and the language links (to
 * self_path?lang=..), <main>; html_end closes it with the footer, whose
 * link to the trust page (/trust) is on every public page. */
void html_begin(struct buf *b, enum lang lang, const char *title, const char *self_path);
void html_end(struct buf *b, enum lang lang);

/* The organisation's face in the header of html_begin(): its name ("" for
 * none) and its logo's path ("/logo?v=...", "" for none), copied. Set by
 * the settings cache of the public pages (intake/trust.c); one face per
 * process, because the public pages are written on the loop's thread only,
 * the thread that sets it (the staff pages have a shell of their own). */
void html_face_set(const char *organisation, const char *logo_path);

/* The stylesheet served at /style.css. */
const char *html_stylesheet(void);

/* "25 MB", "512 KB" in English, "25 МБ", "1,5 МБ" in Kazakh and Russian:
 * sizes shown to people, never a count of bytes. */
void html_size(char *out, size_t outlen, enum lang lang, size_t bytes);

/* A date or a moment as its readers write it: "07.12.2026" and
 * "07.12.2026 14:05" in Kazakh and Russian, "7 Dec 2026" and
 * "7 Dec 2026, 14:05" in English. iso is "YYYY-MM-DD", optionally followed
 * by " HH:MM" or "THH:MM" (seconds and anything after them are dropped:
 * the caller says the zone). Anything else is copied as it is. */
void html_date(char *out, size_t outlen, enum lang lang, const char *iso);
/* A month (1-12) of a year as its readers write it: "12.2026" in Kazakh
 * and Russian, "Dec 2026" in English. */
void html_month(char *out, size_t outlen, enum lang lang, int year, int month);

#endif
