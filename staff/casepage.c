/* The case page and its files: see casepage.h. */
#include "staff/casepage.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/digest.h"
#include "crypto/seal.h"
#include "staff/casefile.h"
#include "staff/coverletter.h"
#include "staff/sealedtext.h"
#include "workflow/calendar.h"
#include "workflow/names.h"
#include "workflow/procedure.h"
#include "workflow/states.h"
#include "workflow/wfdb.h"

static const char sql_content[] = "SELECT content FROM hotline.cases WHERE id = $1";
static const char sql_files[] =
	"SELECT id, meta FROM hotline.attachments WHERE case_id = $1 AND message_id IS NULL "
	"ORDER BY id";
static const char sql_messages[] =
	"SELECT m.id, m.author, to_char(m.created_at AT TIME ZONE 'Asia/Almaty', "
	"'YYYY-MM-DD HH24:MI'), m.key_sealed, m.body_case, coalesce(m.staff_login, ''), "
	"m.is_reply FROM hotline.messages m WHERE m.case_id = $1 ORDER BY m.id";
static const char sql_message_files[] =
	"SELECT id, message_id, meta FROM hotline.attachments WHERE case_id = $1 "
	"AND message_id IS NOT NULL ORDER BY id";
static const char sql_notes[] =
	"SELECT author_login, to_char(created_at AT TIME ZONE 'Asia/Almaty', 'YYYY-MM-DD HH24:MI'), "
	"body FROM hotline.case_notes WHERE case_id = $1 ORDER BY id";
static const char sql_events[] =
	"SELECT to_char(at AT TIME ZONE 'Asia/Almaty', 'YYYY-MM-DD HH24:MI'), kind, detail::text "
	"FROM hotline.case_events WHERE case_id = $1 ORDER BY id";
static const char sql_deadlines[] =
	"SELECT kind, to_char(due_date, 'YYYY-MM-DD'), "
	"coalesce(to_char(met_at AT TIME ZONE 'Asia/Almaty', 'YYYY-MM-DD HH24:MI'), ''), voided "
	"FROM hotline.deadlines WHERE case_id = $1 ORDER BY due_date, id";
static const char sql_investigation[] =
	"SELECT id, order_no, to_char(order_date, 'YYYY-MM-DD'), state, "
	"to_char(due_date, 'YYYY-MM-DD'), extended, coalesce(decision, ''), coalesce(norms, ''), "
	"conclusion_key_sealed, conclusion, proposed_measures, coalesce(decision_doc, ''), "
	"coalesce(to_char(decision_date, 'YYYY-MM-DD'), ''), coalesce(measures_doc, ''), "
	"coalesce(to_char(measures_date, 'YYYY-MM-DD'), ''), "
	"coalesce(to_char(submitted_at AT TIME ZONE 'Asia/Almaty', 'YYYY-MM-DD'), ''), "
	"norms_sealed FROM hotline.investigations WHERE case_id = $1";
enum { I_ID, I_ORDER_NO, I_ORDER_DATE, I_STATE, I_DUE, I_EXTENDED, I_DECISION, I_NORMS,
       I_CONCL_KEY, I_CONCLUSION, I_PROPOSED, I_DECISION_DOC, I_DECISION_DATE, I_MEASURES_DOC,
       I_MEASURES_DATE, I_SUBMITTED, I_NORMS_SEALED /* I_NORMS: clear before migration 0022 */ };
/* name and position are sealed under the case's key; name, position: the
 * clear values of rows written before migration 0022 */
static const char sql_members[] =
	"SELECT name_sealed, name, position_sealed, position FROM hotline.commission_members "
	"WHERE investigation_id = $1 ORDER BY id";
static const char sql_extensions[] =
	"SELECT consent_doc, to_char(consent_date, 'YYYY-MM-DD'), consented_by, "
	"to_char(old_due_date, 'YYYY-MM-DD'), to_char(new_due_date, 'YYYY-MM-DD') "
	"FROM hotline.investigation_extensions WHERE investigation_id = $1 ORDER BY id";
static const char sql_requests[] =
	"SELECT addressee_sealed, addressee, what_sealed, what, "
	"to_char(requested_on, 'YYYY-MM-DD'), to_char(due_date, 'YYYY-MM-DD'), "
	"received_at IS NOT NULL "
	"FROM hotline.material_requests WHERE investigation_id = $1 ORDER BY id";
/* The typed facts of the case itself: the unit it was referred to and the
 * body it was forwarded to, sealed; the clear columns hold only texts
 * written before migration 0022. */
static const char sql_sealed_facts[] =
	"SELECT referred_unit_sealed, referred_unit, forwarded_to_sealed, forwarded_to, "
	"forwarded_at IS NOT NULL FROM hotline.cases WHERE id = $1";
static const char sql_commission_users[] =
	"SELECT login, display_name FROM hotline.staff_users WHERE 'commission' = ANY (roles) "
	"AND NOT disabled ORDER BY display_name";

static bool has_role(const struct staff_ctx *c, enum role r)
{
	return (c->user->roles & ROLE_BIT(r)) != 0;
}

static bool decides(const struct staff_ctx *c)
{
	return has_role(c, ROLE_DIRECTOR) || has_role(c, ROLE_ALTERNATE);
}

/* --- decrypting --- */

static json_t *decrypt_json(const struct content_key *key, const PGresult *res, int row, int col)
{
	unsigned char *plain = NULL;
	size_t plen = 0;
	json_t *j = NULL;
	if (casefile_decrypt(key, res, row, col, &plain, &plen)) {
		j = json_loadb((const char *)plain, plen, 0, NULL);
		crypto_wipe(plain, plen);
		free(plain);
	}
	return j;
}

/* --- sections --- */

void casepage_section(struct staff_ctx *c, const char *id, enum msg title)
{
	staff_printf(c, "<section id=\"%s\"><h2>", id);
	staff_text(c, title);
	staff_printf(c, "</h2>\n");
}

static void dt(struct staff_ctx *c, enum msg label)
{
	staff_printf(c, "<dt>");
	staff_text(c, label);
	staff_printf(c, "</dt><dd>");
}

/* A <dd> of plain text after its label. */
static void dd_text(struct staff_ctx *c, enum msg label, const char *text)
{
	dt(c, label);
	staff_esc(c, text);
	staff_printf(c, "</dd>\n");
}

static void paragraph(struct staff_ctx *c, enum msg text)
{
	staff_printf(c, "<p>");
	staff_text(c, text);
	staff_printf(c, "</p>\n");
}

static void subheading(struct staff_ctx *c, enum msg title)
{
	staff_printf(c, "<h3>");
	staff_text(c, title);
	staff_printf(c, "</h3>\n");
}

/* The form of a step on this case: posts to /staff/STEP/REG_NO. */
static void case_form_open(struct staff_ctx *c, const char *step, const struct casefile *k)
{
	char action[64];
	snprintf(action, sizeof(action), "/staff/%s/%s", step, k->reg_no);
	staff_form_open(c, action, false);
}

/* The submit button and the end of the form. */
static void submit_form_end(struct staff_ctx *c, const char *id, enum msg label)
{
	staff_printf(c, "<p><button type=\"submit\" id=\"%s\">", id);
	staff_text(c, label);
	staff_printf(c, "</button></p>\n</form>\n");
}

