#include "intake/choices.h"

#include <string.h>

#include "base/html.h"

static const char *const categories[] = {"corruption", "conflict_of_interest", "gift",
					 "unlawful_order", "other"};
static const enum msg category_msgs[] = {M_CAT_CORRUPTION, M_CAT_CONFLICT, M_CAT_GIFT,
					 M_CAT_UNLAWFUL_ORDER, M_CAT_OTHER};
#define NCATEGORIES (sizeof(categories) / sizeof(categories[0]))
_Static_assert(NCATEGORIES == CHOICES_CATEGORIES, "choices.h counts the categories");

static const char *const director_values[] = {"no", "yes", "unknown"};
static const enum msg director_msgs[] = {M_FORM_DIRECTOR_NO, M_FORM_DIRECTOR_YES,
					 M_FORM_DIRECTOR_UNKNOWN};
#define NDIRECTOR (sizeof(director_values) / sizeof(director_values[0]))
_Static_assert(NDIRECTOR == CHOICES_DIRECTOR, "choices.h counts the answers");

static const char *known(const char *value, const char *const *set, size_t n)
{
	for (size_t i = 0; value && i < n; i++) {
		if (strcmp(value, set[i]) == 0)
			return set[i];
	}
	return NULL;
}

const char *choices_category(const char *value)
{
	return known(value, categories, NCATEGORIES);
}

const char *choices_director(const char *value)
{
	return known(value, director_values, NDIRECTOR);
}

void choices_category_options(struct buf *b, enum lang lang, const char *selected)
{
	choices_category_options_labelled(b, lang, selected, category_msgs);
}

void choices_category_options_labelled(struct buf *b, enum lang lang, const char *selected,
				       const enum msg labels[CHOICES_CATEGORIES])
{
	buf_puts(b, "<option value=\"\">");
	html_escape_str(b, i18n(lang, M_FORM_CHOOSE));
	buf_puts(b, "</option>\n");
	for (size_t i = 0; i < NCATEGORIES; i++) {
		buf_printf(b, "<option value=\"%s\"%s>", categories[i],
			   strcmp(selected, categories[i]) == 0 ? " selected" : "");
		html_escape_str(b, i18n(lang, labels[i]));
		buf_puts(b, "</option>\n");
	}
}

void choices_director_radios(struct buf *b, enum lang lang, const char *checked)
{
	choices_director_radios_labelled(b, lang, checked, director_msgs);
}

void choices_director_radios_labelled(struct buf *b, enum lang lang, const char *checked,
				      const enum msg labels[CHOICES_DIRECTOR])
{
	for (size_t i = 0; i < NDIRECTOR; i++) {
		buf_printf(
		    b,
		    "<label class=\"choice\"><input type=\"radio\" name=\"director_involved\" "
		    "value=\"%s\"%s> ",
		    director_values[i], strcmp(checked, director_values[i]) == 0 ? " checked" : "");
		html_escape_str(b, i18n(lang, labels[i]));
		buf_puts(b, "</label>\n");
	}
}

enum choices_identity choices_identity(const char *value, bool has_contact)
{
	if (value && strcmp(value, "named") == 0)
		return has_contact ? CHOICES_NAMED : CHOICES_NAMED_EMPTY;
	if (value && strcmp(value, "anonymous") == 0)
		return has_contact ? CHOICES_ASK : CHOICES_ANONYMOUS;
	if (value && strcmp(value, "anonymous_drop") == 0)
		return CHOICES_ANONYMOUS;
	return has_contact ? CHOICES_NAMED : CHOICES_ANONYMOUS;
}

static void identity_radio(struct buf *b, enum lang lang, const char *value, bool checked,
			   bool required, enum msg label)
{
	buf_printf(b,
		   "<label class=\"choice\"><input type=\"radio\" name=\"identity\" "
		   "value=\"%s\"%s%s> ",
		   value, checked ? " checked" : "", required ? " required" : "");
	html_escape_str(b, i18n(lang, label));
	buf_puts(b, "</label>\n");
}

void choices_identity_radios(struct buf *b, enum lang lang, const char *checked, bool asking,
			     const struct choices_identity_labels *labels)
{
	if (asking) {
		identity_radio(b, lang, "named", strcmp(checked, "named") == 0, true,
			       labels->ask_named);
		identity_radio(b, lang, "anonymous_drop", strcmp(checked, "anonymous_drop") == 0,
			       true, labels->ask_drop);
		return;
	}
	identity_radio(b, lang, "anonymous", strcmp(checked, "anonymous") == 0, false,
		       labels->anonymous);
	identity_radio(b, lang, "named", strcmp(checked, "named") == 0, false, labels->named);
}
