#include "staff/commission.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/keys.h"
#include "crypto/seal.h"
#include "base/config.h"
#include "base/db.h"
#include "base/log.h"
#include "crypto/secret.h"
#include "intake/sealing.h"
#include "staff/casefile.h"
#include "staff/commfiles.h"
#include "staff/conclusion.h"
#include "staff/seals.h"
#include "staff/board.h"
#include "staff/casepage.h"
#include "staff/pager.h"
#include "staff/refusal.h"
#include "staff/sealedtext.h"
#include "workflow/calendar.h"
#include "workflow/deadline.h"
#include "workflow/investigation.h"
#include "workflow/journal.h"
#include "workflow/procedure.h"
#include "workflow/states.h"
#include "workflow/wfdb.h"
#include "base/schema.h"

#define STATUS_UNPROCESSABLE 422
#define STATUS_UNAVAILABLE 503
#define STATUS_NOT_FOUND 404
#define STATUS_FORBIDDEN 403

static void user_id_text(const struct staff_ctx *c, char out[24])
{
	snprintf(out, 24, "%lld", c->user->id);
}

/* A registration number from the path, or false (then nothing of it is
 * ever written into a page). */
static bool reg_no_ok(const char *s)
{
	int year, seq;
	return s && journal_parse_reg_no(s, &year, &seq);
}

/* Whether the logged-in member sits on the investigation of reg_no. */
static bool sits_on(struct staff_ctx *c, const char *reg_no)
{
	static const char sql_member[] =
	    "SELECT 1 FROM hotline.investigations i JOIN hotline.cases c ON c.id = i.case_id "
	    "JOIN hotline.journal j ON j.id = c.journal_id JOIN hotline.commission_members m "
	    "ON m.investigation_id = i.id WHERE j.reg_no = $1 AND m.staff_user_id = $2::bigint";
	char uid[24];
	user_id_text(c, uid);
	const char *p[2] = {reg_no, uid};
	PGresult *res = wfdb_exec(c->db, sql_member, 2, p, NULL);
	bool yes = res && PQntuples(res) == 1;
	PQclear(res);
	return yes;
}

/* "3 working days left", "due today", "overdue by 2 working days". */
static void put_days_left(struct staff_ctx *c, const struct calendar *cal, const char *due)
{
	int left = deadline_days_left(cal, due, staff_now(c));
	char text[160];
	if (left > 0)
		snprintf(text, sizeof(text), i18n(c->lang, M_COMM_DAYS_LEFT), left);
	else if (left == 0)
		snprintf(text, sizeof(text), "%s", i18n(c->lang, M_COMM_DUE_TODAY));
	else
		snprintf(text, sizeof(text), i18n(c->lang, M_COMM_OVERDUE), -left);
	staff_html(c, "<span class=\"days-left%s\" data-days=\"%d\">", left < 0 ? " overdue" : "",
		   left);
	staff_esc(c, text);
	staff_html(c, "</span>");
}

/* --- the list --- */

/* One page of the member's investigations (sql_list's rows, one more
 * than shown when a page follows), its count, the calendar and whether it
 * is not the first page, all read before. */
struct list_view {
	PGresult *res;
	struct calendar *cal;
	long count;
	int n;	   /* rows shown */
	bool more; /* a page follows */
	bool paged;
};

static void list_put(struct staff_ctx *c, const struct list_view *w)
{
	const PGresult *res = w->res;
	const struct calendar *cal = w->cal;
	staff_page_begin(c, i18n(c->lang, M_COMM_TITLE));
	casepage_stylesheet(c);
	staff_html(c, "<h1>");
	staff_text(c, M_COMM_TITLE);
	staff_html(c, "</h1>\n<p class=\"hint\">");
	staff_text(c, M_COMM_INTRO);
	staff_html(c, "</p>\n");
	int n = w->n;
	if (n == 0) {
		staff_html(c, "<p id=\"no-investigations\">");
		staff_text(c, M_COMM_NONE);
		staff_html(c, "</p>\n");
	} else {
		pager_count(c, "investigations-count", M_COMM_COUNT, w->count);
	}
	staff_html(c, "<ul class=\"cards\" id=\"investigations\">\n");
	int reg_no_col = db_col(res, "reg_no"), state_col = db_col(res, "state");
	int order_no = db_col(res, "order_no"), order_date = db_col(res, "order_date");
	int due_date = db_col(res, "due_date"), extended = db_col(res, "extended");
	int open_requests = db_col(res, "open_requests"), unread = db_col(res, "unread");
	for (int i = 0; i < n; i++) {
		const char *reg_no = PQgetvalue(res, i, reg_no_col);
		const char *state = PQgetvalue(res, i, state_col);
		staff_html(c, "<li class=\"card investigation\" data-reg-no=\"");
		staff_esc(c, reg_no);
		staff_html(c, "\"><h2><a href=\"/staff/commission/");
		staff_esc(c, reg_no);
		staff_html(c, "\">");
		staff_esc(c, reg_no);
		staff_html(c, "</a>");
		board_unread_badge(c, atoi(PQgetvalue(res, i, unread)));
		staff_html(c, "</h2>\n<p>");
		staff_text(c, casefile_inv_state_text(state));
		staff_html(c, "</p>\n<p>");
		staff_text(c, M_COMM_ORDER);
		staff_html(c, " ");
		staff_esc(c, PQgetvalue(res, i, order_no));
		staff_html(c, ", ");
		staff_date(c, PQgetvalue(res, i, order_date));
		staff_html(c, "</p>\n<p>");
		staff_text(c, M_COMM_DUE);
		staff_html(c, ": <time datetime=\"%s\">", PQgetvalue(res, i, due_date));
		staff_date(c, PQgetvalue(res, i, due_date));
		staff_html(c, "</time>%s",
			   strcmp(PQgetvalue(res, i, extended), "t") == 0 ? " *" : "");
		/* the term runs until the conclusion is submitted */
		if (strcmp(state, "ordered") == 0 || strcmp(state, "in_progress") == 0 ||
		    strcmp(state, "conclusion_drafted") == 0) {
			staff_html(c, " · ");
			put_days_left(c, cal, PQgetvalue(res, i, due_date));
		}
		staff_html(c, "</p>\n");
		long open = strtol(PQgetvalue(res, i, open_requests), NULL, 10);
		if (open > 0) {
			char text[128];
			snprintf(text, sizeof(text), i18n(c->lang, M_COMM_OPEN_REQUESTS),
				 (int)open);
			staff_html(c, "<p class=\"open-requests\">");
			staff_esc(c, text);
			staff_html(c, "</p>\n");
		}
		staff_html(c, "</li>\n");
	}
	staff_html(c, "</ul>\n");
	/* the next page's key: the last row's (closed, due date, id); each
	 * value is 0/1, a date or digits, so nothing needs URL encoding */
	char next[160];
	if (w->more) {
		int last = n - 1;
		snprintf(next, sizeof(next),
			 "/staff/commission?after_closed=%s&after_due=%s&after_id=%s",
			 strcmp(PQgetvalue(res, last, state_col), "closed") == 0 ? "1" : "0",
			 PQgetvalue(res, last, due_date),
			 PQgetvalue(res, last, db_col(res, "key_id")));
	}
	pager_nav(c, "investigations", w->paged ? "/staff/commission" : NULL,
		  w->more ? next : NULL);
	staff_page_end(c);
}

