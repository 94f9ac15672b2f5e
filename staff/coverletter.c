/* The cover letter's page: see coverletter.h. */
#include "staff/coverletter.h"

#include "base/html.h"

const char coverletter_css[] =
    "body.letter{font:12pt/1.5 serif;max-width:40em;margin:3em auto;padding:0 1em}"
    "body.letter .to{margin-left:50%}"
    "body.letter h1{font-size:14pt;text-align:center}"
    "body.letter .sign{margin-top:4em}"
    "@media print{body.letter{margin:0}}";

void coverletter_render(const struct procedure_letter *l, const char *stylesheet, struct buf *out)
{
	html_markup(out, "<!DOCTYPE html>\n<html lang=\"ru\"><head><meta charset=\"utf-8\">"
			 "<title>Сопроводительное письмо ");
	html_escape_str(out, l->reg_no);
	html_markup(out, "</title>");
	if (stylesheet) {
		html_markup(out, "<link rel=\"stylesheet\" href=\"");
		html_escape_str(out, stylesheet);
		html_markup(out, "\">");
	} else {
		html_markup(out, "<style>");
		html_markup(out, coverletter_css);
		html_markup(out, "</style>");
	}
	html_markup(out, "</head><body class=\"letter\">\n<p class=\"org\">");
	html_escape_str(out, l->organisation);
	html_markup(out,
		    "</p>\n<p>Исх. № ________ от ____________</p>\n"
		    "<p class=\"to\">В уполномоченный орган по противодействию "
		    "коррупции</p>\n<h1>Сопроводительное письмо</h1>\n"
		    "<p>Направляем материалы по сообщению о фактах коррупционных правонарушений, "
		    "зарегистрированному в Журнале регистрации обращений граждан за № <span "
		    "id=\"letter-reg-no\">");
	html_escape_str(out, l->reg_no);
	html_markup(out, "</span> от ");
	html_escape_str(out, l->registered);
	html_markup(out, ", для принятия мер в соответствии с компетенцией (п. 10.6–10.7 "
			 "Антикоррупционного стандарта).</p>\n<p>Решение руководителя от ");
	html_escape_str(out, l->decided);
	if (*l->doc) {
		html_markup(out, ", ");
		html_escape_str(out, l->doc);
	}
	html_markup(out, ".</p>\n<p>Приложение: материалы по обращению, файлов: ");
	html_escape_str(out, l->files);
	html_markup(out,
		    ".</p>\n<p>Сведения о лице, оказывающем содействие в противодействии "
		    "коррупции, являются государственными секретами и предоставляются в порядке, "
		    "установленном законом.</p>\n<p class=\"sign\">Руководитель "
		    "____________________ / ____________________ /</p>\n</body></html>\n");
}

bool coverletter_write(PGconn *pg, const char *reg_no, const char *stylesheet, struct buf *out,
		       struct wf_error *e)
{
	struct procedure_letter l;
	if (!procedure_letter_load(pg, reg_no, &l, e))
		return false;
	coverletter_render(&l, stylesheet, out);
	procedure_letter_free(&l);
	return true;
}
