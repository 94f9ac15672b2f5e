/* Inside the staff foundation: what the /staff transport (web/server.c,
 * the glue between libmicrohttpd, the loop and the workers) shares with
 * the foundation's own pages (staff/core.c: login, logout, home; staff/admin.c). Page
 * modules of the roles use staff.h only. */
#ifndef HOTLINE_STAFF_INTERNAL_H
#define HOTLINE_STAFF_INTERNAL_H

#include <stdbool.h>
#include <stdio.h>

#include "base/config.h"
#include "intake/sealing.h"
#include "accounts/account.h"
#include "accounts/keptform.h"
#include "accounts/session.h"
#include "staff/staff.h"
#include "crypto/devcookie.h"
#include "accounts/devtrust.h"
#include "accounts/throttle.h"

#define STAFF_COOKIE "hotline_staff"
#define STAFF_PRE_COOKIE "hotline_staff_pre"
/* the device cookie of the login (crypto/devcookie.h, accounts/devtrust.h) */
#define STAFF_DEVICE_COOKIE "hotline_device"
#define STAFF_MAX_COOKIES 4

struct spool;

struct staff_server {
	struct event_base *base;
	struct http_server *http;
	const struct config *cfg; /* swapped under worker_pause() */
	const struct intake_keys *keys;
	struct worker_pool *pool;
	struct session_store *sessions;
	struct keptform_store *kept; /* forms posted after their session ended */
	struct throttle *throttle;
	struct devtrust *devtrust;
	/* the key of device cookies: drawn at start, in memory only */
	struct devcookie_key *devkey;
	unsigned long next_id;
	unsigned waiting;	   /* requests suspended (in a worker or a delay) */
	struct staff_req *delayed; /* answered, held back by a slow-down */
	/* The public side's memory cap (upload_memory_bytes, intake/request.h):
	 * a staff body, files and all, is held in memory, so it counts there
	 * too, taken before a byte is read (issue 14). NULL: no cap. */
	struct spool *spool; /* the upload spool of the web side, or NULL */
	bool (*mem_take)(void *cls, size_t n);
	void (*mem_give)(void *cls, size_t n);
	void *mem_cls;
	struct seals_sweeper *sweeper; /* staff/seals.h */
};

/* How the pages read the request the transport (web/server.c) holds:
 * staff/request.c answers staff_arg() and the others through these, given
 * staff_priv.req. arg: the body field of that name, else the query's, its
 * value and *len, or NULL (*len 0); values: every value of the name (from
 * the body if it has the name, else the query), into out when not NULL,
 * returning their count; files: the uploads, *n of them. */
struct staff_request_ops {
	const char *(*arg)(const void *req, const char *name, size_t *len);
	unsigned (*values)(const void *req, const char *name, const char **out);
	const struct staff_file *(*files)(const void *req, unsigned *n);
};

/* c->priv */
struct staff_priv {
	struct staff_server *srv;
	struct staff_req *req; /* the transport's, read through ops */
	const struct staff_request_ops *ops;
	/* multi-valued arguments handed out by staff_args(), freed with the
	 * request by the transport */
	const char **args_out[8];
	unsigned nargs_out;
	/* the account's own secret key (the session's), which opens this
	 * person's seals; and the one case key opened from them in this
	 * request (staff/seals.c) */
	const struct secret_key *case_key;
	struct secret_key *seal_key;
	char seal_case[24];
	const char *session_id;		 /* the session cookie as sent, or "" */
	const char *pre_token;		 /* the pre-login cookie as sent, or "" */
	const char *device;		 /* the device cookie as sent, or "" */
	const unsigned char *client_key; /* THROTTLE_KEY_BYTES */
	char cookies[STAFF_MAX_COOKIES][256];
	unsigned ncookies;
	unsigned delay; /* seconds the answer is held back */
	/* a form posted after its session ended, kept: the login page's
	 * hidden field (accounts/keptform.h); files that came with it were
	 * not kept */
	char kept_token[KEPTFORM_TOKEN_HEX + 1];
	bool kept_files;
	bool idle_note; /* the session's end was said on this page */
};

static inline struct staff_priv *staff_priv(const struct staff_ctx *c)
{
	return (struct staff_priv *)c->priv;
}

/* True when pattern matches path exactly (*arg "" then), or pattern ends
 * in "/" then "*" and path is the same prefix followed by one non-empty
 * segment without '/' (*arg points at it in path). */
bool staff_pattern_match(const char *pattern, const char *path, const char **arg, size_t *arg_len);

/* Adds a Set-Cookie header to the answer. */
void staff_set_cookie(struct staff_ctx *c, const char *name, const char *value, int max_age);

/* The login page (with an error when error is true) and its form. */
void staff_login_page(struct staff_ctx *c, unsigned status, bool error, bool wait);
/* The pre-session token of the public forms (login, activation): the
 * browser's, or a fresh one set as its cookie (fresh holds it); and
 * whether a POST sent the form's copy equal to the cookie's
 * (docs/staff.md, "CSRF"). */
const char *staff_pre_token(struct staff_ctx *c, char fresh[SESSION_CSRF_HEX + 1]);
bool staff_pre_token_sent(struct staff_ctx *c);

/* Whether a posted field may be kept across a session's end: never the
 * CSRF token, a password, a passphrase, a secret or a code. */
bool staff_kept_field_ok(const char *name);

/* Which roles' menu entries a user sees, from the route tables. */
bool staff_may_open(unsigned roles, const char *path);

/* The otpauth:// URI of a TOTP secret (base32) for login (Key Uri Format of
 * Google Authenticator, which the apps read); login is a-z 0-9 . _ - only
 * (account_login_ok), nothing to escape in it; NULL or "": no account
 * name in the label (the activation page before the login is known). */
void staff_totp_uri(const char *login, const char *b32, char *out, size_t size);
/* The QR code of uri as inline SVG (id "totp-qr"): no script, no image
 * request, labelled for screen readers (the key as text stays for those
 * who cannot scan). staff/mytotp.c and the activation page. */
void staff_totp_qr(struct staff_ctx *c, const char *uri);
/* The key itself as text (id "totp-secret"), in groups of four as the apps
 * show them, marked translate="no": a browser's translator must not turn
 * a group such as "L765" into something else. */
void staff_totp_secret(struct staff_ctx *c, const char *b32);

#endif