/* The member's investigations, running first, then by due date, 50 a
 * page by keyset ($2-$4: the closed flag, due date and id of the row the
 * page starts after; $5 how many rows): a member sits on few of them, and
 * the page reads only its own rows through commission_members_user. */
static void list(struct staff_ctx *c)
{
	static const char sql_list[] =
	    "SELECT j.reg_no, p.order_no, to_char(p.order_date, 'YYYY-MM-DD') AS order_date, "
	    "p.state, to_char(p.due_date, 'YYYY-MM-DD') AS due_date, p.extended, p.id AS key_id, "
	    "(SELECT count(*) FROM hotline.material_requests r WHERE r.investigation_id = p.id "
	    "AND r.received_at IS NULL) AS open_requests, "
	    "hotline.case_unread_messages(c.id, c.messages_read_upto) + coalesce((SELECT "
	    "sum(hotline.case_unread_messages(a.id, a.messages_read_upto)) FROM "
	    "hotline.related_appeals r JOIN hotline.cases a ON a.id = r.case_id "
	    "WHERE r.investigation_id = p.id), 0) AS unread "
	    "FROM (SELECT i.id, i.case_id, i.order_no, i.order_date, i.state, i.due_date, "
	    "i.extended FROM hotline.investigations i JOIN hotline.commission_members m "
	    "ON m.investigation_id = i.id WHERE m.staff_user_id = $1::bigint "
	    "AND ($2::boolean IS NULL OR (i.state = 'closed', i.due_date, i.id) > "
	    "($2::boolean, $3::date, $4::bigint)) "
	    "ORDER BY i.state = 'closed', i.due_date, i.id LIMIT $5) p "
	    "JOIN hotline.cases c ON c.id = p.case_id JOIN hotline.journal j ON j.id = "
	    "c.journal_id "
	    "ORDER BY p.state = 'closed', p.due_date, p.id";
	static const char sql_count[] =
	    "SELECT count(*) AS n FROM (SELECT 1 FROM hotline.commission_members m "
	    "WHERE m.staff_user_id = $1::bigint LIMIT $2) x";
	char uid[24], limit[16], cap[16];
	user_id_text(c, uid);
	snprintf(limit, sizeof(limit), "%d", PAGER_ROWS + 1);
	snprintf(cap, sizeof(cap), "%d", PAGER_COUNT_CAP + 1);
	const char *closed = staff_arg(c, "after_closed"), *due = staff_arg(c, "after_due"),
		   *id = staff_arg(c, "after_id");
	bool keyed = (strcmp(closed, "0") == 0 || strcmp(closed, "1") == 0) && pager_date_ok(due) &&
		     pager_id_ok(id);
	const char *p[5] = {uid, keyed ? (*closed == '1' ? "true" : "false") : NULL,
			    keyed ? due : NULL, keyed ? id : NULL, limit};
	const char *k[2] = {uid, cap};
	struct wf_error e = {0};
	struct list_view w = {.paged = keyed};
	w.res = wfdb_exec(c->db, sql_list, 5, p, &e);
	PGresult *count = w.res ? wfdb_exec(c->db, sql_count, 2, k, &e) : NULL;
	w.cal = count ? wfdb_calendar(c->db, &e) : NULL;
	if (!w.res || !count || !w.cal || PQntuples(count) != 1) {
		PQclear(w.res);
		PQclear(count);
		calendar_free(w.cal);
		staff_error(c, STATUS_UNAVAILABLE, M_STAFF_DB_DOWN_TITLE, M_STAFF_DB_DOWN);
		return;
	}
	w.count = strtol(PQgetvalue(count, 0, db_col(count, "n")), NULL, 10);
	PQclear(count);
	w.more = PQntuples(w.res) > PAGER_ROWS;
	w.n = w.more ? PAGER_ROWS : PQntuples(w.res);
	list_put(c, &w);
	PQclear(w.res);
	calendar_free(w.cal);
}

/* --- one investigation --- */

/* norms: the clear norms of a conclusion before migration 0022 */
static const char sql_view[] =
    "SELECT j.reg_no, to_char(j.registered_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD') "
    "AS registered, coalesce(c.content_key_resealed, c.content_key_sealed) AS content_key, "
    "c.content, i.order_no, to_char(i.order_date, 'YYYY-MM-DD') AS order_date, i.state, "
    "to_char(i.due_date, 'YYYY-MM-DD') AS due_date, i.extended, coalesce(i.norms, '') AS norms, "
    "i.conclusion_key_sealed, i.conclusion, i.proposed_measures, "
    "coalesce(i.decision, '') AS decision, coalesce(i.measures_doc, '') AS measures_doc, "
    "i.id AS inv_id, c.id AS case_id, c.identity_sealed IS NOT NULL AS has_identity, "
    "coalesce(to_char(i.submitted_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD'), '') "
    "AS submitted_at, coalesce(i.decision_doc, '') AS decision_doc, "
    "coalesce(to_char(i.decision_date, 'YYYY-MM-DD'), '') AS decision_date, "
    "coalesce(to_char(i.measures_date, 'YYYY-MM-DD'), '') AS measures_date, i.norms_sealed "
    "FROM hotline.investigations i JOIN hotline.cases c ON c.id = i.case_id "
    "JOIN hotline.journal j ON j.id = c.journal_id WHERE j.reg_no = $1";

static void put_field(struct staff_ctx *c, enum msg label, const char *value, const char *id)
{
	staff_html(c, "<dt>");
	staff_text(c, label);
	staff_html(c, "</dt>\n<dd id=\"%s\">", id);
	staff_esc(c, value);
	staff_html(c, "</dd>\n");
}

/* A date as its readers write it (staff_date), the ISO in datetime. */
static void put_date_field(struct staff_ctx *c, enum msg label, const char *iso, const char *id)
{
	staff_html(c, "<dt>");
	staff_text(c, label);
	staff_html(c, "</dt>\n<dd id=\"%s\"><time datetime=\"%s\">", id, iso);
	staff_date(c, iso);
	staff_html(c, "</time></dd>\n");
}

/* The report's own words, opened with the session's case key. */
struct commission_report {
	bool has_seal;	 /* this member's own seal of the case opened */
	json_t *content; /* NULL when the report did not open */
};

/* v: a row of sql_view or sql_appeal (content_key, content). */
static void report_load(struct staff_ctx *c, const PGresult *v, const char *case_id,
			struct commission_report *r)
{
	/* this member's own seal of the case (docs/keys.md) */
	r->has_seal = staff_case_key_for(c, case_id) != NULL;
	struct content_key *key = casefile_sealed_key(c, v, 0, db_col(v, "content_key"));
	unsigned char *plain = NULL;
	size_t plen = 0;
	if (casefile_decrypt(key, v, 0, db_col(v, "content"), &plain, &plen)) {
		r->content = json_loadb((const char *)plain, plen, 0, NULL);
		secret_wipe(plain, plen);
		free(plain);
	}
	content_key_free(key);
}

