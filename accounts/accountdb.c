#include "accounts/accountdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/db.h"
#include "crypto/hex.h"
#include "crypto/keys.h"
#include "accounts/account.h"
#include "crypto/random.h"
#include "crypto/secret.h"

char *accountdb_hex(const unsigned char *data, size_t len)
{
	char *out = malloc(2 * len + 3);
	if (!out)
		abort();
	out[0] = '\\';
	out[1] = 'x';
	hex_encode(out + 2, data, len);
	return out;
}

static unsigned char *bytea_at(const PGresult *res, int row, int col, size_t *len)
{
	*len = 0;
	if (PQgetisnull(res, row, col))
		return NULL;
	return PQunescapeBytea((const unsigned char *)PQgetvalue(res, row, col), len);
}

void accountdb_fingerprint(const char *pk_bytea_text, char out[FINGERPRINT_TEXT_SIZE])
{
	out[0] = '\0';
	size_t len = 0;
	unsigned char *pk = pk_bytea_text && pk_bytea_text[0]
				? PQunescapeBytea((const unsigned char *)pk_bytea_text, &len)
				: NULL;
	if (pk && len == 32)
		activation_fingerprint(pk, out);
	PQfreemem(pk);
}

/* The text parameters of the limits a form-2 account stores
 * (kdf_opslimit, kdf_memlimit; migration 0019). */
static void kdf_params(const struct account_kdf *kdf, char ops[24], char mem[24])
{
	snprintf(ops, 24, "%llu", kdf->opslimit);
	snprintf(mem, 24, "%zu", kdf->memlimit);
}

static const char *actor_param(long long actor_id, char buf[24])
{
	if (actor_id <= 0)
		return NULL;
	snprintf(buf, 24, "%lld", actor_id);
	return buf;
}

/* Runs an account function that returns text[] of waiting roles, NULL
 * for "no such row": $1 actor id, $2 actor, then the rest. */
static enum accountdb_result pending_call(PGconn *pg, const char *sql_text, int n,
					  const char *const *v,
					  char pending[ACCOUNTDB_PENDING_SIZE], struct wf_error *e)
{
	pending[0] = '\0';
	PGresult *res = wfdb_exec(pg, sql_text, n, v, e);
	if (!res)
		return ACCOUNTDB_FAILED;
	enum accountdb_result r = ACCOUNTDB_NO_ROW;
	int col = db_col(res, "pending");
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, col)) {
		snprintf(pending, ACCOUNTDB_PENDING_SIZE, "%s", PQgetvalue(res, 0, col));
		r = ACCOUNTDB_DONE;
	}
	PQclear(res);
	return r;
}

static enum accountdb_result new_code(const char *login, char code[ACTIVATION_CODE_SIZE],
				      char **hex, struct wf_error *e)
{
	unsigned char h[ACTIVATION_HASH_BYTES];
	activation_code_new(code);
	if (!activation_code_hash(login, code, h)) {
		wf_fail(e, WF_CRYPTO, "cannot make an activation code");
		return ACCOUNTDB_FAILED;
	}
	*hex = accountdb_hex(h, sizeof h);
	return ACCOUNTDB_DONE;
}

/* Runs an account function whose last three parameters are a new
 * activation code's hash and the Argon2id limits its activation will use
 * (form 2 from the start, 0019's CHECK; a reset account of form 1 becomes
 * form 2): v[0..nfixed-1] are the others, v has room for three more. The
 * code is wiped unless the call took it. */
static enum accountdb_result call_with_code(PGconn *pg, const char *sql_text, const char **v,
					    int nfixed, const char *login,
					    char code[ACTIVATION_CODE_SIZE],
					    char pending[ACCOUNTDB_PENDING_SIZE],
					    struct wf_error *e)
{
	char *hex = NULL, ops[24], mem[24];
	if (new_code(login, code, &hex, e) != ACCOUNTDB_DONE)
		return ACCOUNTDB_FAILED;
	struct account_kdf kdf;
	account_kdf_current(&kdf);
	kdf_params(&kdf, ops, mem);
	v[nfixed] = hex;
	v[nfixed + 1] = ops;
	v[nfixed + 2] = mem;
	enum accountdb_result r = pending_call(pg, sql_text, nfixed + 3, v, pending, e);
	free(hex);
	if (r != ACCOUNTDB_DONE)
		secret_wipe(code, ACTIVATION_CODE_SIZE);
	return r;
}

