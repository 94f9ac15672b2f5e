/* Staff free text under the case's key, on the pages: see sealedtext.h. */
#include "staff/sealedtext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/db.h"
#include "crypto/seal.h"
#include "staff/casefile.h"
#include "workflow/wfdb.h"

struct content_key *sealedtext_case_key(struct staff_ctx *c, const char *case_id)
{
	/* casefile_content_key() needs only the id: whose seal opens the
	 * case is its business (per-person seals, issue 14) */
	struct casefile k;
	memset(&k, 0, sizeof(k));
	snprintf(k.id, sizeof(k.id), "%s", case_id);
	return casefile_content_key(c, &k);
}

enum freetext_state sealedtext_put(struct staff_ctx *c, const struct content_key *key,
				   const PGresult *res, int row, int sealed_col, int clear_col)
{
	char *text = NULL;
	enum freetext_state st = freetext_open(key, res, row, sealed_col, clear_col, &text);
	if (st == FREETEXT_OPEN || st == FREETEXT_LEGACY) {
		staff_esc(c, text);
	} else if (st == FREETEXT_SEALED) {
		staff_printf(c, "<span class=\"sealed\">");
		staff_text(c, M_SEALED_TEXT);
		staff_printf(c, "</span>");
	}
	freetext_free(text);
	return st;
}

char *sealedtext_reveal_seal(struct staff_ctx *c, const char *reg_no, const char *reason)
{
	static const char sql_case[] = "SELECT c.id FROM hotline.cases c JOIN hotline.journal j "
				       "ON j.id = c.journal_id WHERE j.reg_no = $1";
	const char *p[1] = {reg_no};
	PGresult *res = wfdb_exec(c->db, sql_case, 1, p, NULL);
	struct content_key *key = res && PQntuples(res) == 1
				      ? sealedtext_case_key(c, PQgetvalue(res, 0, db_col(res, "id")))
				      : NULL;
	PQclear(res);
	char *sealed = freetext_seal(key, reason);
	content_key_free(key);
	return sealed;
}

void sealedtext_put_reveal_reason(struct staff_ctx *c, const char *reveal_id, const char *case_id)
{
	static const char sql_reason[] =
		"SELECT reason_sealed, reason FROM hotline.identity_reveals WHERE id = $1::bigint";
	const char *p[1] = {reveal_id};
	PGresult *res = wfdb_exec(c->db, sql_reason, 1, p, NULL);
	if (!res || PQntuples(res) != 1) {
		PQclear(res);
		return;
	}
	/* only a sealed reason needs the key: a custodian or an analyst holds
	 * none, and the page says a reason was given */
	int sealed = db_col(res, "reason_sealed"), clear = db_col(res, "reason");
	struct content_key *key =
	    PQgetisnull(res, 0, sealed) ? NULL : sealedtext_case_key(c, case_id);
	(void)sealedtext_put(c, key, res, 0, sealed, clear);
	content_key_free(key);
	PQclear(res);
}
