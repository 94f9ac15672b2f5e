#include "ctl/journal_verify.h"

#include <getopt.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/db.h"
#include "ctl/chaincheck.h"
#include "ctl/ctldb.h"
#include "workflow/journal.h"

/* Rows in id order with the case each one opened; single-row mode keeps
 * memory flat over millions of rows. */
static const char sql_rows[] =
    "SELECT j.id, j.year, j.seq, j.reg_no, "
    "(extract(epoch FROM j.registered_at) * 1000000)::bigint AS registered_us, j.channel, "
    "j.content_digest, j.prev_hash, j.row_hash, "
    "c.content_key_sealed, c.content, c.identity_sealed "
    "FROM hotline.journal j LEFT JOIN hotline.cases c ON c.journal_id = j.id ORDER BY j.id";
static const char sql_head[] = "SELECT last_hash FROM hotline.journal_head WHERE id = 1";

static bool bytea32(const PGresult *res, int col, unsigned char out[JOURNAL_HASH_BYTES])
{
	size_t len = 0;
	unsigned char *b = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, col), &len);
	bool ok = b && len == JOURNAL_HASH_BYTES;
	if (ok)
		memcpy(out, b, JOURNAL_HASH_BYTES);
	PQfreemem(b);
	return ok;
}

static unsigned char *bytea(const PGresult *res, int col, size_t *len)
{
	*len = 0;
	if (PQgetisnull(res, 0, col))
		return NULL;
	return PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, col), len);
}

/* The columns of sql_rows. In single-row mode every row is a result of its
 * own, all alike: they are looked up once, in the first. */
struct row_cols {
	int id, year, seq, reg_no, registered_us, channel, content_digest, prev_hash, row_hash,
	    content_key_sealed, content, identity_sealed;
};

static struct row_cols row_cols(const PGresult *res)
{
	return (struct row_cols){
	    .id = db_col(res, "id"),
	    .year = db_col(res, "year"),
	    .seq = db_col(res, "seq"),
	    .reg_no = db_col(res, "reg_no"),
	    .registered_us = db_col(res, "registered_us"),
	    .channel = db_col(res, "channel"),
	    .content_digest = db_col(res, "content_digest"),
	    .prev_hash = db_col(res, "prev_hash"),
	    .row_hash = db_col(res, "row_hash"),
	    .content_key_sealed = db_col(res, "content_key_sealed"),
	    .content = db_col(res, "content"),
	    .identity_sealed = db_col(res, "identity_sealed"),
	};
}

/* NULL when the row is sound, else why not. */
static const char *check_row(const PGresult *res, const struct row_cols *col,
			     const unsigned char prev[JOURNAL_HASH_BYTES], int *last_year,
			     int *last_seq, unsigned char row_hash[JOURNAL_HASH_BYTES])
{
	unsigned char digest[JOURNAL_HASH_BYTES], stored_prev[JOURNAL_HASH_BYTES];
	unsigned char computed[JOURNAL_HASH_BYTES];
	int year = atoi(PQgetvalue(res, 0, col->year));
	int seq = atoi(PQgetvalue(res, 0, col->seq));
	const char *reg_no = PQgetvalue(res, 0, col->reg_no);
	char expect_no[JOURNAL_REG_NO_SIZE];
	if (!journal_format_reg_no(year, seq, expect_no) || strcmp(expect_no, reg_no) != 0)
		return "registration number does not match its year and sequence";
	if (year == *last_year && seq != *last_seq + 1)
		return "gap or repeat in the year's numbering";
	if (year != *last_year && seq != 1)
		return "a year's numbering does not start at 1";
	if (year < *last_year)
		return "years out of order";
	int64_t us = strtoll(PQgetvalue(res, 0, col->registered_us), NULL, 10);
	if (journal_year(us / 1000000) != year)
		return "registration time is not in the row's year (Asia/Almaty)";
	if (!bytea32(res, col->content_digest, digest) ||
	    !bytea32(res, col->prev_hash, stored_prev) || !bytea32(res, col->row_hash, row_hash))
		return "a hash column is damaged";
	if (memcmp(stored_prev, prev, JOURNAL_HASH_BYTES) != 0)
		return "does not link to the previous row";
	struct buf canon;
	buf_init(&canon);
	journal_canonical(&canon, reg_no, us, PQgetvalue(res, 0, col->channel), digest);
	journal_row_hash(prev, canon.data, canon.len, computed);
	buf_reset(&canon);
	if (memcmp(computed, row_hash, JOURNAL_HASH_BYTES) != 0)
		return "row hash does not match its contents";
	if (PQgetisnull(res, 0, col->content))
		return "its case is missing";
	size_t klen, clen, ilen;
	unsigned char *k = bytea(res, col->content_key_sealed, &klen);
	unsigned char *c = bytea(res, col->content, &clen);
	unsigned char *i = bytea(res, col->identity_sealed, &ilen);
	unsigned char content[JOURNAL_HASH_BYTES];
	journal_content_digest(k, klen, c, clen, i, ilen, content);
	PQfreemem(k);
	PQfreemem(c);
	if (i)
		PQfreemem(i);
	if (memcmp(content, digest, JOURNAL_HASH_BYTES) != 0)
		return "the case's sealed content was changed";
	*last_year = year;
	*last_seq = seq;
	return NULL;
}

