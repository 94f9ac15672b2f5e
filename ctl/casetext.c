/* A case's content key for hotlinectl: see casetext.h. */
#include "ctl/casetext.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/db.h"
#include "crypto/keys.h"
#include "crypto/seal.h"
#include "ctl/ctldb.h"
#include "ctl/keygen.h"
#include "ctl/reseal.h"

struct content_key *casetext_key(PGconn *pg, const char *reg_no, const struct secret_key *recovery)
{
	static const char sql_key[] =
	    "SELECT coalesce(c.content_key_resealed, c.content_key_sealed) AS content_key "
	    "FROM hotline.cases c "
	    "JOIN hotline.journal j ON j.id = c.journal_id WHERE j.reg_no = $1";
	const char *v[1] = {reg_no};
	PGresult *res = ctldb_exec(pg, sql_key, 1, v);
	if (!res || PQntuples(res) != 1) {
		if (res)
			fprintf(stderr, "hotlinectl: no case %s in the journal\n", reg_no);
		PQclear(res);
		return NULL;
	}
	/* the recovery key opens the case's own key (docs/keys.md); a case
	 * not resealed yet is sealed to it directly */
	struct secret_key *sk = reseal_case_key(pg, reg_no, recovery);
	if (!sk) {
		PQclear(res);
		return NULL;
	}
	size_t slen = 0;
	unsigned char *sealed = PQunescapeBytea(
	    (const unsigned char *)PQgetvalue(res, 0, db_col(res, "content_key")), &slen);
	PQclear(res);
	struct content_key *key = sealed ? content_key_open(sk, sealed, slen) : NULL;
	PQfreemem(sealed);
	secret_key_free(sk);
	if (!key)
		fprintf(stderr, "hotlinectl: the case key does not open case %s\n", reg_no);
	return key;
}

struct content_key *casetext_key_from_files(PGconn *pg, const char *reg_no, const char *key_file,
					    const char *pass_file)
{
	if (!key_file || !pass_file) {
		fprintf(stderr, "hotlinectl: what staff write about a case is stored encrypted "
				"under its key: give --case-key FILE --passphrase-file FILE\n");
		return NULL;
	}
	struct secret_key *sk = secret_key_from_files(key_file, pass_file);
	if (!sk)
		return NULL;
	struct content_key *key = casetext_key(pg, reg_no, sk);
	secret_key_free(sk);
	return key;
}

void casetext_default_files(const char **key_file, const char **pass_file)
{
	if (*key_file || *pass_file)
		return;
	const char *k = getenv("HOTLINE_CASE_KEY"), *p = getenv("HOTLINE_CASE_PASSPHRASE_FILE");
	if (k && *k && p && *p) {
		*key_file = k;
		*pass_file = p;
	}
}
