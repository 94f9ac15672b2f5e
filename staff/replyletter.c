#include "staff/replyletter.h"

#include <stdio.h>
#include <string.h>

#include "base/db.h"
#include "base/html.h"
#include "base/schema.h"
#include "crypto/seal.h"
#include "staff/caseaction.h"
#include "staff/casefile.h"
#include "workflow/freetext.h"

/* The newest reply (a later one corrects an earlier). */
static const char sql_reply[] =
    "SELECT j.reg_no, to_char(j.registered_at AT TIME ZONE " SQL_ZONE ", 'DD.MM.YYYY') "
    "AS registered, m.key_sealed, m.body_case, hotline.setting('organisation') AS organisation "
    "FROM hotline.messages m JOIN hotline.cases c ON c.id = m.case_id "
    "JOIN hotline.journal j ON j.id = c.journal_id "
    "WHERE m.case_id = $1 AND m.is_reply ORDER BY m.id DESC LIMIT 1";

/* A letter's words: a document, not the interface, so both languages are
 * here and the page's language is the letter's. */
struct letter_words {
	const char *lang, *title, *outgoing, *to, *address, *heading, *intro, *sign;
};

static const struct letter_words words[] = {
    {"ru", "Ответ на обращение", "Исх. № ________ от ____________",
     "Заявителю: ______________________________", "Адрес: ______________________________",
     "Ответ на обращение",
     "На ваше обращение, зарегистрированное в Журнале регистрации обращений граждан за № %s от "
     "%s, сообщаем следующее.",
     "Руководитель ____________________ / ____________________ /"},
    {"kk", "Өтінішке жауап", "Шығыс № ________ ____________",
     "Өтініш берушіге: ______________________________", "Мекенжайы: ______________________________",
     "Өтінішке жауап",
     "Азаматтардың өтініштерін тіркеу журналында № %s болып %s тіркелген өтінішіңіз бойынша "
     "мынаны хабарлаймыз.",
     "Басшы ____________________ / ____________________ /"},
};

static void put(struct staff_ctx *c, const char *s)
{
	staff_esc(c, s);
}

/* The letter from the newest reply's row (res) and its text, opened
 * before any of the letter is written. */
static void put_letter(struct staff_ctx *c, const struct letter_words *w, const PGresult *res,
		       const char *text)
{
	html_f(&c->body,
	       "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
	       "<title>",
	       w->lang);
	put(c, w->title);
	html_markup(&c->body, " ");
	put(c, PQgetvalue(res, 0, db_col(res, "reg_no")));
	html_markup(&c->body, "</title><link rel=\"stylesheet\" href=\"/staff/case.css\"></head>"
			      "<body class=\"letter\">\n<p class=\"org\">");
	int org = db_col(res, "organisation");
	put(c, PQgetisnull(res, 0, org) ? "" : PQgetvalue(res, 0, org));
	html_markup(&c->body, "</p>\n<p>");
	put(c, w->outgoing);
	html_markup(&c->body, "</p>\n<p class=\"to\">");
	put(c, w->to);
	html_markup(&c->body, "<br><span id=\"letter-address\">");
	put(c, w->address);
	html_markup(&c->body, "</span></p>\n<h1>");
	put(c, w->heading);
	html_markup(&c->body, "</h1>\n<p>");
	char intro[512];
	snprintf(intro, sizeof(intro), w->intro, PQgetvalue(res, 0, db_col(res, "reg_no")),
		 PQgetvalue(res, 0, db_col(res, "registered")));
	html_markup(&c->body, "<span id=\"letter-intro\">");
	put(c, intro);
	html_markup(&c->body, "</span></p>\n<p class=\"text\" id=\"letter-text\">");
	put(c, text);
	html_markup(&c->body, "</p>\n<p class=\"sign\">");
	put(c, w->sign);
	html_markup(&c->body, "</p>\n</body></html>\n");
}

static void reply_letter(struct staff_ctx *c)
{
	const struct letter_words *w = &words[strcmp(staff_arg(c, "lang"), "kk") == 0 ? 1 : 0];
	struct casefile k;
	struct wf_error e = {0};
	if (!casefile_open(c, c->arg, false, &k))
		return;
	const char *v[1] = {k.id};
	PGresult *res = casefile_query(c, sql_reply, 1, v);
	if (!res) {
		casefile_rollback(c);
		casefile_db_error(c);
		return;
	}
	if (PQntuples(res) != 1) {
		PQclear(res);
		casefile_rollback(c);
		wf_fail(&e, WF_CASE_STATE, "%s", i18n(c->lang, M_CASE_REPLY_NONE));
		caseaction_refused(c, k.reg_no, &e);
		return;
	}
	struct content_key *mk = casefile_sealed_key(c, res, 0, db_col(res, "key_sealed"));
	if (!mk) {
		PQclear(res);
		casefile_rollback(c);
		staff_error(c, 403, M_CASE_FILE_UNREADABLE_TITLE, M_CASE_NOT_SEALED);
		return;
	}
	/* the reply's text, wiped once the letter is written */
	char *text = casefile_open_text(mk, res, 0, db_col(res, "body_case"));
	content_key_free(mk);
	if (!text) {
		PQclear(res);
		casefile_rollback(c);
		buf_wipe(&c->body);
		staff_error(c, 403, M_CASE_FILE_UNREADABLE_TITLE, M_CASE_UNREADABLE);
		return;
	}
	put_letter(c, w, res, text);
	freetext_free(text);
	PQclear(res);
	if (!staff_audit(c, "case.reply_letter", k.reg_no) || !casefile_commit(c)) {
		casefile_rollback(c);
		casefile_db_error(c);
	}
}

const struct staff_route replyletter_routes[] = {
    {"GET", "/staff/reply-letter/*",
     ROLE_BIT(ROLE_COMPLIANCE) | ROLE_BIT(ROLE_DIRECTOR) | ROLE_BIT(ROLE_ALTERNATE), reply_letter,
     "case.reply_letter"},
    {NULL, NULL, 0, NULL, NULL},
};
