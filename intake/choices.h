/* The closed answers of a report: its category and whether the director is
 * involved. Shared by the public form (intake/web.c) and the staff desk
 * that registers a report on someone's behalf (staff/desk.c). */
#ifndef HOTLINE_INTAKE_CHOICES_H
#define HOTLINE_INTAKE_CHOICES_H

#include "daemon/buf.h"
#include "intake/i18n.h"

/* The category's name when value is one ("corruption", ...), else NULL
 * (also for a NULL value). */
const char *choices_category(const char *value);

/* "no", "yes" or "unknown" when value is one of them, else NULL. */
const char *choices_director(const char *value);

/* The <option>s of the category <select>: an empty one saying "choose",
 * then each category, the one named selected marked so. */
void choices_category_options(struct buf *b, enum lang lang, const char *selected);

/* The director_involved radio buttons with their labels, the one named
 * checked marked so. */
void choices_director_radios(struct buf *b, enum lang lang, const char *checked);

#endif