static void report_free(struct commission_report *r)
{
	json_decref(r->content);
	r->content = NULL;
}

static void put_report(struct staff_ctx *c, const struct commission_report *r)
{
	casepage_section(c, "report", M_COMM_REPORT);
	if (!r->content) {
		staff_html(c, "<p class=\"notice\" id=\"no-case-key\">");
		staff_text(c, r->has_seal ? M_COMM_CANNOT_OPEN : M_COMM_NOT_SEALED);
		staff_html(c, "</p>\n");
	} else {
		static const struct {
			const char *field;
			enum msg label;
		} fields[] = {
		    {"what", M_FORM_WHAT}, {"when_where", M_FORM_WHEN_WHERE}, {"who", M_FORM_WHO}};
		staff_html(c, "<dl class=\"report\">\n");
		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
			const char *text =
			    json_string_value(json_object_get(r->content, fields[i].field));
			if (!text || !*text)
				continue;
			staff_html(c, "<dt>");
			staff_text(c, fields[i].label);
			staff_html(c, "</dt>\n<dd class=\"text\" id=\"report-%s\">",
				   fields[i].field);
			staff_esc(c, text);
			staff_html(c, "</dd>\n");
		}
		staff_html(c, "</dl>\n");
	}
	staff_html(c, "</section>\n");
}

/* The report's own files (a reporter's message lists its own). */
static void put_files(struct staff_ctx *c, const struct casepage_files *files)
{
	casepage_section(c, "files", M_COMM_FILES);
	casepage_files_put(c, files, COMMFILES_REPORTER_PATH);
	staff_html(c, "</section>\n");
}

/* One encrypted text of the conclusion, under the conclusion's key. */
static void put_sealed_text(struct staff_ctx *c, const struct sealedtext *t, const char *id)
{
	staff_html(c, "<dd class=\"text\" id=\"%s\">", id);
	if (!sealedtext_put_opened(c, t) && t->st == FREETEXT_SEALED)
		staff_text(c, M_COMM_CANNOT_OPEN);
	staff_html(c, "</dd>\n");
}

static void put_members(struct staff_ctx *c, const struct casepage_members *members)
{
	casepage_section(c, "members", M_COMM_MEMBERS);
	staff_html(c, "<ul>\n");
	casepage_members_put(c, members);
	staff_html(c, "</ul>\n</section>\n");
}

static const char sql_extensions[] =
    "SELECT consent_doc, to_char(consent_date, 'YYYY-MM-DD') AS consent_date, "
    "consented_by, to_char(old_due_date, 'YYYY-MM-DD') AS old_due_date, "
    "to_char(new_due_date, 'YYYY-MM-DD') AS new_due_date "
    "FROM hotline.investigation_extensions WHERE investigation_id = $1 ORDER BY id";

static void put_extensions(struct staff_ctx *c, const PGresult *res)
{
	int old_due = res ? db_col(res, "old_due_date") : -1;
	int new_due = res ? db_col(res, "new_due_date") : -1;
	int doc = res ? db_col(res, "consent_doc") : -1;
	int date = res ? db_col(res, "consent_date") : -1;
	int by = res ? db_col(res, "consented_by") : -1;
	for (int i = 0; res && i < PQntuples(res); i++) {
		char text[512], was[64], now[64], on[64];
		staff_date_str(c, PQgetvalue(res, i, old_due), was, sizeof(was));
		staff_date_str(c, PQgetvalue(res, i, new_due), now, sizeof(now));
		staff_date_str(c, PQgetvalue(res, i, date), on, sizeof(on));
		snprintf(text, sizeof(text), i18n(c->lang, M_COMM_EXTENDED), was, now,
			 PQgetvalue(res, i, doc), on, PQgetvalue(res, i, by));
		staff_html(c, "<p class=\"extension\">");
		staff_esc(c, text);
		staff_html(c, "</p>\n");
	}
}

/* The requests for materials: the rows (kept) and, per row, whom and what
 * opened with the case's key (clear only in rows written before
 * migration 0022). */
struct commission_requests {
	PGresult *res;
	struct sealedtext *addressee, *what;
};

static void requests_load(struct staff_ctx *c, const struct content_key *key, const char *inv_id,
			  struct commission_requests *rq)
{
	static const char sql_requests[] =
	    "SELECT id, addressee_sealed, what_sealed, "
	    "to_char(requested_on, 'YYYY-MM-DD') AS requested_on, "
	    "to_char(due_date, 'YYYY-MM-DD') AS due_date, received_at IS NOT NULL AS received, "
	    "coalesce(to_char(received_at AT TIME ZONE " SQL_ZONE ", "
	    "'YYYY-MM-DD HH24:MI'), '') AS received_at, addressee, what "
	    "FROM hotline.material_requests WHERE investigation_id = $1 ORDER BY id";
	const char *p[1] = {inv_id};
	PGresult *res = wfdb_exec(c->db, sql_requests, 1, p, NULL);
	rq->res = res;
	int n = res ? PQntuples(res) : 0;
	if (n == 0)
		return;
	int addressee_sealed = db_col(res, "addressee_sealed"),
	    addressee = db_col(res, "addressee");
	int what_sealed = db_col(res, "what_sealed"), what = db_col(res, "what");
	rq->addressee = calloc((size_t)n, sizeof(*rq->addressee));
	rq->what = calloc((size_t)n, sizeof(*rq->what));
	if (!rq->addressee || !rq->what)
		abort();
	for (int i = 0; i < n; i++) {
		sealedtext_open(&rq->addressee[i], key, res, i, addressee_sealed, addressee);
		sealedtext_open(&rq->what[i], key, res, i, what_sealed, what);
	}
}

static void requests_free(struct commission_requests *rq)
{
	int n = rq->res ? PQntuples(rq->res) : 0;
	for (int i = 0; rq->addressee && i < n; i++) {
		sealedtext_free(&rq->addressee[i]);
		sealedtext_free(&rq->what[i]);
	}
	free(rq->addressee);
	free(rq->what);
	PQclear(rq->res);
}

/* running: new requests may be made; open: the conclusion is not yet
 * submitted, so the requests' deadlines run and materials are added. */
