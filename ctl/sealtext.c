/* hotlinectl case seal-text: see sealtext.h. One transaction: all the
 * legacy texts are sealed, or none. */
#include "ctl/sealtext.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/db.h"
#include "crypto/casekey.h"
#include "crypto/keys.h"
#include "crypto/seal.h"
#include "ctl/ctldb.h"
#include "ctl/keygen.h"
#include "workflow/freetext.h"

/* One kind of legacy text: select gives row_id, recovery_sealed (the
 * case's recovery seal, NULL before 0018), key_sealed (the sealed content
 * key to open with) and the clear texts text1 and text2; update takes the
 * row key and the sealed texts and empties the clear ones. */
struct legacy {
	const char *what;
	const char *select;
	const char *update;
	int ntexts;
};

static const struct legacy legacies[] = {
    {"reveal reasons",
     "SELECT r.id::text AS row_id, c.recovery_sealed, coalesce(c.content_key_resealed, "
     "c.content_key_sealed) AS key_sealed, r.reason AS text1 FROM hotline.identity_reveals r "
     "JOIN hotline.cases c ON c.id = r.case_id WHERE r.reason IS NOT NULL ORDER BY r.id",
     "UPDATE hotline.identity_reveals SET reason_sealed = $2::bytea, reason = NULL "
     "WHERE id = $1::bigint",
     1},
    {"referred units",
     "SELECT c.id::text AS row_id, c.recovery_sealed, coalesce(c.content_key_resealed, "
     "c.content_key_sealed) AS key_sealed, c.referred_unit AS text1 FROM hotline.cases c "
     "WHERE c.referred_unit IS NOT NULL ORDER BY c.id",
     "UPDATE hotline.cases SET referred_unit_sealed = $2::bytea, referred_unit = NULL "
     "WHERE id = $1::bigint",
     1},
    {"forwarded to",
     "SELECT c.id::text AS row_id, c.recovery_sealed, coalesce(c.content_key_resealed, "
     "c.content_key_sealed) AS key_sealed, c.forwarded_to AS text1 FROM hotline.cases c "
     "WHERE c.forwarded_to IS NOT NULL ORDER BY c.id",
     "UPDATE hotline.cases SET forwarded_to_sealed = $2::bytea, forwarded_to = NULL "
     "WHERE id = $1::bigint",
     1},
    {"requests for materials",
     "SELECT m.id::text AS row_id, c.recovery_sealed, coalesce(c.content_key_resealed, "
     "c.content_key_sealed) AS key_sealed, m.addressee AS text1, m.what AS text2 FROM "
     "hotline.material_requests m JOIN hotline.investigations i ON i.id = m.investigation_id "
     "JOIN hotline.cases c ON c.id = i.case_id WHERE m.addressee IS NOT NULL "
     "OR m.what IS NOT NULL ORDER BY m.id",
     "UPDATE hotline.material_requests SET addressee_sealed = $2::bytea, what_sealed = "
     "$3::bytea, addressee = NULL, what = NULL WHERE id = $1::bigint",
     2},
    {"declarations of interest",
     "SELECT d.id::text AS row_id, c.recovery_sealed, coalesce(c.content_key_resealed, "
     "c.content_key_sealed) AS key_sealed, d.name AS text1 FROM hotline.interest_declarations d "
     "JOIN hotline.cases c ON c.id = d.case_id WHERE d.name IS NOT NULL ORDER BY d.id",
     /* the accounts the clear name names, before it is sealed (0023) */
     "UPDATE hotline.interest_declarations SET name_sealed = $2::bytea, named_user_ids = "
     "named_user_ids || coalesce((SELECT array_agg(u.id) FROM hotline.staff_users u WHERE "
     "lower(btrim(u.display_name)) = lower(btrim(name))), '{}'), name = NULL "
     "WHERE id = $1::bigint",
     1},
    {"commission members",
     "SELECT m.id::text AS row_id, c.recovery_sealed, coalesce(c.content_key_resealed, "
     "c.content_key_sealed) AS key_sealed, m.name AS text1, coalesce(m.position, '') AS text2 FROM "
     "hotline.commission_members m JOIN hotline.investigations i ON i.id = m.investigation_id "
     "JOIN hotline.cases c ON c.id = i.case_id WHERE m.name IS NOT NULL ORDER BY m.id",
     "UPDATE hotline.commission_members SET name_sealed = $2::bytea, position_sealed = "
     "$3::bytea, name = NULL, position = NULL WHERE id = $1::bigint",
     2},
    /* the norms go under the conclusion's key, like the findings */
    {"norms of conclusions",
     "SELECT i.id::text AS row_id, c.recovery_sealed, i.conclusion_key_sealed AS key_sealed, "
     "i.norms AS text1 FROM "
     "hotline.investigations i JOIN hotline.cases c ON c.id = i.case_id "
     "WHERE i.norms IS NOT NULL AND i.conclusion_key_sealed IS NOT NULL ORDER BY i.id",
     "UPDATE hotline.investigations SET norms_sealed = $2::bytea, norms = NULL "
     "WHERE id = $1::bigint",
     1},
};