/* Whether where the case went was recorded (procedure_forwarded). */
static bool forwarded_recorded(struct staff_ctx *c, const struct casefile *k)
{
	const char *v[1] = {k->id};
	PGresult *res = casefile_query(c, sql_sealed_facts, 1, v);
	bool done = res && PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 4), "t") == 0;
	PQclear(res);
	return done;
}

static void put_facts(struct staff_ctx *c, const struct casefile *k)
{
	staff_printf(c, "<dl class=\"facts\">\n");
	dt(c, M_BOARD_STATE);
	staff_printf(c, "<span id=\"case-state\" data-state=\"%s\">", case_state_name(k->state));
	staff_text(c, casefile_state_text(case_state_name(k->state)));
	staff_printf(c, "</span>%s</dd>\n", k->overdue ? " <strong class=\"late\">!</strong>" : "");
	dd_text(c, M_CASE_REGISTERED, k->registered_at);
	dt(c, M_BOARD_CHANNEL);
	staff_text(c, casefile_channel_text(k->channel));
	staff_printf(c, "</dd>\n");
	dt(c, M_BOARD_CATEGORY);
	staff_text(c, casefile_category_text(k->category));
	staff_printf(c, "</dd>\n");
	dt(c, M_CASE_REPORTER);
	staff_text(c, k->anonymous ? M_CASE_ANONYMOUS : M_CASE_NAMED);
	staff_printf(c, "</dd>\n");
	dt(c, M_CASE_DIRECTOR_NAMED);
	staff_printf(c, "<span id=\"director-named\">");
	staff_text(c, k->director_named ? M_CASE_YES : M_CASE_NO);
	staff_printf(c, "</span></dd>\n");
	/* the reporter's own answer, which the flag above may have been set
	 * from or decided on; kept apart so a change of the flag shows */
	dt(c, M_CASE_REPORTER_ANSWER);
	staff_printf(c, "<span id=\"reporter-answer\" data-answer=\"%s\">",
		     strcmp(k->director_involved, "yes") == 0  ? "yes"
		     : strcmp(k->director_involved, "no") == 0 ? "no"
							       : "unknown");
	staff_text(c, strcmp(k->director_involved, "yes") == 0  ? M_CASE_YES
		      : strcmp(k->director_involved, "no") == 0 ? M_CASE_NO
								: M_CASE_DONT_KNOW);
	staff_printf(c, "</span></dd>\n");
	const char *v[1] = {k->id};
	PGresult *sf = casefile_query(c, sql_sealed_facts, 1, v);
	bool has_facts = sf && PQntuples(sf) == 1;
	struct content_key *key =
	    has_facts && (!PQgetisnull(sf, 0, 0) || !PQgetisnull(sf, 0, 2))
		? casefile_content_key(c, k)
		: NULL;
	if (has_facts && !(PQgetisnull(sf, 0, 0) && PQgetisnull(sf, 0, 1))) {
		dt(c, M_CASE_UNIT);
		staff_printf(c, "<span id=\"referred-unit\">");
		(void)sealedtext_put(c, key, sf, 0, 0, 1);
		staff_printf(c, "</span></dd>\n");
	}
	if (k->decision[0]) {
		dt(c, M_CASE_DECISION);
		staff_printf(c, "<span id=\"decision\">");
		staff_text(c, strcmp(k->decision, "forward") == 0	   ? M_DEC_FORWARD
			      : strcmp(k->decision, "investigate") == 0 ? M_DEC_INVESTIGATE
			      : strcmp(k->decision, "no_grounds") == 0  ? M_DEC_NO_GROUNDS
								      : M_DEC_FORWARD_AND_INVESTIGATE);
		staff_printf(c, "</span>");
		if (k->decision_doc[0]) {
			staff_printf(c, " (");
			staff_esc(c, k->decision_doc);
			staff_printf(c, ")");
		}
		staff_printf(c, "</dd>\n");
	}
	if (has_facts && !(PQgetisnull(sf, 0, 2) && PQgetisnull(sf, 0, 3))) {
		dt(c, M_CASE_FORWARDED_TO);
		staff_printf(c, "<span id=\"forwarded-body\">");
		(void)sealedtext_put(c, key, sf, 0, 2, 3);
		staff_printf(c, "</span></dd>\n");
	}
	content_key_free(key);
	PQclear(sf);
	staff_printf(c, "</dl>\n");
}

static enum msg field_label(const char *key, bool *known)
{
	static const struct {
		const char *key;
		enum msg label;
	} labels[] = {
	    {"what", M_FORM_WHAT},	     {"when_where", M_FORM_WHEN_WHERE},
	    {"who", M_FORM_WHO},	     {"subject", M_CASE_F_SUBJECT},
	    {"text", M_CASE_F_TEXT},
	};
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		if (strcmp(labels[i].key, key) == 0) {
			*known = true;
			return labels[i].label;
		}
	}
	*known = false;
	return M_CASE_F_TEXT;
}

static void put_content(struct staff_ctx *c, const struct casefile *k,
			const struct content_key *key)
{
	casepage_section(c, "content", M_CASE_CONTENT);
	if (!key) {
		staff_printf(c, "<p class=\"notice\" id=\"no-case-key\">");
		staff_text(c, M_CASE_NOT_SEALED);
		staff_printf(c, "</p>\n</section>\n");
		return;
	}
	const char *v[1] = {k->id};
	PGresult *res = casefile_query(c, sql_content, 1, v);
	json_t *content = res && PQntuples(res) == 1 ? decrypt_json(key, res, 0, 0) : NULL;
	PQclear(res);
	if (!json_is_object(content)) {
		staff_printf(c, "<p class=\"error\">");
		staff_text(c, M_CASE_UNREADABLE);
		staff_printf(c, "</p>\n</section>\n");
		json_decref(content);
		return;
	}
	staff_printf(c, "<dl class=\"report\">\n");
	const char *name;
	json_t *value;
	json_object_foreach(content, name, value)
	{
		if (!json_is_string(value) || json_string_length(value) == 0)
			continue;
		bool known;
		enum msg label = field_label(name, &known);
		staff_printf(c, "<dt>");
		if (known)
			staff_text(c, label);
		else
			staff_esc(c, name);
		staff_printf(c, "</dt><dd class=\"text\" data-field=\"");
		staff_esc(c, name);
		staff_printf(c, "\">");
		staff_esc(c, json_string_value(value));
		staff_printf(c, "</dd>\n");
	}
	staff_printf(c, "</dl>\n</section>\n");
	json_decref(content);
}

/* One file: its name (decrypted) linking to its download. */
static void put_file(struct staff_ctx *c, const struct content_key *key, const PGresult *res,
		     int row, int id_col, int meta_col)
{
	json_t *meta = decrypt_json(key, res, row, meta_col);
	const char *name = json_string_value(json_object_get(meta, "name"));
	json_int_t size = json_integer_value(json_object_get(meta, "size"));
	staff_printf(c, "<li><a class=\"file\" href=\"/staff/case-file/%s\">",
		     PQgetvalue(res, row, id_col));
	if (name && *name)
		staff_esc(c, name);
	else
		staff_text(c, M_CASE_FILE_UNNAMED);
	staff_printf(c, "</a> <small>(%lld B)</small></li>\n", (long long)size);
	json_decref(meta);
}

