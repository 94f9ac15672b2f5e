#include "intake/followup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/receipt.h"
#include "crypto/seal.h"
#include "intake/appeal.h"

struct followup {
	char reg_no[16];
	/* the proofs, as keyed hashes; absent ones are not compared */
	bool has_from, has_envelope, has_receipt, has_token;
	unsigned char from_hash[RECEIPT_HASH_BYTES], envelope_hash[RECEIPT_HASH_BYTES];
	unsigned char receipt_hash[RECEIPT_HASH_BYTES], token_hash[RECEIPT_HASH_BYTES];
	struct blob key_sealed, body_case, body_reporter;
	struct appeal_file *files;
	unsigned nfiles;
	/* the message key, until the case is known: it is sealed to that
	 * case's own public key (docs/keys.md) */
	struct content_key *key;
	/* what followup_find() learnt of the case */
	char case_id[32];
	bool case_key_null; /* no key of its own (or unreadable): the recovery key */
	bool case_key_ok;   /* case_key holds its own public key */
	struct public_key case_key;
	followup_found_fn found;
	followup_saved_fn saved;
	void *arg;
};

/* The case and whether the mail proves it belongs; a proof the mail does
 * not offer is NULL and matches nothing. */
static const char sql_find_case[] =
    "SELECT c.id, coalesce(c.mail_sender_hash IN ($2, $3) OR c.receipt_hash = $4 "
    "OR c.reply_token_hash = $5, false) AS proven, c.case_public_key FROM hotline.cases c "
    "JOIN hotline.journal j ON j.id = c.journal_id WHERE j.reg_no = $1";
static const char sql_begin[] = "BEGIN";
static const char sql_commit[] = "COMMIT";
static const char sql_message_add[] =
    "INSERT INTO hotline.messages (case_id, author, key_sealed, body_case, body_reporter) "
    "VALUES ($1, 'reporter', $2, $3, $4)";
static const char sql_message_file[] =
    "INSERT INTO hotline.attachments (case_id, message_id, meta, data, clean_state) "
    "VALUES ($1, currval(pg_get_serial_sequence('hotline.messages', 'id')), $2, $3, $4)";
static const char sql_message_event[] =
    "SELECT hotline.case_event($1, 'reporter_message', '{\"channel\": \"email\"}')";

void followup_free(struct followup *f)
{
	if (!f)
		return;
	blob_free(&f->key_sealed);
	content_key_free(f->key);
	blob_free(&f->body_case);
	blob_free(&f->body_reporter);
	for (unsigned i = 0; i < f->nfiles; i++) {
		blob_free(&f->files[i].meta);
		blob_free(&f->files[i].data);
	}
	free(f->files);
	free(f);
}

const char *followup_reg_no(const struct followup *f)
{
	return f->reg_no;
}

/* --- in the worker --- */

/* The first quoted receipt with a right check digit in s: its hash into
 * f, and its digits in s blotted out, so the case's readers never see a
 * receipt that would open the reporter's status page. */
static void take_receipt(const struct intake_keys *keys, char *s, struct followup *f)
{
	size_t from = 0, start, end;
	while (mail_find_receipt(s, from, &start, &end)) {
		char digits[RECEIPT_DIGITS + 1];
		if (receipt_parse(s + start, end - start, digits) == RECEIPT_OK) {
			if (!f->has_receipt) {
				receipt_hash(keys->pepper, digits, f->receipt_hash);
				f->has_receipt = true;
			}
			for (size_t i = start; i < end; i++)
				if (s[i] >= '0' && s[i] <= '9')
					s[i] = '*';
			memset(digits, 0, sizeof(digits));
		}
		from = end;
	}
}

/* The same for a reply token "#TOKEN". */
static void take_token(const struct intake_keys *keys, char *s, struct followup *f)
{
	size_t from = 0, start;
	while (mail_find_token(s, from, REPLY_TOKEN_CHARS, &start)) {
		if (!f->has_token) {
			receipt_token_hash(keys->pepper, s + start, f->token_hash);
			f->has_token = true;
		}
		memset(s + start, '*', REPLY_TOKEN_CHARS);
		from = start + REPLY_TOKEN_CHARS;
	}
}

