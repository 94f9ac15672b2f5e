#include "intake/status.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clientaddr.h"
#include "base/db.h"
#include "base/html.h"
#include "base/log.h"
#include "base/schema.h"
#include "crypto/seal.h"
#include "intake/request.h"
#include "intake/sealing.h"
#include "intake/spool.h"
#include "intake/uploads.h"
#include "intake/statustext.h"
#include "workflow/notice.h"
#include "workflow/procedure.h"
#include "workflow/states.h"

static const char sql_case[] =
    "SELECT c.id, j.reg_no, to_char(j.registered_at AT TIME ZONE " SQL_ZONE ", "
    "'YYYY-MM-DD HH24:MI') AS registered_at, c.state, c.category, "
    "coalesce(to_char(hotline.director_informed_at(c) AT TIME ZONE " SQL_ZONE ", "
    "'YYYY-MM-DD'), '') AS director_informed, "
    "c.reporter_public_key IS NULL AS no_reporter_key, "
    /* what the texts of intake/statustext.h are chosen by */
    "c.anonymous, c.director_named, coalesce(c.decision, '') AS decision, "
    "c.forwarded_at IS NOT NULL AS materials_sent, "
    "(c.referred_unit_sealed IS NOT NULL OR coalesce(c.referred_unit, '') <> '') "
    "AS unit_recorded, "
    /* the unit, sealed to the reporter since migration 0037; one recorded
     * before migration 0022 is clear text */
    "coalesce(c.referred_unit, '') AS unit_clear, c.referred_unit_reporter, "
    "coalesce(i.state, '') AS inv_state, coalesce(i.decision, '') AS inv_decision, "
    "coalesce(hotline.setting('consider_anonymous_reports'), '') AS anon_policy "
    "FROM hotline.cases c JOIN hotline.journal j ON j.id = c.journal_id "
    "LEFT JOIN hotline.investigations i ON i.case_id = c.id "
    "WHERE c.receipt_hash = $1";
static const char sql_messages[] =
    "SELECT m.author, to_char(m.created_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD HH24:MI') "
    "AS created_at, m.body_reporter, "
    "(SELECT count(*) FROM hotline.attachments a WHERE a.message_id = m.id) AS files, "
    "m.is_reply "
    "FROM hotline.messages m JOIN hotline.cases c ON c.id = m.case_id "
    "WHERE c.receipt_hash = $1 ORDER BY m.id";
static const char sql_deadlines[] =
    "SELECT d.kind, to_char(d.due_date, 'YYYY-MM-DD') AS due_date "
    "FROM hotline.deadlines d JOIN hotline.cases c ON c.id = d.case_id "
    "WHERE c.receipt_hash = $1 AND d.met_at IS NULL ORDER BY d.due_date";
/* Requests to reveal the reporter's identity, from their approval on
 * (docs/reveal.md). */
static const char sql_reveals[] =
    "SELECT r.requester_role, r.state, "
    "to_char(r.decided_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD') AS decided_on, "
    "coalesce(to_char(r.revealed_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD'), '') AS revealed_on "
    "FROM hotline.identity_reveals r JOIN hotline.cases c ON c.id = r.case_id "
    "WHERE c.receipt_hash = $1 AND r.state IN ('approved', 'revealed') ORDER BY r.id";
static const char sql_begin[] = "BEGIN";
static const char sql_commit[] = "COMMIT";
/* Before a follow-up is saved: its case, whether its consideration has
 * finished, and what the notice to staff needs. */
static const char sql_message_case[] =
    "SELECT c.id, j.reg_no, "
    "hotline.case_ended(c.state) AS finished, "
    "coalesce(hotline.setting('console_url'), '') AS console_url, "
    "coalesce(hotline.setting('organisation'), '') AS organisation, "
    "c.case_public_key "
    "FROM hotline.cases c JOIN hotline.journal j ON j.id = c.journal_id "
    "WHERE c.receipt_hash = $1";
/* Who is told of a reporter's new message: the compliance manager (who
 * reads every case, a closed one included), and the commission members
 * sitting on the case while its investigation runs, each at the address
 * of their staff account (004 L139: the commission considers what arrives
 * during the investigation). */
static const char sql_message_recipients[] =
    "SELECT s.value FROM hotline.setting('compliance_email') AS s (value) WHERE s.value <> '' "
    "UNION SELECT u.email FROM hotline.cases c "
    "JOIN hotline.investigations i ON i.case_id = c.id "
    "JOIN hotline.commission_members m ON m.investigation_id = i.id "
    "JOIN hotline.staff_users u ON u.id = m.staff_user_id "
    "WHERE c.receipt_hash = $1 AND c.state = 'investigation' AND i.state <> 'closed' "
    "AND u.email IS NOT NULL AND NOT u.disabled";
static const char sql_message_add[] =
    "INSERT INTO hotline.messages (case_id, author, key_sealed, body_case, body_reporter) "
    "VALUES ($1::bigint, 'reporter', $2, $3, $4) RETURNING id";
static const char sql_message_file[] =
    "INSERT INTO hotline.attachments (case_id, message_id, meta, data, clean_state) "
    "VALUES ($1::bigint, currval(pg_get_serial_sequence('hotline.messages', 'id')), $2, $3, $4)";
static const char sql_message_newest[] =
    "UPDATE hotline.cases SET last_reporter_message = "
    "currval(pg_get_serial_sequence('hotline.messages', 'id')) WHERE id = $1::bigint";
static const char sql_message_event[] = "SELECT hotline.case_event($1::bigint, 'reporter_message')";
static const char sql_message_notice[] =
    "SELECT hotline.outbox_queue('reporter_message', ARRAY[$1::text], $2, $3, $4::bigint)";

/* --- pages --- */

/* The start of every /status page: its title, and the notice when this
 * lookup was slowed down. */
