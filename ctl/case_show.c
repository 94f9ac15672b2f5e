#include "ctl/case_show.h"
#include "ctl/reseal.h"

#include <getopt.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/db.h"
#include "base/schema.h"
#include "crypto/digest.h"
#include "crypto/keys.h"
#include "crypto/seal.h"
#include "crypto/secret.h"
#include "ctl/keygen.h"

static const char sql_case[] =
    "SELECT c.id, j.reg_no, j.channel, to_char(j.registered_at AT TIME ZONE " SQL_ZONE ", "
    "'YYYY-MM-DD HH24:MI:SS') AS registered_at, c.category, c.director_involved, c.anonymous, "
    "c.language, c.state, coalesce(c.content_key_resealed, c.content_key_sealed) AS content_key, "
    "c.content, c.identity_sealed "
    "FROM hotline.cases c JOIN hotline.journal j ON j.id = c.journal_id WHERE j.reg_no = $1";
static const char sql_files[] =
    "SELECT a.meta, a.data, a.message_id FROM hotline.attachments a "
    "JOIN hotline.cases c ON c.id = a.case_id JOIN hotline.journal j ON j.id = c.journal_id "
    "WHERE j.reg_no = $1 AND a.message_id IS NULL ORDER BY a.id";
static const char sql_messages[] =
    "SELECT m.id, m.author, to_char(m.created_at AT TIME ZONE " SQL_ZONE ", "
    "'YYYY-MM-DD HH24:MI:SS') AS created_at, m.key_sealed, m.body_case FROM hotline.messages m "
    "JOIN hotline.cases c ON c.id = m.case_id JOIN hotline.journal j ON j.id = c.journal_id "
    "WHERE j.reg_no = $1 ORDER BY m.id";
static const char sql_message_files[] =
    "SELECT a.meta, a.data FROM hotline.attachments a WHERE a.message_id = $1 ORDER BY a.id";

static unsigned char *col(const PGresult *res, int row, int c, size_t *len)
{
	*len = 0;
	if (PQgetisnull(res, row, c))
		return NULL;
	return PQunescapeBytea((const unsigned char *)PQgetvalue(res, row, c), len);
}

/* Decrypts a content blob holding JSON; NULL if it cannot. */
static json_t *case_decrypt_json(const struct content_key *key, const unsigned char *ct, size_t len)
{
	unsigned char *plain = NULL;
	size_t plen = 0;
	if (!ct || !content_decrypt(key, ct, len, &plain, &plen))
		return NULL;
	json_t *j = json_loadb((const char *)plain, plen, 0, NULL);
	secret_wipe(plain, plen);
	free(plain);
	return j;
}

/* One attachment of res (sql_files, sql_message_files): its columns meta
 * and data are meta_col and data_col, looked up once by the caller. */
static json_t *file_json(const struct content_key *key, const PGresult *res, int row, int meta_col,
			 int data_col)
{
	size_t mlen, dlen;
	unsigned char *meta = col(res, row, meta_col, &mlen);
	unsigned char *data = col(res, row, data_col, &dlen);
	json_t *obj = case_decrypt_json(key, meta, mlen);
	unsigned char *plain = NULL;
	size_t plen = 0;
	if (obj && data && stream_decrypt(key, data, dlen, &plain, &plen)) {
		unsigned char sum[DIGEST_BYTES];
		char hex[2 * DIGEST_BYTES + 1];
		digest_sha256(plain, plen, sum);
		digest_hex(sum, DIGEST_BYTES, hex);
		json_object_set_new(obj, "sha256", json_string(hex));
		json_object_set_new(obj, "bytes", json_integer((json_int_t)plen));
		secret_wipe(plain, plen);
		free(plain);
	} else {
		json_decref(obj);
		obj = json_pack("{s:s}", "error", "cannot decrypt");
	}
	PQfreemem(meta);
	PQfreemem(data);
	return obj;
}

static PGresult *query1(PGconn *pg, const char *sql_text, const char *param)
{
	const char *values[1] = {param};
	PGresult *res = db_query(pg, sql_text, 1, values, NULL, NULL, NULL);
	if (!res)
		fprintf(stderr, "hotlinectl: query failed: %s", PQerrorMessage(pg));
	return res;
}

