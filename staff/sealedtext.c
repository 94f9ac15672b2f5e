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

void sealedtext_open(struct sealedtext *t, const struct content_key *key, const PGresult *res,
		     int row, int sealed_col, int clear_col)
{
	t->st = freetext_open(key, res, row, sealed_col, clear_col, &t->text);
}

void sealedtext_open_sealed(struct sealedtext *t, const struct content_key *key,
			    const PGresult *res, int row, int col)
{
	t->text = casefile_open_text(key, res, row, col);
	t->st = t->text			     ? FREETEXT_OPEN
		: PQgetisnull(res, row, col) ? FREETEXT_NONE
					     : FREETEXT_SEALED;
}

void sealedtext_free(struct sealedtext *t)
{
	freetext_free(t->text);
	t->text = NULL;
}

void sealedtext_write(struct staff_ctx *c, const struct sealedtext *t)
{
	if (t->st == FREETEXT_OPEN || t->st == FREETEXT_LEGACY) {
		staff_esc(c, t->text);
	} else if (t->st == FREETEXT_SEALED) {
		staff_html(c, "<span class=\"sealed\">");
		staff_text(c, M_SEALED_TEXT);
		staff_html(c, "</span>");
	}
}

bool sealedtext_put_opened(struct staff_ctx *c, const struct sealedtext *t)
{
	if (t->st != FREETEXT_OPEN)
		return false;
	staff_esc(c, t->text);
	return true;
}

char *sealedtext_reveal_seal(struct staff_ctx *c, const char *reg_no, const char *reason)
{
	static const char sql_case[] = "SELECT c.id FROM hotline.cases c JOIN hotline.journal j "
				       "ON j.id = c.journal_id WHERE j.reg_no = $1";
	const char *p[1] = {reg_no};
	PGresult *res = wfdb_exec(c->db, sql_case, 1, p, NULL);
	struct content_key *key =
	    res && PQntuples(res) == 1
		? sealedtext_case_key(c, PQgetvalue(res, 0, db_col(res, "id")))
		: NULL;
	PQclear(res);
	char *sealed = freetext_seal(key, reason);
	content_key_free(key);
	return sealed;
}

void sealedtext_open_reveal_reason(struct staff_ctx *c, const char *reveal_id, const char *case_id,
				   struct sealedtext *t)
{
	static const char sql_reason[] =
	    "SELECT reason_sealed, reason FROM hotline.identity_reveals WHERE id = $1::bigint";
	t->st = FREETEXT_NONE;
	t->text = NULL;
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
	sealedtext_open(t, key, res, 0, sealed, clear);
	content_key_free(key);
	PQclear(res);
}
