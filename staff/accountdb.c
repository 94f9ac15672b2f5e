#include "staff/accountdb.h"

#include <stdio.h>
#include <stdlib.h>

#include <sodium.h>

#include "staff/account.h"

char *accountdb_hex(const unsigned char *data, size_t len)
{
	char *out = malloc(2 * len + 3);
	if (!out)
		abort();
	out[0] = '\\';
	out[1] = 'x';
	sodium_bin2hex(out + 2, 2 * len + 1, data, len);
	return out;
}

/* Runs sql_text with $1 = login, then extra[0..nextra), then the secrets
 * made from password (salt, public key, wrapped secret key, the kdf's
 * opslimit and memlimit: form 2, account.h). */
static enum accountdb_result with_secrets(PGconn *pg, const char *sql_text, const char *login,
					  const char *const *extra, int nextra,
					  const char *password, struct wf_error *e)
{
	struct account_secrets s;
	if (!account_secrets_new(password, &s)) {
		wf_fail(e, WF_CRYPTO, "cannot make the account's keys (out of memory?)");
		return ACCOUNTDB_FAILED;
	}
	char *salt = accountdb_hex(s.salt, sizeof s.salt);
	char *pk = accountdb_hex(s.public_key, sizeof s.public_key);
	char *wrapped = accountdb_hex(s.sk_wrapped, s.sk_wrapped_len);
	char ops[24], mem[24];
	snprintf(ops, sizeof ops, "%llu", s.kdf.opslimit);
	snprintf(mem, sizeof mem, "%zu", s.kdf.memlimit);
	const char *v[9] = {login};
	int n = 1;
	for (int i = 0; i < nextra; i++)
		v[n++] = extra[i];
	v[n++] = salt;
	v[n++] = pk;
	v[n++] = wrapped;
	v[n++] = ops;
	v[n++] = mem;
	PGresult *res = wfdb_exec(pg, sql_text, n, v, e);
	enum accountdb_result r = !res				    ? ACCOUNTDB_FAILED
				  : atoi(PQcmdTuples(res)) == 1 ? ACCOUNTDB_DONE
								    : ACCOUNTDB_NO_ROW;
	PQclear(res);
	free(salt);
	free(pk);
	free(wrapped);
	account_secrets_free(&s);
	return r;
}

enum accountdb_result accountdb_add(PGconn *pg, const char *login, const char *name,
				    const char *roles_array, const char *password,
				    struct wf_error *e)
{
	static const char sql_add[] =
	    "INSERT INTO hotline.staff_users (login, display_name, roles, password_hash, kek_salt, "
	    "public_key, secret_key_wrapped, kdf_version, kdf_opslimit, kdf_memlimit) "
	    "VALUES ($1, $2, $3::text[], NULL, $4, $5, $6, 2, $7, $8) "
	    "ON CONFLICT (login) DO NOTHING";
	const char *extra[2] = {name, roles_array};
	return with_secrets(pg, sql_add, login, extra, 2, password, e);
}

enum accountdb_result accountdb_reset(PGconn *pg, const char *login, const char *password,
				      struct wf_error *e)
{
	static const char sql_reset[] =
	    "UPDATE hotline.staff_users SET password_hash = NULL, kek_salt = $2, public_key = $3, "
	    "secret_key_wrapped = $4, kdf_version = 2, kdf_opslimit = $5, kdf_memlimit = $6, "
	    "case_key_sealed = NULL, totp_wrapped = NULL, "
	    "failed_logins = 0, epoch = epoch + 1, changed_at = now() WHERE login = $1";
	return with_secrets(pg, sql_reset, login, NULL, 0, password, e);
}

struct account_kek *accountdb_kek_check(const PGresult *res, int col, const char *password)
{
	if (PQntuples(res) != 1)
		return NULL;
	struct account_kdf kdf = {
	    .version = atoi(PQgetvalue(res, 0, col + 3)),
	    .opslimit = strtoull(PQgetvalue(res, 0, col + 4), NULL, 10),
	    .memlimit = (size_t)strtoull(PQgetvalue(res, 0, col + 5), NULL, 10),
	};
	size_t salt_len = 0, wrapped_len = 0;
	unsigned char *salt =
	    PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, col + 1), &salt_len);
	unsigned char *wrapped =
	    PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, col + 2), &wrapped_len);
	struct account_kek *kek = NULL;
	if (salt && salt_len == ACCOUNT_SALT_BYTES && wrapped)
		kek = account_kek_check(password, &kdf,
					PQgetisnull(res, 0, col) ? NULL : PQgetvalue(res, 0, col),
					salt, wrapped, wrapped_len);
	PQfreemem(salt);
	PQfreemem(wrapped);
	return kek;
}

enum accountdb_result accountdb_totp_enrol(PGconn *pg, const char *login, const char *password,
					   const unsigned char *secret, size_t secret_len,
					   long long last_step, struct wf_error *e)
{
	static const char sql_user[] =
	    "SELECT password_hash, kek_salt, secret_key_wrapped, kdf_version, "
	    "coalesce(kdf_opslimit, 0), coalesce(kdf_memlimit, 0) "
	    "FROM hotline.staff_users WHERE login = $1 FOR UPDATE";
	const char *v[1] = {login};
	PGresult *res = wfdb_exec(pg, sql_user, 1, v, e);
	if (!res)
		return ACCOUNTDB_FAILED;
	struct account_kek *kek = accountdb_kek_check(res, 0, password);
	PQclear(res);
	if (!kek)
		return ACCOUNTDB_NO_ROW;
	unsigned char *wrapped = NULL;
	size_t wrapped_len = 0;
	bool ok = kek && account_wrap(kek, secret, secret_len, &wrapped, &wrapped_len);
	account_kek_free(kek);
	if (!ok) {
		free(wrapped);
		wf_fail(e, WF_CRYPTO, "cannot wrap the TOTP secret (out of memory?)");
		return ACCOUNTDB_FAILED;
	}
	char *hex = accountdb_hex(wrapped, wrapped_len);
	free(wrapped);
	char step[24];
	snprintf(step, sizeof step, "%lld", last_step);
	static const char sql_set[] =
	    "UPDATE hotline.staff_users SET totp_wrapped = $2, totp_last_step = $3, "
	    "changed_at = now() WHERE login = $1";
	const char *sv[3] = {login, hex, step};
	PGresult *up = wfdb_exec(pg, sql_set, 3, sv, e);
	free(hex);
	enum accountdb_result r = !up ? ACCOUNTDB_FAILED
			      : atoi(PQcmdTuples(up)) == 1 ? ACCOUNTDB_DONE : ACCOUNTDB_NO_ROW;
	PQclear(up);
	return r;
}