int case_show_main(int argc, char **argv)
{
	const char *conninfo = getenv("HOTLINE_DATABASE");
	const char *case_key = NULL, *case_pass = NULL;
	static const struct option opts[] = {
	    {"database", required_argument, NULL, 'd'},
	    {"case-key", required_argument, NULL, 'k'},
	    {"passphrase-file", required_argument, NULL, 'p'},
	    {"custodian-key", required_argument, NULL, 'K'},
	    {"custodian-passphrase-file", required_argument, NULL, 'P'},
	    {NULL, 0, NULL, 0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			conninfo = optarg;
			break;
		case 'k':
			case_key = optarg;
			break;
		case 'p':
			case_pass = optarg;
			break;
		case 'K':
		case 'P':
			/* issue 14: nobody opens an identity alone, and not from
			 * the database: only M shares of the unmasking key, on a
			 * packet released for an approved request */
			fprintf(stderr, "hotlinectl: case show no longer opens the reporter's "
					"identity (there is no custodian secret key any more): an "
					"identity is opened with `hotlinectl unmask` and M shares, "
					"on the packet of an approved request (docs/reveal.md)\n");
			return 2;
		default:
			return 2;
		}
	}
	if (optind + 1 != argc || !conninfo || !case_key || !case_pass) {
		fprintf(stderr,
			"usage: hotlinectl case show REG_NO --database CONNINFO --case-key FILE "
			"--passphrase-file FILE\n");
		return 2;
	}
	const char *reg_no = argv[optind];
	int status = 1;
	struct secret_key *sk = NULL;
	struct content_key *key = NULL;
	PGresult *kase = NULL, *files = NULL, *msgs = NULL;
	json_t *out = NULL;
	PGconn *pg = PQconnectdb(conninfo);
	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "hotlinectl: cannot connect to the database: %s",
			PQerrorMessage(pg));
		goto out;
	}
	sk = secret_key_from_files(case_key, case_pass);
	if (!sk)
		goto out;
	{
		/* the recovery key opens the case's own key (docs/keys.md) */
		struct secret_key *case_sk = reseal_case_key(pg, reg_no, sk);
		secret_key_free(sk);
		sk = case_sk;
		if (!sk)
			goto out;
	}
	kase = query1(pg, sql_case, reg_no);
	if (!kase)
		goto out;
	if (PQntuples(kase) != 1) {
		fprintf(stderr, "hotlinectl: no case %s\n", reg_no);
		goto out;
	}
	size_t len;
	unsigned char *sealed = col(kase, 0, db_col(kase, "content_key"), &len);
	key = sealed ? content_key_open(sk, sealed, len) : NULL;
	PQfreemem(sealed);
	if (!key) {
		fprintf(stderr, "hotlinectl: %s: this case key cannot open the case\n", reg_no);
		goto out;
	}
	unsigned char *ct = col(kase, 0, db_col(kase, "content"), &len);
	json_t *content = case_decrypt_json(key, ct, len);
	PQfreemem(ct);
	out = json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:s,s:s,s:o}", "reg_no", reg_no, "channel",
			PQgetvalue(kase, 0, db_col(kase, "channel")), "registered_at",
			PQgetvalue(kase, 0, db_col(kase, "registered_at")), "category",
			PQgetvalue(kase, 0, db_col(kase, "category")), "director_involved",
			PQgetvalue(kase, 0, db_col(kase, "director_involved")), "anonymous",
			strcmp(PQgetvalue(kase, 0, db_col(kase, "anonymous")), "t") == 0,
			"language", PQgetvalue(kase, 0, db_col(kase, "language")), "state",
			PQgetvalue(kase, 0, db_col(kase, "state")), "content",
			content ? content : json_null());
	/* the identity, sealed to the unmasking key: only said to be there */
	json_object_set_new(out, "identity",
			    PQgetisnull(kase, 0, db_col(kase, "identity_sealed"))
				? json_null()
				: json_string("sealed"));
	files = query1(pg, sql_files, reg_no);
	msgs = query1(pg, sql_messages, reg_no);
	if (!files || !msgs)
		goto out;
	json_t *jfiles = json_array();
	int meta = db_col(files, "meta"), data = db_col(files, "data");
	for (int i = 0; i < PQntuples(files); i++)
		json_array_append_new(jfiles, file_json(key, files, i, meta, data));
	json_object_set_new(out, "attachments", jfiles);
	json_t *jmsgs = json_array();
	int m_id = db_col(msgs, "id"), m_author = db_col(msgs, "author");
	int m_at = db_col(msgs, "created_at"), m_key = db_col(msgs, "key_sealed");
	int m_body = db_col(msgs, "body_case");
	for (int i = 0; i < PQntuples(msgs); i++) {
		unsigned char *ks = col(msgs, i, m_key, &len);
		struct content_key *mk = ks ? content_key_open(sk, ks, len) : NULL;
		PQfreemem(ks);
		json_t *m = json_pack("{s:s,s:s}", "author", PQgetvalue(msgs, i, m_author), "at",
				      PQgetvalue(msgs, i, m_at));
		unsigned char *body = col(msgs, i, m_body, &len);
		unsigned char *plain = NULL;
		size_t plen = 0;
		if (mk && body && content_decrypt(mk, body, len, &plain, &plen)) {
			json_object_set_new(m, "text", json_stringn((const char *)plain, plen));
			secret_wipe(plain, plen);
			free(plain);
		}
		PQfreemem(body);
		PGresult *mf = query1(pg, sql_message_files, PQgetvalue(msgs, i, m_id));
		json_t *mfiles = json_array();
		int mf_meta = mf ? db_col(mf, "meta") : 0, mf_data = mf ? db_col(mf, "data") : 0;
		for (int r = 0; mf && mk && r < PQntuples(mf); r++)
			json_array_append_new(mfiles, file_json(mk, mf, r, mf_meta, mf_data));
		PQclear(mf);
		json_object_set_new(m, "attachments", mfiles);
		content_key_free(mk);
		json_array_append_new(jmsgs, m);
	}
	json_object_set_new(out, "messages", jmsgs);
	json_dumpf(out, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII * 0);
	fputc('\n', stdout);
	status = 0;
