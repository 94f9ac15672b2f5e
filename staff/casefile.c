/* Shared by the case pages: see casefile.h. */
#include "staff/casefile.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/seal.h"
#include "base/config.h"
#include "base/db.h"
#include "base/log.h"
#include "crypto/secret.h"
#include "staff/seals.h"
#include "workflow/calendar.h"
#include "workflow/wfdb.h"
#include "base/schema.h"

/* Whether the scanner escalated the case's triage or director's notice to
 * the alternate recipient (workflow/scanner.c): the mail's link must open
 * the case for them. */
#define ESCALATED_TO_ALTERNATE                                                                     \
	"EXISTS (SELECT 1 FROM hotline.deadlines d JOIN hotline.deadline_notices n "               \
	"ON n.deadline_id = d.id WHERE d.case_id = c.id AND n.kind = 'overdue' "                   \
	"AND d.kind IN ('triage', 'director_notice'))"
/* The case's facts, by registration number; one statement with and one
 * without the row lock of a step that changes the case. */
#define SQL_CASE                                                                                   \
	"SELECT c.id, j.reg_no, to_char(j.registered_at AT TIME ZONE " SQL_ZONE ", "               \
	"'YYYY-MM-DD HH24:MI') AS registered_at, j.channel, c.category, c.language, c.state, "     \
	"c.anonymous, c.director_named, c.reporter_public_key IS NOT NULL AS has_reporter_key, "   \
	"c.overdue, coalesce(c.referred_unit, '') AS triage_unit, "                                \
	"coalesce(c.decision, '') AS decision, coalesce(c.decision_doc, '') AS decision_doc, "     \
	"coalesce(c.forwarded_to, '') AS forwarded_to, " ESCALATED_TO_ALTERNATE " AS escalated, "  \
	"c.director_involved "                                                                     \
	"FROM hotline.cases c JOIN hotline.journal j ON j.id = c.journal_id WHERE j.reg_no = $1"
static const char sql_case[] = SQL_CASE;
static const char sql_case_lock[] = SQL_CASE " FOR UPDATE OF c";

const char *casefile_visibility(unsigned roles)
{
	if (roles & ROLE_BIT(ROLE_DIRECTOR))
		return "triaged_not_named";
	if (roles & ROLE_BIT(ROLE_COMPLIANCE))
		return "all";
	if (roles & ROLE_BIT(ROLE_ALTERNATE))
		return "named";
	return "none";
}

bool casefile_visible(unsigned roles, bool director_named, bool triaged,
		      bool escalated_to_alternate)
{
	const char *mode = casefile_visibility(roles);
	/* an alternate also opens the cases whose triage or director's notice
	 * was escalated to them: the escalation asks them to act. The director
	 * waits for triage: a reporter's "don't know" is not a "no" until the
	 * compliance manager has decided it (issue 14). */
	return strcmp(mode, "all") == 0 ||
	       (strcmp(mode, "named") == 0 && (director_named || escalated_to_alternate)) ||
	       (strcmp(mode, "triaged_not_named") == 0 && !director_named && triaged);
}

PGresult *casefile_query_bin(struct staff_ctx *c, const char *sql_text, int n,
			     const char *const *values, const int *lengths, const int *formats)
{
	struct db_error err;
	PGresult *res = db_query(c->db, sql_text, n, values, lengths, formats, &err);
	if (!res)
		log_warning("staff %s: a case query failed (SQLSTATE %s)", c->path, err.sqlstate);
	return res;
}

PGresult *casefile_query(struct staff_ctx *c, const char *sql_text, int n,
			 const char *const *values)
{
	return casefile_query_bin(c, sql_text, n, values, NULL, NULL);
}

bool casefile_begin(struct staff_ctx *c)
{
	return wfdb_begin(c->db);
}

bool casefile_commit(struct staff_ctx *c)
{
	return wfdb_commit(c->db);
}

void casefile_rollback(struct staff_ctx *c)
{
	wfdb_rollback(c->db);
}