enum accountdb_result accountdb_add(PGconn *pg, long long actor_id, const char *actor,
				    const char *login, const char *name, const char *roles_array,
				    char code[ACTIVATION_CODE_SIZE],
				    char pending[ACCOUNTDB_PENDING_SIZE], struct wf_error *e)
{
	static const char sql_add[] =
	    "SELECT array_to_string(hotline.staff_account_add($1, $2, $3, $4, $5::text[], $6, $7, "
	    "$8), ',') AS pending";
	char id[24];
	const char *v[8] = {actor_param(actor_id, id), actor, login, name, roles_array};
	return call_with_code(pg, sql_add, v, 5, login, code, pending, e);
}

enum accountdb_result accountdb_reset(PGconn *pg, long long actor_id, const char *actor,
				      const char *login, char code[ACTIVATION_CODE_SIZE],
				      char pending[ACCOUNTDB_PENDING_SIZE], struct wf_error *e)
{
	static const char sql_reset[] =
	    "SELECT array_to_string(hotline.staff_account_reset($1, $2, $3, $4, $5, $6), ',') "
	    "AS pending";
	char id[24];
	const char *v[6] = {actor_param(actor_id, id), actor, login};
	return call_with_code(pg, sql_reset, v, 3, login, code, pending, e);
}

enum accountdb_result accountdb_user_id(PGconn *pg, const char *login, long long *user_id,
					struct wf_error *e)
{
	static const char sql_login[] = "SELECT id FROM hotline.staff_users WHERE login = $1";
	const char *v[1] = {login};
	*user_id = 0;
	PGresult *res = wfdb_exec(pg, sql_login, 1, v, e);
	if (!res)
		return ACCOUNTDB_FAILED;
	if (PQntuples(res) == 1)
		*user_id = strtoll(PQgetvalue(res, 0, db_col(res, "id")), NULL, 10);
	PQclear(res);
	return *user_id ? ACCOUNTDB_DONE : ACCOUNTDB_NO_ROW;
}

enum accountdb_result accountdb_roles_set(PGconn *pg, long long actor_id, const char *actor,
					  const char *login, const char *roles_array,
					  char pending[ACCOUNTDB_PENDING_SIZE], struct wf_error *e)
{
	static const char sql_roles[] =
	    "SELECT array_to_string(hotline.staff_roles_set($1, $2, $3, $4::text[]), ',') "
	    "AS pending";
	char id[24];
	const char *v[4] = {actor_param(actor_id, id), actor, login, roles_array};
	return pending_call(pg, sql_roles, 4, v, pending, e);
}

enum accountdb_result accountdb_set_disabled(PGconn *pg, long long actor_id, const char *actor,
					     const char *login, bool disabled, long long *user_id,
					     struct wf_error *e)
{
	static const char sql_disable[] =
	    "SELECT hotline.staff_set_disabled($1, $2, $3, $4) AS user_id";
	char id[24];
	const char *v[4] = {actor_param(actor_id, id), actor, login, disabled ? "true" : "false"};
	*user_id = 0;
	PGresult *res = wfdb_exec(pg, sql_disable, 4, v, e);
	if (!res)
		return ACCOUNTDB_FAILED;
	int col = db_col(res, "user_id");
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, col))
		*user_id = atoll(PQgetvalue(res, 0, col));
	PQclear(res);
	return *user_id > 0 ? ACCOUNTDB_DONE : ACCOUNTDB_NO_ROW;
}

