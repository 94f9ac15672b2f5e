/* The text a staff page shows, in the reader's language, for a workflow
 * step the procedure refused (workflow/wfdb.h enum wf_code). */
#ifndef HOTLINE_STAFF_REFUSAL_H
#define HOTLINE_STAFF_REFUSAL_H

#include <stddef.h>

#include "base/i18n.h"
#include "workflow/wfdb.h"

enum msg refusal_text(enum wf_code code);

struct staff_ctx;

/* The refusal as the page shows it, into out: the code's rule, then the
 * detail the step added (workflow/wfdb.h wf_explain), its dates written as
 * the reader writes them, its states in words and its values as typed;
 * never the English text, which is for hotlinectl and the log. */
void refusal_say(const struct staff_ctx *c, const struct wf_error *e, char *out, size_t size);

#endif
