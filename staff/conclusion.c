/* The printable conclusion: see conclusion.h. */
#include "staff/conclusion.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/db.h"
#include "base/html.h"
#include "base/schema.h"
#include "crypto/seal.h"
#include "staff/casefile.h"
#include "staff/casepage.h"
#include "staff/seals.h"
#include "staff/sealedtext.h"
#include "workflow/journal.h"
#include "workflow/states.h"

/* The investigation of reg_no as the document needs it, and whether the
 * user ($2) sits on its commission; norms: the clear norms of a conclusion
 * before migration 0022. */
static const char sql_conclusion[] =
    "SELECT j.reg_no, to_char(j.registered_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD') "
    "AS registered, c.id AS case_id, i.id AS inv_id, i.order_no, "
    "to_char(i.order_date, 'YYYY-MM-DD') AS order_date, i.state, i.conclusion_key_sealed, "
    "i.conclusion, i.proposed_measures, i.norms_sealed, coalesce(i.norms, '') AS norms, "
    "coalesce(to_char(i.submitted_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD'), '') "
    "AS submitted_on, coalesce(hotline.setting('organisation'), '') AS organisation, "
    "EXISTS (SELECT 1 FROM hotline.commission_members m WHERE m.investigation_id = i.id "
    "AND m.staff_user_id = $2::bigint) AS mine "
    "FROM hotline.investigations i JOIN hotline.cases c ON c.id = i.case_id "
    "JOIN hotline.journal j ON j.id = c.journal_id WHERE j.reg_no = $1";

static const char conclusion_css[] =
    "body.conclusion h1{font-size:14pt;text-align:center;margin:1em 0 .2em}\n"
    "body.conclusion h2{font-size:12pt;margin:1.2em 0 .3em}\n"
    "body.conclusion p,body.conclusion li{overflow-wrap:anywhere}\n"
    "body.conclusion .org{text-align:center;font-weight:600}\n"
    "body.conclusion .draft{border:1px solid #b3261e;color:#b3261e;padding:.2em .5em}\n"
    "body.conclusion .screen{font:11pt/1.4 sans-serif;border-bottom:1px solid #c9ced6;"
    "padding-bottom:.6em;margin-bottom:1.5em}\n"
    "body.conclusion .screen a{margin-right:1em}\n"
    "body.conclusion .sign{display:flex;flex-wrap:wrap;align-items:flex-end;"
    "gap:.2em 1em;margin:1.8em 0 0}\n"
    "body.conclusion .sign .who{flex:1 1 14em}\n"
    "body.conclusion .sign .line{flex:0 1 12em;text-align:center;border-top:1px solid #000;"
    "font-size:9pt;margin-top:1.6em}\n"
    "@media print{body.conclusion .screen{display:none}"
    "body.conclusion{max-width:none;margin:0;padding:0}"
    "body.conclusion .sign{break-inside:avoid}}\n";

void conclusion_style(struct staff_ctx *c)
{
	c->content_type = "text/css; charset=utf-8";
	buf_puts(&c->body, conclusion_css);
}

/* What the document shows, opened before any of it is written; freed with
 * the texts wiped. */
struct conclusion_doc {
	PGresult *v; /* sql_conclusion's row */
	bool norms_sealed;
	struct sealedtext findings, norms, proposed;
	struct casepage_members *members;
};

static void doc_load(struct staff_ctx *c, struct conclusion_doc *d)
{
	const PGresult *v = d->v;
	const char *case_id = PQgetvalue(v, 0, db_col(v, "case_id"));
	(void)staff_case_key_for(c, case_id);
	struct content_key *key = casefile_sealed_key(c, v, 0, db_col(v, "conclusion_key_sealed"));
	sealedtext_open_sealed(&d->findings, key, v, 0, db_col(v, "conclusion"));
	int norms_sealed = db_col(v, "norms_sealed");
	d->norms_sealed = !PQgetisnull(v, 0, norms_sealed);
	if (d->norms_sealed)
		sealedtext_open_sealed(&d->norms, key, v, 0, norms_sealed);
	sealedtext_open_sealed(&d->proposed, key, v, 0, db_col(v, "proposed_measures"));
	content_key_free(key);
	/* the members' names and positions are under the case's content key */
	struct content_key *case_key = sealedtext_case_key(c, case_id);
	d->members = casepage_members_load(c, case_key, PQgetvalue(v, 0, db_col(v, "inv_id")));
	content_key_free(case_key);
}

