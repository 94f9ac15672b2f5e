/* The dump-and-password harness's reader (tests/integration/
 * test_dump_harness.py): given a database (a restored pg_dump) and one
 * account's login and password, prints the registration number of every
 * case whose report content that account's key opens, one a line, using
 * the product's own functions (accounts/account.h, crypto/). It tries what an
 * attacker holding the dump and that password could: every seal of every
 * case in hotline.case_seals, and the old grant of the case-handling key
 * (staff_users.case_key_sealed) on the old content key column. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "crypto/casekey.h"
#include "crypto/keys.h"
#include "crypto/seal.h"
#include "accounts/account.h"

static unsigned char *bytea(const PGresult *res, int row, int col, size_t *len)
{
	*len = 0;
	if (PQgetisnull(res, row, col))
		return NULL;
	return PQunescapeBytea((const unsigned char *)PQgetvalue(res, row, col), len);
}

/* Whether key opens the content blob of the row. */
static bool opens(const struct content_key *key, const PGresult *res, int row, int col)
{
	size_t len;
	unsigned char *ct = bytea(res, row, col, &len);
	unsigned char *plain = NULL;
	size_t plen = 0;
	bool ok = key && ct && content_decrypt(key, ct, len, &plain, &plen);
	if (ok) {
		sodium_memzero(plain, plen);
		free(plain);
	}
	PQfreemem(ct);
	return ok;
}

/* Whether sk opens the sealed content key at col and it the content. */
static bool try_key(const struct secret_key *sk, const PGresult *res, int row, int keycol,
		    int ctcol)
{
	size_t len;
	unsigned char *sealed = bytea(res, row, keycol, &len);
	struct content_key *key = sk && sealed ? content_key_open(sk, sealed, len) : NULL;
	PQfreemem(sealed);
	bool ok = opens(key, res, row, ctcol);
	content_key_free(key);
	return ok;
}

static bool exec_bin(PGconn *pg, const char *sql_text, int n, const char *const *v, const int *l,
		     const int *fm)
{
	PGresult *res = PQexecParams(pg, sql_text, n, NULL, v, l, fm, 0);
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
	if (!ok)
		fprintf(stderr, "dumpread: %s", PQerrorMessage(pg));
	PQclear(res);
	return ok;
}

/* Re-seals one key column of one row from the case's key to the old one. */
static bool back_to_old(PGconn *pg, const struct secret_key *case_sk, const struct public_key *old,
			const PGresult *res, int row, const char *update)
{
	size_t len;
	unsigned char *sealed = bytea(res, row, 1, &len);
	struct content_key *key = sealed ? content_key_open(case_sk, sealed, len) : NULL;
	PQfreemem(sealed);
	unsigned char *out = NULL;
	size_t olen = 0;
	bool ok = key && content_key_seal(key, old, &out, &olen);
	content_key_free(key);
	const char *v[2] = {PQgetvalue(res, row, 0), (const char *)out};
	int l[2] = {0, (int)olen}, fm[2] = {0, 1};
	ok = ok && exec_bin(pg, update, 2, v, l, fm);
	free(out);
	return ok;
}

/* --downgrade: rewrites a database of per-case keys into the form of the
 * design before them (every content, message and conclusion key sealed to
 * the one case-handling key, that key granted to compliance, director,
 * alternate and commission), as a database made before migration 0018
 * would be after it: the input of `hotlinectl case reseal`. */