static void put_files(struct staff_ctx *c, const struct casefile *k,
		      const struct content_key *key)
{
	casepage_section(c, "files", M_CASE_FILES);
	const char *v[1] = {k->id};
	PGresult *res = casefile_query(c, sql_files, 1, v);
	int n = res ? PQntuples(res) : 0;
	if (n == 0)
		paragraph(c, M_CASE_NO_FILES);
	else if (key) {
		staff_printf(c, "<ul class=\"files\">\n");
		for (int i = 0; i < n; i++)
			put_file(c, key, res, i, 0, 1);
		staff_printf(c, "</ul>\n");
	}
	PQclear(res);
	staff_printf(c, "</section>\n");
}

void casepage_messages(struct staff_ctx *c, const struct casefile *k, long long read_before)
{
	casepage_section(c, "messages", M_CASE_MESSAGES);
	const char *v[1] = {k->id};
	PGresult *res = casefile_query(c, sql_messages, 1, v);
	PGresult *files = casefile_query(c, sql_message_files, 1, v);
	int n = res ? PQntuples(res) : 0;
	if (n == 0)
		paragraph(c, M_CASE_NO_MESSAGES);
	for (int i = 0; i < n; i++) {
		bool staff = strcmp(PQgetvalue(res, i, 1), "staff") == 0;
		bool unread = !staff && strtoll(PQgetvalue(res, i, 0), NULL, 10) > read_before;
		bool answer = strcmp(PQgetvalue(res, i, 6), "t") == 0;
		staff_printf(c, "<article class=\"message %s%s%s\"><h3>",
			     staff ? "from-staff" : "from-reporter", answer ? " reply" : "",
			     unread ? " unread" : "");
		if (unread) {
			staff_printf(c, "<span class=\"badge\">");
			staff_text(c, M_CASE_NEW);
			staff_printf(c, "</span> ");
		}
		staff_text(c, answer ? M_CASE_IS_REPLY : staff ? M_CASE_FROM_STAFF : M_CASE_FROM_REPORTER);
		if (staff && *PQgetvalue(res, i, 5)) {
			staff_printf(c, " (");
			staff_esc(c, PQgetvalue(res, i, 5));
			staff_printf(c, ")");
		}
		staff_printf(c, " &middot; <time>");
		staff_esc(c, PQgetvalue(res, i, 2));
		staff_printf(c, "</time></h3>\n<p class=\"text\">");
		struct content_key *mk = casefile_sealed_key(c, res, i, 3);
		if (!casefile_put_text(c, mk, res, i, 4))
			staff_text(c, mk ? M_CASE_UNREADABLE : M_CASE_NOT_SEALED);
		staff_printf(c, "</p>\n");
		bool any = false;
		for (int f = 0; mk && files && f < PQntuples(files); f++) {
			if (strcmp(PQgetvalue(files, f, 1), PQgetvalue(res, i, 0)) != 0)
				continue;
			if (!any)
				staff_printf(c, "<ul class=\"files\">\n");
			any = true;
			put_file(c, mk, files, f, 0, 2);
		}
		if (any)
			staff_printf(c, "</ul>\n");
		content_key_free(mk);
		if (answer) {
			/* the letter for the reporter's postal address (kk, ru) */
			staff_printf(c, "<p class=\"reply-letter\">");
			staff_text(c, M_CASE_REPLY_LETTER);
			staff_printf(c, ": <a class=\"letter-ru\" href=\"/staff/reply-letter/");
			staff_esc(c, k->reg_no);
			staff_printf(c, "?lang=ru\">русский</a> &middot; <a class=\"letter-kk\" "
					"href=\"/staff/reply-letter/");
			staff_esc(c, k->reg_no);
			staff_printf(c, "?lang=kk\">қазақша</a></p>\n");
		}
		staff_printf(c, "</article>\n");
	}
	PQclear(res);
	PQclear(files);
	if (has_role(c, ROLE_COMPLIANCE)) {
		if (!k->has_reporter_key) {
			staff_printf(c, "<p class=\"notice\" id=\"no-reply-key\">");
			staff_text(c, M_CASE_REPLY_WAIT);
			staff_printf(c, "</p>\n");
		} else {
			case_form_open(c, "case-reply", k);
			staff_printf(c, "<label for=\"reply\">");
			staff_text(c, M_CASE_REPLY);
			staff_printf(c, "</label>\n<p class=\"hint\">");
			staff_text(c, M_CASE_REPLY_HINT);
			staff_printf(c, "</p>\n<textarea id=\"reply\" name=\"message\" rows=\"4\" "
					"required></textarea>\n");
			if (!k->anonymous) {
				/* the reply a named reporter is owed (004 L196) */
				staff_printf(c, "<label class=\"choice\"><input type=\"checkbox\" "
						"id=\"reply-answer\" name=\"answer\" value=\"yes\"> ");
				staff_text(c, M_CASE_REPLY_ANSWER);
				staff_printf(c, "</label>\n");
			}
			submit_form_end(c, "send-reply", M_CASE_SEND);
		}
	}
	staff_printf(c, "</section>\n");
}

static void put_notes(struct staff_ctx *c, const struct casefile *k,
		      const struct content_key *key)
{
	casepage_section(c, "notes", M_CASE_NOTES);
	const char *v[1] = {k->id};
	PGresult *res = casefile_query(c, sql_notes, 1, v);
	int n = res ? PQntuples(res) : 0;
	if (n == 0)
		paragraph(c, M_CASE_NO_NOTES);
	for (int i = 0; i < n; i++) {
		staff_printf(c, "<article class=\"note\"><h3>");
		staff_esc(c, PQgetvalue(res, i, 0));
		staff_printf(c, " &middot; <time>");
		staff_esc(c, PQgetvalue(res, i, 1));
		staff_printf(c, "</time></h3>\n<p class=\"text\">");
		if (!casefile_put_text(c, key, res, i, 2))
			staff_text(c, key ? M_CASE_UNREADABLE : M_CASE_NOT_SEALED);
		staff_printf(c, "</p></article>\n");
	}
	PQclear(res);
	if (key && !k->view_only) {
		case_form_open(c, "case-note", k);
		staff_printf(c, "<label for=\"note\">");
		staff_text(c, M_CASE_NOTE_ADD);
		staff_printf(c, "</label>\n<textarea id=\"note\" name=\"note\" rows=\"3\" required>"
				"</textarea>\n");
		submit_form_end(c, "add-note", M_CASE_NOTE_SAVE);
	}
	staff_printf(c, "</section>\n");
}