static void put_requests(struct staff_ctx *c, const struct commission_requests *rq,
			 const struct commfiles_materials *materials, const struct calendar *cal,
			 const char *reg_no, bool running, bool open)
{
	const PGresult *res = rq->res;
	char action[64];
	snprintf(action, sizeof(action), "/staff/commission/%s", reg_no);
	casepage_section(c, "requests", M_COMM_REQUESTS);
	staff_html(c, "<p class=\"hint\">");
	staff_text(c, M_COMM_REQUESTS_HINT);
	staff_html(c, "</p>\n<ul class=\"cards\">\n");
	int id_col = res ? db_col(res, "id") : -1,
	    received_col = res ? db_col(res, "received") : -1;
	int requested_on = res ? db_col(res, "requested_on") : -1;
	int due_date = res ? db_col(res, "due_date") : -1;
	int received_at = res ? db_col(res, "received_at") : -1;
	for (int i = 0; res && i < PQntuples(res); i++) {
		const char *id = PQgetvalue(res, i, id_col);
		bool received = strcmp(PQgetvalue(res, i, received_col), "t") == 0;
		staff_html(c, "<li class=\"card request%s\" id=\"request-%lld\"><p><strong>",
			   received ? " received" : "", strtoll(id, NULL, 10));
		sealedtext_write(c, &rq->addressee[i]);
		staff_html(c, "</strong>: ");
		sealedtext_write(c, &rq->what[i]);
		staff_html(c, "</p>\n<p>");
		staff_text(c, M_COMM_REQUESTED_ON);
		staff_html(c, " <time datetime=\"%s\">", PQgetvalue(res, i, requested_on));
		staff_date(c, PQgetvalue(res, i, requested_on));
		staff_html(c, "</time> · ");
		staff_text(c, M_COMM_DUE);
		staff_html(c, " <time class=\"due\" datetime=\"%s\">",
			   PQgetvalue(res, i, due_date));
		staff_date(c, PQgetvalue(res, i, due_date));
		staff_html(c, "</time> · ");
		if (received) {
			staff_html(c, "<span class=\"state\">");
			staff_text(c, M_COMM_RECEIVED);
			staff_html(c, " ");
			staff_date(c, PQgetvalue(res, i, received_at));
			staff_html(c, "</span></p>\n");
		} else if (!open) {
			/* submitted or closed: the request no longer runs */
			staff_html(c, "</p>\n");
		} else {
			put_days_left(c, cal, PQgetvalue(res, i, due_date));
			staff_html(c, "</p>\n");
			staff_form_open(c, action, false);
			staff_html(c,
				   "<input type=\"hidden\" name=\"do\" value=\"received\">"
				   "<input type=\"hidden\" name=\"request\" value=\"%lld\">"
				   "<button type=\"submit\" class=\"mark-received\">",
				   strtoll(id, NULL, 10));
			staff_text(c, M_COMM_MARK_RECEIVED);
			staff_html(c, "</button></form>\n");
		}
		commfiles_materials_put(c, materials, id, action, open, !received);
		staff_html(c, "</li>\n");
	}
	staff_html(c, "</ul>\n");
	if (running) {
		staff_form_open(c, action, false);
		staff_html(c, "<fieldset id=\"new-request\"><legend>");
		staff_text(c, M_COMM_NEW_REQUEST);
		staff_html(c, "</legend>\n<input type=\"hidden\" name=\"do\" value=\"request\">\n"
			      "<label for=\"to\">");
		staff_text(c, M_COMM_REQUEST_TO);
		staff_html(c, "</label>\n<input type=\"text\" id=\"to\" name=\"to\" required "
			      "maxlength=\"300\">\n<label for=\"what\">");
		staff_text(c, M_COMM_REQUEST_WHAT);
		staff_html(c, "</label>\n<textarea id=\"what\" name=\"what\" rows=\"3\" required "
			      "maxlength=\"2000\"></textarea>\n<label for=\"on\">");
		staff_text(c, M_COMM_REQUEST_ON);
		staff_html(c, "</label>\n<input type=\"date\" id=\"on\" name=\"on\">\n"
			      "<p><button type=\"submit\">");
		staff_text(c, M_COMM_SEND_REQUEST);
		staff_html(c, "</button></p>\n</fieldset>\n</form>\n");
	}
	staff_html(c, "</section>\n");
}

/* The conclusion's texts, under the conclusion's key, once it was drafted;
 * norms: clear before migration 0022 (then read from sql_view's row). */
struct commission_conclusion {
	bool has_seal; /* this member's own seal of the case opened */
	bool norms_sealed;
	struct sealedtext findings, norms, proposed;
};

static void conclusion_load(struct staff_ctx *c, const PGresult *v, enum investigation_state state,
			    struct commission_conclusion *cc)
{
	if (state == INV_ORDERED || state == INV_IN_PROGRESS)
		return;
	cc->has_seal = staff_case_key_for(c, PQgetvalue(v, 0, db_col(v, "case_id"))) != NULL;
	struct content_key *key = casefile_sealed_key(c, v, 0, db_col(v, "conclusion_key_sealed"));
	sealedtext_open_sealed(&cc->findings, key, v, 0, db_col(v, "conclusion"));
	int norms_sealed = db_col(v, "norms_sealed");
	cc->norms_sealed = !PQgetisnull(v, 0, norms_sealed);
	if (cc->norms_sealed)
		sealedtext_open_sealed(&cc->norms, key, v, 0, norms_sealed);
	sealedtext_open_sealed(&cc->proposed, key, v, 0, db_col(v, "proposed_measures"));
	content_key_free(key);
}

static void conclusion_free(struct commission_conclusion *cc)
{
	sealedtext_free(&cc->findings);
	sealedtext_free(&cc->norms);
	sealedtext_free(&cc->proposed);
}

