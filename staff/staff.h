/* Staff pages: the contract between the staff foundation (accounts, login,
 * sessions, CSRF, the audit log, the worker threads that run handlers) and
 * the pages of each role (operator, registrar, compliance manager,
 * director, commission, custodian, administrator).
 *
 * Every request under /staff/ is collected on the loop (body within
 * limits), then handed to a worker thread. The worker checks the session
 * and, for a POST, the CSRF token; finds the route; checks the user's roles
 * against route->roles (403 otherwise, audited); and only then calls the
 * handler. A handler therefore runs off the event loop, may block on its
 * worker's own PostgreSQL connection and on libsodium, and never sees a
 * request it is not allowed to answer. Staff traffic is a few requests a
 * minute; the public channels keep the loop and the asynchronous pool. */
#ifndef HOTLINE_STAFF_STAFF_H
#define HOTLINE_STAFF_STAFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "base/attr.h"
#include "accounts/role.h"
#include "base/buf.h"
#include "base/i18n.h"

struct config;
struct intake_keys;

/* Routes every signed-in person may open, whatever their roles, even none
 * yet: an account whose only roles wait for a second person's confirmation
 * still reaches its home page, its own password page (to read its key
 * fingerprint to the confirmer) and logout (migrations/0020). */
#define STAFF_SIGNED_IN (1u << 30)
#define ROLES_ANY (((1u << ROLE_COUNT) - 1) | STAFF_SIGNED_IN)

struct staff_user {
	long long id;
	char login[64];
	char name[128]; /* display name, shown in page headers and on tickets */
	unsigned roles; /* ROLE_BITs */
};

struct staff_file {
	const char *field; /* the form field's name */
	const char *name;  /* as the browser sent it, UTF-8 checked */
	const char *type;
	const unsigned char *data;
	size_t len;
	/* When read is set the bytes are not in data but on the encrypted
	 * upload spool: pull them with read(read_cls, ...), len in all, once
	 * (a stream_read_fn of crypto/seal.h; sealing_file takes both). */
	bool (*read)(void *cls, void *buf, size_t n);
	void *read_cls;
};

struct staff_ctx {
	/* The request. */
	PGconn *db; /* the worker's own connection, idle, autocommit */
	const struct staff_user *user;
	enum lang lang;
	bool is_post;	  /* a POST whose CSRF token was checked */
	const char *path; /* "/staff/case/2026-000012" */
	const char *arg;  /* what matched the route's trailing "*", or "" */
	const char *csrf; /* the session's token, for forms */
	/* Unused since per-case seals (docs/keys.md): always NULL. */
	const unsigned char *case_sk;
	const unsigned char *case_pk;
	/* The public keys and the pepper (intake/sealing.h), for the pages
	 * that register appeals, and the daemon's configuration. */
	const struct intake_keys *keys;
	const struct config *cfg;

	/* The answer. */
	unsigned status;	  /* 200 unless set */
	struct buf body;	  /* wiped when sent: it may hold case content */
	const char *content_type; /* NULL: text/html; charset=utf-8 */
	char location[512];	  /* non-empty: 303 See Other to it */
	char download_name[256];  /* non-empty: Content-Disposition: attachment */

	void *priv; /* the foundation's */
};

/* A form field (POST body, urlencoded or multipart) or, failing that, a
 * query argument; "" when absent. Values are valid UTF-8 without NULs;
 * staff_arg_len gives the length. */
const char *staff_arg(const struct staff_ctx *c, const char *name);
size_t staff_arg_len(const struct staff_ctx *c, const char *name);
/* Whether the request has the field (or query argument) at all: a form
 * that did not send a field leaves what it names as it was. */
bool staff_has_arg(const struct staff_ctx *c, const char *name);
/* Every value of a repeated field (checkboxes); *n set to their count. */
const char *const *staff_args(const struct staff_ctx *c, const char *name, unsigned *n);
/* The uploaded files of the request. */
const struct staff_file *staff_files(const struct staff_ctx *c, unsigned *n);

typedef void (*staff_handler)(struct staff_ctx *c);

