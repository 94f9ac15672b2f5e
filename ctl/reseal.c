/* Per-case keys from hotlinectl: see reseal.h and docs/keys.md. */
#include "ctl/reseal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/db.h"
#include "crypto/casekey.h"
#include "crypto/seal.h"
#include "ctl/ctldb.h"
#include "ctl/keygen.h"
#include "staff/seals.h"

static unsigned char *bytea(const PGresult *res, int row, int col, size_t *len)
{
	*len = 0;
	if (PQgetisnull(res, row, col))
		return NULL;
	return PQunescapeBytea((const unsigned char *)PQgetvalue(res, row, col), len);
}

static struct secret_key *copy_key(const struct secret_key *sk)
{
	return secret_key_from_raw(secret_key_raw(sk));
}

struct secret_key *reseal_case_key(PGconn *pg, const char *reg_no, const struct secret_key *given)
{
	static const char sql_case[] =
	    "SELECT c.case_public_key IS NOT NULL AS resealed, c.recovery_sealed FROM "
	    "hotline.cases c "
	    "JOIN hotline.journal j ON j.id = c.journal_id WHERE j.reg_no = $1";
	const char *v[1] = {reg_no};
	PGresult *res = ctldb_exec(pg, sql_case, 1, v);
	if (!res)
		return NULL;
	struct secret_key *sk = NULL;
	if (PQntuples(res) != 1) {
		fprintf(stderr, "hotlinectl: no case %s\n", reg_no);
	} else if (strcmp(PQgetvalue(res, 0, db_col(res, "resealed")), "t") != 0) {
		sk = copy_key(given); /* not resealed yet: the old case-handling key */
	} else {
		size_t len;
		unsigned char *sealed = bytea(res, 0, db_col(res, "recovery_sealed"), &len);
		sk = casekey_open(given, sealed, len);
		PQfreemem(sealed);
		if (!sk)
			fprintf(stderr, "hotlinectl: %s: %s\n", reg_no,
				sealed ? "this key is not the recovery key of the case"
				       : "the case has no recovery seal (none was configured)");
	}
	PQclear(res);
	return sk;
}

/* Reseals one value (a content, message or conclusion key) from the old
 * key to the case's public key; NULL on failure. */
static unsigned char *reseal_value(const struct secret_key *old, const struct public_key *to,
				   const PGresult *res, int row, int col, size_t *outlen)
{
	size_t len;
	unsigned char *sealed = bytea(res, row, col, &len);
	struct content_key *key = sealed ? content_key_open(old, sealed, len) : NULL;
	PQfreemem(sealed);
	unsigned char *out = NULL;
	if (!key || !content_key_seal(key, to, &out, outlen))
		out = NULL;
	content_key_free(key);
	return out;
}

static bool run_bin(PGconn *pg, const char *sql_text, int n, const char *const *v, const int *l,
		    const int *f)
{
	PGresult *res = db_query(pg, sql_text, n, v, l, f, NULL);
	if (!res)
		fprintf(stderr, "hotlinectl: %s", PQerrorMessage(pg));
	PQclear(res);
	return res != NULL;
}

/* Seals case_sk to every person entitled to case_id now; the count made,
 * -1 on an error. */
static int seal_entitled(PGconn *pg, const char *case_id, const struct secret_key *case_sk)
{
	static const char sql_add[] =
	    "SELECT hotline.case_seal_add($1::bigint, $2::bigint, $3, NULL)";
	struct db_error err;
	PGresult *res = seals_missing(pg, case_id, &err);
	if (!res) {
		ctldb_refused(pg, &err);
		return -1;
	}
	int made = 0;
	int user_id = db_col(res, "user_id"), public_key = db_col(res, "public_key");
	for (int i = 0; i < PQntuples(res); i++) {
		size_t len;
		unsigned char *pk = bytea(res, i, public_key, &len);
		struct public_key to;
		unsigned char box[CASEKEY_SEAL_BYTES];
		bool ok = pk && len == KEYS_PUBLIC_BYTES;
		if (ok) {
			memcpy(to.bytes, pk, KEYS_PUBLIC_BYTES);
			ok = casekey_seal(case_sk, &to, box);
		}
		PQfreemem(pk);
		const char *av[3] = {case_id, PQgetvalue(res, i, user_id), (const char *)box};
		int al[3] = {0, 0, CASEKEY_SEAL_BYTES}, af[3] = {0, 0, 1};
		if (!ok || !run_bin(pg, sql_add, 3, av, al, af)) {
			PQclear(res);
			return -1;
		}
		made++;
	}
	PQclear(res);
	if (!seals_checked(pg, case_id, &err)) {
		ctldb_refused(pg, &err);
		return -1;
	}
	return made;
}