static void page_head(struct buf *b, const struct request *req)
{
	enum lang lang = req->lang;
	html_begin(b, lang, i18n(lang, M_STATUS_TITLE), "/status");
	html_markup(b, "<h1>");
	html_escape_str(b, i18n(lang, M_STATUS_TITLE));
	html_markup(b, "</h1>\n");
	if (req->slowed) {
		html_markup(b, "<p class=\"notice\" id=\"slowed\">");
		html_escape_str(b, i18n(lang, M_STATUS_SLOW));
		html_markup(b, "</p>\n");
	}
}

static void form_page(struct request *req, unsigned status, const char *error_id, const char *error)
{
	enum lang lang = req->lang;
	struct buf b;
	buf_init(&b);
	page_head(&b, req);
	html_f(&b,
	       "<form id=\"status\" method=\"post\" action=\"/status\" accept-charset=\"utf-8\">\n"
	       "<input type=\"hidden\" name=\"lang\" value=\"%s\">\n<p>",
	       i18n_code(lang));
	html_escape_str(&b, i18n(lang, M_STATUS_ENTER));
	html_markup(&b, "</p>\n<label for=\"receipt\">");
	html_escape_str(&b, i18n(lang, M_STATUS_RECEIPT));
	html_markup(&b, "</label>\n");
	if (error) {
		html_f(&b, "<p class=\"error\" id=\"%s\" role=\"alert\">", error_id);
		html_escape_str(&b, error);
		html_markup(&b, "</p>\n");
	}
	/* What was typed stays in the field (28 digits are not typed twice),
	 * and a wrong receipt's error is the field's own. */
	html_markup(&b, "<input type=\"text\" id=\"receipt\" name=\"receipt\" "
			"inputmode=\"numeric\" autocomplete=\"off\" spellcheck=\"false\" required");
	if (error && strcmp(error_id, "error-receipt") == 0)
		html_markup(&b, " aria-invalid=\"true\" aria-describedby=\"error-receipt\"");
	html_markup(&b, " value=\"");
	if (req->has_form)
		html_escape(&b, form_get(&req->form, FIELD_RECEIPT),
			    form_len(&req->form, FIELD_RECEIPT));
	html_markup(&b, "\">\n<p><button type=\"submit\">");
	html_escape_str(&b, i18n(lang, M_STATUS_SHOW));
	html_markup(&b, "</button></p>\n</form>\n");
	html_end(&b, lang);
	request_reply_page(req, status, &b);
}

void status_page_form(struct request *req, unsigned status, const char *error)
{
	form_page(req, status, "error-receipt", error);
}

/* 429: this client has a lookup in progress already (intake/ratelimit.h). */
static void page_busy(struct request *req, unsigned seconds)
{
	char text[512], after[16];
	snprintf(text, sizeof(text), i18n(req->lang, M_STATUS_BUSY), seconds);
	form_page(req, MHD_HTTP_TOO_MANY_REQUESTS, "error-busy", text);
	snprintf(after, sizeof(after), "%u", seconds);
	MHD_add_response_header(req->response, MHD_HTTP_HEADER_RETRY_AFTER, after);
}

/* The states in which the consideration has finished (workflow/states.h,
 * the list of the SQL function hotline.case_ended): a message is still
 * taken, and the compliance manager reads it (docs/http.md). */
static bool state_finished(const char *state)
{
	enum case_state s;
	return case_state_parse(state, &s) && case_state_ended(s);
}

/* --- replies from staff (docs/keys.md "The reporter's key pair") --- */

/* A staff reply's body_reporter, and the unit a case went to, are sealed to the reporter's public
 * key; the receipt derives the secret half. */
static bool reporter_box_open(const struct secret_key *rsk, const unsigned char *ct, size_t len,
			      unsigned char **plain, size_t *plainlen)
{
	unsigned char *opened = NULL;
	size_t n = 0;
	if (!rsk || !seal_open(rsk, ct, len, &opened, &n))
		return false;
	*plain = malloc(n ? n : 1);
	if (*plain)
		memcpy(*plain, opened, n);
	*plainlen = n;
	seal_plain_free(opened, n);
	return *plain != NULL;
}

static void reporter_key_stored(struct db_job *job, void *arg)
{
	(void)arg;
	if (!db_job_ok(job))
		log_warning("storing a reporter key failed (SQLSTATE %s)", db_job_sqlstate(job));
}

/* A case registered without the reporter's public key (by a channel that
 * did not derive it) gets it at the reporter's lookup, so staff can reply
 * from then on. Nobody waits for it. */
static void reporter_key_remember(struct request *req)
{
	static const char sql_key[] = "UPDATE hotline.cases SET reporter_public_key = $2 "
				      "WHERE receipt_hash = $1 AND reporter_public_key IS NULL";
	unsigned char pk[KEYS_PUBLIC_BYTES], hash[RECEIPT_HASH_BYTES];
	if (!sealing_reporter_key(req->receipt, pk))
		return;
	receipt_hash(req->web->keys.pepper, req->receipt, hash);
	const char *v[2] = {(const char *)hash, (const char *)pk};
	int l[2] = {RECEIPT_HASH_BYTES, KEYS_PUBLIC_BYTES};
	int f[2] = {1, 1};
	struct db_job *job = db_job_new(reporter_key_stored, NULL);
	db_job_add(job, sql_key, 2, v, l, f);
	db_submit(req->web->db, job);
}

/* A moment as the reporter's language writes it, with its zone: the
 * machine-readable value stays in the datetime attribute. */
static void put_moment(struct buf *b, enum lang lang, const char *iso)
{
	char text[64];
	html_date(text, sizeof(text), lang, iso);
	html_markup(b, "<time datetime=\"");
	html_escape_str(b, iso);
	html_markup(b, "\">");
	html_escape_str(b, text);
	html_markup(b, "</time> (");
	html_escape_str(b, i18n(lang, M_STATUS_ZONE));
	html_markup(b, ")");
}