static void put_conclusion(struct staff_ctx *c, const PGresult *v,
			   const struct commission_conclusion *cc, const char *action,
			   enum investigation_state state)
{
	casepage_section(c, "conclusion", M_COMM_CONCLUSION);
	if (state == INV_ORDERED) {
		staff_html(c, "<p>");
		staff_text(c, M_COMM_START_FIRST);
		staff_html(c, "</p>\n");
		staff_form_open(c, action, false);
		staff_html(c, "<input type=\"hidden\" name=\"do\" value=\"start\"><button "
			      "type=\"submit\" id=\"start\">");
		staff_text(c, M_COMM_START);
		staff_html(c, "</button></form>\n");
	} else if (state == INV_IN_PROGRESS) {
		staff_form_open(c, action, false);
		staff_html(c, "<input type=\"hidden\" name=\"do\" value=\"conclude\">\n<p "
			      "class=\"hint\">");
		staff_text(c, M_COMM_CONCLUSION_HINT);
		staff_html(c, "</p>\n<label for=\"findings\">");
		staff_text(c, M_COMM_FINDINGS);
		staff_html(c, "</label>\n<textarea id=\"findings\" name=\"findings\" rows=\"8\" "
			      "required></textarea>\n<label for=\"norms\">");
		staff_text(c, M_COMM_NORMS);
		staff_html(c, "</label>\n<textarea id=\"norms\" name=\"norms\" rows=\"3\" "
			      "required></textarea>\n<label for=\"proposed\">");
		staff_text(c, M_COMM_PROPOSED);
		staff_html(c, "</label>\n<textarea id=\"proposed\" name=\"proposed\" "
			      "rows=\"4\"></textarea>\n<p><button type=\"submit\">");
		staff_text(c, M_COMM_SUBMIT_CONCLUSION);
		staff_html(c, "</button></p>\n</form>\n");
	} else {
		staff_html(c, "<dl>\n<dt>");
		staff_text(c, M_COMM_FINDINGS);
		staff_html(c, "</dt>\n");
		put_sealed_text(c, &cc->findings, "findings-text");
		staff_html(c, "<dt>");
		staff_text(c, M_COMM_NORMS);
		staff_html(c, "</dt>\n");
		if (cc->norms_sealed) {
			put_sealed_text(c, &cc->norms, "norms-text");
		} else {
			staff_html(c, "<dd id=\"norms-text\">");
			staff_esc(c, PQgetvalue(v, 0, db_col(v, "norms")));
			staff_html(c, "</dd>\n");
		}
		if (cc->proposed.st != FREETEXT_NONE) {
			staff_html(c, "<dt>");
			staff_text(c, M_COMM_PROPOSED);
			staff_html(c, "</dt>\n");
			put_sealed_text(c, &cc->proposed, "proposed-text");
		}
		staff_html(c, "</dl>\n");
		if (!cc->has_seal) {
			staff_html(c, "<p class=\"notice\">");
			staff_text(c, M_COMM_NOT_SEALED);
			staff_html(c, "</p>\n");
		}
		staff_html(c, "<p><a id=\"print-conclusion\" href=\"/staff/commission-conclusion/");
		staff_esc(c, PQgetvalue(v, 0, db_col(v, "reg_no")));
		staff_html(c, "\">");
		staff_text(c, M_CONCL_PRINT);
		staff_html(c, "</a></p>\n");
		if (state == INV_CONCLUSION_DRAFTED) {
			/* the commission submits; management decides (004 p.7.10-7.11) */
			staff_html(c, "<p class=\"hint\">");
			staff_text(c, M_COMM_SUBMIT_HINT);
			staff_html(c, "</p>\n");
			staff_form_open(c, action, false);
			staff_html(c, "<input type=\"hidden\" name=\"do\" value=\"submit\"><button "
				      "type=\"submit\" id=\"submit-conclusion\">");
			staff_text(c, M_COMM_SUBMIT);
			staff_html(c, "</button></form>\n");
		} else {
			char text[160], on[64];
			staff_date_str(c, PQgetvalue(v, 0, db_col(v, "submitted_at")), on,
				       sizeof(on));
			snprintf(text, sizeof(text), i18n(c->lang, M_COMM_SUBMITTED_ON), on);
			staff_html(c, "<p id=\"submitted\">");
			staff_esc(c, text);
			staff_html(c, "</p>\n");
		}
	}
	staff_html(c, "</section>\n");
}

/* Management's decision and the measures, as recorded on the director's
 * case page (staff/decisions.c): the commission reads them here. */
static void put_decision(struct staff_ctx *c, const PGresult *v, enum investigation_state state)
{
	if (state < INV_SUBMITTED)
		return;
	const char *decision = PQgetvalue(v, 0, db_col(v, "decision"));
	casepage_section(c, "decision", M_COMM_DECISION);
	if (state == INV_SUBMITTED) {
		staff_html(c, "<p id=\"awaiting-decision\">");
		staff_text(c, M_COMM_AWAITING_DECISION);
		staff_html(c, "</p>\n</section>\n");
		return;
	}
	staff_html(c, "<p id=\"decision-text\">");
	staff_text(c, casefile_ruling_text(decision));
	staff_html(c, "</p>\n");
	if (*PQgetvalue(v, 0, db_col(v, "decision_doc")))
		casepage_doc_line(c, "decision-doc", M_COMM_DECISION_DOC,
				  PQgetvalue(v, 0, db_col(v, "decision_doc")),
				  PQgetvalue(v, 0, db_col(v, "decision_date")));
	if (*PQgetvalue(v, 0, db_col(v, "measures_doc")))
		casepage_doc_line(c, "measures-doc", M_COMM_MEASURES_DOC,
				  PQgetvalue(v, 0, db_col(v, "measures_doc")),
				  PQgetvalue(v, 0, db_col(v, "measures_date")));
	staff_html(c, "</section>\n");
}

/* The declared interests: the rows (kept) and each name opened with the
 * case's key. */
struct commission_interest {
	PGresult *res;
	struct sealedtext *name;
};

static void interest_load(struct staff_ctx *c, const struct content_key *key, const char *case_id,
			  struct commission_interest *in)
{
	/* the name is sealed under the case's key (clear only in rows written
	 * before migration 0022); "mine" is known by the account */
	static const char sql_interest[] =
	    "SELECT name_sealed, to_char(declared_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD') "
	    "AS declared_on, name, declared_by = $2::bigint AS mine "
	    "FROM hotline.interest_declarations WHERE case_id = $1 "
	    "ORDER BY declared_at, id";
	char uid[24];
	user_id_text(c, uid);
	const char *p[2] = {case_id, uid};
	PGresult *res = wfdb_exec(c->db, sql_interest, 2, p, NULL);
	in->res = res;
	int n = res ? PQntuples(res) : 0;
	if (n == 0)
		return;
	int name_sealed = db_col(res, "name_sealed"), name = db_col(res, "name");
	in->name = calloc((size_t)n, sizeof(*in->name));
	if (!in->name)
		abort();
	for (int i = 0; i < n; i++)
		sealedtext_open(&in->name[i], key, res, i, name_sealed, name);
}

static void interest_free(struct commission_interest *in)
{
	int n = in->res ? PQntuples(in->res) : 0;
	for (int i = 0; in->name && i < n; i++)
		sealedtext_free(&in->name[i]);
	free(in->name);
	PQclear(in->res);
}

static void put_interest(struct staff_ctx *c, const struct commission_interest *in,
			 const char *action, bool closed)
{
	const PGresult *res = in->res;
	casepage_section(c, "interest", M_COMM_INTEREST);
	bool mine = false;
	if (res && PQntuples(res) > 0) {
		staff_html(c, "<ul>\n");
		int name = db_col(res, "name");
		int declared_on = db_col(res, "declared_on"), mine_col = db_col(res, "mine");
		for (int i = 0; i < PQntuples(res); i++) {
			if (strcmp(PQgetvalue(res, i, mine_col), "t") == 0 ||
			    (!PQgetisnull(res, i, name) &&
			     strcmp(PQgetvalue(res, i, name), c->user->name) == 0))
				mine = true;
			staff_html(c, "<li>");
			sealedtext_write(c, &in->name[i]);
			staff_html(c, " · <time datetime=\"%s\">", PQgetvalue(res, i, declared_on));
			staff_date(c, PQgetvalue(res, i, declared_on));
			staff_html(c, "</time></li>\n");
		}
		staff_html(c, "</ul>\n");
	}
	if (!mine && !closed) {
		staff_html(c, "<p class=\"hint\">");
		staff_text(c, M_COMM_INTEREST_HINT);
		staff_html(c, "</p>\n");
		/* behind a confirmation: opened, read, ticked, then sent (no
		 * script needed; declare_interest() checks the tick) */
		staff_html(c, "<details id=\"interest-step\"><summary>");
		staff_text(c, M_COMM_INTEREST_OPEN);
		staff_html(c, "</summary>\n");
		staff_form_open(c, action, false);
		staff_html(c, "<input type=\"hidden\" name=\"do\" value=\"interest\">"
			      "<label class=\"choice\"><input type=\"checkbox\" name=\"confirm\" "
			      "value=\"yes\" id=\"interest-confirm\" required> ");
		staff_text(c, M_COMM_INTEREST_CONFIRM);
		staff_html(c, "</label>\n<button type=\"submit\" id=\"declare-interest\">");
		staff_text(c, M_COMM_DECLARE_INTEREST);
		staff_html(c, "</button></form></details>\n");
	}
	staff_html(c, "</section>\n");
}