static void doc_free(struct conclusion_doc *d)
{
	sealedtext_free(&d->findings);
	sealedtext_free(&d->norms);
	sealedtext_free(&d->proposed);
	casepage_members_free(d->members);
	PQclear(d->v);
}

/* A text of the conclusion in <p class="text" id="ID">: the text, or that
 * it is sealed to the case's readers. */
static void put_text(struct staff_ctx *c, const struct sealedtext *t, const char *id)
{
	staff_html(c, "<p class=\"text\" id=\"%s\">", id);
	sealedtext_write(c, t);
	staff_html(c, "</p>\n");
}

static void put_formatted(struct staff_ctx *c, const char *id, enum msg fmt, const char *a,
			  const char *b)
{
	char text[512];
	snprintf(text, sizeof(text), i18n(c->lang, fmt), a, b);
	staff_html(c, "<p id=\"%s\">", id);
	staff_esc(c, text);
	staff_html(c, "</p>\n");
}

static void put_doc(struct staff_ctx *c, const struct conclusion_doc *d)
{
	const PGresult *v = d->v;
	const char *reg_no = PQgetvalue(v, 0, db_col(v, "reg_no"));
	const char *submitted_on = PQgetvalue(v, 0, db_col(v, "submitted_on"));
	char registered[40], order_date[40], date[40];
	html_date(registered, sizeof(registered), c->lang,
		  PQgetvalue(v, 0, db_col(v, "registered")));
	html_date(order_date, sizeof(order_date), c->lang,
		  PQgetvalue(v, 0, db_col(v, "order_date")));
	html_date(date, sizeof(date), c->lang, submitted_on);
	staff_html(c,
		   "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
		   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		   "<title>",
		   i18n_code(c->lang));
	staff_text(c, M_CONCL_TITLE);
	staff_html(c,
		   " %s</title><link rel=\"stylesheet\" href=\"/staff/case.css\">"
		   "<link rel=\"stylesheet\" href=\"/staff/conclusion.css\"></head>\n"
		   "<body class=\"letter conclusion\">\n<div class=\"screen\"><p>"
		   "<a href=\"/staff/commission/%s\">",
		   reg_no, reg_no);
	staff_text(c, M_CONCL_BACK);
	staff_html(c, "</a> <a href=\"?lang=kk\" lang=\"kk\">қазақша</a> "
		      "<a href=\"?lang=ru\" lang=\"ru\">русский</a></p>\n<p class=\"hint\">");
	staff_text(c, M_CONCL_HINT);
	staff_html(c, "</p></div>\n<p class=\"org\" id=\"concl-org\">");
	staff_esc(c, PQgetvalue(v, 0, db_col(v, "organisation")));
	staff_html(c, "</p>\n<h1>");
	staff_text(c, M_CONCL_TITLE);
	staff_html(c, "</h1>\n");
	if (!*submitted_on) {
		staff_html(c, "<p class=\"draft\" id=\"concl-draft\">");
		staff_text(c, M_CONCL_DRAFT);
		staff_html(c, "</p>\n");
	}
	put_formatted(c, "concl-case", M_CONCL_CASE, reg_no, registered);
	put_formatted(c, "concl-order", M_CONCL_ORDER, PQgetvalue(v, 0, db_col(v, "order_no")),
		      order_date);
	staff_html(c, "<h2>");
	staff_text(c, M_CONCL_MEMBERS);
	staff_html(c, "</h2>\n<ol id=\"concl-members\">\n");
	size_t n = casepage_members_count(d->members);
	for (size_t i = 0; i < n; i++) {
		const struct sealedtext *name, *position;
		casepage_member_texts(d->members, i, &name, &position);
		staff_html(c, "<li>");
		sealedtext_write(c, name);
		if (position->st != FREETEXT_NONE && !(position->text && !*position->text)) {
			staff_html(c, ", ");
			sealedtext_write(c, position);
		}
		staff_html(c, "</li>\n");
	}
	staff_html(c, "</ol>\n<h2>");
	staff_text(c, M_CONCL_FINDINGS);
	staff_html(c, "</h2>\n");
	put_text(c, &d->findings, "concl-findings");
	staff_html(c, "<h2>");
	staff_text(c, M_CONCL_NORMS);
	staff_html(c, "</h2>\n");
	if (d->norms_sealed) {
		put_text(c, &d->norms, "concl-norms");
	} else {
		staff_html(c, "<p class=\"text\" id=\"concl-norms\">");
		staff_esc(c, PQgetvalue(v, 0, db_col(v, "norms")));
		staff_html(c, "</p>\n");
	}
	staff_html(c, "<h2>");
	staff_text(c, M_CONCL_CONCLUSION);
	staff_html(c, "</h2>\n");
	if (d->proposed.st == FREETEXT_NONE) {
		staff_html(c, "<p id=\"concl-proposed\">");
		staff_text(c, M_CONCL_NONE);
		staff_html(c, "</p>\n");
	} else {
		put_text(c, &d->proposed, "concl-proposed");
	}
	staff_html(c, "<p id=\"concl-date\">");
	staff_text(c, M_CONCL_DATE);
	staff_html(c, ": ");
	if (*submitted_on)
		staff_esc(c, date);
	else
		staff_text(c, M_CONCL_DATE_BLANK);
	staff_html(c, "</p>\n<h2>");
	staff_text(c, M_CONCL_SIGNATURES);
	staff_html(c, "</h2>\n");
	for (size_t i = 0; i < n; i++) {
		const struct sealedtext *name, *position;
		casepage_member_texts(d->members, i, &name, &position);
		staff_html(c, "<div class=\"sign\"><span class=\"who\">");
		sealedtext_write(c, name);
		staff_html(c, "</span><span class=\"line\">");
		staff_text(c, M_CONCL_SIGNATURE);
		staff_html(c, "</span></div>\n");
	}
	staff_html(c, "</body></html>\n");
}

