/* The text a staff page shows, in the reader's language, for a workflow
 * step the procedure refused (workflow/wfdb.h enum wf_code). */
#ifndef HOTLINE_STAFF_REFUSAL_H
#define HOTLINE_STAFF_REFUSAL_H

#include "base/i18n.h"
#include "workflow/wfdb.h"

enum msg refusal_text(enum wf_code code);

#endif