/* The messages between the reporter and the compliance manager: the
 * commission considers what the reporter adds during the investigation
 * (004 L139). Read only here. */
static struct casepage_messages *case_messages_load(struct staff_ctx *c, const char *case_id,
						    const char *reg_no, struct casefile *k)
{
	memset(k, 0, sizeof(*k));
	snprintf(k->id, sizeof(k->id), "%s", case_id);
	snprintf(k->reg_no, sizeof(k->reg_no), "%s", reg_no);
	struct casepage_messages *m = casepage_messages_load(c, k);
	/* their files download through the commission's own route */
	casepage_messages_file_path(m, COMMFILES_REPORTER_PATH);
	return m;
}

/* The appeals the compliance manager attached to this investigation
 * (004 L139), each opened on its own page. */
static const char sql_related[] =
    "SELECT j.reg_no, to_char(j.registered_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD') "
    "AS registered, hotline.case_unread_messages(a.id, a.messages_read_upto) AS unread "
    "FROM hotline.related_appeals r JOIN hotline.cases a ON a.id = r.case_id "
    "JOIN hotline.journal j ON j.id = a.journal_id WHERE r.investigation_id = $1 "
    "ORDER BY j.id";

static void put_related(struct staff_ctx *c, const PGresult *res)
{
	casepage_section(c, "related", M_REL_TITLE);
	int n = res ? PQntuples(res) : 0;
	if (n == 0) {
		staff_html(c, "<p>");
		staff_text(c, M_COMM_NO_RELATED);
		staff_html(c, "</p>\n");
	} else {
		staff_html(c, "<ul id=\"related-list\">\n");
	}
	int reg_no = n ? db_col(res, "reg_no") : -1,
	    registered = n ? db_col(res, "registered") : -1;
	int unread = n ? db_col(res, "unread") : -1;
	for (int i = 0; i < n; i++) {
		staff_html(c, "<li><a class=\"related\" href=\"/staff/commission-appeal/");
		staff_esc(c, PQgetvalue(res, i, reg_no));
		staff_html(c, "\">");
		staff_esc(c, PQgetvalue(res, i, reg_no));
		staff_html(c, "</a> &middot; <time datetime=\"%s\">",
			   PQgetvalue(res, i, registered));
		staff_date(c, PQgetvalue(res, i, registered));
		staff_html(c, "</time>");
		board_unread_badge(c, atoi(PQgetvalue(res, i, unread)));
		staff_html(c, "</li>\n");
	}
	if (n > 0)
		staff_html(c, "</ul>\n");
	staff_html(c, "</section>\n");
}

/* One investigation as a member sees it: read in full after the view was
 * audited, before any of it is written; view_free() releases it and wipes
 * what was decrypted. v (sql_view's one row) is kept: the page writes
 * from it. */
struct commission_view {
	PGresult *v;
	enum investigation_state state;
	struct calendar *cal;
	long long read_before;
	PGresult *extensions;
	struct content_key *key; /* the case's content key (issue 14) */
	struct casepage_members *members;
	struct commission_report report;
	struct casefile k;	      /* id and reg_no, for the messages */
	struct casepage_files *files; /* the report's own files */
	struct casepage_messages *messages;
	PGresult *related;
	struct commission_requests requests;
	struct commfiles_materials *materials;
	struct commission_conclusion conclusion;
	struct commission_interest interest;
};

/* Reads the rest of the page in the order it was always read in (after an
 * error, PostgreSQL refuses every later statement of the transaction). */
static void view_load(struct staff_ctx *c, const char *reg_no, struct commission_view *w)
{
	const char *case_id = PQgetvalue(w->v, 0, db_col(w->v, "case_id"));
	const char *p[1] = {PQgetvalue(w->v, 0, db_col(w->v, "inv_id"))};
	w->extensions = wfdb_exec(c->db, sql_extensions, 1, p, NULL);
	/* what the staff typed about the case opens with its key (issue 14) */
	w->key = sealedtext_case_key(c, case_id);
	w->members = casepage_members_load(c, w->key, p[0]);
	report_load(c, w->v, case_id, &w->report);
	w->files = casepage_files_load(c, w->key, case_id);
	w->messages = case_messages_load(c, case_id, reg_no, &w->k);
	w->related = wfdb_exec(c->db, sql_related, 1, p, NULL);
	requests_load(c, w->key, p[0], &w->requests);
	w->materials = commfiles_materials_load(c, p[0]);
	conclusion_load(c, w->v, w->state, &w->conclusion);
	interest_load(c, w->key, case_id, &w->interest);
}

static void view_free(struct commission_view *w)
{
	PQclear(w->v);
	calendar_free(w->cal);
	PQclear(w->extensions);
	content_key_free(w->key);
	casepage_members_free(w->members);
	report_free(&w->report);
	casepage_files_free(w->files);
	casepage_messages_free(w->messages);
	PQclear(w->related);
	requests_free(&w->requests);
	commfiles_materials_free(w->materials);
	conclusion_free(&w->conclusion);
	interest_free(&w->interest);
}

/* The whole page from the view; error (may be NULL) is a refusal of the
 * step just tried. */