struct staff_route {
	const char *method;  /* "GET" or "POST" */
	const char *pattern; /* "/staff/calls/new", or ending in "/" then "*": one segment */
	unsigned roles;	     /* ROLE_BITs allowed */
	staff_handler handler;
	const char *name; /* stable name: audit log, authorisation matrix */
};

/* Each page module exports a table ended by a zeroed entry; staff/routes.c
 * lists the tables. */
const struct staff_route *const *staff_route_tables(void);

/* --- Added by the staff foundation (docs/staff.md) --- */

/* In staff_route.roles: the route is served without a session (the login
 * page, the stylesheet); the handler then sees c->user == NULL. */
#define STAFF_PUBLIC (1u << 31)

/* The route for method and path, with *arg set to what its "*" matched
 * (or ""). NULL when nothing matches; *path_known then tells whether the
 * path matched under another method (405) or not at all (404). HEAD
 * matches GET. */
const struct staff_route *staff_route_match(const char *method, const char *path, const char **arg,
					    size_t *arg_len, bool *path_known);

/* The menu: each page module may export entries (ended by a zeroed
 * entry); staff/routes.c lists the tables. An entry is shown, in the page
 * header and on /staff/, to a user whose roles the GET route at its path
 * allows. */
struct staff_menu {
	const char *path; /* a GET route without "*" */
	enum msg title;
};
const struct staff_menu *const *staff_menu_tables(void);

/* The secret key of the case this request opened with
 * staff_case_key_for() (staff/seals.h; casefile_load() does it for its
 * case) from this person's own seal, as a crypto/keys.h key for
 * content_key_open(); NULL when none was opened or the person holds no
 * seal of it. Valid during the handler; never copy it. */
const struct secret_key *staff_case_key(const struct staff_ctx *c);

/* Writing the page (staff/page.c, base/html.h): every value is escaped
 * unless the function's name says markup. staff_esc() writes a text,
 * staff_text() a translated text; staff_html() is html_f(): its format is
 * the page's markup and each %s or %c value in it is escaped;
 * staff_markup() writes trusted markup (a literal of the program, or a
 * fragment built by html_* calls). */
void staff_esc(struct staff_ctx *c, const char *text);
void staff_text(struct staff_ctx *c, enum msg id);
void staff_html(struct staff_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void staff_markup(struct staff_ctx *c, const char *markup);
/* A date or a moment as the page's readers write it (html_date():
 * "07.12.2026" in kk and ru, "7 Dec 2026" in en); a moment (iso with
 * " HH:MM") also says its zone, Astana time, in which SQL_ZONE gives every
 * time of the staff pages. staff_date_str() writes it into out (at least
 * 64 bytes keeps it whole), staff_date() into the page, escaped. */
void staff_date_str(const struct staff_ctx *c, const char *iso, char *out, size_t outlen);
void staff_date(struct staff_ctx *c, const char *iso);
/* A size shown to people (html_size(): "1,5 МБ"), never a count of bytes. */
void staff_size(struct staff_ctx *c, long long bytes);
/* 303 See Other to path (a local "/staff/..." path). */
void staff_redirect(struct staff_ctx *c, const char *path);

/* The page shell: header with the user's name, a menu of what their roles
 * may open, language links, the logout form; then <main>. Title escaped. */
void staff_page_begin(struct staff_ctx *c, const char *title);
void staff_page_end(struct staff_ctx *c);
/* <form method="post" action="..."> with the hidden CSRF field; the caller
 * writes the fields and "</form>". */
void staff_form_open(struct staff_ctx *c, const char *action, bool multipart);
/* The daemon's clock for deadlines and the line's hours: the deadline
 * scanner's, moved by clock_offset in tests. */
int64_t staff_now(const struct staff_ctx *c);

/* A whole error page. */
void staff_error(struct staff_ctx *c, unsigned status, enum msg title, enum msg text);

/* One row of the hash-chained audit log (accounts/audit.h audit_append)
 * for the session's user: what (action, e.g. "case.view"), on what
 * (object, e.g. a registration number), when. Never content. Runs on
 * c->db, so inside the handler's transaction when one is open. False when
 * it could not be written: the handler must then not show or change
 * anything. */
bool staff_audit(struct staff_ctx *c, const char *action, const char *object) MUST_CHECK;

#endif