struct followup *followup_proofs(const struct intake_keys *keys, const char *envelope_from,
				 struct mail *m)
{
	struct followup *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	snprintf(f->reg_no, sizeof(f->reg_no), "%s", m->reg_no);
	if (m->from_address && m->from_address[0]) {
		receipt_sender_hash(keys->pepper, m->from_address, f->from_hash);
		f->has_from = true;
	}
	if (envelope_from[0]) {
		receipt_sender_hash(keys->pepper, envelope_from, f->envelope_hash);
		f->has_envelope = true;
	}
	take_receipt(keys, m->subject, f);
	take_receipt(keys, m->text, f);
	take_token(keys, m->subject, f);
	take_token(keys, m->text, f);
	return f;
}

bool followup_seal(struct followup *f, const struct mail *m, const struct clean_opts *clean)
{
	struct content_key *key = content_key_new(), *throwaway = content_key_new();
	size_t slen = strlen(m->subject), tlen = strlen(m->text);
	char *text = malloc(slen + tlen + 3);
	if (!key || !throwaway || !text)
		goto fail;
	memcpy(text, m->subject, slen);
	memcpy(text + slen, "\n\n", 2);
	memcpy(text + slen + 2, m->text, tlen + 1);
	if (!content_encrypt(key, text, slen + tlen + 2, &f->body_case.data, &f->body_case.len) ||
	    !content_encrypt(throwaway, text, slen + tlen + 2, &f->body_reporter.data,
			     &f->body_reporter.len))
		goto fail;
	if (m->nfiles && !(f->files = calloc(m->nfiles, sizeof(*f->files))))
		goto fail;
	for (unsigned i = 0; i < m->nfiles; i++) {
		const struct mail_attachment *ma = &m->files[i];
		unsigned char *cleaned = NULL;
		size_t cleaned_len = 0;
		struct sealing_file file = {
		    .name = ma->name,
		    .name_len = strlen(ma->name),
		    .type = ma->type,
		    .type_len = strlen(ma->type),
		    .data = ma->data,
		    .len = ma->len,
		    .clean = clean_buffer(clean, ma->name, strlen(ma->name), ma->data, ma->len,
					  &cleaned, &cleaned_len),
		};
		if (cleaned) {
			file.data = cleaned;
			file.len = cleaned_len;
		}
		bool ok = sealing_encrypt_file(key, &file, &f->files[i]);
		clean_free(cleaned, cleaned_len);
		if (!ok)
			goto fail;
		f->nfiles++;
	}
	memset(text, 0, slen + tlen + 2);
	free(text);
	f->key = key; /* sealed once the case is known (followup_save) */
	content_key_free(throwaway);
	return true;
fail:
	if (text)
		memset(text, 0, slen + tlen + 2);
	free(text);
	content_key_free(key);
	content_key_free(throwaway);
	return false;
}

/* --- on the loop --- */

/* The case's own public key, as the row has it: a NULL column (or one
 * that cannot be read) means a case not yet resealed. */
static void keep_case_key(struct followup *f, PGresult *res, int col)
{
	f->case_key_null = true;
	f->case_key_ok = false;
	if (PQgetisnull(res, 0, col))
		return;
	size_t len = 0;
	unsigned char *pk = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, col), &len);
	if (!pk)
		return;
	f->case_key_null = false;
	if (len == KEYS_PUBLIC_BYTES) {
		memcpy(f->case_key.bytes, pk, KEYS_PUBLIC_BYTES);
		f->case_key_ok = true;
	}
	PQfreemem(pk);
}