unsigned char *casefile_bytea(const PGresult *res, int row, int col, size_t *len)
{
	*len = 0;
	if (PQgetisnull(res, row, col))
		return NULL;
	return PQunescapeBytea((const unsigned char *)PQgetvalue(res, row, col), len);
}

/* The column of sql_case called as the field of struct casefile. */
#define COPY(field)                                                                                \
	snprintf(k->field, sizeof(k->field), "%s", PQgetvalue(res, 0, db_col(res, #field)))
#define FLAG(name) (strcmp(PQgetvalue(res, 0, db_col(res, name)), "t") == 0)

bool casefile_load(struct staff_ctx *c, const char *reg_no, bool lock, struct casefile *k,
		   bool *db_error)
{
	*db_error = false;
	memset(k, 0, sizeof(*k));
	const char *v[1] = {reg_no};
	PGresult *res = casefile_query(c, lock ? sql_case_lock : sql_case, 1, v);
	if (!res) {
		*db_error = true;
		return false;
	}
	bool ok = PQntuples(res) == 1 &&
		  case_state_parse(PQgetvalue(res, 0, db_col(res, "state")), &k->state);
	if (ok) {
		COPY(id);
		COPY(reg_no);
		COPY(registered_at);
		COPY(channel);
		COPY(category);
		COPY(language);
		k->anonymous = FLAG("anonymous");
		k->director_named = FLAG("director_named");
		k->has_reporter_key = FLAG("has_reporter_key");
		k->overdue = FLAG("overdue");
		COPY(triage_unit);
		COPY(decision);
		COPY(decision_doc);
		COPY(forwarded_to);
		bool escalated = FLAG("escalated");
		COPY(director_involved);
		bool triaged = k->state != CASE_REGISTERED;
		ok = casefile_visible(c->user->roles, k->director_named, triaged, escalated);
		k->view_only =
		    ok && !casefile_visible(c->user->roles, k->director_named, triaged, false);
		if (lock && k->view_only)
			ok = false;
	}
	PQclear(res);
	/* this person's own seal of the case, for the keys read with
	 * casefile_sealed_key() in this request; none: the page shows what
	 * the metadata allows (docs/keys.md) */
	if (ok)
		(void)staff_case_key_for(c, k->id);
	return ok;
}

bool casefile_mark_read(struct staff_ctx *c, const char *case_id, long long *before)
{
	static const char sql_mark[] = "SELECT messages_read_upto FROM hotline.cases WHERE id = $1";
	static const char sql_read[] =
	    "UPDATE hotline.cases SET messages_read_upto = last_reporter_message, "
	    "messages_read_at = now(), messages_read_by = $2::bigint "
	    "WHERE id = $1 AND last_reporter_message > messages_read_upto";
	char uid[24];
	snprintf(uid, sizeof(uid), "%lld", c->user->id);
	const char *v[2] = {case_id, uid};
	PGresult *res = casefile_query(c, sql_mark, 1, v);
	if (!res || PQntuples(res) != 1) {
		PQclear(res);
		return false;
	}
	*before = strtoll(PQgetvalue(res, 0, db_col(res, "messages_read_upto")), NULL, 10);
	PQclear(res);
	res = casefile_query(c, sql_read, 2, v);
	PQclear(res);
	return res != NULL;
}

struct content_key *casefile_content_key(struct staff_ctx *c, const struct casefile *k)
{
	static const char sql_key[] = "SELECT coalesce(content_key_resealed, content_key_sealed) "
				      "AS content_key FROM hotline.cases WHERE id = $1";
	const struct secret_key *sk = staff_case_key_for(c, k->id);
	if (!sk)
		return NULL;
	const char *v[1] = {k->id};
	PGresult *res = casefile_query(c, sql_key, 1, v);
	if (!res)
		return NULL;
	struct content_key *key =
	    PQntuples(res) == 1 ? casefile_sealed_key(c, res, 0, db_col(res, "content_key")) : NULL;
	PQclear(res);
	return key;
}

struct content_key *casefile_sealed_key(struct staff_ctx *c, const PGresult *res, int row, int col)
{
	const struct secret_key *sk = staff_case_key(c);
	size_t len;
	unsigned char *sealed = sk ? casefile_bytea(res, row, col, &len) : NULL;
	struct content_key *key = sealed ? content_key_open(sk, sealed, len) : NULL;
	PQfreemem(sealed);
	return key;
}

bool casefile_decrypt(const struct content_key *key, const PGresult *res, int row, int col,
		      unsigned char **plain, size_t *plen)
{
	size_t len;
	unsigned char *ct = casefile_bytea(res, row, col, &len);
	bool ok = ct && key && content_decrypt(key, ct, len, plain, plen);
	PQfreemem(ct);
	return ok;
}

char *casefile_open_text(const struct content_key *key, const PGresult *res, int row, int col)
{
	unsigned char *plain = NULL;
	size_t plen = 0;
	if (!casefile_decrypt(key, res, row, col, &plain, &plen))
		return NULL;
	/* what the page shows of it: up to a NUL byte, as before */
	size_t len = strnlen((const char *)plain, plen);
	char *text = malloc(len + 1);
	if (!text)
		abort();
	memcpy(text, plain, len);
	text[len] = '\0';
	secret_wipe(plain, plen);
	free(plain);
	return text;
}

/* The name as a browser will save it: no controls, quotes, slashes or
 * backslashes; the foundation writes it RFC 5987-encoded. */
static void safe_file_name(const char *name, char *out, size_t size)
{
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)(name ? name : ""); *p && o + 1 < size;
	     p++) {
		unsigned char ch = *p;
		if (ch < 0x20 || ch == 0x7f || ch == '"' || ch == '\\' || ch == '/' || ch == ';')
			ch = '_';
		out[o++] = (char)ch;
	}
	/* never cut a UTF-8 sequence in two */
	while (o > 0 && ((unsigned char)out[o - 1] & 0xC0) == 0x80)
		o--;
	if (o > 0 && ((unsigned char)out[o - 1] & 0xC0) == 0xC0)
		o--;
	out[o] = '\0';
	if (o == 0 || strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
		snprintf(out, size, "file");
}

static bool send_file(struct staff_ctx *c, const struct content_key *key, const PGresult *res,
		      int row, int meta_col, int data_col)
{
	unsigned char *plain = NULL;
	size_t plen = 0;
	json_t *meta = NULL;
	if (casefile_decrypt(key, res, row, meta_col, &plain, &plen)) {
		meta = json_loadb((const char *)plain, plen, 0, NULL);
		secret_wipe(plain, plen);
		free(plain);
		plain = NULL;
		plen = 0;
	}
	size_t len;
	unsigned char *ct = casefile_bytea(res, row, data_col, &len);
	bool ok = meta && ct && stream_decrypt(key, ct, len, &plain, &plen);
	PQfreemem(ct);
	if (!ok) {
		json_decref(meta);
		buf_wipe(&c->body);
		staff_error(c, key ? 500 : 403, M_CASE_FILE_UNREADABLE_TITLE,
			    key ? M_CASE_UNREADABLE : M_CASE_NOT_SEALED);
		return false;
	}
	safe_file_name(json_string_value(json_object_get(meta, "name")), c->download_name,
		       sizeof(c->download_name));
	json_decref(meta);
	c->content_type = "application/octet-stream";
	buf_add(&c->body, plain, plen);
	secret_wipe(plain, plen);
	free(plain);
	return true;
}

void casefile_send_file(struct staff_ctx *c, struct content_key *key, PGresult *res)
{
	bool ok = send_file(c, key, res, 0, db_col(res, "meta"), db_col(res, "data"));
	PQclear(res);
	content_key_free(key);
	if (!ok)
		casefile_rollback(c);
	else if (!casefile_commit(c))
		casefile_load_refused(c, true);
}

void casefile_today(struct staff_ctx *c, char out[11])
{
	cal_date_format(calendar_local_date(staff_now(c)), out);
}

int casefile_days_left(const struct calendar *cal, const char *today, const char *due)
{
	struct cal_date t, d;
	if (!cal_date_parse(today, &t) || !cal_date_parse(due, &d))
		return 0;
	if (cal_date_compare(t, d) <= 0)
		return calendar_working_days_between(cal, t, d);
	return -calendar_working_days_between(cal, d, t);
}

struct word {
	const char *name;
	enum msg text;
};

static enum msg lookup(const struct word *w, size_t n, const char *name, enum msg other)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(w[i].name, name) == 0)
			return w[i].text;
	}
	return other;
}