static void put_timeline(struct staff_ctx *c, const struct casefile *k,
			 const struct calendar *cal, const char *today)
{
	casepage_section(c, "timeline", M_CASE_TIMELINE);
	const char *v[1] = {k->id};
	PGresult *dl = casefile_query(c, sql_deadlines, 1, v);
	if (dl && PQntuples(dl) > 0) {
		subheading(c, M_CASE_DEADLINES);
		staff_printf(c, "<ul id=\"deadlines\">\n");
		for (int i = 0; i < PQntuples(dl); i++) {
			const char *due = PQgetvalue(dl, i, 1), *met = PQgetvalue(dl, i, 2);
			staff_printf(c, "<li data-kind=\"");
			staff_esc(c, PQgetvalue(dl, i, 0));
			staff_printf(c, "\">");
			staff_text(c, casefile_deadline_text(PQgetvalue(dl, i, 0)));
			staff_printf(c, ": <time>");
			staff_esc(c, due);
			staff_printf(c, "</time> &mdash; ");
			char text[160];
			/* a voided deadline stopped when the case ended: not done */
			bool voided = strcmp(PQgetvalue(dl, i, 3), "t") == 0;
			if (*met) {
				snprintf(text, sizeof(text),
					 i18n(c->lang, voided ? M_CASE_VOIDED_AT : M_CASE_MET_AT), met);
			} else {
				int left = casefile_days_left(cal, today, due);
				snprintf(text, sizeof(text),
					 i18n(c->lang, left < 0 ? M_CASE_OVERDUE_BY
								: M_CASE_WORKING_DAYS_LEFT),
					 left < 0 ? -left : left);
			}
			staff_esc(c, text);
			staff_printf(c, "</li>\n");
		}
		staff_printf(c, "</ul>\n");
	}
	PQclear(dl);
	PGresult *ev = casefile_query(c, sql_events, 1, v);
	subheading(c, M_CASE_EVENTS);
	staff_printf(c, "<ol id=\"events\">\n");
	for (int i = 0; ev && i < PQntuples(ev); i++) {
		staff_printf(c, "<li><time>");
		staff_esc(c, PQgetvalue(ev, i, 0));
		staff_printf(c, "</time> <strong>");
		staff_esc(c, PQgetvalue(ev, i, 1));
		staff_printf(c, "</strong>");
		if (strcmp(PQgetvalue(ev, i, 2), "{}") != 0) {
			staff_printf(c, " <code>");
			staff_esc(c, PQgetvalue(ev, i, 2));
			staff_printf(c, "</code>");
		}
		staff_printf(c, "</li>\n");
	}
	staff_printf(c, "</ol>\n</section>\n");
	PQclear(ev);
}

/* The four decisions of 004 p.7.11 and their words. */
static const struct {
	const char *name;
	enum msg text;
} rulings[] = {{"stop", M_DECISION_STOP},
	       {"hand_over", M_DECISION_HAND_OVER},
	       {"disciplinary", M_DECISION_DISCIPLINARY},
	       {"other_measures", M_DECISION_OTHER_MEASURES}};

static enum msg ruling_text(const char *name)
{
	for (size_t i = 0; i < sizeof(rulings) / sizeof(rulings[0]); i++) {
		if (strcmp(rulings[i].name, name) == 0)
			return rulings[i].text;
	}
	return M_STATE_OTHER;
}

void casepage_doc_line(struct staff_ctx *c, const char *id, enum msg label, const char *doc,
		       const char *date)
{
	char text[512];
	snprintf(text, sizeof(text), i18n(c->lang, M_COMM_DOC_OF), doc, date);
	staff_printf(c, "<p id=\"%s\">", id);
	staff_text(c, label);
	staff_printf(c, ": ");
	staff_esc(c, text);
	staff_printf(c, "</p>\n");
}

/* The conclusion the commission submitted (004 p.7.10), for management to
 * read before it decides: findings and proposed measures open with the
 * session's case key; then the decision and the measures with their
 * documents. */
static void put_submitted(struct staff_ctx *c, const PGresult *res)
{
	char text[160];
	snprintf(text, sizeof(text), i18n(c->lang, M_COMM_SUBMITTED_ON),
		 PQgetvalue(res, 0, I_SUBMITTED));
	subheading(c, M_COMM_CONCLUSION);
	staff_printf(c, "<p id=\"submitted\">");
	staff_esc(c, text);
	staff_printf(c, "</p>\n<dl>\n");
	struct content_key *key = casefile_sealed_key(c, res, 0, I_CONCL_KEY);
	static const struct {
		int col;
		enum msg label;
		const char *id;
	} texts[] = {{I_CONCLUSION, M_COMM_FINDINGS, "findings-text"},
		     {I_PROPOSED, M_COMM_PROPOSED, "proposed-text"}};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		if (PQgetisnull(res, 0, texts[i].col))
			continue;
		staff_printf(c, "<dt>");
		staff_text(c, texts[i].label);
		staff_printf(c, "</dt>\n<dd class=\"text\" id=\"%s\">", texts[i].id);
		if (!casefile_put_text(c, key, res, 0, texts[i].col))
			staff_text(c, M_COMM_CANNOT_OPEN);
		staff_printf(c, "</dd>\n");
	}
	staff_printf(c, "</dl>\n");
	content_key_free(key);
	const char *decision = PQgetvalue(res, 0, I_DECISION);
	if (*decision) {
		staff_printf(c, "<p id=\"decision-text\">");
		staff_text(c, ruling_text(decision));
		staff_printf(c, "</p>\n");
		casepage_doc_line(c, "decision-doc", M_COMM_DECISION_DOC,
				  PQgetvalue(res, 0, I_DECISION_DOC),
				  PQgetvalue(res, 0, I_DECISION_DATE));
	}
	if (*PQgetvalue(res, 0, I_MEASURES_DOC))
		casepage_doc_line(c, "measures-doc", M_COMM_MEASURES_DOC,
				  PQgetvalue(res, 0, I_MEASURES_DOC),
				  PQgetvalue(res, 0, I_MEASURES_DATE));
}

/* The investigation with its commission, extensions and requests for
 * materials; from its submission, the conclusion. Returns whether one was
 * ordered, its state, due date and decision ("" when none). */