enum accountdb_result accountdb_grant_confirm(PGconn *pg, long long actor_id, long long grant_id,
					      char why[16], struct wf_error *e)
{
	static const char sql_confirm[] = "SELECT hotline.staff_grant_confirm($1, $2) AS outcome";
	char id[24], gid[24];
	snprintf(gid, sizeof gid, "%lld", grant_id);
	const char *v[2] = {actor_param(actor_id, id), gid};
	why[0] = '\0';
	PGresult *res = wfdb_exec(pg, sql_confirm, 2, v, e);
	if (!res)
		return ACCOUNTDB_FAILED;
	if (PQntuples(res) == 1)
		snprintf(why, 16, "%s", PQgetvalue(res, 0, db_col(res, "outcome")));
	PQclear(res);
	return strcmp(why, "done") == 0 ? ACCOUNTDB_DONE : ACCOUNTDB_NO_ROW;
}

enum accountdb_result accountdb_activate(PGconn *pg, const char *login, const char *code,
					 const char *password, long long *user_id,
					 struct wf_error *e)
{
	*user_id = 0;
	unsigned char h[ACTIVATION_HASH_BYTES];
	if (!activation_code_hash(login, code, h))
		return ACCOUNTDB_NO_ROW;
	char *hex = accountdb_hex(h, sizeof h);
	/* the code first, so a wrong one costs no key pair and no Argon2id */
	static const char sql_code[] =
	    "SELECT 1 FROM hotline.staff_users WHERE login = $1 AND activation_hash = $2 "
	    "AND activation_expires_at > now() AND NOT disabled AND public_key IS NULL";
	const char *cv[2] = {login, hex};
	PGresult *res = wfdb_exec(pg, sql_code, 2, cv, e);
	if (!res) {
		free(hex);
		return ACCOUNTDB_FAILED;
	}
	bool right = PQntuples(res) == 1;
	PQclear(res);
	if (!right) {
		free(hex);
		return ACCOUNTDB_NO_ROW;
	}
	struct account_secrets s;
	if (!account_secrets_new(password, &s)) {
		free(hex);
		wf_fail(e, WF_CRYPTO, "cannot make the account's keys (out of memory?)");
		return ACCOUNTDB_FAILED;
	}
	char *salt = accountdb_hex(s.salt, sizeof s.salt);
	char *pk = accountdb_hex(s.public_key, sizeof s.public_key);
	char *wrapped = accountdb_hex(s.sk_wrapped, s.sk_wrapped_len);
	char ops[24], mem[24];
	kdf_params(&s.kdf, ops, mem);
	static const char sql_activate[] =
	    "SELECT hotline.staff_account_activate($1, $2, $3, $4, $5, $6, $7) AS user_id";
	const char *v[7] = {login, hex, salt, pk, wrapped, ops, mem};
	res = wfdb_exec(pg, sql_activate, 7, v, e);
	enum accountdb_result r = ACCOUNTDB_FAILED;
	if (res) {
		*user_id =
		    PQntuples(res) == 1 ? atoll(PQgetvalue(res, 0, db_col(res, "user_id"))) : 0;
		r = *user_id > 0 ? ACCOUNTDB_DONE : ACCOUNTDB_NO_ROW;
	}
	PQclear(res);
	free(hex);
	free(salt);
	free(pk);
	free(wrapped);
	account_secrets_free(&s);
	return r;
}

/* What opens an account (accountdb_kek_check's columns: password_hash,
 * kek_salt, secret_key_wrapped, kdf_version, kdf_opslimit, kdf_memlimit),
 * then totp_wrapped and id. Not locked (hotline_app may not
 * UPDATE, so no FOR UPDATE): the change names the salt it unwrapped with,
 * and the function refuses it if another change came first. */
#define SECRETS_COLUMNS                                                                            \
	"SELECT password_hash, kek_salt, secret_key_wrapped, kdf_version, "                        \
	"coalesce(kdf_opslimit, 0) AS kdf_opslimit, coalesce(kdf_memlimit, 0) AS kdf_memlimit, "   \
	"totp_wrapped, id "                                                                        \
	"FROM hotline.staff_users "
static const char sql_secrets_by_id[] =
    SECRETS_COLUMNS "WHERE id = $1 AND public_key IS NOT NULL AND NOT disabled";
static const char sql_secrets_by_login[] =
    SECRETS_COLUMNS "WHERE login = $1 AND public_key IS NOT NULL AND NOT disabled";

