/* Sealing and registering what a desk took in: see deskseal.h. */
#include "staff/deskseal.h"

#include <string.h>

#include "daemon/config.h"

struct sealing_parts deskseal_parts(const struct staff_ctx *c, const char *channel,
				    const char *receipt)
{
	const char *director = desk_director(staff_arg(c, "director_involved"));
	return (struct sealing_parts){
	    .channel = channel,
	    .category = desk_category(staff_arg(c, "category")),
	    .director_involved = director ? director : "unknown",
	    .language = i18n_code(c->lang),
	    .receipt = receipt,
	};
}

unsigned deskseal_register(struct desk_taken *taken, struct appeal *a, struct appeal_result *r)
{
	memset(r, 0, sizeof(*r));
	if (!a)
		return 500;
	const struct staff_ctx *c = taken->c;
	appeal_register_sync(c->db, a, c->cfg ? c->cfg->request_timeout : 15, desk_in_tx, taken, r);
	appeal_free(a);
	return r->ok ? 200 : 503;
}
