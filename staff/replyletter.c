#include "staff/replyletter.h"

#include <stdio.h>
#include <string.h>

#include "crypto/seal.h"
#include "staff/caseaction.h"
#include "staff/casefile.h"

/* The newest reply (a later one corrects an earlier). */
static const char sql_reply[] =
    "SELECT j.reg_no, to_char(j.registered_at AT TIME ZONE 'Asia/Almaty', 'DD.MM.YYYY'), "
    "m.key_sealed, m.body_case, hotline.setting('organisation') "
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
	struct content_key *mk = casefile_sealed_key(c, res, 0, 2);
	if (!mk) {
		PQclear(res);
		casefile_rollback(c);
		staff_error(c, 403, M_CASE_FILE_UNREADABLE_TITLE, M_CASE_NOT_SEALED);
		return;
	}
	buf_printf(&c->body,
		   "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
		   "<title>",
		   w->lang);
	put(c, w->title);
	buf_puts(&c->body, " ");
	put(c, PQgetvalue(res, 0, 0));
	buf_puts(&c->body, "</title><link rel=\"stylesheet\" href=\"/staff/case.css\"></head>"
			   "<body class=\"letter\">\n<p class=\"org\">");
	put(c, PQgetisnull(res, 0, 4) ? "" : PQgetvalue(res, 0, 4));
	buf_puts(&c->body, "</p>\n<p>");
	put(c, w->outgoing);
	buf_puts(&c->body, "</p>\n<p class=\"to\">");
	put(c, w->to);
	buf_puts(&c->body, "<br><span id=\"letter-address\">");
	put(c, w->address);
	buf_puts(&c->body, "</span></p>\n<h1>");
	put(c, w->heading);
	buf_puts(&c->body, "</h1>\n<p>");
	char intro[512];
	snprintf(intro, sizeof(intro), w->intro, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
	buf_puts(&c->body, "<span id=\"letter-intro\">");
	put(c, intro);
	buf_puts(&c->body, "</span></p>\n<p class=\"text\" id=\"letter-text\">");
	bool opened = casefile_put_text(c, mk, res, 0, 3);
	content_key_free(mk);
	PQclear(res);
	if (!opened) {
		casefile_rollback(c);
		buf_wipe(&c->body);
		staff_error(c, 403, M_CASE_FILE_UNREADABLE_TITLE, M_CASE_UNREADABLE);
		return;
	}
	buf_puts(&c->body, "</p>\n<p class=\"sign\">");
	put(c, w->sign);
	buf_puts(&c->body, "</p>\n</body></html>\n");
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