#define LOOKUP(table, name, other) lookup(table, sizeof(table) / sizeof(table[0]), name, other)

enum msg casefile_state_text(const char *state)
{
	static const struct word w[] = {
	    {"registered", M_CASE_ST_REGISTERED},
	    {"to_director", M_CASE_ST_TO_DIRECTOR},
	    {"acknowledged", M_CASE_ST_ACKNOWLEDGED},
	    {"referred", M_CASE_ST_REFERRED},
	    {"not_considered", M_CASE_ST_NOT_CONSIDERED},
	    {"urgent", M_CASE_ST_URGENT},
	    {"forwarded", M_CASE_ST_FORWARDED},
	    {"investigation", M_CASE_ST_INVESTIGATION},
	    {"closed", M_CASE_ST_CLOSED},
	};
	return LOOKUP(w, state, M_CASE_ST_REGISTERED);
}

enum msg casefile_inv_state_text(const char *state)
{
	static const struct word w[] = {
	    {"ordered", M_INV_ORDERED},
	    {"in_progress", M_INV_IN_PROGRESS},
	    {"conclusion_drafted", M_INV_CONCLUSION_DRAFTED},
	    {"submitted", M_INV_SUBMITTED},
	    {"decided", M_INV_DECIDED},
	    {"measures_adopted", M_INV_MEASURES_ADOPTED},
	    {"closed", M_INV_CLOSED},
	};
	return LOOKUP(w, state, M_STATE_OTHER);
}

