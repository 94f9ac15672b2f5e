/* Staff accounts in the database, shared by `hotlinectl user ...` and the
 * staff pages (admin.c, activate.c, mypassword.c, grants.c, mytotp.c).
 * Every change goes through a SECURITY DEFINER function of
 * migrations/0020_accounts_unread.sql that writes its own audit row in the
 * same call, in the caller's transaction (the caller commits). actor_id is
 * the staff user who acts, or 0 for hotlinectl, whose actor is then the
 * operating-system user (ctldb_actor()). Functions that make or open keys
 * are slow on purpose (Argon2id): never on the loop. */
#ifndef HOTLINE_ACCOUNTS_ACCOUNTDB_H
#define HOTLINE_ACCOUNTS_ACCOUNTDB_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "accounts/activation.h"
#include "base/attr.h"
#include "workflow/wfdb.h"

enum accountdb_result {
	ACCOUNTDB_DONE,
	ACCOUNTDB_NO_ROW, /* add: the login is taken; others: no such login, or a
			     wrong password or code */
	ACCOUNTDB_FAILED, /* the database or memory failed: e says which */
};

/* The roles left waiting for a second person's confirmation, as
 * "compliance,director" ("" when none). */
#define ACCOUNTDB_PENDING_SIZE 128

/* A new account with no password and no keys: code gets its one-time
 * activation code (show it once). roles_array is a PostgreSQL text[]
 * literal ("{a,b}"); privileged roles wait (pending). */
enum accountdb_result accountdb_add(PGconn *pg, long long actor_id, const char *actor,
				    const char *login, const char *name, const char *roles_array,
				    char code[ACTIVATION_CODE_SIZE],
				    char pending[ACCOUNTDB_PENDING_SIZE],
				    struct wf_error *e) MUST_CHECK;

/* A new activation code; the password, key pair, case-key grant and TOTP
 * enrolment are gone, the sessions end (epoch), privileged roles wait for a
 * confirmation of the new key. */
enum accountdb_result accountdb_reset(PGconn *pg, long long actor_id, const char *actor,
				      const char *login, char code[ACTIVATION_CODE_SIZE],
				      char pending[ACCOUNTDB_PENDING_SIZE],
				      struct wf_error *e) MUST_CHECK;

/* The holder of code sets the first password: the key pair is made and
 * wrapped under it. NO_ROW: a wrong, used or expired code, a disabled or
 * unknown account (the key pair is made only once the code is right).
 * *user_id gets the account's id. The password must be account_password_ok. */
enum accountdb_result accountdb_activate(PGconn *pg, const char *login, const char *code,
					 const char *password, long long *user_id,
					 struct wf_error *e) MUST_CHECK;

/* The person's own new password: the same secret key and TOTP secret
 * wrapped under it; *epoch gets the account's new epoch (its other
 * sessions end). NO_ROW: the current password is wrong. */
enum accountdb_result accountdb_password_change(PGconn *pg, long long user_id, const char *current,
						const char *password, int *epoch,
						struct wf_error *e) MUST_CHECK;

/* The id of the staff account called login into *user_id (0 and NO_ROW
 * when there is none, disabled or not). */
enum accountdb_result accountdb_user_id(PGconn *pg, const char *login, long long *user_id,
					struct wf_error *e);

/* The roles login should have: pending gets those left waiting. */
enum accountdb_result accountdb_roles_set(PGconn *pg, long long actor_id, const char *actor,
					  const char *login, const char *roles_array,
					  char pending[ACCOUNTDB_PENDING_SIZE],
					  struct wf_error *e) MUST_CHECK;

/* Disables or enables login; *user_id its id. */
enum accountdb_result accountdb_set_disabled(PGconn *pg, long long actor_id, const char *actor,
					     const char *login, bool disabled, long long *user_id,
					     struct wf_error *e) MUST_CHECK;

/* actor_id confirms the waiting grant grant_id: "done", or why not ("gone",
 * "not-allowed", "own", "asked", "no-key"), in why (16 bytes). */
enum accountdb_result accountdb_grant_confirm(PGconn *pg, long long actor_id, long long grant_id,
					      char why[16], struct wf_error *e) MUST_CHECK;

/* Enrols a TOTP secret for login once its password is confirmed: the
 * secret wrapped under the key derived from the password (the account's
 * kek_salt), last_step the step of a code already seen (0: none), so that
 * code is not accepted again. actor_id: the person (the page) or 0
 * (hotlinectl). NO_ROW: no such login or a wrong password. */
enum accountdb_result accountdb_totp_enrol(PGconn *pg, long long actor_id, const char *actor,
					   const char *login, const char *password,
					   const unsigned char *secret, size_t secret_len,
					   long long last_step, struct wf_error *e) MUST_CHECK;

/* Whether password opens user_id's account (by unwrapping its key,
 * accounts/account.h): the check
 * of a confirmation made from the command line. NO_ROW: it does not. */
enum accountdb_result accountdb_password_check(PGconn *pg, const char *login, const char *password,
					       long long *user_id, struct wf_error *e) MUST_CHECK;

/* The key fingerprint (activation_fingerprint) of a bytea public key as
 * the server sends it; "" when there is none. */
void accountdb_fingerprint(const char *pk_bytea_text, char out[FINGERPRINT_TEXT_SIZE]);

/* "\x..." text form of a bytea parameter (malloc'd; aborts when out of memory). */
char *accountdb_hex(const unsigned char *data, size_t len);

#endif
