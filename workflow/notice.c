#include "workflow/notice.h"

#include <string.h>

struct duty_text {
	const char *kind;
	const char *ru;
	const char *kk;
};

static const struct duty_text duties[] = {
    {"director_notice", "довести сообщение до сведения руководителя",
     "хабарламаны басшының назарына жеткізу"},
    {"urgent_forward", "направить сообщение в компетентный государственный орган",
     "хабарламаны құзыретті мемлекеттік органға жіберу"},
    {"investigation", "завершить служебную проверку", "қызметтік тексеруді аяқтау"},
    {"material_request", "представить запрошенные материалы", "сұратылған материалдарды ұсыну"},
    {"triage",
     "рассмотреть новое обращение и определить его дальнейший ход, чтобы "
     "руководитель был проинформирован в срок",
     "басшы мерзімінде хабардар етілуі үшін жаңа өтінішті қарап, оның әрі қарай "
     "жүрісін айқындау"},
    {"reply", "дать ответ заявителю", "өтініш берушіге жауап беру"},
};

/* How the appeal came in, for NOTICE_REGISTERED. */
static const struct duty_text channels[] = {
    {"web", "веб-сайт", "веб-сайт"},
    {"email", "электронная почта", "электрондық пошта"},
    {"phone", "телефон доверия", "сенім телефоны"},
    {"written", "письменное обращение", "жазбаша өтініш"},
    {"in_person", "личный приём", "жеке қабылдау"},
};

static const struct duty_text *duty(const char *kind)
{
	for (size_t i = 0; kind && i < sizeof(duties) / sizeof(duties[0]); i++) {
		if (strcmp(duties[i].kind, kind) == 0)
			return &duties[i];
	}
	return &duties[0];
}

static const struct duty_text *channel(const char *kind)
{
	for (size_t i = 0; kind && i < sizeof(channels) / sizeof(channels[0]); i++) {
		if (strcmp(channels[i].kind, kind) == 0)
			return &channels[i];
	}
	return NULL;
}

/* The address of the case's page under console_url ("…/staff/"):
 * console_url + "case/" + reg_no, the route of staff/casepage.c. Appends
 * nothing when console_url is NULL or empty. */
static void notice_case_link(struct buf *b, const char *console_url, const char *reg_no)
{
	if (console_url && *console_url)
		buf_printf(b, "%s%scase/%s", console_url,
			   console_url[strlen(console_url) - 1] == '/' ? "" : "/", reg_no);
}

static void link(struct buf *b, const struct notice_facts *f)
{
	if (!f->console_url || !*f->console_url)
		return;
	buf_puts(b, "\n");
	notice_case_link(b, f->console_url, f->reg_no);
	buf_puts(b, "\n");
}

