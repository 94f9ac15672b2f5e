/* What the compliance manager's and the director's pages share: loading a
 * case with the need-to-know rule applied, its content key, the words for
 * states, categories and channels, and working days left. Blocking: runs in
 * a staff worker on c->db (staff/staff.h). */
#ifndef HOTLINE_STAFF_CASEFILE_H
#define HOTLINE_STAFF_CASEFILE_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

#include "base/attr.h"
#include "staff/staff.h"
#include "workflow/states.h"

struct calendar;
struct content_key;

/* A case as the staff pages see it before content is opened. */
struct casefile {
	char id[24];
	char reg_no[16];
	char registered_at[20]; /* Asia/Almaty "YYYY-MM-DD HH:MM" */
	char channel[16];
	char category[32];
	char language[4];
	enum case_state state;
	bool anonymous;
	bool director_named;
	char director_involved[8]; /* the reporter's own answer: yes, no, unknown */
	bool has_reporter_key;	   /* a reply can be sealed to the reporter */
	bool overdue;
	/* the alternate recipient sees it only because its triage or the
	 * director's notice was escalated to them: they read it, but the
	 * director's steps stay the director's (a locked load refuses it) */
	bool view_only;
	char triage_unit[128];
	char decision[32];
	char decision_doc[128];
	char forwarded_to[128];
};

/* Need to know (issues 4 and 14): the compliance manager sees every case;
 * the director only a case that was triaged (state past "registered": until
 * then nobody has decided whether it concerns the director, and most
 * appeals answer "don't know") and does not name the director; the
 * alternate recipient the cases that name the director, and those whose
 * triage or director's notice was escalated to them as overdue (the
 * escalation asks them to act, so its link must open). A person holding
 * the director's role is kept from a director-named or untriaged case
 * whatever other role they hold. */
bool casefile_visible(unsigned roles, bool director_named, bool triaged,
		      bool escalated_to_alternate);
/* The same rule for a list's SQL: "all" (every case), "triaged_not_named"
 * (the triaged cases that do not name the director: SQL
 * casefile_visibility_sql), "named" (only those that do) or "none". */
const char *casefile_visibility(unsigned roles);
/* The rule as a SQL condition on hotline.cases c whose parameter $N (N =
 * param) is casefile_visibility()'s mode, for a list's WHERE clause. */
#define CASEFILE_VISIBILITY_SQL(param)                                                             \
	"(" param " = 'all' OR (" param " = 'named' AND c.director_named) OR (" param              \
	" = 'triaged_not_named' AND NOT c.director_named AND c.state <> 'registered'))"

/* Loads the case by registration number (FOR UPDATE when lock) and applies
 * casefile_visible(): false when there is none or the user may not see it
 * (the caller answers 404 either way, so the two cannot be told apart), or
 * on a database error (*db_error set). */
bool casefile_load(struct staff_ctx *c, const char *reg_no, bool lock, struct casefile *k,
		   bool *db_error) MUST_CHECK;

/* Answers a casefile_load() that failed: rolls back, then 500 on a
 * database error, else 404. */
void casefile_load_refused(struct staff_ctx *c, bool db_error);

/* Opens the transaction and loads the case (casefile_load()); answers the
 * request itself and returns false when it cannot go on. */
bool casefile_open(struct staff_ctx *c, const char *reg_no, bool lock,
		   struct casefile *k) MUST_CHECK;

/* The case's content key, opened with the case's secret key from this
 * person's own seal (staff/seals.h); NULL when they hold no seal of the
 * case or it does not open. */
struct content_key *casefile_content_key(struct staff_ctx *c, const struct casefile *k);

/* The view of a case marks the reporter's messages read (per case: a
 * high-water mark of message ids, migrations/0012): *before gets the mark
 * as it was, so the page can show which messages are new. Runs in the
 * caller's transaction, after the view was audited (case.view). */
bool casefile_mark_read(struct staff_ctx *c, const char *case_id, long long *before) MUST_CHECK;

/* Runs SQL with text parameters; NULL (logged, no content) on an error. */
PGresult *casefile_query(struct staff_ctx *c, const char *sql_text, int n,
			 const char *const *values);
/* With lengths and formats, for bytea parameters. */
PGresult *casefile_query_bin(struct staff_ctx *c, const char *sql_text, int n,
			     const char *const *values, const int *lengths, const int *formats);
bool casefile_begin(struct staff_ctx *c) MUST_CHECK;
bool casefile_commit(struct staff_ctx *c) MUST_CHECK;
void casefile_rollback(struct staff_ctx *c);

/* A bytea column, PQunescapeBytea'd (PQfreemem it), NULL when NULL. */
unsigned char *casefile_bytea(const PGresult *res, int row, int col, size_t *len);
/* A content key sealed to the case's public key, from a bytea column, opened
 * with the key of the case this request loaded (casefile_load() or
 * staff_case_key_for()); NULL when the person holds no seal of it, the
 * column is NULL or the key does not open. */
struct content_key *casefile_sealed_key(struct staff_ctx *c, const PGresult *res, int row, int col);
/* The report's own text (every text field of its content) and the
 * reporter's messages, one after the other, for the checks that nobody
 * named in them investigates the case or handles it (002 L47, 004 L105);
 * secret_wipe and free it. NULL when the session cannot open the case. */
char *casefile_report_text(struct staff_ctx *c, const struct casefile *k);
/* A bytea column opened with key into *plain (secret_wipe and free it);
 * false when there is no key, the column is NULL or it does not open. */
bool casefile_decrypt(const struct content_key *key, const PGresult *res, int row, int col,
		      unsigned char **plain, size_t *plen) MUST_CHECK;
/* A bytea column opened with key, as a malloc'd NUL-terminated copy cut
 * at a NUL byte (the page shows no more of it); freetext_free() it, which
 * wipes it. NULL when there is no key, the column is NULL or it does not
 * open. */
char *casefile_open_text(const struct content_key *key, const PGresult *res, int row,
			 int col) MUST_CHECK;

/* Answers with the file of res's first row: its name and type (column
 * "meta", a blob) and its bytes ("data", a stream), both under key, as a
 * download under its name made safe; the clear bytes are wiped once copied
 * into the answer. Then ends the transaction begun with casefile_begin():
 * COMMIT after a file sent (with the audit row the caller wrote), ROLLBACK
 * after the error page of a file that does not open (403 without a key,
 * 500 when the key does not open it). Frees res and key. */
void casefile_send_file(struct staff_ctx *c, struct content_key *key, PGresult *res);

/* Today in Asia/Almaty, the daemon's clock (with the tests' clock offset). */
void casefile_today(struct staff_ctx *c, char out[11]);
/* Working days from today to due: 0 due today, negative when late. */
int casefile_days_left(const struct calendar *cal, const char *today, const char *due);

/* The staff's words for them. */
enum msg casefile_state_text(const char *state);
enum msg casefile_category_text(const char *category);
enum msg casefile_channel_text(const char *channel);
enum msg casefile_deadline_text(const char *kind);
/* An investigation's state, the director's decision on a case, and
 * management's decision on the commission's conclusion, in words; a name
 * they do not know reads "under consideration" (M_STATE_OTHER), never the
 * code. */
enum msg casefile_inv_state_text(const char *state);
enum msg casefile_decision_text(const char *decision);
enum msg casefile_ruling_text(const char *decision);

/* The 404 of a case that is not there or not for this user. */
void casefile_not_found(struct staff_ctx *c);
/* The 500 of a database error. */
void casefile_db_error(struct staff_ctx *c);

#endif