/* The kek of the account in row 0 of res when password is its password,
 * else NULL (accounts/account.h account_kek_check()). */
static struct account_kek *accountdb_kek_check(const PGresult *res, const char *password)
{
	int hash = db_col(res, "password_hash"), salt_col = db_col(res, "kek_salt");
	int sk = db_col(res, "secret_key_wrapped");
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, salt_col) || PQgetisnull(res, 0, sk))
		return NULL;
	struct account_kdf kdf = {
	    .version = atoi(PQgetvalue(res, 0, db_col(res, "kdf_version"))),
	    .opslimit = strtoull(PQgetvalue(res, 0, db_col(res, "kdf_opslimit")), NULL, 10),
	    .memlimit = (size_t)strtoull(PQgetvalue(res, 0, db_col(res, "kdf_memlimit")), NULL, 10),
	};
	size_t salt_len = 0, wrapped_len = 0;
	unsigned char *salt = bytea_at(res, 0, salt_col, &salt_len);
	unsigned char *wrapped = bytea_at(res, 0, sk, &wrapped_len);
	struct account_kek *kek = NULL;
	if (salt && salt_len == ACCOUNT_SALT_BYTES && wrapped)
		kek = account_kek_check(password, &kdf,
					PQgetisnull(res, 0, hash) ? NULL : PQgetvalue(res, 0, hash),
					salt, wrapped, wrapped_len);
	PQfreemem(salt);
	PQfreemem(wrapped);
	return kek;
}

/* Opens the account's key-encryption key with password (form 1 or 2,
 * accounts/account.h: the password is checked by unwrapping, never by a
 * hash of form 2): NULL when it does not match. */
static struct account_kek *open_kek(const PGresult *res, const char *password)
{
	return accountdb_kek_check(res, password);
}

static PGresult *load_secrets(PGconn *pg, bool by_id, const char *value, struct wf_error *e)
{
	const char *v[1] = {value};
	return wfdb_exec(pg, by_id ? sql_secrets_by_id : sql_secrets_by_login, 1, v, e);
}

/* Unwraps column col under from and wraps it again under to (hex text in
 * *out, malloc'd; NULL when the column is NULL). False when it does not
 * open. */
static bool rewrap(const PGresult *res, int col, const struct account_kek *from,
		   const struct account_kek *to, char **out)
{
	*out = NULL;
	size_t len = 0;
	unsigned char *boxed = bytea_at(res, 0, col, &len);
	if (!boxed)
		return true;
	unsigned char *plain = NULL, *again = NULL;
	size_t plain_len = 0, again_len = 0;
	bool ok = account_unwrap(from, boxed, len, &plain, &plain_len) &&
		  account_wrap(to, plain, plain_len, &again, &again_len);
	if (ok)
		*out = accountdb_hex(again, again_len);
	account_plain_free(plain, plain_len);
	free(again);
	PQfreemem(boxed);
	return ok;
}