static void put_page(struct staff_ctx *c, const char *reg_no, const struct commission_view *w,
		     const char *error)
{
	const PGresult *v = w->v;
	enum investigation_state state = w->state;
	char title[128];
	snprintf(title, sizeof(title), i18n(c->lang, M_COMM_CASE_TITLE), reg_no);
	char action[64];
	snprintf(action, sizeof(action), "/staff/commission/%s", reg_no);
	staff_page_begin(c, title);
	casepage_stylesheet(c);
	staff_html(c, "<p><a href=\"/staff/commission\">");
	staff_text(c, M_COMM_BACK);
	staff_html(c, "</a></p>\n<h1>");
	staff_esc(c, title);
	staff_html(c, "</h1>\n");
	if (error) {
		staff_html(c, "<p class=\"error\" id=\"error\" role=\"alert\">");
		staff_esc(c, error);
		staff_html(c, "</p>\n");
	}
	staff_html(c, "<dl class=\"facts\">\n");
	put_field(c, M_RECEIPT_REGNO, reg_no, "reg-no");
	put_date_field(c, M_STATUS_REGISTERED_AT, PQgetvalue(v, 0, db_col(v, "registered")),
		       "registered");
	char order[256], order_date[64];
	staff_date_str(c, PQgetvalue(v, 0, db_col(v, "order_date")), order_date,
		       sizeof(order_date));
	snprintf(order, sizeof(order), "%s, %s", PQgetvalue(v, 0, db_col(v, "order_no")),
		 order_date);
	put_field(c, M_COMM_ORDER, order, "order");
	put_field(c, M_STATUS_STATE,
		  i18n(c->lang, casefile_inv_state_text(PQgetvalue(v, 0, db_col(v, "state")))),
		  "inv-state");
	staff_html(c, "<dt>");
	staff_text(c, M_COMM_DUE);
	staff_html(c, "</dt>\n<dd id=\"due\"><time datetime=\"%s\">",
		   PQgetvalue(v, 0, db_col(v, "due_date")));
	staff_date(c, PQgetvalue(v, 0, db_col(v, "due_date")));
	staff_html(c, "</time>");
	if (state < INV_SUBMITTED) {
		staff_html(c, " · ");
		put_days_left(c, w->cal, PQgetvalue(v, 0, db_col(v, "due_date")));
	}
	staff_html(c, "</dd>\n</dl>\n<p class=\"hint\">");
	staff_text(c, M_COMM_TERM_HINT);
	staff_html(c, "</p>\n");
	put_extensions(c, w->extensions);
	put_members(c, w->members);
	put_report(c, &w->report);
	put_files(c, w->files);
	casepage_messages_put(c, &w->k, w->messages, w->read_before);
	put_related(c, w->related);
	put_requests(c, &w->requests, w->materials, w->cal, reg_no,
		     state == INV_ORDERED || state == INV_IN_PROGRESS, state < INV_SUBMITTED);
	put_conclusion(c, v, &w->conclusion, action, state);
	put_decision(c, v, state);
	put_interest(c, &w->interest, action, state == INV_CLOSED);
	if (strcmp(PQgetvalue(v, 0, db_col(v, "has_identity")), "t") == 0 && state != INV_CLOSED) {
		casepage_section(c, "reveal", M_REVEAL_TITLE);
		staff_html(c, "<p><a href=\"/staff/reveal/new?case=");
		staff_esc(c, reg_no);
		staff_html(c, "&amp;as=commission\">");
		staff_text(c, M_REVEAL_ASK);
		staff_html(c, "</a></p>\n</section>\n");
	}
	staff_page_end(c);
}

/* The page of one investigation; error (may be NULL) is a refusal of the
 * step just tried. The view is audited before anything of the case is
 * read for the page. */
static void page(struct staff_ctx *c, const char *reg_no, unsigned status, const char *error)
{
	const char *p[1] = {reg_no};
	struct wf_error e = {0};
	struct commission_view w;
	memset(&w, 0, sizeof(w));
	w.v = wfdb_exec(c->db, sql_view, 1, p, &e);
	w.cal = w.v ? wfdb_calendar(c->db, &e) : NULL;
	if (!w.v || !w.cal || PQntuples(w.v) != 1 ||
	    !investigation_state_parse(PQgetvalue(w.v, 0, db_col(w.v, "state")), &w.state) ||
	    !staff_audit(c, "case.view", reg_no) ||
	    !casefile_mark_read(c, PQgetvalue(w.v, 0, db_col(w.v, "case_id")), &w.read_before)) {
		PQclear(w.v);
		calendar_free(w.cal);
		staff_error(c, STATUS_UNAVAILABLE, M_STAFF_DB_DOWN_TITLE, M_STAFF_DB_DOWN);
		return;
	}
	if (status)
		c->status = status;
	view_load(c, reg_no, &w);
	put_page(c, reg_no, &w, error);
	view_free(&w);
}

static void view(struct staff_ctx *c)
{
	if (!reg_no_ok(c->arg) || !sits_on(c, c->arg)) {
		staff_error(c, STATUS_NOT_FOUND, M_ERR_NOT_FOUND_TITLE, M_ERR_NOT_FOUND);
		return;
	}
	page(c, c->arg, 0, NULL);
}

/* --- the steps --- */

/* A member declares their own interest: their display name, sealed
 * under the case's key (procedure_declare_interest). */
static bool declare_interest(struct staff_ctx *c, const struct investigation *v, struct wf_error *e)
{
	struct content_key *key = sealedtext_case_key(c, v->case_id);
	bool ok = procedure_declare_interest(c->db, v->reg_no, c->user->name, key, c->user->id, e);
	content_key_free(key);
	return ok;
}

static bool conclude(struct staff_ctx *c, struct investigation *v, struct wf_error *e)
{
	const char *findings = staff_arg(c, "findings");
	const char *proposed = staff_arg(c, "proposed");
	/* sealed to the case's own key, which this member opened from their
	 * seal: whoever may read the case may read its conclusion */
	struct public_key case_pk;
	if (!staff_case_public_key(c, v->case_id, &case_pk))
		return wf_fail(e, WF_CASE_STATE, "%s", i18n(c->lang, M_COMM_NOT_SEALED));
	return investigation_conclude(c->db, v, staff_arg(c, "norms"), findings,
				      staff_arg_len(c, "findings"), proposed,
				      staff_arg_len(c, "proposed"), &case_pk, e);
}

static bool step(struct staff_ctx *c, const char *what, struct investigation *v, struct wf_error *e)
{
	if (strcmp(what, "start") == 0)
		return investigation_start(c->db, v, e);
	if (strcmp(what, "request") == 0) {
		char id[24], due[11];
		struct content_key *key = sealedtext_case_key(c, v->case_id);
		bool ok = investigation_request(c->db, v, staff_arg(c, "to"), staff_arg(c, "what"),
						key, staff_arg(c, "on"), staff_now(c), id, due, e);
		content_key_free(key);
		return ok;
	}
	if (strcmp(what, "received") == 0)
		return investigation_received(c->db, v, staff_arg(c, "request"), e);
	if (strcmp(what, "material") == 0)
		return commfiles_add(c, v, e);
	if (strcmp(what, "conclude") == 0)
		return conclude(c, v, e);
	if (strcmp(what, "submit") == 0)
		return investigation_submit(c->db, v, c->user->id, NULL, e);
	if (strcmp(what, "interest") == 0) {
		/* a declaration steps this member aside: only once confirmed */
		if (strcmp(staff_arg(c, "confirm"), "yes") != 0)
			return wf_fail(e, WF_MISSING, "the declaration was not confirmed");
		return declare_interest(c, v, e);
	}
	return wf_fail(e, WF_MISSING, "unknown step");
}