static int downgrade(const char *conninfo, const char *sec_path, const char *pass_path)
{
	char pass[512];
	FILE *f = fopen(pass_path, "r");
	if (!f || !fgets(pass, sizeof pass, f))
		return 2;
	fclose(f);
	pass[strcspn(pass, "\r\n")] = '\0';
	char why[256];
	struct secret_key *old = keys_load_secret(sec_path, pass, why, sizeof why);
	if (!old) {
		fprintf(stderr, "dumpread: %s\n", why);
		return 1;
	}
	struct public_key old_pk;
	secret_key_public(old, &old_pk);
	PGconn *pg = PQconnectdb(conninfo);
	if (PQstatus(pg) != CONNECTION_OK)
		return 1;
	PGresult *cases = PQexec(pg, "SELECT id, content_key_sealed, recovery_sealed "
				     "FROM hotline.cases ORDER BY id");
	bool ok =
	    PQresultStatus(cases) == PGRES_TUPLES_OK && exec_bin(pg, "BEGIN", 0, NULL, NULL, NULL);
	for (int i = 0; ok && i < PQntuples(cases); i++) {
		size_t len;
		unsigned char *rs = bytea(cases, i, 2, &len);
		struct secret_key *case_sk = casekey_open(old, rs, len);
		PQfreemem(rs);
		if (!case_sk) {
			fprintf(stderr, "dumpread: case %s has no recovery seal\n",
				PQgetvalue(cases, i, 0));
			ok = false;
			break;
		}
		ok = back_to_old(
		    pg, case_sk, &old_pk, cases, i,
		    "UPDATE hotline.cases SET content_key_sealed = $2 WHERE id = $1::bigint");
		const char *v[1] = {PQgetvalue(cases, i, 0)};
		PGresult *m = PQexecParams(pg,
					   "SELECT id, key_sealed FROM hotline.messages "
					   "WHERE case_id = $1::bigint",
					   1, NULL, v, NULL, NULL, 0);
		for (int j = 0; ok && j < PQntuples(m); j++)
			ok = back_to_old(
			    pg, case_sk, &old_pk, m, j,
			    "UPDATE hotline.messages SET key_sealed = $2 WHERE id = $1::bigint");
		PQclear(m);
		m = PQexecParams(pg,
				 "SELECT id, conclusion_key_sealed FROM hotline.investigations "
				 "WHERE case_id = $1::bigint AND conclusion_key_sealed IS NOT NULL",
				 1, NULL, v, NULL, NULL, 0);
		for (int j = 0; ok && j < PQntuples(m); j++)
			ok = back_to_old(
			    pg, case_sk, &old_pk, m, j,
			    "UPDATE hotline.investigations SET conclusion_key_sealed = $2 "
			    "WHERE id = $1::bigint");
		PQclear(m);
		secret_key_free(case_sk);
	}
	PQclear(cases);
	ok = ok && exec_bin(pg, "DELETE FROM hotline.case_seals", 0, NULL, NULL, NULL) &&
	     exec_bin(pg,
		      "UPDATE hotline.cases SET case_public_key = NULL, recovery_sealed = NULL, "
		      "content_key_resealed = NULL",
		      0, NULL, NULL, NULL);
	/* the old grants: `hotlinectl user grant-cases` of the four roles */
	PGresult *u =
	    ok ? PQexec(pg, "SELECT id, public_key FROM hotline.staff_users WHERE roles && "
			    "ARRAY['compliance', 'director', 'alternate', 'commission']")
	       : NULL;
	for (int i = 0; ok && u && i < PQntuples(u); i++) {
		size_t len;
		unsigned char *pk = bytea(u, i, 1, &len);
		struct public_key to;
		memcpy(to.bytes, pk, KEYS_PUBLIC_BYTES);
		PQfreemem(pk);
		unsigned char box[CASEKEY_SEAL_BYTES];
		ok = casekey_seal(old, &to, box);
		const char *v[2] = {PQgetvalue(u, i, 0), (const char *)box};
		int l[2] = {0, CASEKEY_SEAL_BYTES}, fm[2] = {0, 1};
		ok = ok && exec_bin(pg,
				    "UPDATE hotline.staff_users SET case_key_sealed = $2 "
				    "WHERE id = $1::bigint",
				    2, v, l, fm);
	}
	PQclear(u);
	ok = ok && exec_bin(pg, "COMMIT", 0, NULL, NULL, NULL);
	PQfinish(pg);
	secret_key_free(old);
	sodium_memzero(pass, sizeof pass);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (!keys_init())
		return 1;
	if (argc == 5 && strcmp(argv[1], "--downgrade") == 0)
		return downgrade(argv[2], argv[3], argv[4]);
	if (argc != 4) {
		fprintf(stderr,
			"usage: dumpread CONNINFO LOGIN PASSWORD_FILE\n"
			"       dumpread --downgrade CONNINFO CASE_KEY.sec PASSPHRASE_FILE\n");
		return 2;
	}
	char password[512];
	FILE *f = fopen(argv[3], "r");
	if (!f || !fgets(password, sizeof password, f)) {
		fprintf(stderr, "dumpread: cannot read %s\n", argv[3]);
		return 2;
	}
	fclose(f);
	password[strcspn(password, "\r\n")] = '\0';
	PGconn *pg = PQconnectdb(argv[1]);
	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "dumpread: %s", PQerrorMessage(pg));
		return 1;
	}
	const char *lv[1] = {argv[2]};
	PGresult *u =
	    PQexecParams(pg,
			 "SELECT kek_salt, secret_key_wrapped, case_key_sealed, kdf_version, "
			 "coalesce(kdf_opslimit, 0), coalesce(kdf_memlimit, 0), "
			 "coalesce(password_hash, '') "
			 "FROM hotline.staff_users WHERE login = $1",
			 1, NULL, lv, NULL, NULL, 0);
	if (PQresultStatus(u) != PGRES_TUPLES_OK || PQntuples(u) != 1) {
		fprintf(stderr, "dumpread: no account %s\n", argv[2]);
		return 1;
	}
	size_t slen, wlen, glen;
	unsigned char *salt = bytea(u, 0, 0, &slen), *wrapped = bytea(u, 0, 1, &wlen),
		      *grant = bytea(u, 0, 2, &glen);
	/* the account's key is wrapped under its password and the server
	 * secret (docs/staff.md): the harness is given both, the worst case
	 * of a dump and the hotlined host's files */
	const char *secret = getenv("HOTLINE_ACCOUNT_SECRET");
	char err[200];
	if (!secret || !account_secret_load(secret, err, sizeof err)) {
		fprintf(stderr, "dumpread: no server secret ($HOTLINE_ACCOUNT_SECRET): %s\n",
			secret ? err : "not set");
		return 2;
	}
	struct account_kdf kdf = {.version = atoi(PQgetvalue(u, 0, 3)),
				  .opslimit = strtoull(PQgetvalue(u, 0, 4), NULL, 10),
				  .memlimit = (size_t)strtoull(PQgetvalue(u, 0, 5), NULL, 10)};
	struct account_kek *kek =
	    slen == ACCOUNT_SALT_BYTES
		? account_kek_check(password, &kdf, PQgetvalue(u, 0, 6), salt, wrapped, wlen)
		: NULL;
	sodium_memzero(password, sizeof password);
	unsigned char *raw = NULL;
	size_t rlen = 0;
	if (!kek || !account_unwrap(kek, wrapped, wlen, &raw, &rlen) || rlen != KEYS_SECRET_BYTES) {
		fprintf(stderr, "dumpread: the password does not open the account's key\n");
		return 1;
	}
	struct secret_key *account = secret_key_from_raw(raw);
	account_plain_free(raw, rlen);
	account_kek_free(kek);
	/* the old design: the case-handling key granted to the account */
	struct secret_key *old_case_key = grant ? casekey_open(account, grant, glen) : NULL;
	PQfreemem(salt);
	PQfreemem(wrapped);
	PQfreemem(grant);
	PQclear(u);

	PGresult *cases = PQexec(pg, "SELECT j.reg_no, c.id, c.content_key_sealed, "
				     "c.content_key_resealed, c.content FROM hotline.cases c "
				     "JOIN hotline.journal j ON j.id = c.journal_id ORDER BY c.id");
	PGresult *seals = PQexec(pg, "SELECT case_id, sealed FROM hotline.case_seals");
	if (PQresultStatus(cases) != PGRES_TUPLES_OK || PQresultStatus(seals) != PGRES_TUPLES_OK) {
		fprintf(stderr, "dumpread: %s", PQerrorMessage(pg));
		return 1;
	}
	PGresult *msgs = PQexec(pg, "SELECT case_id, key_sealed, body_case FROM hotline.messages");
	if (PQresultStatus(msgs) != PGRES_TUPLES_OK) {
		fprintf(stderr, "dumpread: %s", PQerrorMessage(pg));
		return 1;
	}
	for (int i = 0; i < PQntuples(cases); i++) {
		/* the key that opens this case's content, if any: the old grant,
		 * or a case key from a seal this account opens */
		struct secret_key *opener = NULL;
		if (try_key(old_case_key, cases, i, 2, 4))
			opener = secret_key_from_raw(secret_key_raw(old_case_key));
		for (int k = 0; !opener && k < PQntuples(seals); k++) {
			if (strcmp(PQgetvalue(seals, k, 0), PQgetvalue(cases, i, 1)) != 0)
				continue;
			size_t len;
			unsigned char *sealed = bytea(seals, k, 1, &len);
			struct secret_key *case_sk = casekey_open(account, sealed, len);
			PQfreemem(sealed);
			if (try_key(case_sk, cases, i, 3, 4) || try_key(case_sk, cases, i, 2, 4))
				opener = case_sk;
			else
				secret_key_free(case_sk);
		}
		if (!opener)
			continue;
		printf("%s\n", PQgetvalue(cases, i, 0));
		/* and the case's messages, whose keys are sealed like its content
		 * key: "m:REG_NO" when one opens */
		bool msg = false;
		for (int m = 0; !msg && m < PQntuples(msgs); m++) {
			if (strcmp(PQgetvalue(msgs, m, 0), PQgetvalue(cases, i, 1)) == 0)
				msg = try_key(opener, msgs, m, 1, 2);
		}
		if (msg)
			printf("m:%s\n", PQgetvalue(cases, i, 0));
		secret_key_free(opener);
	}
	PQclear(msgs);
	PQclear(cases);
	PQclear(seals);
	secret_key_free(old_case_key);
	secret_key_free(account);
	PQfinish(pg);
	return 0;
}