/* The columns of sql_messages, looked up once per result. */
struct message_cols {
	int author, created_at, body_reporter, files, is_reply;
};

static struct message_cols message_cols(const PGresult *res)
{
	return (struct message_cols){
	    .author = db_col(res, "author"),
	    .created_at = db_col(res, "created_at"),
	    .body_reporter = db_col(res, "body_reporter"),
	    .files = db_col(res, "files"),
	    .is_reply = db_col(res, "is_reply"),
	};
}

static void put_message(struct buf *b, enum lang lang, const struct content_key *key,
			const struct secret_key *rsk, const PGresult *res,
			const struct message_cols *col, int row)
{
	bool staff = strcmp(PQgetvalue(res, row, col->author), "staff") == 0;
	bool answer = strcmp(PQgetvalue(res, row, col->is_reply), "t") == 0;
	html_f(b, "<article class=\"message %s%s\"><h3>", staff ? "from-staff" : "from-reporter",
	       answer ? " reply" : "");
	html_escape_str(b, i18n(lang, answer  ? M_STATUS_REPLY
				      : staff ? M_STATUS_FROM_STAFF
					      : M_STATUS_FROM_YOU));
	html_markup(b, " · ");
	put_moment(b, lang, PQgetvalue(res, row, col->created_at));
	html_markup(b, "</h3>\n<p>");
	size_t len = 0;
	unsigned char *ct = db_bytea(res, row, col->body_reporter, &len);
	unsigned char *plain = NULL;
	size_t plainlen = 0;
	bool opened = ct && (staff ? reporter_box_open(rsk, ct, len, &plain, &plainlen)
				   : key && content_decrypt(key, ct, len, &plain, &plainlen));
	if (opened) {
		html_escape(b, (const char *)plain, plainlen);
		memset(plain, 0, plainlen);
		free(plain);
	}
	if (ct)
		PQfreemem(ct);
	html_markup(b, "</p>\n");
	unsigned files = (unsigned)strtoul(PQgetvalue(res, row, col->files), NULL, 10);
	if (files) {
		char text[128];
		snprintf(text, sizeof(text), i18n(lang, M_STATUS_FILES_ATTACHED), files);
		html_markup(b, "<p class=\"hint\">");
		html_escape_str(b, text);
		html_markup(b, "</p>\n");
	}
	html_markup(b, "</article>\n");
}

/* The reporter learns that their identity will be, or was, revealed, and
 * to which role, from the moment a second person approved the request. */
static void put_identity_notice(struct buf *b, enum lang lang, const PGresult *reveals)
{
	int n = reveals ? PQntuples(reveals) : 0;
	if (n == 0)
		return;
	html_markup(b, "<section id=\"identity-notice\" class=\"notice\"><h2>");
	html_escape_str(b, i18n(lang, M_STATUS_IDENTITY));
	html_markup(b, "</h2>\n");
	int role = db_col(reveals, "requester_role"), state = db_col(reveals, "state");
	int decided_on = db_col(reveals, "decided_on"),
	    revealed_on = db_col(reveals, "revealed_on");
	for (int i = 0; i < n; i++) {
		bool commission = strcmp(PQgetvalue(reveals, i, role), "commission") == 0;
		bool revealed = strcmp(PQgetvalue(reveals, i, state), "revealed") == 0;
		enum msg text = revealed ? (commission ? M_STATUS_REVEALED_COMMISSION
						       : M_STATUS_REVEALED_COMPLIANCE)
					 : (commission ? M_STATUS_REVEAL_APPROVED_COMMISSION
						       : M_STATUS_REVEAL_APPROVED_COMPLIANCE);
		char line[512];
		snprintf(line, sizeof(line), i18n(lang, text),
			 PQgetvalue(reveals, i, revealed ? revealed_on : decided_on));
		html_f(b, "<p class=\"reveal %s\">", revealed ? "revealed" : "approved");
		html_escape_str(b, line);
		html_markup(b, "</p>\n");
	}
	html_markup(b, "</section>\n");
}

/* One line of the deadlines' list; fmt holds one %s, the date. */
static void put_date_line(struct buf *b, enum lang lang, const char *id, enum msg fmt,
			  const char *iso)
{
	char date[32], line[512];
	html_date(date, sizeof(date), lang, iso);
	snprintf(line, sizeof(line), i18n(lang, fmt), date);
	html_f(b, "<li id=\"%s\">", id);
	html_escape_str(b, line);
	html_markup(b, "</li>\n");
}

static bool col_true(const PGresult *res, const char *name)
{
	return strcmp(PQgetvalue(res, 0, db_col(res, name)), "t") == 0;
}

/* The facts the texts are chosen by (intake/statustext.h); the strings
 * point into kase. */
static struct status_facts case_facts(const PGresult *kase)
{
	struct status_facts f = {0};
	const char *state = PQgetvalue(kase, 0, db_col(kase, "state"));
	f.state_known = case_state_parse(state, &f.state);
	f.anonymous = col_true(kase, "anonymous");
	f.director_named = col_true(kase, "director_named");
	f.considers_anonymous =
	    procedure_considers_anonymous(PQgetvalue(kase, 0, db_col(kase, "anon_policy")));
	f.self_report = statustext_self_report(PQgetvalue(kase, 0, db_col(kase, "category")));
	f.materials_sent = col_true(kase, "materials_sent");
	f.unit_recorded = col_true(kase, "unit_recorded");
	f.decision = PQgetvalue(kase, 0, db_col(kase, "decision"));
	f.has_investigation =
	    investigation_state_parse(PQgetvalue(kase, 0, db_col(kase, "inv_state")), &f.inv);
	f.inv_decision = PQgetvalue(kase, 0, db_col(kase, "inv_decision"));
	return f;
}

/* The name of the unit the case was sent to, for the reporter: sealed to
 * their key (migrations/0037), or clear for a case triaged before
 * migration 0022; "" when neither. */