void notice_build(struct notice *n, enum notice_kind kind, const struct notice_facts *f)
{
	buf_init(&n->subject);
	buf_init(&n->body);
	const struct duty_text *d = duty(f->deadline_kind);
	const char *due = f->due_date ? f->due_date : "-";
	switch (kind) {
	case NOTICE_DIRECTOR_NEW:
		buf_printf(&n->subject,
			   "Обращение %s: сообщение о коррупции для решения руководителя",
			   f->reg_no);
		buf_printf(
		    &n->body,
		    "Зарегистрировано сообщение о фактах коррупционных правонарушений, "
		    "№ %s.\nРуководитель должен быть проинформирован не позднее %s "
		    "(п. 10.6 Антикоррупционного стандарта). Прошу ознакомиться и принять "
		    "решение.\n\n"
		    "Сыбайлас жемқорлық құқық бұзушылық фактілері туралы хабарлама тіркелді, "
		    "№ %s.\nБасшы %s кешіктірмей хабардар етілуі тиіс. Танысып, шешім "
		    "қабылдауыңызды сұраймын.\n",
		    f->reg_no, due, f->reg_no, due);
		break;
	case NOTICE_URGENT:
		buf_printf(&n->subject, "СРОЧНО: обращение %s — направить в компетентный орган",
			   f->reg_no);
		buf_printf(
		    &n->body,
		    "Анонимное обращение № %s содержит сведения о готовящемся или "
		    "совершённом уголовном правонарушении либо об угрозе государственной или "
		    "общественной безопасности. Оно подлежит незамедлительному направлению в "
		    "компетентный государственный орган (п. 6.3 Антикоррупционного "
		    "стандарта). Срок: %s.\n\n"
		    "№ %s жасырын өтініште дайындалып жатқан немесе жасалған қылмыстық құқық "
		    "бұзушылық не қауіпсіздікке төнетін қатер туралы мәліметтер бар. Ол "
		    "құзыретті мемлекеттік органға дереу жіберілуі тиіс. Мерзімі: %s.\n",
		    f->reg_no, due, f->reg_no, due);
		break;
	case NOTICE_REMINDER:
		buf_printf(&n->subject, "Напоминание: обращение %s — срок %s", f->reg_no, due);
		buf_printf(&n->body,
			   "По обращению № %s необходимо %s не позднее %s (осталось %s: "
			   "%d).\n\n№ %s өтініш бойынша %s %s кешіктірмей қажет (қалған %s: "
			   "%d).\n",
			   f->reg_no, d->ru, due, f->calendar_days ? "дней" : "рабочих дней",
			   f->working_days_left, f->reg_no, d->kk, due,
			   f->calendar_days ? "күндер" : "жұмыс күндері", f->working_days_left);
		break;
	case NOTICE_OVERDUE:
		buf_printf(&n->subject, "Просрочено: обращение %s — срок истёк %s", f->reg_no, due);
		buf_printf(&n->body,
			   "По обращению № %s не исполнено в срок: %s (последний день — %s). "
			   "Сообщение направлено для принятия мер.\n\n"
			   "№ %s өтініш бойынша мерзімінде орындалмады: %s (соңғы күн — %s).\n",
			   f->reg_no, d->ru, due, f->reg_no, d->kk, due);
		break;
	case NOTICE_INVESTIGATION_ORDERED:
		buf_printf(&n->subject, "Обращение %s: назначена служебная проверка, срок %s",
			   f->reg_no, due);
		buf_printf(&n->body,
			   "По обращению № %s назначена служебная проверка. Срок — не позднее %s "
			   "(десять рабочих дней с даты приказа, п. 7.5).\n\n"
			   "№ %s өтініш бойынша қызметтік тексеру тағайындалды. Мерзімі — %s "
			   "кешіктірмей.\n",
			   f->reg_no, due, f->reg_no, due);
		break;
	case NOTICE_REGISTERED: {
		const struct duty_text *ch = channel(f->channel);
		buf_printf(&n->subject, "Новое обращение %s: распределить до %s", f->reg_no, due);
		buf_printf(
		    &n->body,
		    "Зарегистрировано обращение № %s (канал: %s). Прошу рассмотреть его и "
		    "определить дальнейший ход не позднее %s: сообщение о коррупции "
		    "доводится до сведения руководителя не позднее дня, следующего за днём "
		    "регистрации (п. 10.6 Антикоррупционного стандарта).\n\n"
		    "№ %s өтініш тіркелді (арна: %s). Оны қарап, әрі қарай жүрісін %s "
		    "кешіктірмей айқындауыңызды сұраймын: сыбайлас жемқорлық туралы хабарлама "
		    "басшының назарына тіркелген күннен кейінгі күннен кешіктірмей жеткізіледі.\n",
		    f->reg_no, ch ? ch->ru : "-", due, f->reg_no, ch ? ch->kk : "-", due);
		break;
	}
	case NOTICE_CONCLUSION_SUBMITTED:
		buf_printf(&n->subject,
			   "Обращение %s: заключение служебной проверки представлено "
			   "для решения",
			   f->reg_no);
		buf_printf(&n->body,
			   "По обращению № %s комиссия представила заключение служебной проверки "
			   "с материалами. Прошу ознакомиться и принять решение по итогам "
			   "проверки (п. 7.11), указав номер и дату документа.\n\n"
			   "№ %s өтініш бойынша комиссия қызметтік тексеру қорытындысын "
			   "материалдарымен ұсынды. Танысып, тексеру қорытындысы бойынша шешім "
			   "қабылдауыңызды, құжаттың нөмірі мен күнін көрсетуіңізді сұраймын.\n",
			   f->reg_no, f->reg_no);
		break;
	case NOTICE_REPORTER_MESSAGE:
		/* Only that there is one: the message itself is read on the case
		 * page, under the case's key (confidentiality, 004 L192, L202). */
		buf_printf(&n->subject, "Обращение %s: новое сообщение заявителя", f->reg_no);
		buf_printf(&n->body,
			   "По обращению № %s заявитель направил новое сообщение. Прошу "
			   "ознакомиться на странице обращения.\n\n"
			   "№ %s өтініш бойынша өтініш беруші жаңа хабарлама жіберді. Өтініш "
			   "бетінде танысуыңызды сұраймын.\n",
			   f->reg_no, f->reg_no);
		break;
	}
	link(&n->body, f);
	if (f->organisation && *f->organisation)
		buf_printf(&n->body, "\n%s\n", f->organisation);
	buf_puts(&n->body, "\n-- \nЛиния доверия / Сенім желісі (автоматическое уведомление: без "
			   "содержания обращения и без сведений о заявителе)\n");
}

void notice_free(struct notice *n)
{
	buf_reset(&n->subject);
	buf_reset(&n->body);
}