static void case_found(struct db_job *dbj, void *arg)
{
	struct followup *f = arg;
	if (!db_job_ok(dbj)) {
		f->found(f->arg, FOLLOWUP_LOOKUP_FAILED, db_job_sqlstate(dbj));
		return;
	}
	PGresult *res = db_job_result(dbj, 0);
	if (!res || PQntuples(res) != 1) {
		f->found(f->arg, FOLLOWUP_NO_CASE, NULL);
		return;
	}
	if (strcmp(PQgetvalue(res, 0, db_col(res, "proven")), "t") != 0) {
		f->found(f->arg, FOLLOWUP_UNPROVEN, NULL);
		return;
	}
	snprintf(f->case_id, sizeof(f->case_id), "%s", PQgetvalue(res, 0, db_col(res, "id")));
	keep_case_key(f, res, db_col(res, "case_public_key"));
	f->found(f->arg, FOLLOWUP_PROVEN, NULL);
}

void followup_find(struct db *db, struct followup *f, followup_found_fn done, void *arg)
{
	f->found = done;
	f->arg = arg;
	struct db_job *find = db_job_new(case_found, f);
	if (!find)
		abort();
	const char *v[5] = {
	    f->reg_no,
	    f->has_from ? (const char *)f->from_hash : NULL,
	    f->has_envelope ? (const char *)f->envelope_hash : NULL,
	    f->has_receipt ? (const char *)f->receipt_hash : NULL,
	    f->has_token ? (const char *)f->token_hash : NULL,
	};
	int len[5] = {0, RECEIPT_HASH_BYTES, RECEIPT_HASH_BYTES, RECEIPT_HASH_BYTES,
		      RECEIPT_HASH_BYTES};
	int fm[5] = {0, 1, 1, 1, 1};
	db_job_add(find, sql_find_case, 5, v, len, fm);
	db_submit(db, find);
}

static void message_saved(struct db_job *dbj, void *arg)
{
	struct followup *f = arg;
	bool ok = db_job_ok(dbj);
	f->saved(f->arg, ok, ok ? NULL : db_job_sqlstate(dbj));
}

/* The message key to the case's own key; a case not yet resealed
 * (docs/keys.md) to the recovery key it was sealed to before. */
static bool seal_key(struct followup *f, const struct intake_keys *keys)
{
	struct public_key to;
	if (f->case_key_ok)
		to = f->case_key;
	else if (f->case_key_null && keys->has_case_key)
		to = keys->case_key;
	else
		return false;
	if (!f->key || !content_key_seal(f->key, &to, &f->key_sealed.data, &f->key_sealed.len))
		return false;
	content_key_free(f->key);
	f->key = NULL;
	return true;
}

bool followup_save(struct db *db, struct followup *f, const struct intake_keys *keys,
		   followup_saved_fn done, void *arg)
{
	if (!seal_key(f, keys))
		return false;
	f->saved = done;
	f->arg = arg;
	const char *case_id = f->case_id;
	struct db_job *ins = db_job_new(message_saved, f);
	if (!ins)
		abort();
	db_job_add(ins, sql_begin, 0, NULL, NULL, NULL);
	{
		const char *v[4] = {case_id, (const char *)f->key_sealed.data,
				    (const char *)f->body_case.data,
				    (const char *)f->body_reporter.data};
		int len[4] = {0, (int)f->key_sealed.len, (int)f->body_case.len,
			      (int)f->body_reporter.len};
		int fm[4] = {0, 1, 1, 1};
		db_job_add(ins, sql_message_add, 4, v, len, fm);
	}
	for (unsigned i = 0; i < f->nfiles; i++) {
		const char *v[4] = {case_id, (const char *)f->files[i].meta.data,
				    (const char *)f->files[i].data.data, f->files[i].clean};
		int len[4] = {0, (int)f->files[i].meta.len, (int)f->files[i].data.len, 0};
		int fm[4] = {0, 1, 1, 0};
		db_job_add(ins, sql_message_file, 4, v, len, fm);
	}
	{
		const char *v[1] = {case_id};
		db_job_add(ins, sql_message_event, 1, v, NULL, NULL);
	}
	db_job_add(ins, sql_commit, 0, NULL, NULL, NULL);
	db_submit(db, ins);
	return true;
}