static void unit_name(const struct request *req, const PGresult *kase, char *out, size_t len)
{
	out[0] = '\0';
	int sealed = db_col(kase, "referred_unit_reporter");
	if (!PQgetisnull(kase, 0, sealed)) {
		size_t ctlen = 0;
		unsigned char *ct = db_bytea(kase, 0, sealed, &ctlen);
		struct secret_key *rsk = reporter_key_derive(req->receipt, RECEIPT_DIGITS);
		unsigned char *plain = NULL;
		size_t n = 0;
		if (ct && reporter_box_open(rsk, ct, ctlen, &plain, &n)) {
			snprintf(out, len, "%.*s", (int)n, (const char *)plain);
			memset(plain, 0, n);
			free(plain);
		}
		secret_key_free(rsk);
		if (ct)
			PQfreemem(ct);
	}
	if (!out[0])
		snprintf(out, len, "%s", PQgetvalue(kase, 0, db_col(kase, "unit_clear")));
}

/* What the state means for the reporter: who has the report, what
 * follows, what an outcome means, what they can still do; and, after
 * where it went, the unit's name when the reporter can read it. */
static void put_case_texts(struct buf *b, const struct request *req, const PGresult *kase,
			   const struct status_facts *f)
{
	enum lang lang = req->lang;
	struct status_line lines[STATUSTEXT_MAX];
	size_t n = statustext_lines(f, lines, STATUSTEXT_MAX);
	char unit[256];
	unit_name(req, kase, unit, sizeof(unit));
	const char *after = f->state == CASE_REFERRED	      ? "outcome"
			    : f->state == CASE_NOT_CONSIDERED ? "unit"
							      : NULL;
	for (size_t i = 0; i < n; i++) {
		html_f(b, "<p id=\"%s\" class=\"case-text\">", lines[i].id);
		html_escape_str(b, i18n(lang, lines[i].text));
		html_markup(b, "</p>\n");
		if (after && strcmp(lines[i].id, after) == 0 && unit[0]) {
			char line[512];
			snprintf(line, sizeof(line), i18n(lang, M_STATUS_TEXT_UNIT), unit);
			html_markup(b, "<p id=\"unit-name\" class=\"case-text\">");
			html_escape_str(b, line);
			html_markup(b, "</p>\n");
		}
	}
}

static void page_status(struct request *req, unsigned status, const PGresult *kase,
			const PGresult *messages, const PGresult *deadlines,
			const PGresult *reveals, const char *error)
{
	enum lang lang = req->lang;
	struct buf b;
	buf_init(&b);
	page_head(&b, req);
	const char *state = PQgetvalue(kase, 0, db_col(kase, "state"));
	struct status_facts facts = case_facts(kase);
	html_markup(&b, "<dl>\n<dt>");
	html_escape_str(&b, i18n(lang, M_RECEIPT_REGNO));
	html_markup(&b, "</dt>\n<dd><strong id=\"reg-no\">");
	html_escape_str(&b, PQgetvalue(kase, 0, db_col(kase, "reg_no")));
	html_markup(&b, "</strong></dd>\n<dt>");
	html_escape_str(&b, i18n(lang, M_STATUS_REGISTERED_AT));
	html_markup(&b, "</dt>\n<dd id=\"registered-at\">");
	put_moment(&b, lang, PQgetvalue(kase, 0, db_col(kase, "registered_at")));
	html_markup(&b, "</dd>\n<dt>");
	html_escape_str(&b, i18n(lang, M_STATUS_STATE));
	html_markup(&b, "</dt>\n<dd id=\"state\">");
	html_escape_str(&b, i18n(lang, statustext_headline(&facts)));
	html_markup(&b, "</dd>\n</dl>\n");
	put_identity_notice(&b, lang, reveals);

	html_markup(&b, "<section id=\"deadlines\"><h2>");
	html_escape_str(&b, i18n(lang, M_STATUS_DEADLINES));
	html_markup(&b, "</h2>\n");
	put_case_texts(&b, req, kase, &facts);
	html_markup(&b, "<ul id=\"dates\">\n");
	bool any = false;
	/* "the director was informed": hotline.director_informed_at(), the
	 * one definition the deadline, the board and the figures use too */
	const char *informed = PQgetvalue(kase, 0, db_col(kase, "director_informed"));
	if (*informed) {
		put_date_line(&b, lang, "director-informed",
			      facts.director_named ? M_STATUS_INFORMED_ALTERNATE
						   : M_STATUS_INFORMED_DIRECTOR,
			      informed);
		any = true;
	}
	int kind = deadlines ? db_col(deadlines, "kind") : 0;
	int due = deadlines ? db_col(deadlines, "due_date") : 0;
	for (int i = 0; deadlines && i < PQntuples(deadlines); i++) {
		enum msg text;
		const char *k = PQgetvalue(deadlines, i, kind);
		if (!statustext_deadline(k, facts.director_named, &text))
			continue;
		char id[48];
		/* the kind's own name, with hyphens: no internal names on the
		 * page, ids included */
		snprintf(id, sizeof(id), "due-%s", k);
		for (char *c = id; *c; c++)
			*c = *c == '_' ? '-' : *c;
		put_date_line(&b, lang, id, text, PQgetvalue(deadlines, i, due));
		any = true;
	}
	html_markup(&b, "</ul>\n");
	if (!any) {
		/* one line that agrees with the state: "waiting for its first
		 * review" only while it is, "finished" only once it is */
		enum msg none = state_finished(state)		   ? M_STATUS_NONE_FINISHED
				: strcmp(state, "registered") == 0 ? M_STATUS_NONE_WAITING
								   : M_STATUS_NONE_RUNNING;
		html_markup(&b, "<p id=\"no-deadlines\">");
		html_escape_str(&b, i18n(lang, none));
		html_markup(&b, "</p>\n");
	}
	html_markup(&b, "</section>\n<section id=\"messages\"><h2>");
	html_escape_str(&b, i18n(lang, M_STATUS_MESSAGES));
	html_markup(&b, "</h2>\n");
	int n = messages ? PQntuples(messages) : 0;
	if (n == 0) {
		html_markup(&b, "<p>");
		html_escape_str(&b, i18n(lang, M_STATUS_NO_MESSAGES));
		html_markup(&b, "</p>\n");
	} else {
		struct content_key *key =
		    content_key_derive(req->receipt, RECEIPT_DIGITS, "reporter");
		struct secret_key *rsk = reporter_key_derive(req->receipt, RECEIPT_DIGITS);
		struct message_cols col = message_cols(messages);
		for (int i = 0; i < n; i++)
			put_message(&b, lang, key, rsk, messages, &col, i);
		content_key_free(key);
		secret_key_free(rsk);
	}
	html_markup(&b, "</section>\n<h2>");
	html_escape_str(&b, i18n(lang, M_STATUS_FOLLOWUP));
	html_markup(&b, "</h2>\n");
	if (state_finished(state)) {
		html_markup(&b, "<p class=\"notice\" id=\"closed-reader\">");
		html_escape_str(&b, i18n(lang, M_STATUS_CLOSED_READER));
		html_markup(&b, "</p>\n");
	}
	html_f(&b,
	       "<form id=\"followup\" method=\"post\" action=\"/status/message\" "
	       "enctype=\"multipart/form-data\" accept-charset=\"utf-8\">\n"
	       "<input type=\"hidden\" name=\"lang\" value=\"%s\">\n"
	       "<input type=\"hidden\" name=\"receipt\" value=\"%s\">\n"
	       "<label for=\"message\">",
	       i18n_code(lang), req->receipt);
	html_escape_str(&b, i18n(lang, M_STATUS_MESSAGE));
	html_markup(&b, "</label>\n");
	if (error) {
		html_markup(&b, "<p class=\"error\" id=\"error-message\" role=\"alert\">");
		html_escape_str(&b, error);
		html_markup(&b, "</p>\n");
	}
	html_markup(&b, "<textarea id=\"message\" name=\"message\" rows=\"5\">");
	if (error && req->has_form)
		html_escape(&b, form_get(&req->form, FIELD_MESSAGE),
			    form_len(&req->form, FIELD_MESSAGE));
	html_markup(&b, "</textarea>\n<label for=\"files\">");
	html_escape_str(&b, i18n(lang, M_FORM_FILES));
	html_markup(&b, "</label>\n<input type=\"file\" id=\"files\" name=\"files\" multiple>\n"
			"<p class=\"hint\" id=\"files-cleaned\">");
	/* the same cleaning as the report's files (intake/clean.h) */
	html_escape_str(&b, i18n(lang, M_FORM_FILES_CLEANED));
	html_markup(&b, "</p>\n<p><button type=\"submit\">");
	html_escape_str(&b, i18n(lang, M_STATUS_SEND));
	html_markup(&b, "</button></p>\n</form>\n");
	html_end(&b, lang);
	request_reply_page(req, status, &b);
}