int journal_verify_main(int argc, char **argv)
{
	const char *conninfo = getenv("HOTLINE_DATABASE");
	static const struct option opts[] = {{"database", required_argument, NULL, 'd'},
					     {NULL, 0, NULL, 0}};
	int c;
	struct chaincheck *cc = chaincheck_from_args(CHAINCHECK_JOURNAL, &argc, argv);
	if (!cc)
		return 2;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd') {
			conninfo = optarg;
		} else {
			chaincheck_free(cc);
			return 2;
		}
	}
	if (!conninfo || optind != argc) {
		fprintf(stderr,
			"usage: hotlinectl journal verify --database CONNINFO "
			"[--checkpoint LINE | --checkpoint-file FILE] [--public-key FILE]\n");
		chaincheck_free(cc);
		return 2;
	}
	PGconn *pg = ctldb_connect(conninfo);
	if (!pg) {
		chaincheck_free(cc);
		return 1;
	}
	int status = 1;
	static const char sql_snapshot[] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
	PGresult *res = db_query(pg, sql_snapshot, 0, NULL, NULL, NULL, NULL);
	PQclear(res);
	if (!chaincheck_load_stored(cc, pg))
		goto out;
	if (!PQsendQuery(pg, sql_rows) || !PQsetSingleRowMode(pg)) {
		fprintf(stderr, "hotlinectl: query failed: %s", PQerrorMessage(pg));
		goto out;
	}
	unsigned char prev[JOURNAL_HASH_BYTES] = {0}, row_hash[JOURNAL_HASH_BYTES];
	int last_year = 0, last_seq = 0;
	long long rows = 0;
	const char *broken = NULL;
	char broken_at[64] = "";
	time_t started = time(NULL), shown = started;
	struct row_cols col = {.id = -1};
	while ((res = PQgetResult(pg))) {
		ExecStatusType st = PQresultStatus(res);
		if (st == PGRES_SINGLE_TUPLE && col.id < 0)
			col = row_cols(res);
		if (st == PGRES_SINGLE_TUPLE && !broken) {
			broken = check_row(res, &col, prev, &last_year, &last_seq, row_hash);
			if (broken)
				snprintf(broken_at, sizeof(broken_at), "%s (id %s)",
					 PQgetvalue(res, 0, col.reg_no),
					 PQgetvalue(res, 0, col.id));
			else
				memcpy(prev, row_hash, JOURNAL_HASH_BYTES);
			if (!broken)
				chaincheck_row(cc, strtoll(PQgetvalue(res, 0, col.id), NULL, 10),
					       row_hash, PQgetvalue(res, 0, col.reg_no));
			rows++;
			if (time(NULL) - shown >= 2) {
				shown = time(NULL);
				fprintf(stderr, "journal: %lld rows checked...\n", rows);
			}
		} else if (st == PGRES_FATAL_ERROR) {
			fprintf(stderr, "hotlinectl: query failed: %s", PQresultErrorMessage(res));
			PQclear(res);
			goto out;
		}
		PQclear(res);
	}
	if (broken) {
		printf("journal: broken at row %s: %s\n", broken_at, broken);
		goto out;
	}
	res = db_query(pg, sql_head, 0, NULL, NULL, NULL, NULL);
	unsigned char head[JOURNAL_HASH_BYTES];
	bool head_ok = res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
		       bytea32(res, db_col(res, "last_hash"), head) &&
		       memcmp(head, prev, JOURNAL_HASH_BYTES) == 0;
	PQclear(res);
	if (!head_ok) {
		printf("journal: broken at the end: the head does not match the last row "
		       "(rows removed?)\n");
		goto out;
	}
	printf("journal: %lld rows, chain intact\n", rows);
	if (chaincheck_finish(cc))
		status = 0;
out:
	chaincheck_free(cc);
	PQfinish(pg);
	return status;
}