/* One case still sealed the old way. */
static bool reseal_one(PGconn *pg, const char *case_id, const struct secret_key *old,
		       const struct public_key *recovery, int *seals)
{
	static const char sql_content[] =
	    "SELECT content_key_sealed FROM hotline.cases WHERE id = $1::bigint FOR UPDATE";
	static const char sql_msgs[] =
	    "SELECT id, key_sealed FROM hotline.messages WHERE case_id = $1::bigint";
	static const char sql_concl[] = "SELECT id, conclusion_key_sealed FROM "
					"hotline.investigations WHERE case_id = $1::bigint "
					"AND conclusion_key_sealed IS NOT NULL";
	static const char sql_msg_up[] =
	    "UPDATE hotline.messages SET key_sealed = $2 WHERE id = $1::bigint";
	static const char sql_concl_up[] =
	    "UPDATE hotline.investigations SET conclusion_key_sealed = $2 WHERE id = $1::bigint";
	static const char sql_case_up[] =
	    "UPDATE hotline.cases SET case_public_key = $2, recovery_sealed = $3, "
	    "content_key_resealed = $4 WHERE id = $1::bigint";
	bool ok = false;
	struct secret_key *case_sk = secret_key_generate();
	struct public_key case_pk;
	PGresult *kase = NULL, *msgs = NULL, *concl = NULL;
	unsigned char *content = NULL;
	size_t clen = 0;
	const char *v[1] = {case_id};
	if (!case_sk)
		goto out;
	secret_key_public(case_sk, &case_pk);
	kase = ctldb_exec(pg, sql_content, 1, v);
	if (!kase || PQntuples(kase) != 1 ||
	    !(content = reseal_value(old, &case_pk, kase, 0, db_col(kase, "content_key_sealed"),
				     &clen))) {
		fprintf(stderr, "hotlinectl: case %s: the old case key does not open it\n",
			case_id);
		goto out;
	}
	msgs = ctldb_exec(pg, sql_msgs, 1, v);
	concl = ctldb_exec(pg, sql_concl, 1, v);
	if (!msgs || !concl)
		goto out;
	for (int pass = 0; pass < 2; pass++) {
		PGresult *r = pass ? concl : msgs;
		int id = db_col(r, "id");
		int key = db_col(r, pass ? "conclusion_key_sealed" : "key_sealed");
		for (int i = 0; i < PQntuples(r); i++) {
			size_t len = 0;
			unsigned char *ks = reseal_value(old, &case_pk, r, i, key, &len);
			if (!ks) {
				fprintf(stderr, "hotlinectl: case %s: a %s key does not open\n",
					case_id, pass ? "conclusion" : "message");
				goto out;
			}
			const char *uv[2] = {PQgetvalue(r, i, id), (const char *)ks};
			int ul[2] = {0, (int)len}, uf[2] = {0, 1};
			bool done = run_bin(pg, pass ? sql_concl_up : sql_msg_up, 2, uv, ul, uf);
			free(ks);
			if (!done)
				goto out;
		}
	}
	unsigned char rbox[CASEKEY_SEAL_BYTES];
	if (recovery && !casekey_seal(case_sk, recovery, rbox))
		goto out;
	{
		const char *cv[4] = {case_id, (const char *)case_pk.bytes,
				     recovery ? (const char *)rbox : NULL, (const char *)content};
		int cl[4] = {0, KEYS_PUBLIC_BYTES, recovery ? CASEKEY_SEAL_BYTES : 0, (int)clen};
		int cf[4] = {0, 1, 1, 1};
		if (!run_bin(pg, sql_case_up, 4, cv, cl, cf))
			goto out;
	}
	int made = seal_entitled(pg, case_id, case_sk);
	if (made < 0)
		goto out;
	*seals += made;
	ok = true;
out:
	free(content);
	PQclear(kase);
	PQclear(msgs);
	PQclear(concl);
	secret_key_free(case_sk);
	return ok;
}

/* Cases already on per-case keys whose seals are missing, opened with the
 * recovery key: hotlinectl makes the seals a session would make. */
static int fulfil_with_recovery(PGconn *pg, const struct secret_key *recovery_sk)
{
	static const char sql_cases[] =
	    "SELECT d.case_id, c.recovery_sealed FROM hotline.case_seals_due d "
	    "JOIN hotline.cases c ON c.id = d.case_id WHERE c.recovery_sealed IS NOT NULL "
	    "ORDER BY d.case_id";
	PGresult *res = ctldb_exec(pg, sql_cases, 0, NULL);
	if (!res)
		return -1;
	int made = 0;
	int case_id = db_col(res, "case_id"), recovery = db_col(res, "recovery_sealed");
	for (int i = 0; i < PQntuples(res); i++) {
		size_t len;
		unsigned char *sealed = bytea(res, i, recovery, &len);
		struct secret_key *case_sk = casekey_open(recovery_sk, sealed, len);
		PQfreemem(sealed);
		if (!case_sk)
			continue; /* sealed to another recovery key */
		int n = seal_entitled(pg, PQgetvalue(res, i, case_id), case_sk);
		secret_key_free(case_sk);
		if (n < 0) {
			PQclear(res);
			return -1;
		}
		made += n;
	}
	PQclear(res);
	return made;
}

#define RESEAL_BATCH 1000

