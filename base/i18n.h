/* Texts of the pages in Kazakh, Russian and English. They live in the
 * gettext catalogs of po/ (po/README.md); the build turns them into
 * BUILD/gen/texts.def, one MSG(id, kk, ru, en) row per text, and refuses a
 * catalog with a text missing, untranslated or fuzzy. tests/unit/test_i18n.c
 * checks placeholders and UTF-8 once more. */
#ifndef HOTLINE_BASE_I18N_H
#define HOTLINE_BASE_I18N_H

#include <stdbool.h>

enum lang { LANG_KK, LANG_RU, LANG_EN, LANG_COUNT };

enum msg {
#define MSG(id, kk, ru, en) id,
#include "texts.def"
#undef MSG
	MSG_COUNT
};

const char *i18n(enum lang lang, enum msg id);

/* "kk", "ru", "en". */
const char *i18n_code(enum lang lang);

/* Parses "kk"/"ru"/"en" (also "kz", case-insensitive, region suffixes like
 * "ru-RU" allowed); false for anything else. */
bool i18n_parse(const char *code, enum lang *out);

/* Picks the best language from an Accept-Language header (q-values
 * honoured); fallback when nothing matches or header is NULL. */
enum lang i18n_negotiate(const char *accept_language, enum lang fallback);

#endif
