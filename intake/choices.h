/* The closed answers of a report: its category, whether the director is
 * involved, and whether the reporter gives their name. Shared by the public form (intake/web.c) and
 * the staff desk that registers a report on someone's behalf (desk/desk.c). */
#ifndef HOTLINE_INTAKE_CHOICES_H
#define HOTLINE_INTAKE_CHOICES_H

#include <stdbool.h>

#include "base/buf.h"
#include "base/i18n.h"

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

/* The same with other words for the choices, in the order corruption,
 * conflict_of_interest, gift, unlawful_order, other and no, yes, unknown:
 * the staff desks, where someone other than the reporter fills the form
 * and the reporter is spoken of in the third person (desk/desk.c). */
#define CHOICES_CATEGORIES 5
#define CHOICES_DIRECTOR 3
void choices_category_options_labelled(struct buf *b, enum lang lang, const char *selected,
				       const enum msg labels[CHOICES_CATEGORIES]);
void choices_director_radios_labelled(struct buf *b, enum lang lang, const char *checked,
				      const enum msg labels[CHOICES_DIRECTOR]);

/* Whether the reporter gives their name, from the form's "identity" choice
 * and whether any contact field (name, phone, e-mail, address,
 * organisation) holds something. Contact details are never dropped unasked
 * (004 p.6.3: an anonymous appeal is not considered, so turning a named
 * reporter anonymous by mistake costs them their appeal):
 *   "named"          + details  -> CHOICES_NAMED
 *   "named"          no details -> CHOICES_NAMED_EMPTY (say: give one)
 *   "anonymous"      + details  -> CHOICES_ASK (say: which did you mean?)
 *   "anonymous"      no details -> CHOICES_ANONYMOUS
 *   "anonymous_drop" (the answer "stay anonymous, drop the details")
 *                               -> CHOICES_ANONYMOUS, the details dropped
 *   nothing chosen   + details  -> CHOICES_NAMED (nothing is dropped)
 *   nothing chosen   no details -> CHOICES_ANONYMOUS */
enum choices_identity {
	CHOICES_ANONYMOUS,
	CHOICES_NAMED,
	CHOICES_NAMED_EMPTY,
	CHOICES_ASK,
};
enum choices_identity choices_identity(const char *value, bool has_contact);

/* The identity radio buttons. Asking (CHOICES_ASK was the answer, or
 * the question was answered and the form came back for another reason):
 * the two answers to the question, "named" and "anonymous_drop",
 * required; otherwise "anonymous" and "named", the one named
 * checked marked so (none when checked is neither). The labels are the
 * caller's: the public form speaks to the reporter, the staff forms about
 * them. */
struct choices_identity_labels {
	enum msg anonymous, named, ask_named, ask_drop;
};
void choices_identity_radios(struct buf *b, enum lang lang, const char *checked, bool asking,
			     const struct choices_identity_labels *labels);

#endif
