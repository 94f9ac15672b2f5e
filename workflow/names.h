/* Whether a person is named in a text: used to keep people named in a
 * report off its commission (004 L105, 002 L47). Case-insensitive, and
 * across scripts: Russian and Kazakh Cyrillic and their Latin
 * transliterations compare as one ("Kim Kirill" is named where the text
 * says "Ким К.К."; names.c says how). Pure. */
#ifndef HOTLINE_WORKFLOW_NAMES_H
#define HOTLINE_WORKFLOW_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* True when the person's surname (the first word of "Surname Name
 * Patronymic", at least 3 letters) or the whole name appears in text as a
 * word or the start of a word (so inflected forms like "Ахметовым" match
 * "Ахметов"), in either script; or the last word of a name written
 * "Name Surname" does, with an initial or a name beside it that agrees
 * with one of the person's others ("К.К. Ким" for "Kirill Kim"). */
bool names_mentioned(const char *text, size_t len, const char *person);

/* True when a and b, each "Surname Name Patronymic" in either script, can
 * be the same person: the same surname, and each further name both give
 * starting alike ("Ким К.К." and "Kim Kirill Kirillovich"; not "Kim
 * Anna"). For comparing two names, where names_mentioned() looks for a
 * person in a text. */
bool names_same_person(const char *a, const char *b);

#endif