int reseal_main(int argc, char **argv)
{
	const char *conninfo = ctldb_take_database(&argc, argv);
	const char *key_path = NULL, *pass_path = NULL, *recovery_path = NULL;
	bool no_recovery = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--case-key") == 0 && i + 1 < argc)
			key_path = argv[++i];
		else if (strcmp(argv[i], "--passphrase-file") == 0 && i + 1 < argc)
			pass_path = argv[++i];
		else if (strcmp(argv[i], "--recovery-public") == 0 && i + 1 < argc)
			recovery_path = argv[++i];
		else if (strcmp(argv[i], "--no-recovery") == 0)
			no_recovery = true;
		else {
			key_path = NULL;
			break;
		}
	}
	if (!conninfo || !key_path || !pass_path || (no_recovery && recovery_path)) {
		fprintf(stderr,
			"usage: hotlinectl case reseal --case-key OLD.sec --passphrase-file "
			"FILE [--recovery-public FILE | --no-recovery] --database CONNINFO\n");
		return 2;
	}
	struct secret_key *old = secret_key_from_files(key_path, pass_path);
	if (!old)
		return 1;
	struct public_key recovery;
	char why[256];
	if (recovery_path) {
		if (!keys_load_public(recovery_path, &recovery, why, sizeof why)) {
			fprintf(stderr, "hotlinectl: %s: %s\n", recovery_path, why);
			secret_key_free(old);
			return 1;
		}
	} else {
		secret_key_public(old, &recovery); /* the old key stays the recovery key */
	}
	PGconn *pg = ctldb_connect(conninfo);
	if (!pg) {
		secret_key_free(old);
		return 1;
	}
	static const char sql_todo[] = "SELECT id FROM hotline.cases WHERE case_public_key IS NULL "
				       "ORDER BY id LIMIT $1::integer";
	static const char sql_grants[] =
	    "UPDATE hotline.staff_users SET case_key_sealed = NULL, changed_at = now() "
	    "WHERE case_key_sealed IS NOT NULL";
	int rc = 1;
	long cases = 0, seals = 0, failed = 0;
	char lim[16];
	snprintf(lim, sizeof lim, "%d", RESEAL_BATCH);
	for (;;) {
		if (!ctldb_begin(pg))
			goto out;
		const char *lv[1] = {lim};
		PGresult *todo = ctldb_exec(pg, sql_todo, 1, lv);
		if (!todo)
			goto out;
		int n = PQntuples(todo);
		int id = db_col(todo, "id");
		int done_here = 0;
		for (int i = 0; i < n; i++) {
			int made = 0;
			if (reseal_one(pg, PQgetvalue(todo, i, id), old,
				       no_recovery ? NULL : &recovery, &made)) {
				seals += made;
				done_here++;
			} else {
				failed++;
				PQclear(todo);
				goto out; /* the batch is rolled back: fix and run again */
			}
		}
		PQclear(todo);
		if (!ctldb_commit_audited(pg, "case", "reseal", lim))
			goto out;
		cases += done_here;
		if (n > 0)
			printf("resealed %ld cases so far\n", cases);
		if (n < RESEAL_BATCH)
			break;
	}
	int extra = fulfil_with_recovery(pg, old);
	if (extra < 0)
		goto out;
	seals += extra;
	PGresult *g = ctldb_exec(pg, sql_grants, 0, NULL);
	if (!g)
		goto out;
	printf("case reseal: %ld cases resealed, %ld seals made, %s old grants of the case key "
	       "removed\n",
	       cases, seals, PQcmdTuples(g));
	PQclear(g);
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr,
			"hotlinectl: case reseal stopped (%ld cases done, %ld failed); "
			"what was committed stays, run it again\n",
			cases, failed);
	PQfinish(pg);
	secret_key_free(old);
	return rc;
}

void reseal_fulfil_after(const char *conninfo, const char *key_path, const char *pass_path)
{
	if (!key_path || !pass_path) {
		key_path = getenv("HOTLINE_CASE_KEY");
		pass_path = getenv("HOTLINE_CASE_PASSPHRASE_FILE");
	}
	if (!conninfo || !key_path || !*key_path || !pass_path || !*pass_path)
		return;
	PGconn *pg = ctldb_connect(conninfo);
	if (!pg)
		return;
	static const char sql_any[] =
	    "SELECT 1 FROM hotline.case_seals_due d JOIN hotline.cases c ON c.id = d.case_id "
	    "WHERE c.recovery_sealed IS NOT NULL LIMIT 1";
	PGresult *any = ctldb_exec(pg, sql_any, 0, NULL);
	bool missing = any && PQntuples(any) == 1;
	PQclear(any);
	struct secret_key *sk = missing ? secret_key_from_files(key_path, pass_path) : NULL;
	if (sk) {
		int made = ctldb_begin(pg) ? fulfil_with_recovery(pg, sk) : -1;
		if (made < 0 || !ctldb_commit(pg))
			fprintf(stderr, "hotlinectl: the missing seals could not be made\n");
		else if (made > 0)
			fprintf(stderr, "hotlinectl: %d seals made with the recovery key\n", made);
	}
	secret_key_free(sk);
	PQfinish(pg);
}
