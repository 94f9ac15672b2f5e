/* Whether a person is named in a text: used to keep people named in a
 * report off its commission (004 L105, 002 L47). Case-insensitive for
 * Latin, Russian and Kazakh Cyrillic. Pure. */
#ifndef HOTLINE_WORKFLOW_NAMES_H
#define HOTLINE_WORKFLOW_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* True when the person's surname (the first word of "Surname Name
 * Patronymic", at least 3 letters) or the whole name appears in text as a
 * word or the start of a word (so inflected forms like "Ахметовым" match
 * "Ахметов"). */
bool names_mentioned(const char *text, size_t len, const char *person);

#endif