static void act(struct staff_ctx *c)
{
	static const char *const steps[] = {"start",	"request", "received", "material",
					    "conclude", "submit",  "interest"};
	/* management's steps (004 p.7.11): the director's case page */
	static const char *const not_ours[] = {"decide", "measures", "close"};
	if (!reg_no_ok(c->arg) || !sits_on(c, c->arg)) {
		staff_error(c, STATUS_NOT_FOUND, M_ERR_NOT_FOUND_TITLE, M_ERR_NOT_FOUND);
		return;
	}
	const char *what = staff_arg(c, "do");
	for (size_t i = 0; i < sizeof(not_ours) / sizeof(not_ours[0]); i++) {
		if (strcmp(what, not_ours[i]) == 0) {
			char object[64];
			snprintf(object, sizeof(object), "investigation.%s %s", not_ours[i],
				 c->arg);
			if (!staff_audit(c, "access.denied", object))
				log_error("staff: the audit row could not be written");
			staff_error(c, STATUS_FORBIDDEN, M_STAFF_DENIED_TITLE,
				    M_COMM_DECISION_NOT_YOURS);
			return;
		}
	}
	const char *known = NULL;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (strcmp(what, steps[i]) == 0)
			known = steps[i];
	}
	struct wf_error e = {0};
	char action[48];
	snprintf(action, sizeof(action), "investigation.%s", known ? known : "unknown");
	bool ok = known && wfdb_begin(c->db);
	if (!known)
		wf_fail(&e, WF_MISSING, "unknown step");
	struct investigation v;
	ok = ok && investigation_load(c->db, c->arg, &v, &e) && step(c, known, &v, &e);
	if (ok && !staff_audit(c, action, c->arg))
		ok = wf_fail(&e, WF_DB, "the audit log could not be written");
	if (ok && !wfdb_commit(c->db))
		ok = wf_fail(&e, WF_DB, "the commit failed");
	if (!ok) {
		if (known)
			wfdb_rollback(c->db);
		bool down = e.code == WF_DB || e.code == WF_CRYPTO;
		char said[768];
		refusal_say(c, &e, said, sizeof(said));
		page(c, c->arg, down ? STATUS_UNAVAILABLE : STATUS_UNPROCESSABLE, said);
		return;
	}
	char to[80];
	snprintf(to, sizeof(to), "/staff/commission/%s#%s", c->arg,
		 strcmp(known, "request") == 0 || strcmp(known, "received") == 0 ||
			 strcmp(known, "material") == 0
		     ? "requests"
		 : strcmp(known, "interest") == 0 ? "interest"
		 : strcmp(known, "conclude") == 0 || strcmp(known, "start") == 0 ||
			 strcmp(known, "submit") == 0
		     ? "conclusion"
		     : "decision");
	staff_redirect(c, to);
}

/* --- an appeal attached to an investigation (004 L139) --- */

/* A member opens an attached appeal only through an investigation they sit
 * on; its content opens with the session's case-handling key as their own
 * case's does. Its columns registered, content_key and content are named as
 * sql_view's, so put_report() reads them. */
static const char sql_appeal[] =
    "SELECT j.reg_no, to_char(j.registered_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD') "
    "AS registered, coalesce(a.content_key_resealed, a.content_key_sealed) AS content_key, "
    "a.content, a.id AS case_id, jx.reg_no AS investigation_reg_no "
    "FROM hotline.related_appeals r JOIN hotline.commission_members m "
    "ON m.investigation_id = r.investigation_id "
    "JOIN hotline.cases a ON a.id = r.case_id JOIN hotline.journal j ON j.id = a.journal_id "
    "JOIN hotline.investigations i ON i.id = r.investigation_id "
    "JOIN hotline.cases x ON x.id = i.case_id JOIN hotline.journal jx ON jx.id = x.journal_id "
    "WHERE j.reg_no = $1 AND m.staff_user_id = $2::bigint ORDER BY r.linked_at LIMIT 1";

static void appeal_view(struct staff_ctx *c)
{
	char uid[24];
	user_id_text(c, uid);
	const char *p[2] = {c->arg, uid};
	PGresult *v = reg_no_ok(c->arg) ? wfdb_exec(c->db, sql_appeal, 2, p, NULL) : NULL;
	if (!v || PQntuples(v) != 1) {
		PQclear(v);
		staff_error(c, STATUS_NOT_FOUND, M_ERR_NOT_FOUND_TITLE, M_ERR_NOT_FOUND);
		return;
	}
	long long read_before = 0;
	if (!staff_audit(c, "case.view", c->arg) ||
	    !casefile_mark_read(c, PQgetvalue(v, 0, db_col(v, "case_id")), &read_before)) {
		PQclear(v);
		staff_error(c, STATUS_UNAVAILABLE, M_STAFF_DB_DOWN_TITLE, M_STAFF_DB_DOWN);
		return;
	}
	const char *case_id = PQgetvalue(v, 0, db_col(v, "case_id"));
	struct commission_report report;
	memset(&report, 0, sizeof(report));
	report_load(c, v, case_id, &report);
	struct content_key *key = sealedtext_case_key(c, case_id);
	struct casepage_files *files = casepage_files_load(c, key, case_id);
	content_key_free(key);
	struct casefile k;
	struct casepage_messages *messages = case_messages_load(c, case_id, c->arg, &k);
	char title[128];
	snprintf(title, sizeof(title), i18n(c->lang, M_COMM_APPEAL_TITLE), c->arg);
	staff_page_begin(c, title);
	casepage_stylesheet(c);
	staff_html(c, "<p><a href=\"/staff/commission/");
	staff_esc(c, PQgetvalue(v, 0, db_col(v, "investigation_reg_no")));
	staff_html(c, "\">");
	staff_text(c, M_REL_PART_OF);
	staff_html(c, " ");
	staff_esc(c, PQgetvalue(v, 0, db_col(v, "investigation_reg_no")));
	staff_html(c, "</a></p>\n<h1>");
	staff_esc(c, title);
	staff_html(c, "</h1>\n<dl class=\"facts\">\n");
	put_field(c, M_RECEIPT_REGNO, c->arg, "reg-no");
	put_date_field(c, M_STATUS_REGISTERED_AT, PQgetvalue(v, 0, db_col(v, "registered")),
		       "registered");
	staff_html(c, "</dl>\n");
	put_report(c, &report);
	put_files(c, files);
	casepage_messages_put(c, &k, messages, read_before);
	staff_page_end(c);
	report_free(&report);
	casepage_files_free(files);
	casepage_messages_free(messages);
	PQclear(v);
}

const struct staff_route staff_commission_routes[] = {
    {"GET", "/staff/commission", ROLE_BIT(ROLE_COMMISSION), list, "commission.list"},
    {"GET", "/staff/commission/*", ROLE_BIT(ROLE_COMMISSION), view, "commission.view"},
    {"POST", "/staff/commission/*", ROLE_BIT(ROLE_COMMISSION), act, "commission.step"},
    {"GET", "/staff/commission-appeal/*", ROLE_BIT(ROLE_COMMISSION), appeal_view,
     "commission.appeal"},
    {"GET", "/staff/commission-file/*", ROLE_BIT(ROLE_COMMISSION), commfiles_reporter_file,
     "commission.file"},
    {"GET", "/staff/commission-material/*", ROLE_BIT(ROLE_COMMISSION), commfiles_material,
     "commission.material"},
    {"GET", "/staff/commission-conclusion/*", ROLE_BIT(ROLE_COMMISSION), conclusion_print,
     "commission.conclusion"},
    {"GET", "/staff/conclusion.css", STAFF_PUBLIC, conclusion_style, "conclusion.css"},
    {0},
};

const struct staff_menu staff_commission_menu[] = {
    {"/staff/commission", M_COMM_TITLE},
    {0},
};