/* --- lookups --- */

struct lookup {
	struct ticket *ticket;
	unsigned status;
	char error[256];
};

/* Behind a trusted proxy, the address X-Forwarded-For names
 * (base/clientaddr.h); never logged. */
static void client_addr(struct request *req, struct sockaddr_storage *ss)
{
	clientaddr_of(req->web->cfg->trusted_proxies, req->conn, ss);
}

static void client_failure(struct request *req)
{
	struct sockaddr_storage ss;
	client_addr(req, &ss);
	ratelimit_failure(req->web->limiter, (const struct sockaddr *)&ss, time(NULL));
}

static void lookup_done(struct db_job *job, void *arg)
{
	struct lookup *lk = arg;
	struct request *req = ticket_take(lk->ticket);
	if (!req)
		goto done;
	if (!db_job_ok(job)) {
		log_warning("request %lu: status lookup failed (SQLSTATE %s)", req->id,
			    db_job_sqlstate(job));
		page_not_saved(req);
	} else if (PQntuples(db_job_result(job, 0)) != 1) {
		client_failure(req);
		log_info("request %lu: unknown receipt", req->id);
		status_page_form(req, MHD_HTTP_NOT_FOUND, i18n(req->lang, M_STATUS_ERR_UNKNOWN));
	} else {
		const PGresult *kase = db_job_result(job, 0);
		if (strcmp(PQgetvalue(kase, 0, db_col(kase, "no_reporter_key")), "t") == 0)
			reporter_key_remember(req);
		page_status(req, lk->status, db_job_result(job, 0), db_job_result(job, 1),
			    db_job_result(job, 2), db_job_result(job, 3),
			    lk->error[0] ? lk->error : NULL);
	}
	request_resume(req);
done:
	free(lk);
}

static void lookup_start(struct request *req, unsigned status, const char *error)
{
	struct lookup *lk = calloc(1, sizeof(*lk));
	if (!lk)
		abort();
	lk->status = status;
	if (error)
		snprintf(lk->error, sizeof(lk->error), "%s", error);
	unsigned char hash[RECEIPT_HASH_BYTES];
	receipt_hash(req->web->keys.pepper, req->receipt, hash);
	const char *values[1] = {(const char *)hash};
	int lengths[1] = {RECEIPT_HASH_BYTES};
	int formats[1] = {1};
	struct db_job *job = db_job_new(lookup_done, lk);
	db_job_add(job, sql_case, 1, values, lengths, formats);
	db_job_add(job, sql_messages, 1, values, lengths, formats);
	db_job_add(job, sql_deadlines, 1, values, lengths, formats);
	db_job_add(job, sql_reveals, 1, values, lengths, formats);
	lk->ticket = request_wait(req, req->request_timeout);
	db_submit(req->web->db, job);
}

/* --- follow-up messages --- */

