/* The request as the pages read it (staff/staff.h: staff_arg, staff_args,
 * staff_files, staff_case_key, staff_set_cookie): through the operations
 * the transport lends in staff_priv (staff/internal.h), so the pages and
 * the staff foundation below web/ never call up into web/server.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "staff/internal.h"

const char *staff_arg(const struct staff_ctx *c, const char *name)
{
	const struct staff_priv *p = staff_priv(c);
	size_t len;
	const char *value = p->ops->arg(p->req, name, &len);
	return value ? value : "";
}

bool staff_has_arg(const struct staff_ctx *c, const char *name)
{
	const struct staff_priv *p = staff_priv(c);
	size_t len;
	return p->ops->arg(p->req, name, &len) != NULL;
}

size_t staff_arg_len(const struct staff_ctx *c, const char *name)
{
	const struct staff_priv *p = staff_priv(c);
	size_t len;
	(void)p->ops->arg(p->req, name, &len);
	return len;
}

const char *const *staff_args(const struct staff_ctx *c, const char *name, unsigned *n)
{
	struct staff_priv *p = staff_priv(c);
	static const char *const none[1] = {NULL};
	*n = 0;
	unsigned count = p->ops->values(p->req, name, NULL);
	if (!count || p->nargs_out >= sizeof p->args_out / sizeof p->args_out[0])
		return none;
	const char **out = calloc(count + 1, sizeof(*out));
	if (!out)
		abort();
	unsigned k = p->ops->values(p->req, name, out);
	p->args_out[p->nargs_out++] = out;
	*n = k;
	return out;
}

const struct staff_file *staff_files(const struct staff_ctx *c, unsigned *n)
{
	const struct staff_priv *p = staff_priv(c);
	return p->ops->files(p->req, n);
}

const struct secret_key *staff_case_key(const struct staff_ctx *c)
{
	return staff_priv(c)->seal_key;
}

void staff_set_cookie(struct staff_ctx *c, const char *name, const char *value, int max_age)
{
	struct staff_priv *p = staff_priv(c);
	if (p->ncookies >= STAFF_MAX_COOKIES)
		return;
	char age[32] = "";
	if (max_age >= 0)
		snprintf(age, sizeof age, "; Max-Age=%d", max_age);
	snprintf(p->cookies[p->ncookies++], sizeof p->cookies[0],
		 "%s=%s; Path=/staff; HttpOnly; SameSite=Strict%s%s", name, value,
		 strcmp(p->srv->cfg->staff_cookie_secure, "no") == 0 ? "" : "; Secure", age);
}
