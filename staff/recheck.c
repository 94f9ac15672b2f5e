/* A password typed again while signed in: see recheck.h. */
#include "staff/recheck.h"

#include <string.h>

#include "accounts/devtrust.h"
#include "staff/internal.h"

unsigned recheck_begin(struct staff_ctx *c, struct recheck *r)
{
	struct staff_priv *p = staff_priv(c);
	throttle_key(p->srv->throttle, 'L', c->user->login, strlen(c->user->login), r->key);
	r->now = time(NULL);
	long long dev_user = 0;
	/* counted on the cookie before it is checked (accounts/devtrust.h) */
	r->tries = devcookie_check(p->srv->devkey, p->device, r->now, &dev_user, r->nonce) &&
			   dev_user == c->user->id
		       ? devtrust_take(p->srv->devtrust, r->nonce, r->now)
		       : 0;
	unsigned wait = r->tries ? 0 : throttle_wait(p->srv->throttle, r->key, r->now);
	if (wait)
		p->delay = wait; /* not looked at: answered once the time is up */
	return wait;
}

void recheck_right(struct staff_ctx *c, const struct recheck *r)
{
	struct staff_priv *p = staff_priv(c);
	if (r->tries)
		devtrust_give_back(p->srv->devtrust, r->nonce);
	else
		throttle_clear(p->srv->throttle, r->key);
}

void recheck_wrong(struct staff_ctx *c, const struct recheck *r)
{
	struct staff_priv *p = staff_priv(c);
	p->delay =
	    r->tries ? throttle_delay(r->tries) : throttle_fail(p->srv->throttle, r->key, r->now);
}