static bool put_investigation(struct staff_ctx *c, const struct casefile *k, char *inv_state,
			      size_t state_size, char due[11], char decision[24])
{
	casepage_section(c, "investigation", M_CASE_INVESTIGATION);
	const char *v[1] = {k->id};
	PGresult *res = casefile_query(c, sql_investigation, 1, v);
	bool found = res && PQntuples(res) == 1;
	if (!found) {
		paragraph(c, M_CASE_NO_INVESTIGATION);
		staff_printf(c, "</section>\n");
		PQclear(res);
		return false;
	}
	snprintf(inv_state, state_size, "%s", PQgetvalue(res, 0, 3));
	snprintf(due, 11, "%s", PQgetvalue(res, 0, 4));
	snprintf(decision, 24, "%s", PQgetvalue(res, 0, I_DECISION));
	staff_printf(c, "<dl class=\"facts\">\n");
	dt(c, M_CASE_ORDER);
	staff_esc(c, PQgetvalue(res, 0, 1));
	staff_printf(c, ", ");
	staff_esc(c, PQgetvalue(res, 0, 2));
	staff_printf(c, "</dd>\n");
	dd_text(c, M_BOARD_STATE, PQgetvalue(res, 0, 3));
	dt(c, M_CASE_DUE);
	staff_printf(c, "<time id=\"investigation-due\">");
	staff_esc(c, PQgetvalue(res, 0, 4));
	staff_printf(c, "</time>");
	if (strcmp(PQgetvalue(res, 0, 5), "t") == 0) {
		staff_printf(c, " (");
		staff_text(c, M_CASE_EXTENDED);
		staff_printf(c, ")");
	}
	staff_printf(c, "</dd>\n");
	if (!PQgetisnull(res, 0, I_NORMS_SEALED)) {
		/* under the conclusion's key, like the findings */
		struct content_key *ck = casefile_sealed_key(c, res, 0, I_CONCL_KEY);
		dt(c, M_CASE_NORMS);
		staff_printf(c, "<span id=\"norms\">");
		if (!casefile_put_text(c, ck, res, 0, I_NORMS_SEALED))
			staff_text(c, M_SEALED_TEXT);
		staff_printf(c, "</span></dd>\n");
		content_key_free(ck);
	} else if (*PQgetvalue(res, 0, I_NORMS)) {
		dd_text(c, M_CASE_NORMS, PQgetvalue(res, 0, I_NORMS));
	}
	staff_printf(c, "</dl>\n");
	const char *w[1] = {PQgetvalue(res, 0, 0)};
	subheading(c, M_CASE_COMMISSION);
	staff_printf(c, "<ul id=\"commission\">\n");
	struct content_key *key = casefile_content_key(c, k);
	casepage_members(c, key, w[0]);
	staff_printf(c, "</ul>\n");
	PGresult *x = casefile_query(c, sql_extensions, 1, w);
	for (int i = 0; x && i < PQntuples(x); i++) {
		char text[512];
		snprintf(text, sizeof(text), i18n(c->lang, M_CASE_EXTENSION_LINE),
			 PQgetvalue(x, i, 3), PQgetvalue(x, i, 4), PQgetvalue(x, i, 0),
			 PQgetvalue(x, i, 1), PQgetvalue(x, i, 2));
		staff_printf(c, "<p class=\"extension\">");
		staff_esc(c, text);
		staff_printf(c, "</p>\n");
	}
	PQclear(x);
	PGresult *r = casefile_query(c, sql_requests, 1, w);
	subheading(c, M_CASE_REQUESTS);
	staff_printf(c, "<ul id=\"requests\">\n");
	for (int i = 0; r && i < PQntuples(r); i++) {
		staff_printf(c, "<li>");
		(void)sealedtext_put(c, key, r, i, 0, 1);
		staff_printf(c, ": ");
		(void)sealedtext_put(c, key, r, i, 2, 3);
		staff_printf(c, " &mdash; ");
		staff_esc(c, PQgetvalue(r, i, 4));
		staff_printf(c, " &rarr; ");
		staff_esc(c, PQgetvalue(r, i, 5));
		if (strcmp(PQgetvalue(r, i, 6), "t") == 0) {
			staff_printf(c, " &#10003;");
		}
		staff_printf(c, "</li>\n");
	}
	staff_printf(c, "</ul>\n");
	PQclear(r);
	content_key_free(key);
	enum investigation_state st;
	if (investigation_state_parse(inv_state, &st) && st >= INV_SUBMITTED)
		put_submitted(c, res);
	staff_printf(c, "</section>\n");
	PQclear(res);
	return true;
}

void casepage_members(struct staff_ctx *c, const struct content_key *key, const char *inv_id)
{
	const char *v[1] = {inv_id};
	PGresult *res = casefile_query(c, sql_members, 1, v);
	for (int i = 0; res && i < PQntuples(res); i++) {
		staff_printf(c, "<li>");
		(void)sealedtext_put(c, key, res, i, 0, 1);
		char *position = NULL;
		enum freetext_state ps = freetext_open(key, res, i, 2, 3, &position);
		if (ps == FREETEXT_SEALED) {
			staff_printf(c, ", ");
			(void)sealedtext_put(c, key, res, i, 2, 3);
		} else if (position && *position) {
			staff_printf(c, ", ");
			staff_esc(c, position);
		}
		freetext_free(position);
		staff_printf(c, "</li>\n");
	}
	PQclear(res);
}

/* --- the forms of the steps --- */

static void radio(struct staff_ctx *c, const char *name, const char *value, enum msg label,
		  bool checked)
{
	staff_printf(c, "<label class=\"choice\"><input type=\"radio\" name=\"%s\" value=\"%s\"%s> ",
		     name, value, checked ? " checked" : "");
	staff_text(c, label);
	staff_printf(c, "</label>\n");
}

static void text_input(struct staff_ctx *c, const char *id, const char *name, enum msg label,
		       const char *type, bool required)
{
	staff_printf(c, "<label for=\"%s\">", id);
	staff_text(c, label);
	staff_printf(c, "</label>\n<input type=\"%s\" id=\"%s\" name=\"%s\"%s>\n", type, id, name,
		     required ? " required" : "");
}

static void fieldset_open(struct staff_ctx *c, enum msg legend)
{
	staff_printf(c, "<fieldset><legend>");
	staff_text(c, legend);
	staff_printf(c, "</legend>\n");
}

static void put_triage_form(struct staff_ctx *c, const struct casefile *k)
{
	casepage_section(c, "triage", M_TRIAGE_TITLE);
	case_form_open(c, "case-triage", k);
	/* 004 p.6.3: corruption is offered for an anonymous appeal only under
	 * the organisation's policy to consider anonymous reports; the rule
	 * itself is procedure_triage_refusal() */
	char *policy = k->anonymous ? wfdb_setting(c->db, "consider_anonymous_reports") : NULL;
	bool considered = procedure_considers_anonymous(policy);
	free(policy);
	fieldset_open(c, M_TRIAGE_OUTCOME);
	if (k->anonymous) {
		staff_printf(c, "<p class=\"hint\" id=\"triage-anon-rule\">");
		staff_text(c, considered ? M_TRIAGE_ANON_POLICY : M_TRIAGE_ANON_RULE);
		staff_printf(c, "</p>\n");
	}
	if (!k->anonymous || considered)
		radio(c, "outcome", "corruption", M_TRIAGE_CORRUPTION, !k->anonymous);
	radio(c, "outcome", "not_corruption", M_TRIAGE_NOT_CORRUPTION, false);
	if (k->anonymous) {
		radio(c, "outcome", "anonymous", M_TRIAGE_ANONYMOUS, true);
		radio(c, "outcome", "urgent", M_TRIAGE_URGENT, false);
	}
	staff_printf(c, "</fieldset>\n");
	text_input(c, "unit", "unit", k->anonymous ? M_TRIAGE_UNIT_ANY : M_TRIAGE_UNIT, "text",
		   false);
	text_input(c, "triage-note", "note", M_TRIAGE_NOTE, "text", false);
	staff_printf(c, "<label for=\"director-named-select\">");
	staff_text(c, M_CASE_DIRECTOR_NAMED);
	staff_printf(c, "</label>\n<select id=\"director-named-select\" name=\"director_named\">"
			"<option value=\"\">");
	staff_text(c, k->director_named ? M_CASE_YES : M_CASE_NO);
	staff_printf(c, "</option><option value=\"yes\">");
	staff_text(c, M_CASE_YES);
	/* a reporter's "yes" is cleared only by the alternate recipient, with
	 * a reason (procedure_clear_director_named): no "no" to pick here */
	bool locked = k->director_named && strcmp(k->director_involved, "yes") == 0;
	if (!locked) {
		staff_printf(c, "</option><option value=\"no\">");
		staff_text(c, M_CASE_NO);
	}
	staff_printf(c, "</option></select>\n");
	if (locked) {
		staff_printf(c, "<p class=\"hint\" id=\"director-named-locked\">");
		staff_text(c, M_TRIAGE_DIRECTOR_LOCKED);
		staff_printf(c, "</p>\n");
	}
	submit_form_end(c, "triage-submit", M_TRIAGE_SUBMIT);
	staff_printf(c, "</section>\n");
}

/* The alternate recipient's: the case names the director, but it does not
 * concern them; the reason is required and kept encrypted. */