void conclusion_print(struct staff_ctx *c)
{
	int year, seq;
	if (!journal_parse_reg_no(c->arg, &year, &seq)) {
		casefile_not_found(c);
		return;
	}
	if (!casefile_begin(c)) {
		casefile_db_error(c);
		return;
	}
	char uid[24];
	snprintf(uid, sizeof(uid), "%lld", c->user->id);
	const char *p[2] = {c->arg, uid};
	struct conclusion_doc d;
	memset(&d, 0, sizeof(d));
	d.v = casefile_query(c, sql_conclusion, 2, p);
	enum investigation_state state;
	if (!d.v || PQntuples(d.v) != 1 ||
	    !investigation_state_parse(PQgetvalue(d.v, 0, db_col(d.v, "state")), &state)) {
		casefile_load_refused(c, d.v == NULL);
		PQclear(d.v);
		return;
	}
	if (strcmp(PQgetvalue(d.v, 0, db_col(d.v, "mine")), "t") != 0) {
		PQclear(d.v);
		char object[64];
		snprintf(object, sizeof(object), "commission.conclusion %s", c->arg);
		if (!staff_audit(c, "access.denied", object) || !casefile_commit(c)) {
			casefile_load_refused(c, true);
			return;
		}
		staff_error(c, 403, M_STAFF_DENIED_TITLE, M_COMM_NOT_YOURS);
		return;
	}
	/* nothing to print before the conclusion is drafted */
	if (state == INV_ORDERED || state == INV_IN_PROGRESS) {
		PQclear(d.v);
		casefile_load_refused(c, false);
		return;
	}
	if (!staff_audit(c, "case.conclusion_print", c->arg)) {
		PQclear(d.v);
		casefile_load_refused(c, true);
		return;
	}
	doc_load(c, &d);
	put_doc(c, &d);
	doc_free(&d);
	if (!casefile_commit(c))
		casefile_load_refused(c, true);
}