out:
	json_decref(out);
	content_key_free(key);
	secret_key_free(sk);
	PQclear(kase);
	PQclear(files);
	PQclear(msgs);
	PQfinish(pg);
	return status;
}

/* text followed by the reporter's messages on the case (each opened with
 * its own key, sealed to the case key): someone named only in a later
 * message steps aside too (004 L105). Takes text; NULL when out of memory
 * or the messages cannot be read. */
static char *with_reporter_messages(PGconn *pg, const char *reg_no, const struct secret_key *sk,
				    char *text)
{
	static const char sql_reporter[] =
	    "SELECT m.key_sealed, m.body_case FROM hotline.messages m "
	    "JOIN hotline.cases c ON c.id = m.case_id JOIN hotline.journal j "
	    "ON j.id = c.journal_id WHERE j.reg_no = $1 AND m.author = 'reporter' ORDER BY m.id";
	PGresult *res = query1(pg, sql_reporter, reg_no);
	if (!res) {
		secret_wipe(text, strlen(text));
		free(text);
		return NULL;
	}
	int key_sealed = db_col(res, "key_sealed"), body_case = db_col(res, "body_case");
	for (int i = 0; text && i < PQntuples(res); i++) {
		size_t klen, blen, plen = 0;
		unsigned char *ks = col(res, i, key_sealed, &klen);
		unsigned char *body = col(res, i, body_case, &blen);
		struct content_key *mk = ks ? content_key_open(sk, ks, klen) : NULL;
		unsigned char *plain = NULL;
		if (mk && body && content_decrypt(mk, body, blen, &plain, &plen)) {
			/* no realloc: it could leave a copy of the text unwiped */
			size_t have = strlen(text);
			char *more = malloc(have + plen + 2);
			if (more) {
				memcpy(more, text, have);
				memcpy(more + have, plain, plen);
				more[have + plen] = '\n';
				more[have + plen + 1] = '\0';
			}
			secret_wipe(text, have);
			free(text);
			text = more;
			secret_wipe(plain, plen);
			free(plain);
		}
		content_key_free(mk);
		PQfreemem(ks);
		PQfreemem(body);
	}
	PQclear(res);
	return text;
}

static char *report_text_with(PGconn *pg, const char *reg_no, const struct secret_key *sk);

char *case_report_text(PGconn *pg, const char *reg_no, const struct secret_key *given)
{
	struct secret_key *sk = reseal_case_key(pg, reg_no, given);
	if (!sk)
		return NULL;
	char *text = report_text_with(pg, reg_no, sk);
	secret_key_free(sk);
	return text;
}

static char *report_text_with(PGconn *pg, const char *reg_no, const struct secret_key *sk)
{
	static const char sql_content[] =
	    "SELECT coalesce(c.content_key_resealed, c.content_key_sealed) AS content_key, "
	    "c.content "
	    "FROM hotline.cases c "
	    "JOIN hotline.journal j ON j.id = c.journal_id WHERE j.reg_no = $1";
	PGresult *res = query1(pg, sql_content, reg_no);
	if (!res)
		return NULL;
	char *text = NULL;
	if (PQntuples(res) == 1) {
		size_t klen, clen;
		unsigned char *sealed = col(res, 0, db_col(res, "content_key"), &klen);
		unsigned char *ct = col(res, 0, db_col(res, "content"), &clen);
		struct content_key *key = sealed ? content_key_open(sk, sealed, klen) : NULL;
		json_t *content = key ? case_decrypt_json(key, ct, clen) : NULL;
		if (content) {
			const char *fields[3] = {"what", "when_where", "who"};
			size_t total = 1;
			for (int i = 0; i < 3; i++) {
				const char *v =
				    json_string_value(json_object_get(content, fields[i]));
				total += (v ? strlen(v) : 0) + 1;
			}
			text = calloc(1, total);
			for (int i = 0; text && i < 3; i++) {
				const char *v =
				    json_string_value(json_object_get(content, fields[i]));
				strcat(text, v ? v : "");
				strcat(text, "\n");
			}
			json_decref(content);
		} else {
			fprintf(stderr, "hotlinectl: %s: this case key cannot open the case\n",
				reg_no);
		}
		content_key_free(key);
		PQfreemem(sealed);
		PQfreemem(ct);
	} else {
		fprintf(stderr, "hotlinectl: no case %s\n", reg_no);
	}
	PQclear(res);
	return text ? with_reporter_messages(pg, reg_no, sk, text) : NULL;
}