enum msg casefile_decision_text(const char *decision)
{
	static const struct word w[] = {
	    {"forward", M_DEC_FORWARD},
	    {"investigate", M_DEC_INVESTIGATE},
	    {"forward_and_investigate", M_DEC_FORWARD_AND_INVESTIGATE},
	    {"no_grounds", M_DEC_NO_GROUNDS},
	};
	return LOOKUP(w, decision, M_STATE_OTHER);
}

enum msg casefile_ruling_text(const char *decision)
{
	static const struct word w[] = {
	    {"stop", M_DECISION_STOP},
	    {"hand_over", M_DECISION_HAND_OVER},
	    {"disciplinary", M_DECISION_DISCIPLINARY},
	    {"other_measures", M_DECISION_OTHER_MEASURES},
	};
	return LOOKUP(w, decision, M_STATE_OTHER);
}

enum msg casefile_category_text(const char *category)
{
	static const struct word w[] = {
	    {"corruption", M_CAT_CORRUPTION},
	    {"conflict_of_interest", M_CAT_CONFLICT},
	    {"gift", M_CAT_GIFT},
	    {"unlawful_order", M_CAT_UNLAWFUL_ORDER},
	    {"other", M_CAT_OTHER},
	};
	return LOOKUP(w, category, M_CAT_OTHER);
}

enum msg casefile_channel_text(const char *channel)
{
	static const struct word w[] = {
	    {"web", M_CASE_CH_WEB},
	    {"email", M_CASE_CH_EMAIL},
	    {"phone", M_CASE_CH_PHONE},
	    {"written", M_CASE_CH_WRITTEN},
	    {"in_person", M_CASE_CH_IN_PERSON},
	};
	return LOOKUP(w, channel, M_CASE_CH_WEB);
}

