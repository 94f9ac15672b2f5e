/* The one call every channel ends in: register an appeal in the journal and
 * open its case. Appeals arriving while a registration transaction is in
 * flight wait and are registered together in the next one (numbers and
 * chain links in order): the journal head is one lock, so one commit per
 * report would cap intake at one commit latency per report. */
#ifndef HOTLINE_INTAKE_APPEAL_H
#define HOTLINE_INTAKE_APPEAL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/attr.h"
#include "base/db.h"
#include "crypto/keys.h"
#include "crypto/receipt.h"

struct blob {
	unsigned char *data; /* malloc'd */
	size_t len;
};

struct appeal_file {
	struct blob meta;  /* encrypted name and type */
	struct blob data;  /* encrypted stream */
	const char *clean; /* static: "cleaned", "kept" or NULL (intake/clean.h) */
};

/* Everything already sealed or encrypted: nothing here is in clear but the
 * routing facts (channel, category, director involved, language). */
struct appeal {
	const char *channel;	       /* "web", "email", "phone", ... (static) */
	const char *category;	       /* static string from the known set */
	const char *director_involved; /* "yes", "no", "unknown" */
	const char *language;	       /* "kk", "ru", "en" */
	unsigned char receipt_hash[RECEIPT_HASH_BYTES];
	struct blob content_key_sealed;
	struct blob content;
	struct blob identity_sealed; /* data NULL when anonymous */
	/* The reporter's public key (crypto/seal.h reporter_key_derive), so
	 * staff can seal replies to it; not stored when has_reporter_key is
	 * false. */
	unsigned char reporter_key[KEYS_PUBLIC_BYTES];
	bool has_reporter_key;
	struct appeal_file *files;
	unsigned nfiles;
	/* A mailed appeal (docs/mail-intake.md, "Follow-ups"): keyed hashes
	 * of the address it came from and of the reply token its
	 * acknowledgment carries, so a later mail can prove it belongs. */
	bool has_mail_proof;
	unsigned char mail_sender_hash[RECEIPT_HASH_BYTES];
	unsigned char reply_token_hash[RECEIPT_HASH_BYTES];
	/* A mail that quoted this existing case's number without proving it
	 * belongs: recorded on the new case for the compliance manager ("" if
	 * none). */
	char claims_reg_no[16];
	/* The case's own key pair (docs/keys.md, "Per-case keys and seals"):
	 * content_key_sealed is sealed to case_public_key; recovery_sealed is
	 * the case secret key sealed to the recovery key (data NULL when none
	 * is configured). case_sk is held until the registration is composed,
	 * then sealed to the compliance managers the database names
	 * (appeal_seal_readers) and freed. */
	unsigned char case_public_key[KEYS_PUBLIC_BYTES];
	struct secret_key *case_sk;
	struct blob recovery_sealed;
	bool readers_sealed;
	char *reader_ids;	  /* "{1,2}": the accounts of reader_seals */
	struct blob reader_seals; /* their 80-byte boxes, one after the other */
};

/* An account a new case's secret key is sealed to (hotline.case_readers). */
struct case_reader {
	long long id;
	struct public_key pk;
};

/* Seals a->case_sk to each reader and frees it; true once done (also when
 * it was done before: a retried appeal keeps its seals). */
bool appeal_seal_readers(struct appeal *a, const struct case_reader *readers,
			 unsigned n) MUST_CHECK;

struct appeal_result {
	bool ok;
	/* On failure: it may have been registered after all. The connection
	 * was lost while its COMMIT was on the way, and the database was not
	 * back in time to tell. */
	bool unknown;
	const char *sqlstate; /* on failure */
	char state[6];	      /* where appeal_register_sync() keeps sqlstate */
	long long case_id;
	char reg_no[32];
	char registered_at[32]; /* Asia/Almaty, "YYYY-MM-DD HH:MM" */
};

typedef void (*appeal_done_fn)(void *arg, const struct appeal_result *result);

struct appeal_queue;

struct appeal_queue *appeal_queue_new(struct event_base *base, struct db *db,
				      unsigned max_batch) MUST_CHECK;
void appeal_queue_set_max_batch(struct appeal_queue *q, unsigned max_batch);
void appeal_queue_free(struct appeal_queue *q);

/* Takes ownership of a (malloc'd, with its blobs). done() runs on the loop
 * once the transaction committed (ok) or failed, and always within about
 * timeout seconds: an appeal still waiting then is not sent, and the
 * transaction carrying it is cancelled by the server when its time is up.
 * If the connection is lost before the COMMIT is answered, the appeal is
 * looked up by its receipt hash once the database is back and the session
 * that ran it has ended: found, it is ok; if that cannot be known in time,
 * the result is unknown. */
void appeal_register(struct appeal_queue *q, struct appeal *a, unsigned timeout,
		     appeal_done_fn done, void *arg);

/* The same registration for a worker thread that holds a blocking
 * connection of its own (the staff pages: intake/sealing.h, staff/staff.h).
 * db must be idle; the appeal is registered in one transaction by the SQL
 * appeal_register() uses, statement_timeout set to timeout seconds. in_tx,
 * when not NULL, runs inside that transaction after the appeal's rows, with
 * the case id and number in r (r->ok still false): the caller's own rows go
 * there (who logged it, the audit log), and its false rolls everything
 * back. out->ok only once the COMMIT succeeded. If the connection is lost
 * while the COMMIT is on its way, db is reset and the appeal looked up by
 * its receipt hash once the session that ran it has ended: found, it is ok;
 * not found, it failed; not known within timeout seconds of the start,
 * out->unknown. a stays the caller's. */
typedef bool (*appeal_in_tx_fn)(PGconn *db, const struct appeal_result *r, void *arg);
void appeal_register_sync(PGconn *db, struct appeal *a, unsigned timeout, appeal_in_tx_fn in_tx,
			  void *arg, struct appeal_result *out);

/* Registrations waiting or in flight. */
unsigned appeal_pending(const struct appeal_queue *q);

void appeal_free(struct appeal *a);
void blob_free(struct blob *b);

#endif