static void put_director_clear_form(struct staff_ctx *c, const struct casefile *k)
{
	casepage_section(c, "director-clear", M_DIRECTOR_CLEAR_TITLE);
	paragraph(c, M_DIRECTOR_CLEAR_HINT);
	case_form_open(c, "case-director", k);
	staff_printf(c, "<label for=\"director-clear-reason\">");
	staff_text(c, M_DIRECTOR_CLEAR_REASON);
	staff_printf(c, "</label>\n<textarea id=\"director-clear-reason\" name=\"reason\" rows=\"3\" "
			"required></textarea>\n");
	submit_form_end(c, "director-clear-submit", M_DIRECTOR_CLEAR_SUBMIT);
	staff_printf(c, "</section>\n");
}

static void put_forwarded_form(struct staff_ctx *c, const struct casefile *k)
{
	casepage_section(c, "forwarded", M_FORWARDED_TITLE);
	case_form_open(c, "case-forwarded", k);
	text_input(c, "forwarded-to", "to", M_FORWARDED_TO, "text", true);
	submit_form_end(c, "forwarded-submit", M_FORWARDED_SUBMIT);
	staff_printf(c, "</section>\n");
}

static void put_decision_forms(struct staff_ctx *c, const struct casefile *k)
{
	casepage_section(c, "decide", M_DEC_TITLE);
	if (k->state == CASE_TO_DIRECTOR) {
		case_form_open(c, "decide-ack", k);
		submit_form_end(c, "ack-submit", M_DEC_ACK);
	}
	case_form_open(c, "decide", k);
	fieldset_open(c, M_DEC_CHOOSE);
	radio(c, "decision", "forward", M_DEC_FORWARD, false);
	radio(c, "decision", "investigate", M_DEC_INVESTIGATE, false);
	radio(c, "decision", "forward_and_investigate", M_DEC_FORWARD_AND_INVESTIGATE, false);
	radio(c, "decision", "no_grounds", M_DEC_NO_GROUNDS, false);
	staff_printf(c, "</fieldset>\n");
	text_input(c, "decision-doc", "doc", M_DEC_DOC, "text", false);
	submit_form_end(c, "decide-submit", M_DEC_SUBMIT);
	staff_printf(c, "</section>\n");
}

static void put_order_form(struct staff_ctx *c, const struct casefile *k)
{
	casepage_section(c, "order", M_ORDER_TITLE);
	case_form_open(c, "order", k);
	text_input(c, "order-no", "order_no", M_ORDER_NO, "text", true);
	text_input(c, "order-date", "order_date", M_ORDER_DATE, "date", true);
	fieldset_open(c, M_ORDER_MEMBERS);
	PGresult *res = casefile_query(c, sql_commission_users, 0, NULL);
	for (int i = 0; res && i < PQntuples(res); i++) {
		staff_printf(c, "<label class=\"choice\"><input type=\"checkbox\" name=\"member\" "
				"value=\"");
		staff_esc(c, PQgetvalue(res, i, 0));
		staff_printf(c, "\"> ");
		staff_esc(c, PQgetvalue(res, i, 1));
		staff_printf(c, "</label>\n");
	}
	if (!res || PQntuples(res) == 0) {
		staff_printf(c, "<p class=\"notice\">");
		staff_text(c, M_ORDER_NO_MEMBERS);
		staff_printf(c, "</p>\n");
	}
	PQclear(res);
	staff_printf(c, "</fieldset>\n");
	submit_form_end(c, "order-submit", M_ORDER_SUBMIT);
	staff_printf(c, "</section>\n");
}

static void put_extension_form(struct staff_ctx *c, const struct casefile *k, const char *due)
{
	casepage_section(c, "extend", M_EXT_TITLE);
	staff_printf(c, "<p class=\"hint\">");
	char text[256];
	snprintf(text, sizeof(text), i18n(c->lang, M_EXT_HINT), due);
	staff_esc(c, text);
	staff_printf(c, "</p>\n");
	case_form_open(c, "extend", k);
	text_input(c, "consent-doc", "consent_doc", M_EXT_DOC, "text", true);
	text_input(c, "consent-date", "consent_date", M_EXT_DATE, "date", true);
	/* recorded as the account that consents: the one logged in */
	snprintf(text, sizeof(text), i18n(c->lang, M_EXT_AS_YOU), c->user->name);
	staff_printf(c, "<p class=\"hint\" id=\"consent-as\">");
	staff_esc(c, text);
	staff_printf(c, "</p>\n");
	text_input(c, "new-due", "new_due", M_EXT_NEW_DUE, "date", true);
	submit_form_end(c, "extend-submit", M_EXT_SUBMIT);
	staff_printf(c, "</section>\n");
}

/* Management's steps after the commission submitted (004 p.7.11): one of
 * the four decisions with its document's number and date; the measures'
 * document; the close. */
static void put_ruling_forms(struct staff_ctx *c, const struct casefile *k, const char *inv_state,
			     const char *decision)
{
	bool measures = strcmp(decision, "disciplinary") == 0 ||
			strcmp(decision, "other_measures") == 0;
	casepage_section(c, "ruling", M_COMM_DECISION);
	if (strcmp(inv_state, "submitted") == 0) {
		paragraph(c, M_COMM_DECISION_HINT);
		case_form_open(c, "inv-decide", k);
		fieldset_open(c, M_COMM_DECISION);
		for (size_t i = 0; i < sizeof(rulings) / sizeof(rulings[0]); i++)
			radio(c, "decision", rulings[i].name, rulings[i].text, false);
		staff_printf(c, "</fieldset>\n");
		text_input(c, "ruling-doc", "doc", M_COMM_DECISION_DOC, "text", true);
		text_input(c, "ruling-date", "date", M_COMM_DECISION_DATE, "date", true);
		submit_form_end(c, "ruling-submit", M_COMM_RECORD_DECISION);
	} else if (strcmp(inv_state, "decided") == 0 && measures) {
		case_form_open(c, "inv-measures", k);
		text_input(c, "measures-doc-no", "doc", M_COMM_MEASURES_DOC, "text", true);
		text_input(c, "measures-date", "date", M_COMM_MEASURES_DATE, "date", true);
		submit_form_end(c, "measures-submit", M_COMM_RECORD_MEASURES);
	} else {
		case_form_open(c, "inv-close", k);
		submit_form_end(c, "close-submit", M_COMM_CLOSE);
	}
	staff_printf(c, "</section>\n");
}

/* "2 new messages from the reporter": what this view marked read. */
static void put_unread_notice(struct staff_ctx *c, const struct casefile *k, long long before)
{
	static const char sql_unread[] = "SELECT hotline.case_unread_messages($1, $2)";
	char upto[24];
	snprintf(upto, sizeof(upto), "%lld", before);
	const char *v[2] = {k->id, upto};
	PGresult *res = casefile_query(c, sql_unread, 2, v);
	int n = res && PQntuples(res) == 1 ? atoi(PQgetvalue(res, 0, 0)) : 0;
	PQclear(res);
	if (n == 0)
		return;
	char text[160];
	snprintf(text, sizeof(text), i18n(c->lang, M_CASE_UNREAD_NOTICE), n);
	staff_printf(c, "<p class=\"notice unread\" id=\"unread\"><a href=\"#messages\">");
	staff_esc(c, text);
	staff_printf(c, "</a></p>\n");
}

/* A mail that quoted another case's number without proving it came from
 * that reporter was registered as this new appeal (docs/mail-intake.md,
 * "Follow-ups"): said at the top, for the compliance manager to review.
 * Only the number: nothing of the claimed case is read here. */