enum msg casefile_deadline_text(const char *kind)
{
	static const struct word w[] = {
	    {"director_notice", M_CASE_DL_DIRECTOR},
	    {"urgent_forward", M_CASE_DL_URGENT},
	    {"investigation", M_CASE_DL_INVESTIGATION},
	    {"material_request", M_CASE_DL_MATERIALS},
	    {"triage", M_CASE_DL_TRIAGE},
	    {"reply", M_CASE_DL_REPLY},
	};
	return LOOKUP(w, kind, M_CASE_DL_TRIAGE);
}

void casefile_not_found(struct staff_ctx *c)
{
	buf_wipe(&c->body);
	c->content_type = NULL;
	c->download_name[0] = '\0';
	staff_error(c, 404, M_CASE_NOT_FOUND_TITLE, M_CASE_NOT_FOUND);
}

void casefile_db_error(struct staff_ctx *c)
{
	buf_wipe(&c->body);
	c->content_type = NULL;
	c->download_name[0] = '\0';
	staff_error(c, 500, M_CASE_DB_ERROR_TITLE, M_CASE_DB_ERROR);
}

void casefile_load_refused(struct staff_ctx *c, bool db_error)
{
	casefile_rollback(c);
	if (db_error)
		casefile_db_error(c);
	else
		casefile_not_found(c);
}

bool casefile_open(struct staff_ctx *c, const char *reg_no, bool lock, struct casefile *k)
{
	bool db_error;
	if (!casefile_begin(c)) {
		casefile_db_error(c);
		return false;
	}
	if (!casefile_load(c, reg_no, lock, k, &db_error)) {
		casefile_load_refused(c, db_error);
		return false;
	}
	return true;
}

/* See casefile.h. The report's own text (what, when and where, who: every text field of
 * its content) and the reporter's messages, for the check that no member
 * is named in them; wipe and free it. NULL when the session cannot open
 * the case. */
char *casefile_report_text(struct staff_ctx *c, const struct casefile *k)
{
	static const char sql_content[] = "SELECT content FROM hotline.cases WHERE id = $1";
	static const char sql_reporter[] = "SELECT key_sealed, body_case FROM hotline.messages "
					   "WHERE case_id = $1 AND author = 'reporter' ORDER BY id";
	struct content_key *key = casefile_content_key(c, k);
	const char *v[1] = {k->id};
	PGresult *res = key ? casefile_query(c, sql_content, 1, v) : NULL;
	char *text = NULL;
	size_t len;
	unsigned char *plain = NULL;
	size_t plen = 0;
	if (res && PQntuples(res) == 1 &&
	    casefile_decrypt(key, res, 0, db_col(res, "content"), &plain, &plen)) {
		json_t *content = json_loadb((const char *)plain, plen, 0, NULL);
		struct buf b;
		buf_init(&b);
		buf_puts(&b, "");
		const char *name;
		json_t *value;
		json_object_foreach(content, name, value)
		{
			if (json_is_string(value)) {
				buf_add(&b, json_string_value(value), json_string_length(value));
				buf_puts(&b, "\n");
			}
		}
		json_decref(content);
		secret_wipe(plain, plen);
		free(plain);
		/* and the reporter's messages: someone named only in a later
		 * message steps aside too (004 L105) */
		PGresult *msgs = casefile_query(c, sql_reporter, 1, v);
		int key_sealed = msgs ? db_col(msgs, "key_sealed") : -1;
		int body = msgs ? db_col(msgs, "body_case") : -1;
		for (int i = 0; msgs && i < PQntuples(msgs); i++) {
			struct content_key *mk = casefile_sealed_key(c, msgs, i, key_sealed);
			if (mk && casefile_decrypt(mk, msgs, i, body, &plain, &plen)) {
				buf_add(&b, plain, plen);
				buf_puts(&b, "\n");
				secret_wipe(plain, plen);
				free(plain);
			}
			content_key_free(mk);
		}
		PQclear(msgs);
		text = buf_steal(&b, &len);
	}
	PQclear(res);
	content_key_free(key);
	return text;
}