/* A follow-up is saved in two round trips: the case is looked up first
 * (its id, number and state, and who is to be told), then the message, its
 * files, the case event and the notices go in one transaction, so a saved
 * message always has its notices (docs/http.md "Follow-up messages"). The
 * answer is 303 to GET /status/sent: a refresh shows that page again and
 * posts nothing twice. The receipt goes into no URL: that page asks for it
 * again to show the conversation. */
struct message_wait {
	struct ticket *ticket;
	char case_id[24];
	char reg_no[24];
	bool finished;
	/* the key its message key is sealed to: the case's own, or for a case
	 * not yet resealed the recovery (old case-handling) key */
	struct public_key seal_to;
	bool has_seal_to;
	struct notice notice;
	int nrecipients;
	char **recipients;
	struct web *web;
	size_t budget; /* of the memory cap */
};

static void message_wait_free(struct message_wait *mw)
{
	if (!mw)
		return;
	if (mw->budget)
		budget_give(mw->web, mw->budget);
	for (int i = 0; i < mw->nrecipients; i++)
		free(mw->recipients[i]);
	free(mw->recipients);
	notice_free(&mw->notice);
	free(mw);
}

/* 303 to the "saved" page; only the language and whether the case's
 * consideration had finished go into its address. */
static void page_sent_redirect(struct request *req, bool finished)
{
	char location[64];
	snprintf(location, sizeof(location), "/status/sent?lang=%s%s", i18n_code(req->lang),
		 finished ? "&case=finished" : "");
	/* a page too, for a client that does not follow the redirect */
	struct buf b;
	buf_init(&b);
	html_begin(&b, req->lang, i18n(req->lang, M_STATUS_TITLE), "/status");
	html_markup(&b, "<p><a href=\"");
	html_escape_str(&b, location);
	html_markup(&b, "\">");
	html_escape_str(&b, i18n(req->lang, M_STATUS_SENT));
	html_markup(&b, "</a></p>\n");
	html_end(&b, req->lang);
	request_reply_page(req, MHD_HTTP_SEE_OTHER, &b);
	MHD_add_response_header(req->response, MHD_HTTP_HEADER_LOCATION, location);
}

void status_page_sent(struct request *req)
{
	enum lang lang = req->lang;
	const char *which = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "case");
	bool finished = which && strcmp(which, "finished") == 0;
	struct buf b;
	buf_init(&b);
	page_head(&b, req);
	html_markup(&b, "<p class=\"notice\" id=\"sent\" role=\"status\">");
	html_escape_str(&b, i18n(lang, M_STATUS_SENT));
	html_markup(&b, "</p>\n");
	if (finished) {
		html_markup(&b, "<p class=\"notice\" id=\"closed-reader\">");
		html_escape_str(&b, i18n(lang, M_STATUS_CLOSED_READER));
		html_markup(&b, "</p>\n");
	}
	html_f(&b,
	       "<form id=\"status\" method=\"post\" action=\"/status\" accept-charset=\"utf-8\">\n"
	       "<input type=\"hidden\" name=\"lang\" value=\"%s\">\n<p id=\"enter-again\">",
	       i18n_code(lang));
	html_escape_str(&b, i18n(lang, M_STATUS_SENT_AGAIN));
	html_markup(&b, "</p>\n<label for=\"receipt\">");
	html_escape_str(&b, i18n(lang, M_STATUS_RECEIPT));
	html_markup(&b,
		    "</label>\n<input type=\"text\" id=\"receipt\" name=\"receipt\" "
		    "inputmode=\"numeric\" autocomplete=\"off\" spellcheck=\"false\" required>\n"
		    "<p><button type=\"submit\">");
	html_escape_str(&b, i18n(lang, M_STATUS_SHOW));
	html_markup(&b, "</button></p>\n</form>\n");
	html_end(&b, lang);
	request_reply_page(req, MHD_HTTP_OK, &b);
}

static void message_saved(struct db_job *job, void *arg)
{
	struct message_wait *mw = arg;
	struct request *req = ticket_take(mw->ticket);
	bool finished = mw->finished;
	if (!req)
		goto done;
	if (!db_job_ok(job)) {
		log_warning("request %lu: saving a follow-up failed (SQLSTATE %s)", req->id,
			    db_job_sqlstate(job));
		page_not_saved(req);
	} else {
		log_info("request %lu: follow-up message saved on case %s, %d notices", req->id,
			 mw->case_id, mw->nrecipients);
		if (mw->nrecipients == 0)
			log_warning("case %s: nobody was told of the reporter's new message: the "
				    "setting compliance_email is not set",
				    mw->case_id);
		page_sent_redirect(req, finished);
	}
	request_resume(req);
done:
	message_wait_free(mw);
}

static bool encrypt_text(const struct content_key *key, const char *text, size_t len,
			 unsigned char **out, size_t *outlen)
{
	return content_encrypt(key, text, len, out, outlen);
}

static void add_text_params(struct db_job *job, const char *sql_text, int n, const char *const *v)
{
	db_job_add(job, sql_text, n, v, NULL, NULL);
}

/* The transaction of one follow-up: takes mw. Each file is its cleaned
 * copy (cleaned[i] CLEAN_DONE) or the spool's, kept as it came. */
