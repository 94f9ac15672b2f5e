/* Adding and resetting a staff account in the database, shared by
 * `hotlinectl user add|reset` and the admin page (staff/admin.c). Each
 * makes the account's secrets from the password (Argon2id: slow, never on
 * the loop) and runs its statement in the caller's transaction; the caller
 * writes the audit row, commits, and shows the password when it made one. */
#ifndef HOTLINE_STAFF_ACCOUNTDB_H
#define HOTLINE_STAFF_ACCOUNTDB_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "workflow/wfdb.h"

enum accountdb_result {
	ACCOUNTDB_DONE,
	ACCOUNTDB_NO_ROW, /* add: the login is taken; reset: no such login */
	ACCOUNTDB_FAILED, /* the database or memory failed: e says which */
};

/* A new account: roles_array is a PostgreSQL text[] literal ("{a,b}"). */
enum accountdb_result accountdb_add(PGconn *pg, const char *login, const char *name,
				    const char *roles_array, const char *password,
				    struct wf_error *e) __attribute__((warn_unused_result));

/* A new password and key pair; the case-key grant and the TOTP enrolment
 * are dropped and the account's sessions end (its epoch moves on). */
enum accountdb_result accountdb_reset(PGconn *pg, const char *login, const char *password,
				      struct wf_error *e) __attribute__((warn_unused_result));

/* Enrols a TOTP secret for login once its password is confirmed: the
 * secret wrapped under the key derived from the password (the account's
 * kek_salt), last_step the step of a code already seen (0: none), so that
 * code is not accepted again. NO_ROW: no such login or a wrong password. */
enum accountdb_result accountdb_totp_enrol(PGconn *pg, const char *login, const char *password,
					   const unsigned char *secret, size_t secret_len,
					   long long last_step, struct wf_error *e)
    __attribute__((warn_unused_result));

/* The kek of the account in row 0 of res when password is its password,
 * else NULL: res has, from column col, password_hash, kek_salt,
 * secret_key_wrapped, kdf_version, kdf_opslimit, kdf_memlimit (0 for
 * NULL) — staff/account.h account_kek_check(). */
struct account_kek;
struct account_kek *accountdb_kek_check(const PGresult *res, int col, const char *password)
    __attribute__((warn_unused_result));

/* "\x..." text form of a bytea parameter (malloc'd; aborts when out of memory). */
char *accountdb_hex(const unsigned char *data, size_t len);

#endif