static void put_unproven_claims(struct staff_ctx *c, const struct casefile *k)
{
	static const char sql_claims[] =
		"SELECT detail->>'claims' FROM hotline.case_events "
		"WHERE case_id = $1 AND kind = 'followup_unproven' ORDER BY id";
	const char *v[1] = {k->id};
	PGresult *res = casefile_query(c, sql_claims, 1, v);
	for (int i = 0; res && i < PQntuples(res); i++) {
		char text[512];
		snprintf(text, sizeof(text), i18n(c->lang, M_CASE_UNPROVEN_CLAIM),
			 PQgetvalue(res, i, 0));
		staff_printf(c, "<p class=\"notice\" id=\"unproven-claim\">");
		staff_esc(c, text);
		staff_printf(c, "</p>\n");
	}
	PQclear(res);
}

/* Appeals related to an investigation (004 L139): on the investigated
 * case, the appeals attached to it; on an appeal, the investigation it is
 * attached to; and for the compliance manager, the form that attaches
 * this appeal to the investigation of another case. */
static void put_related(struct staff_ctx *c, const struct casefile *k)
{
	static const char sql_related[] =
		"SELECT j.reg_no, 'attached' FROM hotline.related_appeals r "
		"JOIN hotline.investigations i ON i.id = r.investigation_id "
		"JOIN hotline.cases a ON a.id = r.case_id JOIN hotline.journal j ON j.id = a.journal_id "
		"WHERE i.case_id = $1 "
		"UNION ALL SELECT j.reg_no, 'investigation' FROM hotline.related_appeals r "
		"JOIN hotline.investigations i ON i.id = r.investigation_id "
		"JOIN hotline.cases x ON x.id = i.case_id JOIN hotline.journal j ON j.id = x.journal_id "
		"WHERE r.case_id = $1 ORDER BY 2, 1";
	const char *v[1] = {k->id};
	PGresult *res = casefile_query(c, sql_related, 1, v);
	int n = res ? PQntuples(res) : 0;
	if (n == 0 && !has_role(c, ROLE_COMPLIANCE)) {
		PQclear(res);
		return;
	}
	casepage_section(c, "related", M_REL_TITLE);
	if (n > 0) {
		staff_printf(c, "<ul id=\"related-list\">\n");
		for (int i = 0; i < n; i++) {
			bool attached = strcmp(PQgetvalue(res, i, 1), "attached") == 0;
			staff_printf(c, "<li class=\"%s\">", attached ? "attached" : "investigation");
			staff_text(c, attached ? M_REL_ATTACHED : M_REL_PART_OF);
			staff_printf(c, " <a href=\"/staff/case/");
			staff_esc(c, PQgetvalue(res, i, 0));
			staff_printf(c, "\">");
			staff_esc(c, PQgetvalue(res, i, 0));
			staff_printf(c, "</a></li>\n");
		}
		staff_printf(c, "</ul>\n");
	}
	PQclear(res);
	if (has_role(c, ROLE_COMPLIANCE)) {
		case_form_open(c, "case-relate", k);
		staff_printf(c, "<p class=\"hint\">");
		staff_text(c, M_REL_HINT);
		staff_printf(c, "</p>\n");
		text_input(c, "relate-to", "to", M_REL_TO, "text", true);
		submit_form_end(c, "relate-submit", M_REL_SUBMIT);
	}
	staff_printf(c, "</section>\n");
}

/* --- the page --- */

/* A compliance manager named in a report steps aside like an investigator
 * (002 L47, 004 L105): the page says so to the one it names. A warning,
 * not a refusal: the director decides who handles it instead. */
static void warn_if_named(struct staff_ctx *c, const struct casefile *k)
{
	if (!c->user->name[0])
		return;
	char *text = casefile_report_text(c, k);
	if (!text)
		return;
	size_t len = strlen(text);
	bool named = names_mentioned(text, len, c->user->name);
	crypto_wipe(text, len);
	free(text);
	if (!named)
		return;
	staff_printf(c, "<p class=\"error\" id=\"you-are-named\" role=\"alert\">");
	staff_text(c, M_CASE_YOU_ARE_NAMED);
	staff_printf(c, "</p>\n");
}

void casepage_show(struct staff_ctx *c, const char *reg_no, unsigned status, const char *error)
{
	struct casefile k;
	struct calendar *cal = NULL;
	struct content_key *key = NULL;
	if (!casefile_open(c, reg_no, false, &k))
		return;
	/* audited before anything of the case is shown; the view marks the
	 * reporter's messages read */
	long long read_before = 0;
	if (!staff_audit(c, "case.view", k.reg_no) ||
	    !casefile_mark_read(c, k.id, &read_before) || !(cal = wfdb_calendar(c->db, NULL))) {
		casefile_rollback(c);
		casefile_db_error(c);
		return;
	}
	char today[11];
	casefile_today(c, today);
	key = casefile_content_key(c, &k);
	c->status = status;
	char title[64];
	snprintf(title, sizeof(title), "%s %s", i18n(c->lang, M_CASE_TITLE), k.reg_no);
	staff_page_begin(c, title);
	casepage_stylesheet(c);
	staff_printf(c, "<h1>");
	staff_text(c, M_CASE_TITLE);
	staff_printf(c, " <span id=\"reg-no\">");
	staff_esc(c, k.reg_no);
	staff_printf(c, "</span></h1>\n");
	if (error) {
		staff_printf(c, "<p class=\"error\" id=\"step-error\" role=\"alert\">");
		staff_esc(c, error);
		staff_printf(c, "</p>\n");
	}
	if (has_role(c, ROLE_COMPLIANCE))
		warn_if_named(c, &k);
	put_facts(c, &k);
	put_unread_notice(c, &k, read_before);
	put_unproven_claims(c, &k);
	if (strncmp(k.decision, "forward", 7) == 0) {
		staff_printf(c, "<p><a id=\"cover-letter\" href=\"/staff/cover-letter/");
		staff_esc(c, k.reg_no);
		staff_printf(c, "\">");
		staff_text(c, M_DEC_COVER_LETTER);
		staff_printf(c, "</a></p>\n");
	}
	if (has_role(c, ROLE_COMPLIANCE) && k.state == CASE_REGISTERED)
		put_triage_form(c, &k);
	if (has_role(c, ROLE_COMPLIANCE) &&
	    (k.state == CASE_URGENT ||
	     (strncmp(k.decision, "forward", 7) == 0 && !forwarded_recorded(c, &k))))
		put_forwarded_form(c, &k);
	if (decides(c) && !k.view_only && (k.state == CASE_TO_DIRECTOR || k.state == CASE_ACKNOWLEDGED))
		put_decision_forms(c, &k);
	put_content(c, &k, key);
	put_files(c, &k, key);
	casepage_messages(c, &k, read_before);
	put_related(c, &k);
	/* after the report, which the alternate reads before deciding */
	if (has_role(c, ROLE_ALTERNATE) && !has_role(c, ROLE_DIRECTOR) && k.director_named &&
	    !k.view_only && key)
		put_director_clear_form(c, &k);
	char inv_state[32] = "", due[11] = "", decision[24] = "";
	bool inv = put_investigation(c, &k, inv_state, sizeof(inv_state), due, decision);
	if (decides(c) && !k.view_only && k.state == CASE_INVESTIGATION && !inv)
		put_order_form(c, &k);
	if (decides(c) && !k.view_only && inv &&
	    (strcmp(inv_state, "ordered") == 0 || strcmp(inv_state, "in_progress") == 0 ||
	     strcmp(inv_state, "conclusion_drafted") == 0))
		put_extension_form(c, &k, due);
	if (decides(c) && !k.view_only && inv &&
	    (strcmp(inv_state, "submitted") == 0 || strcmp(inv_state, "decided") == 0 ||
	     strcmp(inv_state, "measures_adopted") == 0))
		put_ruling_forms(c, &k, inv_state, decision);
	put_notes(c, &k, key);
	put_timeline(c, &k, cal, today);
	staff_page_end(c);
	content_key_free(key);
	calendar_free(cal);
	if (!casefile_commit(c)) {
		casefile_rollback(c);
		casefile_db_error(c);
	}
}