static void proceed_message(struct request *req, struct message_wait *mw,
			    const struct cleaned_file *cleaned)
{
	struct web *w = req->web;
	struct form *f = &req->form;
	struct content_key *key = content_key_new();
	struct content_key *rkey = content_key_derive(req->receipt, RECEIPT_DIGITS, "reporter");
	unsigned char *sealed = NULL, *body_case = NULL, *body_rep = NULL;
	size_t sealed_len = 0, case_len = 0, rep_len = 0;
	struct db_job *job = NULL;
	const char *text = form_get(f, FIELD_MESSAGE);
	size_t textlen = form_len(f, FIELD_MESSAGE);

	(void)w;
	if (!key || !rkey || !mw->has_seal_to ||
	    !content_key_seal(key, &mw->seal_to, &sealed, &sealed_len) ||
	    !encrypt_text(key, text, textlen, &body_case, &case_len) ||
	    !encrypt_text(rkey, text, textlen, &body_rep, &rep_len))
		goto fail;
	job = db_job_new(message_saved, mw);
	db_job_add(job, sql_begin, 0, NULL, NULL, NULL);
	{
		const char *v[4] = {mw->case_id, (const char *)sealed, (const char *)body_case,
				    (const char *)body_rep};
		int l[4] = {0, (int)sealed_len, (int)case_len, (int)rep_len};
		int fm[4] = {0, 1, 1, 1};
		db_job_add(job, sql_message_add, 4, v, l, fm);
	}
	for (unsigned i = 0; i < f->nfiles; i++) {
		struct form_file *ff = &f->files[i];
		bool clean = cleaned && cleaned[i].state == CLEAN_DONE;
		size_t len = clean ? cleaned[i].len : ff->len;
		json_t *meta =
		    json_pack("{s:s%,s:s%,s:I}", "name", ff->name.data ? ff->name.data : "",
			      ff->name.len, "type", ff->type.data ? ff->type.data : "",
			      ff->type.len, "size", (json_int_t)len);
		char *mtext = meta ? json_dumps(meta, JSON_COMPACT) : NULL;
		json_decref(meta);
		unsigned char *mct = NULL, *dct = NULL;
		size_t mlen = 0, dlen = 0;
		/* read back from the encrypted spool a record at a time */
		struct spool_reader reader;
		spool_reader_init(&reader, f->up, ff->index);
		bool ok = mtext && content_encrypt(key, mtext, strlen(mtext), &mct, &mlen) &&
			  (clean ? stream_encrypt(key, cleaned[i].data, len, &dct, &dlen)
				 : stream_encrypt_read(key, len, spool_read, &reader, &dct, &dlen));
		free(mtext);
		if (ok) {
			/* what cleaning did, for staff (intake/clean.h) */
			const char *v[4] = {mw->case_id, (const char *)mct, (const char *)dct,
					    clean_state_text(clean ? CLEAN_DONE : CLEAN_KEPT)};
			int l[4] = {0, (int)mlen, (int)dlen, 0};
			int fm[4] = {0, 1, 1, 0};
			db_job_add(job, sql_message_file, 4, v, l, fm);
		}
		free(mct);
		free(dct);
		if (!ok)
			goto fail;
	}
	{
		/* unread from now on (migrations/0012) */
		const char *v[1] = {mw->case_id};
		add_text_params(job, sql_message_newest, 1, v);
		add_text_params(job, sql_message_event, 1, v);
	}
	for (int i = 0; i < mw->nrecipients; i++) {
		const char *v[4] = {mw->recipients[i], mw->notice.subject.data,
				    mw->notice.body.data, mw->case_id};
		add_text_params(job, sql_message_notice, 4, v);
	}
	db_job_add(job, sql_commit, 0, NULL, NULL, NULL);
	free(sealed);
	free(body_case);
	free(body_rep);
	content_key_free(key);
	content_key_free(rkey);
	form_free(f);
	req->has_form = false;
	mw->ticket = request_wait(req, req->request_timeout);
	db_submit(w->db, job);
	return;
fail:
	log_error("request %lu: encrypting a follow-up failed", req->id);
	if (job)
		db_job_discard(job); /* its callback does not run */
	message_wait_free(mw);
	free(sealed);
	free(body_case);
	free(body_rep);
	content_key_free(key);
	content_key_free(rkey);
	page_not_saved(req);
}

static void message_cleaned(struct request *req, const struct cleaned_file *cleaned, void *arg)
{
	proceed_message(req, arg, cleaned);
}

static void message_gone(void *arg)
{
	message_wait_free(arg);
}

static void message_case_found(struct db_job *job, void *arg)
{
	struct message_wait *mw = arg;
	struct request *req = ticket_take(mw->ticket);
	if (!req) {
		message_wait_free(mw);
		return;
	}
	if (!db_job_ok(job)) {
		log_warning("request %lu: looking up a follow-up's case failed (SQLSTATE %s)",
			    req->id, db_job_sqlstate(job));
		message_wait_free(mw);
		page_not_saved(req);
		request_resume(req);
		return;
	}
	const PGresult *kase = db_job_result(job, 0), *to = db_job_result(job, 1);
	if (PQntuples(kase) != 1) {
		message_wait_free(mw);
		client_failure(req);
		log_info("request %lu: follow-up for an unknown receipt", req->id);
		status_page_form(req, MHD_HTTP_NOT_FOUND, i18n(req->lang, M_STATUS_ERR_UNKNOWN));
		request_resume(req);
		return;
	}
	int public_key = db_col(kase, "case_public_key");
	snprintf(mw->case_id, sizeof(mw->case_id), "%s", PQgetvalue(kase, 0, db_col(kase, "id")));
	snprintf(mw->reg_no, sizeof(mw->reg_no), "%s", PQgetvalue(kase, 0, db_col(kase, "reg_no")));
	mw->finished = strcmp(PQgetvalue(kase, 0, db_col(kase, "finished")), "t") == 0;
	if (!PQgetisnull(kase, 0, public_key)) {
		size_t pklen = 0;
		unsigned char *pk =
		    PQunescapeBytea((const unsigned char *)PQgetvalue(kase, 0, public_key), &pklen);
		if (pk && pklen == KEYS_PUBLIC_BYTES) {
			memcpy(mw->seal_to.bytes, pk, KEYS_PUBLIC_BYTES);
			mw->has_seal_to = true;
		}
		PQfreemem(pk);
	} else if (req->web->keys.has_case_key) {
		mw->seal_to = req->web->keys.case_key;
		mw->has_seal_to = true;
	}
	struct notice_facts facts = {
	    .reg_no = mw->reg_no,
	    .console_url = PQgetvalue(kase, 0, db_col(kase, "console_url")),
	    .organisation = PQgetvalue(kase, 0, db_col(kase, "organisation")),
	};
	notice_build(&mw->notice, NOTICE_REPORTER_MESSAGE, &facts);
	int n = PQntuples(to);
	mw->recipients = calloc((size_t)n + 1, sizeof(char *));
	if (!mw->recipients)
		abort();
	int address = db_col(to, "value");
	for (int i = 0; i < n; i++) {
		mw->recipients[i] = strdup(PQgetvalue(to, i, address));
		if (!mw->recipients[i])
			abort();
		mw->nrecipients++;
	}
	/* still suspended: proceed_message waits again, or answers. Its
	 * files' ciphertext and libpq's copy of it count against the memory
	 * cap; a follow-up that does not fit now is refused, not queued
	 * (issue 14) */
	mw->web = req->web;
	mw->budget = uploads_need(&req->form);
	if (!budget_take(req->web, mw->budget)) {
		mw->budget = 0;
		log_info("request %lu: follow-up refused, upload_memory_bytes reached", req->id);
		message_wait_free(mw);
		form_free(&req->form);
		page_overloaded(req);
	} else {
		/* the files cleaned of metadata first, off the loop */
		uploads_clean(req, message_cleaned, message_gone, mw);
	}
	if (req->response)
		request_resume(req);
}