enum accountdb_result accountdb_password_change(PGconn *pg, long long user_id, const char *current,
						const char *password, int *epoch,
						struct wf_error *e)
{
	*epoch = 0;
	char id[24];
	snprintf(id, sizeof id, "%lld", user_id);
	PGresult *res = load_secrets(pg, true, id, e);
	if (!res)
		return ACCOUNTDB_FAILED;
	struct account_kek *old = open_kek(res, current);
	if (!old) {
		PQclear(res);
		return ACCOUNTDB_NO_ROW;
	}
	enum accountdb_result r = ACCOUNTDB_FAILED;
	unsigned char salt[ACCOUNT_SALT_BYTES];
	random_bytes(salt, sizeof salt);
	/* the new kek is always form 2 at the current limits, under the
	 * server secret; no password hash is stored (accounts/account.h) */
	struct account_kdf kdf;
	account_kdf_current(&kdf);
	struct account_kek *kek = NULL;
	char *sk = NULL, *totp = NULL, *salt_hex = NULL, ops[24], mem[24];
	if (!(kek = account_kek_derive_with(password, salt, &kdf))) {
		wf_fail(e, WF_CRYPTO, "cannot derive the new password's key (out of memory?)");
		goto out;
	}
	/* the same key pair, so every seal made to it still opens */
	if (!rewrap(res, db_col(res, "secret_key_wrapped"), old, kek, &sk) || !sk ||
	    !rewrap(res, db_col(res, "totp_wrapped"), old, kek, &totp)) {
		wf_fail(e, WF_CRYPTO, "the account's secrets do not open with its password");
		goto out;
	}
	salt_hex = accountdb_hex(salt, sizeof salt);
	kdf_params(&kdf, ops, mem);
	static const char sql_set[] =
	    "SELECT hotline.staff_password_set($1, $2, $3, $4, $5, $6, $7) AS epoch";
	const char *v[7] = {
	    id, PQgetvalue(res, 0, db_col(res, "kek_salt")), salt_hex, sk, totp, ops, mem};
	PGresult *up = wfdb_exec(pg, sql_set, 7, v, e);
	if (up) {
		int col = db_col(up, "epoch");
		*epoch = PQntuples(up) == 1 && !PQgetisnull(up, 0, col)
			     ? atoi(PQgetvalue(up, 0, col))
			     : 0;
		r = *epoch > 0 ? ACCOUNTDB_DONE : ACCOUNTDB_NO_ROW;
		PQclear(up);
	}
out:
	account_kek_free(old);
	account_kek_free(kek);
	free(sk);
	free(totp);
	free(salt_hex);
	PQclear(res);
	return r;
}

enum accountdb_result accountdb_password_check(PGconn *pg, const char *login, const char *password,
					       long long *user_id, struct wf_error *e)
{
	*user_id = 0;
	PGresult *res = load_secrets(pg, false, login, e);
	if (!res)
		return ACCOUNTDB_FAILED;
	/* by unwrapping the account's key (form 2 has no hash) */
	struct account_kek *kek = open_kek(res, password);
	bool ok = kek != NULL;
	account_kek_free(kek);
	if (ok)
		*user_id = atoll(PQgetvalue(res, 0, db_col(res, "id")));
	PQclear(res);
	return ok ? ACCOUNTDB_DONE : ACCOUNTDB_NO_ROW;
}

enum accountdb_result accountdb_totp_enrol(PGconn *pg, long long actor_id, const char *actor,
					   const char *login, const char *password,
					   const unsigned char *secret, size_t secret_len,
					   long long last_step, struct wf_error *e)
{
	PGresult *res = load_secrets(pg, false, login, e);
	if (!res)
		return ACCOUNTDB_FAILED;
	struct account_kek *kek = open_kek(res, password);
	if (!kek) {
		PQclear(res);
		return ACCOUNTDB_NO_ROW;
	}
	unsigned char *wrapped = NULL;
	size_t wrapped_len = 0;
	bool ok = account_wrap(kek, secret, secret_len, &wrapped, &wrapped_len);
	account_kek_free(kek);
	if (!ok) {
		PQclear(res);
		free(wrapped);
		wf_fail(e, WF_CRYPTO, "cannot wrap the TOTP secret (out of memory?)");
		return ACCOUNTDB_FAILED;
	}
	char *hex = accountdb_hex(wrapped, wrapped_len);
	free(wrapped);
	char step[24], id[24];
	snprintf(step, sizeof step, "%lld", last_step);
	static const char sql_set[] =
	    "SELECT hotline.staff_totp_set($1, $2, $3, $4, $5, $6) AS done";
	const char *sv[6] = {actor_param(actor_id, id),
			     actor,
			     login,
			     PQgetvalue(res, 0, db_col(res, "kek_salt")),
			     hex,
			     step};
	PGresult *up = wfdb_exec(pg, sql_set, 6, sv, e);
	PQclear(res);
	free(hex);
	enum accountdb_result r =
	    !up ? ACCOUNTDB_FAILED
	    : PQntuples(up) == 1 && strcmp(PQgetvalue(up, 0, db_col(up, "done")), "t") == 0
		? ACCOUNTDB_DONE
		: ACCOUNTDB_NO_ROW;
	PQclear(up);
	return r;
}