static void case_view(struct staff_ctx *c)
{
	casepage_show(c, c->arg, 200, NULL);
}

/* --- files --- */

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

static void file_download(struct staff_ctx *c)
{
	static const char sql_file[] =
		"SELECT j.reg_no, a.message_id IS NULL, a.meta, a.data, m.key_sealed "
		"FROM hotline.attachments a JOIN hotline.cases c ON c.id = a.case_id "
		"JOIN hotline.journal j ON j.id = c.journal_id "
		"LEFT JOIN hotline.messages m ON m.id = a.message_id WHERE a.id = $1::bigint";
	const char *id = c->arg;
	if (!*id || strlen(id) > 18 || strspn(id, "0123456789") != strlen(id)) {
		casefile_not_found(c);
		return;
	}
	if (!casefile_begin(c)) {
		casefile_db_error(c);
		return;
	}
	const char *v[1] = {id};
	PGresult *res = casefile_query(c, sql_file, 1, v);
	struct casefile k;
	bool db_error = res == NULL;
	if (!res || PQntuples(res) != 1 ||
	    !casefile_load(c, PQgetvalue(res, 0, 0), false, &k, &db_error)) {
		PQclear(res);
		casefile_load_refused(c, db_error);
		return;
	}
	char object[48];
	snprintf(object, sizeof(object), "%s/%s", k.reg_no, id);
	if (!staff_audit(c, "case.file", object)) {
		PQclear(res);
		casefile_rollback(c);
		casefile_db_error(c);
		return;
	}
	bool of_case = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
	struct content_key *key =
	    of_case ? casefile_content_key(c, &k) : casefile_sealed_key(c, res, 0, 4);
	bool have_key = key != NULL;
	json_t *meta = decrypt_json(key, res, 0, 2);
	size_t len;
	unsigned char *ct = casefile_bytea(res, 0, 3, &len);
	unsigned char *plain = NULL;
	size_t plen = 0;
	bool ok = meta && ct && stream_decrypt(key, ct, len, &plain, &plen);
	PQfreemem(ct);
	PQclear(res);
	content_key_free(key);
	if (!ok || !casefile_commit(c)) {
		json_decref(meta);
		casefile_rollback(c);
		buf_wipe(&c->body);
		staff_error(c, have_key ? 500 : 403, M_CASE_FILE_UNREADABLE_TITLE,
			    have_key ? M_CASE_UNREADABLE : M_CASE_NOT_SEALED);
		return;
	}
	safe_file_name(json_string_value(json_object_get(meta, "name")), c->download_name,
		       sizeof(c->download_name));
	json_decref(meta);
	c->content_type = "application/octet-stream";
	buf_add(&c->body, plain, plen);
	crypto_wipe(plain, plen);
	free(plain);
}

/* The case pages' own rules on top of the foundation's stylesheet (the
 * staff pages allow no inline style), and the cover letter's. */
static const char case_css[] =
	".text{white-space:pre-wrap;overflow-wrap:anywhere}\n"
	"dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}\n"
	"dl.facts dt{font-weight:600}dl.facts dd{margin:0}\n"
	"dl.report dt{font-weight:600;margin-top:.6rem}dl.report dd{margin:0 0 .4rem}\n"
	"tr.overdue td{background:#fdecea}.late{color:#b3261e;font-weight:600}.tag{color:#b3261e}\n"
	"label.choice{font-weight:400;margin:.35rem 0}\n"
	"form.filters{display:flex;flex-wrap:wrap;gap:0 1rem;align-items:flex-end}\n"
	"form.filters select{width:auto;min-width:10rem}form.filters button{margin:.8rem 0 0}\n"
	"ul.cards{list-style:none;padding:0}\n"
	"li.card{border:1px solid #c9ced6;border-radius:6px;padding:.6rem .8rem;margin:.6rem 0}\n"
	"li.card.overdue{border-left:4px solid #b3261e}\n"
	"li.card form{display:inline}li.card button.ack{margin:.5rem .6rem 0 0}\n"
	"a.button{display:inline-block;margin-top:.5rem}\n"
	"article.message,article.note{border-left:3px solid #c9ced6;padding:.2rem .8rem;"
	"margin:.6rem 0}\n"
	"article.unread{border-left-color:#b3261e}.badge{background:#b3261e;color:#fff;"
	"border-radius:3px;padding:0 .35rem;font-size:.8rem;font-weight:600}\n"
	"p.unread{border-left:4px solid #b3261e;padding:.3rem .6rem}\n"
	"article.from-staff{border-left-color:#1b7f3b}article h3{font-size:1rem;margin:.2rem 0}\n"
	"main section{margin:1.4rem 0}code{overflow-wrap:anywhere}\n"
	"body.letter .text{white-space:pre-wrap}\n"
	"@media (max-width:40rem){dl.facts{grid-template-columns:1fr}"
	"dl.facts dd{margin-bottom:.4rem}form.filters select{width:100%}"
	/* the archive's rows as short blocks: no sideways scrolling on a phone */
	"#archive thead{position:absolute;left:-9999px}"
	"#archive tr{display:block;padding:.45rem 0;border-bottom:1px solid #c9ced6}"
	"#archive td{display:inline-block;border:0;padding:.1rem .7rem .1rem 0}"
	"#archive td:first-child{display:block}}\n"
	"nav.pages{margin:1rem 0}nav.pages a{margin-right:1.2rem}\n";

static void case_style(struct staff_ctx *c)
{
	c->content_type = "text/css; charset=utf-8";
	buf_puts(&c->body, case_css);
	buf_puts(&c->body, coverletter_css);
}

void casepage_stylesheet(struct staff_ctx *c)
{
	staff_printf(c, "<link rel=\"stylesheet\" href=\"/staff/case.css\">\n");
}

const struct staff_route staff_casepage_routes[] = {
	{"GET", "/staff/case.css", STAFF_PUBLIC, case_style, "case.css"},
	{"GET", "/staff/case/*", ROLE_BIT(ROLE_COMPLIANCE) | ROLE_BIT(ROLE_DIRECTOR) |
				     ROLE_BIT(ROLE_ALTERNATE),
	 case_view, "case.view"},
	{"GET", "/staff/case-file/*", ROLE_BIT(ROLE_COMPLIANCE) | ROLE_BIT(ROLE_DIRECTOR) |
					  ROLE_BIT(ROLE_ALTERNATE),
	 file_download, "case.file"},
	{NULL, NULL, 0, NULL, NULL},
};