static void message_start(struct request *req)
{
	struct message_wait *mw = calloc(1, sizeof(*mw));
	if (!mw)
		abort();
	buf_init(&mw->notice.subject);
	buf_init(&mw->notice.body);
	unsigned char hash[RECEIPT_HASH_BYTES];
	receipt_hash(req->web->keys.pepper, req->receipt, hash);
	const char *values[1] = {(const char *)hash};
	int lengths[1] = {RECEIPT_HASH_BYTES};
	int formats[1] = {1};
	struct db_job *job = db_job_new(message_case_found, mw);
	db_job_add(job, sql_message_case, 1, values, lengths, formats);
	db_job_add(job, sql_message_recipients, 1, values, lengths, formats);
	mw->ticket = request_wait(req, req->request_timeout);
	db_submit(req->web->db, job);
}

static bool is_blank(const char *s)
{
	for (; *s; s++) {
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	}
	return true;
}

static void status_proceed(struct request *req)
{
	struct form *f = &req->form;
	const char *input = form_get(f, FIELD_RECEIPT);
	switch (receipt_parse(input, form_len(f, FIELD_RECEIPT), req->receipt)) {
	case RECEIPT_OK:
		break;
	case RECEIPT_BAD_CHECK:
		client_failure(req);
		log_info("request %lu: receipt with a wrong check digit", req->id);
		status_page_form(req, MHD_HTTP_BAD_REQUEST, i18n(req->lang, M_STATUS_ERR_TYPO));
		goto answered;
	default:
		log_info("request %lu: malformed receipt", req->id);
		status_page_form(req, MHD_HTTP_BAD_REQUEST, i18n(req->lang, M_STATUS_ERR_FORMAT));
		goto answered;
	}
	if (req->route == ROUTE_STATUS_MESSAGE) {
		if (f->status == FORM_TEXT_TOO_LONG) {
			char size[32], text[256];
			html_size(size, sizeof(size), req->lang, req->limits.max_text);
			snprintf(text, sizeof(text), i18n(req->lang, M_ERR_TEXT_TOO_LONG), size);
			lookup_start(req, MHD_HTTP_BAD_REQUEST, text);
			return;
		}
		if (is_blank(form_get(f, FIELD_MESSAGE)) && f->nfiles == 0) {
			lookup_start(req, MHD_HTTP_BAD_REQUEST,
				     i18n(req->lang, M_STATUS_ERR_MESSAGE_MISSING));
			return;
		}
		message_start(req);
		return;
	}
	lookup_start(req, MHD_HTTP_OK, NULL);
	return;
answered:
	if (req->suspended)
		request_resume(req);
}

void status_handle_post(struct request *req)
{
	struct sockaddr_storage ss;
	client_addr(req, &ss);
	const struct config *cfg = req->web->cfg;
	unsigned seconds = 0;
	uint64_t client = 0;
	enum rl_verdict v = ratelimit_admit(req->web->limiter, (const struct sockaddr *)&ss,
					    cfg->lookup_free_failures, cfg->lookup_max_delay,
					    time(NULL), &seconds, &client);
	if (v == RL_BUSY) {
		log_info("request %lu: refused, this client has a receipt lookup in progress",
			 req->id);
		page_busy(req, seconds);
		return;
	}
	req->lookup_admitted = true;
	req->lookup_client = client;
	if (v == RL_WAIT) {
		req->slowed = true;
		log_info("request %lu: receipt lookups slowed down by %u s", req->id, seconds);
		request_delay(req, seconds, status_proceed);
		return;
	}
	status_proceed(req);
}

/* --- health --- */

struct health {
	struct ticket *ticket;
};

static void health_done(struct db_job *job, void *arg)
{
	struct health *h = arg;
	struct request *req = ticket_take(h->ticket);
	free(h);
	if (!req)
		return;
	if (db_job_ok(job))
		request_reply_text(req, MHD_HTTP_OK, "text/plain; charset=utf-8", "ok\n");
	else
		request_reply_text(req, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
				   "database unavailable\n");
	request_resume(req);
}

void status_health(struct request *req)
{
	static const char sql_ping[] = "SELECT 1";
	struct health *h = calloc(1, sizeof(*h));
	if (!h)
		abort();
	struct db_job *job = db_job_new(health_done, h);
	db_job_add(job, sql_ping, 0, NULL, NULL, NULL);
	h->ticket = request_wait(req, req->request_timeout);
	db_submit(req->web->db, job);
}