/* Seals every row of one kind; the count into *done. */
static bool seal_kind(PGconn *pg, const struct legacy *l, const struct secret_key *sk, int *done)
{
	PGresult *res = ctldb_exec(pg, l->select, 0, NULL);
	if (!res)
		return false;
	bool ok = true;
	*done = 0;
	int row_id = db_col(res, "row_id"), recovery = db_col(res, "recovery_sealed");
	int key_sealed = db_col(res, "key_sealed");
	int text[2] = {db_col(res, "text1"), l->ntexts > 1 ? db_col(res, "text2") : -1};
	for (int i = 0; ok && i < PQntuples(res); i++) {
		/* a case with its own key pair (migration 0018) opens through its
		 * recovery seal; an older one is sealed to this key directly */
		size_t rlen = 0, slen = 0;
		unsigned char *rec =
		    PQgetisnull(res, i, recovery)
			? NULL
			: PQunescapeBytea((const unsigned char *)PQgetvalue(res, i, recovery),
					  &rlen);
		struct secret_key *case_sk = rec ? casekey_open(sk, rec, rlen) : NULL;
		PQfreemem(rec);
		const struct secret_key *opener = rec ? case_sk : sk;
		unsigned char *sealed =
		    PQunescapeBytea((const unsigned char *)PQgetvalue(res, i, key_sealed), &slen);
		struct content_key *key =
		    sealed && opener ? content_key_open(opener, sealed, slen) : NULL;
		PQfreemem(sealed);
		secret_key_free(case_sk);
		if (!key) {
			fprintf(stderr,
				"hotlinectl: %s: row %s: the case key does not open its key\n",
				l->what, PQgetvalue(res, i, row_id));
			ok = false;
			break;
		}
		char *texts[2] = {NULL, NULL};
		for (int t = 0; t < l->ntexts; t++)
			texts[t] = freetext_seal(
			    key, PQgetisnull(res, i, text[t]) ? "" : PQgetvalue(res, i, text[t]));
		content_key_free(key);
		const char *v[3] = {PQgetvalue(res, i, row_id), texts[0], texts[1]};
		ok = texts[0] && (l->ntexts < 2 || texts[1]);
		if (!ok)
			fprintf(stderr, "hotlinectl: encryption failed\n");
		PGresult *u = ok ? ctldb_exec(pg, l->update, 1 + l->ntexts, v) : NULL;
		ok = ok && u;
		PQclear(u);
		free(texts[0]);
		free(texts[1]);
		if (ok)
			(*done)++;
	}
	PQclear(res);
	return ok;
}

int sealtext_main(PGconn *pg, int argc, char **argv)
{
	const char *case_key = NULL, *pass = NULL;
	static const struct option opts[] = {{"case-key", required_argument, NULL, 'k'},
					     {"passphrase-file", required_argument, NULL, 'p'},
					     {"database", required_argument, NULL, 'd'},
					     {NULL, 0, NULL, 0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'k')
			case_key = optarg;
		else if (c == 'p')
			pass = optarg;
		else if (c != 'd')
			return 2;
	}
	if (optind != argc || !case_key || !pass) {
		fprintf(stderr,
			"usage: hotlinectl case seal-text --case-key FILE --passphrase-file "
			"FILE\n"
			"  (encrypts the staff texts written before migration 0022 under "
			"their cases' keys; deploy/README.md)\n");
		return 2;
	}
	struct secret_key *sk = secret_key_from_files(case_key, pass);
	if (!sk || !ctldb_begin(pg)) {
		secret_key_free(sk);
		return 1;
	}
	bool ok = true;
	int counts[sizeof(legacies) / sizeof(legacies[0])] = {0};
	for (size_t i = 0; ok && i < sizeof(legacies) / sizeof(legacies[0]); i++)
		ok = seal_kind(pg, &legacies[i], sk, &counts[i]);
	secret_key_free(sk);
	/* the timeline of a forwarding named the body: it now says only that
	 * it went (workflow/procedure.c) */
	static const char sql_events[] =
	    "UPDATE hotline.case_events SET detail = detail - 'to' WHERE kind = 'forwarded' "
	    "AND detail ? 'to'";
	PGresult *ev = ok ? ctldb_exec(pg, sql_events, 0, NULL) : NULL;
	int events = ev ? atoi(PQcmdTuples(ev)) : 0;
	ok = ok && ev;
	PQclear(ev);
	if (!ok || !ctldb_commit_audited(pg, "case", "seal-text", "all")) {
		ctldb_rollback(pg);
		fprintf(stderr, "hotlinectl: nothing was changed\n");
		return 1;
	}
	for (size_t i = 0; i < sizeof(legacies) / sizeof(legacies[0]); i++)
		printf("%s: %d sealed\n", legacies[i].what, counts[i]);
	printf("timeline events: %d no longer name where a case went\n", events);
	printf("The old clear values may remain in PostgreSQL's dead rows, WAL and backups "
	       "until they are vacuumed and expire (deploy/README.md).\n");
	return 0;
}
