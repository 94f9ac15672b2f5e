#include "intake/mailack.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "base/log.h"
#include "crypto/receipt.h"

struct mailack {
	unsigned long conn_id;
	char *to;
	const char *language; /* "kk", "ru", "en" */
	char receipt[RECEIPT_DIGITS + 1];
	char token[REPLY_TOKEN_CHARS + 1];
	/* its own key (crypto/seal.h, content_key_spool_new), erased unless
	 * a row sealed under it was queued; spool_dir "" when acknowledgments
	 * are off */
	char spool_dir[4096];
	struct content_key *key;
	char key_id[CONTENT_KEY_ID_SIZE];
	bool key_queued;
};

static const char sql_ack[] = "SELECT hotline.outbox_queue_sealed('mail_ack', $1, $2, $3)";

struct mailack *mailack_new(const char *to, const char *language, const char *receipt,
			    const char *token, const char *spool_dir, unsigned long conn_id)
{
	struct mailack *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->to = strdup(to);
	if (!a->to) {
		free(a);
		return NULL;
	}
	a->conn_id = conn_id;
	a->language = language;
	snprintf(a->receipt, sizeof(a->receipt), "%s", receipt);
	snprintf(a->token, sizeof(a->token), "%s", token);
	snprintf(a->spool_dir, sizeof(a->spool_dir), "%s", spool_dir);
	char why[256];
	if (a->spool_dir[0] &&
	    !(a->key = content_key_spool_new(a->spool_dir, a->key_id, why, sizeof(why))))
		/* the outbox key then seals it, as before 0016 */
		log_warning("lmtp %lu: no key of its own for the acknowledgment: %s", conn_id, why);
	return a;
}

void mailack_free(struct mailack *a)
{
	if (!a)
		return;
	free(a->to);
	memset(a->receipt, 0, sizeof(a->receipt));
	memset(a->token, 0, sizeof(a->token));
	if (a->key && !a->key_queued)
		content_key_spool_erase(a->spool_dir, a->key_id);
	content_key_free(a->key);
	free(a);
}

static void ack_queued(struct db_job *dbj, void *arg)
{
	unsigned long conn_id = (unsigned long)(uintptr_t)arg;
	if (db_job_ok(dbj))
		log_info("lmtp %lu: acknowledgment queued", conn_id);
	else
		log_warning("lmtp %lu: queueing the acknowledgment failed (SQLSTATE %s)", conn_id,
			    db_job_sqlstate(dbj));
}

/* The message as the outbox sender reads it, sealed; false when that
 * failed. */
static bool seal_message(const struct mailack *a, const struct config *cfg,
			 const struct content_key *key, const struct appeal_result *r,
			 struct blob *sealed)
{
	enum lang lang = LANG_RU;
	if (!i18n_parse(a->language, &lang))
		lang = LANG_RU;
	char subject[256], text[RECEIPT_TEXT_SIZE], url[512], ref[REPLY_TOKEN_CHARS + 2];
	/* the token rides in the subject, which a reply keeps ("Re: ...") */
	snprintf(ref, sizeof(ref), "#%s", a->token);
	int n = snprintf(subject, sizeof(subject), i18n(lang, M_MAIL_ACK_SUBJECT), r->reg_no);
	if (n > 0 && (size_t)n < sizeof(subject))
		snprintf(subject + n, sizeof(subject) - (size_t)n, " [%s]", ref);
	config_public_link(cfg, "status", url, sizeof(url));
	receipt_format(a->receipt, text);
	struct buf body;
	buf_init(&body);
	buf_printf(&body, i18n(lang, M_MAIL_ACK_REGISTERED), r->reg_no);
	/* A receipt in a mailbox is read by whoever reads the mailbox (a
	 * shared or employer's account, a mail administrator): mailed only
	 * when the organisation chose so (mail_receipt). */
	if (strcmp(cfg->mail_receipt, "yes") == 0) {
		buf_printf(&body, "\n\n%s\n\n    %s\n\n", i18n(lang, M_MAIL_ACK_CODE), text);
		buf_printf(&body, i18n(lang, M_MAIL_ACK_KEEP), url);
	} else {
		buf_printf(&body, "\n\n%s", i18n(lang, M_MAIL_ACK_NO_RECEIPT));
	}
	buf_printf(&body, "\n\n");
	buf_printf(&body, i18n(lang, M_MAIL_ACK_WRITE_AGAIN), ref);
	buf_printf(&body, "\n");
	size_t blen = 0;
	char *btext = buf_steal(&body, &blen);
	const char *from = cfg->mail_address ? cfg->mail_address : cfg->mail_from;
	json_t *doc = btext ? json_pack("{s:s,s:s,s:s,s:s}", "to", a->to, "from", from, "subject",
					subject, "body", btext)
			    : NULL;
	char *plain = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	bool ok = plain && content_encrypt(key, plain, strlen(plain), &sealed->data, &sealed->len);
	if (plain) {
		memset(plain, 0, strlen(plain));
		free(plain);
	}
	json_decref(doc);
	if (btext) {
		memset(btext, 0, blen);
		free(btext);
	}
	memset(text, 0, sizeof(text));
	memset(ref, 0, sizeof(ref));
	memset(subject, 0, sizeof(subject));
	return ok;
}

void mailack_queue(struct mailack *a, const struct config *cfg,
		   const struct content_key *outbox_key, struct db *db,
		   const struct appeal_result *r)
{
	if (!a || !outbox_key || strcmp(cfg->mail_acknowledge, "yes") != 0)
		return;
	struct blob sealed = {0};
	if (!seal_message(a, cfg, a->key ? a->key : outbox_key, r, &sealed)) {
		log_error("lmtp %lu: sealing the acknowledgment failed", a->conn_id);
		return;
	}
	char case_id[32];
	snprintf(case_id, sizeof(case_id), "%lld", r->case_id);
	struct db_job *dbj = db_job_new(ack_queued, (void *)(uintptr_t)a->conn_id);
	if (!dbj)
		abort();
	const char *v[3] = {case_id, (const char *)sealed.data, a->key ? a->key_id : NULL};
	int len[3] = {0, (int)sealed.len, 0};
	int fm[3] = {0, 1, 0};
	db_job_add(dbj, sql_ack, 3, v, len, fm);
	/* kept from now on: the row may commit; the mailer erases it after
	 * delivery (a failed insert leaves a key to nothing) */
	a->key_queued = true;
	blob_free(&sealed);
	db_submit(db, dbj);
}
