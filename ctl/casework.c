#include "ctl/casework.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl/ctldb.h"
#include "ctl/deadlines.h"
#include "workflow/calendar.h"
#include "workflow/notice.h"
#include "workflow/states.h"

struct kase {
	char id[24];
	char reg_no[16];
	enum case_state state;
	char category[32];
	bool anonymous;
	bool director_named;
	char reg_date[11]; /* Asia/Almaty */
};

static const char sql_case[] =
	"SELECT c.id, j.reg_no, c.state, c.category, c.anonymous, c.director_named, "
	"to_char(j.registered_at AT TIME ZONE 'Asia/Almaty', 'YYYY-MM-DD') "
	"FROM hotline.cases c JOIN hotline.journal j ON j.id = c.journal_id "
	"WHERE j.reg_no = $1 FOR UPDATE OF c";
static const char sql_state[] =
	"UPDATE hotline.cases SET state = $2, state_changed_at = now() WHERE id = $1";
static const char sql_event[] =
	"INSERT INTO hotline.case_events (case_id, kind, detail) VALUES ($1, $2, $3::jsonb)";

/* Locks and reads the case; false with a message if there is none. */
static bool load_case(PGconn *pg, const char *reg_no, struct kase *k)
{
	const char *v[1] = {reg_no};
	PGresult *res = ctldb_exec(pg, sql_case, 1, v);
	if (!res)
		return false;
	if (PQntuples(res) != 1) {
		fprintf(stderr, "hotlinectl: no case %s in the journal\n", reg_no);
		PQclear(res);
		return false;
	}
	snprintf(k->id, sizeof(k->id), "%s", PQgetvalue(res, 0, 0));
	snprintf(k->reg_no, sizeof(k->reg_no), "%s", PQgetvalue(res, 0, 1));
	if (!case_state_parse(PQgetvalue(res, 0, 2), &k->state)) {
		fprintf(stderr, "hotlinectl: case %s has an unknown state\n", reg_no);
		PQclear(res);
		return false;
	}
	snprintf(k->category, sizeof(k->category), "%s", PQgetvalue(res, 0, 3));
	k->anonymous = strcmp(PQgetvalue(res, 0, 4), "t") == 0;
	k->director_named = strcmp(PQgetvalue(res, 0, 5), "t") == 0;
	snprintf(k->reg_date, sizeof(k->reg_date), "%s", PQgetvalue(res, 0, 6));
	PQclear(res);
	return true;
}

bool casework_move(PGconn *pg, const struct kase *k, enum case_state to, const char *event,
		   const char *detail_json);

/* Checks and records a state change with its timeline event. */
bool casework_move(PGconn *pg, const struct kase *k, enum case_state to, const char *event,
		   const char *detail_json)
{
	const char *why = case_check_transition(k->state, to);
	if (why) {
		fprintf(stderr, "hotlinectl: case %s is %s: %s\n", k->reg_no,
			case_state_name(k->state), why);
		return false;
	}
	const char *v[2] = {k->id, case_state_name(to)};
	const char *e[3] = {k->id, event, detail_json ? detail_json : "{}"};
	return ctldb_run(pg, sql_state, 2, v) && ctldb_run(pg, sql_event, 3, e);
}

/* The director, or the alternate recipient when the report names the
 * director (000 L140): the director must not see it. */
static char *director_or_alternate(PGconn *pg, const struct kase *k)
{
	return ctldb_setting(pg, k->director_named ? "alternate_email" : "director_email");
}

static void facts_init(PGconn *pg, struct notice_facts *f, const struct kase *k, char **url,
		       char **org)
{
	*url = ctldb_setting(pg, "console_url");
	*org = ctldb_setting(pg, "organisation");
	memset(f, 0, sizeof(*f));
	f->reg_no = k->reg_no;
	f->console_url = *url;
	f->organisation = *org;
}

/* --- triage --- */

static int triage(PGconn *pg, int argc, char **argv)
{
	const char *note = NULL, *unit = NULL, *named = NULL;
	static const struct option opts[] = {{"note", required_argument, NULL, 'n'},
					     {"unit", required_argument, NULL, 'u'},
					     {"director-named", required_argument, NULL, 'D'},
					     {"database", required_argument, NULL, 'd'},
					     {NULL, 0, NULL, 0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'n')
			note = optarg;
		else if (c == 'u')
			unit = optarg;
		else if (c == 'D')
			named = optarg;
		else if (c != 'd')
			return 2;
	}
	if (optind + 2 != argc) {
		fprintf(stderr, "usage: hotlinectl case triage REG_NO corruption|not_corruption|"
				"anonymous|urgent [--unit UNIT] [--note TEXT] [--director-named yes|no]\n");
		return 2;
	}
	const char *reg_no = argv[optind], *outcome = argv[optind + 1];
	enum case_state to;
	if (strcmp(outcome, "corruption") == 0)
		to = CASE_TO_DIRECTOR;
	else if (strcmp(outcome, "not_corruption") == 0)
		to = CASE_REFERRED;
	else if (strcmp(outcome, "anonymous") == 0)
		to = CASE_NOT_CONSIDERED;
	else if (strcmp(outcome, "urgent") == 0)
		to = CASE_URGENT;
	else {
		fprintf(stderr, "hotlinectl: triage outcome must be corruption, not_corruption, "
				"anonymous or urgent\n");
		return 2;
	}
	if (to == CASE_REFERRED && (!unit || !*unit)) {
		fprintf(stderr, "hotlinectl: a report not about corruption is sent to a unit: give "
				"--unit NAME (004 p.10.9)\n");
		return 2;
	}
	if (named && strcmp(named, "yes") != 0 && strcmp(named, "no") != 0) {
		fprintf(stderr, "hotlinectl: --director-named takes yes or no\n");
		return 2;
	}
	struct kase k;
	if (!ctldb_begin(pg) || !load_case(pg, reg_no, &k))
		goto fail;
	if ((to == CASE_NOT_CONSIDERED || to == CASE_URGENT) && !k.anonymous) {
		fprintf(stderr, "hotlinectl: case %s is not anonymous: the reporter can be answered, "
				"so it is triaged as corruption or not_corruption\n",
			reg_no);
		goto fail;
	}
	if (named) {
		static const char sql_named[] =
			"UPDATE hotline.cases SET director_named = $2 WHERE id = $1";
		k.director_named = strcmp(named, "yes") == 0;
		const char *v[2] = {k.id, k.director_named ? "true" : "false"};
		if (!ctldb_run(pg, sql_named, 2, v))
			goto fail;
	}
	if (!note)
		note = to == CASE_NOT_CONSIDERED ? "anonymous appeal: not considered (004 p.6.3)" : "";
	static const char sql_triage[] =
		"UPDATE hotline.cases SET triage = $2, triaged_at = now(), triage_note = $3, "
		"referred_unit = $4 WHERE id = $1";
	const char *tv[4] = {k.id, outcome, note, to == CASE_REFERRED ? unit : NULL};
	char detail[64];
	snprintf(detail, sizeof(detail), "{\"outcome\": \"%s\"}", outcome);
	if (!ctldb_run(pg, sql_triage, 4, tv) || !casework_move(pg, &k, to, "triaged", detail))
		goto fail;

	struct calendar *cal = ctldb_calendar(pg);
	if (!cal)
		goto fail;
	char *url, *org;
	struct notice_facts f;
	facts_init(pg, &f, &k, &url, &org);
	struct notice n;
	bool ok = true;
	char due[11] = "";
	if (to == CASE_TO_DIRECTOR) {
		/* no later than the day after the day of registration (004 p.10.6) */
		ok = deadlines_add_director_notice(pg, cal, k.id, k.reg_date, due);
		f.due_date = due;
		f.deadline_kind = "director_notice";
		char *to_whom = director_or_alternate(pg, &k);
		const char *r[1] = {to_whom};
		notice_build(&n, NOTICE_DIRECTOR_NEW, &f);
		ok = ok && ctldb_notify(pg, k.id, "director_new", r, 1, &n);
		notice_free(&n);
		free(to_whom);
	} else if (to == CASE_URGENT) {
		/* forwarded immediately (004 p.6.3): due today */
		ok = deadlines_add_urgent(pg, cal, k.id, due);
		f.due_date = due;
		f.deadline_kind = "urgent_forward";
		char *to_whom = director_or_alternate(pg, &k);
		char *compliance = ctldb_setting(pg, "compliance_email");
		const char *r[2] = {compliance, to_whom};
		notice_build(&n, NOTICE_URGENT, &f);
		ok = ok && ctldb_notify(pg, k.id, "urgent", r, 2, &n);
		notice_free(&n);
		free(to_whom);
		free(compliance);
	}
	free(url);
	free(org);
	calendar_free(cal);
	if (!ok || !ctldb_commit(pg))
		goto fail;
	printf("case %s: %s%s%s\n", reg_no, case_state_name(to), due[0] ? ", due " : "", due);
	return 0;
fail:
	ctldb_rollback(pg);
	return 1;
}

/* --- the director --- */

static bool meet(PGconn *pg, const struct kase *k, const char *kind)
{
	static const char sql_meet[] =
		"UPDATE hotline.deadlines SET met_at = now() WHERE case_id = $1 AND kind = $2 "
		"AND met_at IS NULL";
	const char *v[2] = {k->id, kind};
	return ctldb_run(pg, sql_meet, 2, v);
}

static int ack(PGconn *pg, int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: hotlinectl case ack REG_NO\n");
		return 2;
	}
	struct kase k;
	static const char sql_ack[] = "UPDATE hotline.cases SET acknowledged_at = now() WHERE id = $1";
	if (!ctldb_begin(pg) || !load_case(pg, argv[1], &k))
		goto fail;
	const char *v[1] = {k.id};
	if (!casework_move(pg, &k, CASE_ACKNOWLEDGED, "acknowledged", NULL) ||
	    !ctldb_run(pg, sql_ack, 1, v) || !meet(pg, &k, "director_notice") || !ctldb_commit(pg))
		goto fail;
	printf("case %s: acknowledged\n", k.reg_no);
	return 0;
fail:
	ctldb_rollback(pg);
	return 1;
}

static int decide(PGconn *pg, int argc, char **argv)
{
	const char *doc = "";
	static const struct option opts[] = {{"doc", required_argument, NULL, 'o'},
					     {"database", required_argument, NULL, 'd'},
					     {NULL, 0, NULL, 0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'o')
			doc = optarg;
		else if (c != 'd')
			return 2;
	}
	if (optind + 2 != argc) {
		fprintf(stderr, "usage: hotlinectl case decide REG_NO forward|investigate|"
				"forward_and_investigate|no_grounds [--doc DOCUMENT]\n"
				"  (investigate: then `hotlinectl investigation order REG_NO ...`)\n");
		return 2;
	}
	const char *decision = argv[optind + 1];
	enum case_state to;
	if (strcmp(decision, "forward") == 0)
		to = CASE_FORWARDED;
	else if (strcmp(decision, "investigate") == 0 ||
		 strcmp(decision, "forward_and_investigate") == 0)
		to = CASE_INVESTIGATION;
	else if (strcmp(decision, "no_grounds") == 0)
		to = CASE_CLOSED;
	else {
		fprintf(stderr, "hotlinectl: the decision is forward, investigate, "
				"forward_and_investigate or no_grounds\n");
		return 2;
	}
	struct kase k;
	static const char sql_decide[] =
		"UPDATE hotline.cases SET decision = $2, decided_at = now(), decision_doc = $3, "
		"acknowledged_at = coalesce(acknowledged_at, now()) WHERE id = $1";
	if (!ctldb_begin(pg) || !load_case(pg, argv[optind], &k))
		goto fail;
	const char *v[3] = {k.id, decision, doc};
	char detail[96];
	snprintf(detail, sizeof(detail), "{\"decision\": \"%s\"}", decision);
	if (!casework_move(pg, &k, to, "decided", detail) || !ctldb_run(pg, sql_decide, 3, v) ||
	    !meet(pg, &k, "director_notice") || !ctldb_commit(pg))
		goto fail;
	printf("case %s: %s\n", k.reg_no, case_state_name(to));
	if (strncmp(decision, "forward", 7) == 0)
		printf("cover letter: hotlinectl case cover-letter %s > letter.html\n", k.reg_no);
	return 0;
fail:
	ctldb_rollback(pg);
	return 1;
}

static int forwarded(PGconn *pg, int argc, char **argv)
{
	const char *to_body = NULL;
	static const struct option opts[] = {{"to", required_argument, NULL, 't'},
					     {"database", required_argument, NULL, 'd'},
					     {NULL, 0, NULL, 0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 't')
			to_body = optarg;
		else if (c != 'd')
			return 2;
	}
	if (optind + 1 != argc || !to_body) {
		fprintf(stderr, "usage: hotlinectl case forwarded REG_NO --to BODY\n");
		return 2;
	}
	struct kase k;
	static const char sql_fwd[] =
		"UPDATE hotline.cases SET forwarded_at = now(), forwarded_to = $2 WHERE id = $1";
	if (!ctldb_begin(pg) || !load_case(pg, argv[optind], &k))
		goto fail;
	const char *v[2] = {k.id, to_body};
	bool move = k.state == CASE_URGENT;
	if (!move && k.state != CASE_FORWARDED && k.state != CASE_INVESTIGATION) {
		fprintf(stderr, "hotlinectl: case %s is %s: only an urgent case or a director's "
				"decision to forward is recorded as forwarded\n",
			k.reg_no, case_state_name(k.state));
		goto fail;
	}
	if ((move && !casework_move(pg, &k, CASE_FORWARDED, "forwarded", NULL)) ||
	    !ctldb_run(pg, sql_fwd, 2, v) || !meet(pg, &k, "urgent_forward") || !ctldb_commit(pg))
		goto fail;
	printf("case %s: forwarded\n", k.reg_no);
	return 0;
fail:
	ctldb_rollback(pg);
	return 1;
}

static int declare_interest(PGconn *pg, int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: hotlinectl case declare-interest REG_NO \"NAME\"\n");
		return 2;
	}
	struct kase k;
	static const char sql_declare[] =
		"INSERT INTO hotline.interest_declarations (case_id, name) VALUES ($1, $2) "
		"ON CONFLICT DO NOTHING";
	if (!ctldb_begin(pg) || !load_case(pg, argv[1], &k))
		goto fail;
	const char *v[2] = {k.id, argv[2]};
	if (!ctldb_run(pg, sql_declare, 2, v) || !ctldb_commit(pg))
		goto fail;
	printf("case %s: personal interest declared; this person cannot sit on its commission\n",
	       k.reg_no);
	return 0;
fail:
	ctldb_rollback(pg);
	return 1;
}

/* A cover letter for sending the materials on paper (004 p.10.7): case
 * number and dates only; the materials themselves go with it. */
static int cover_letter(PGconn *pg, int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: hotlinectl case cover-letter REG_NO > letter.html\n");
		return 2;
	}
	static const char sql_letter[] =
		"SELECT j.reg_no, to_char(j.registered_at AT TIME ZONE 'Asia/Almaty', 'DD.MM.YYYY'), "
		"coalesce(to_char(c.decided_at AT TIME ZONE 'Asia/Almaty', 'DD.MM.YYYY'), ''), "
		"c.decision, coalesce(c.decision_doc, ''), "
		"(SELECT count(*) FROM hotline.attachments a WHERE a.case_id = c.id) "
		"FROM hotline.cases c JOIN hotline.journal j ON j.id = c.journal_id WHERE j.reg_no = $1";
	const char *v[1] = {argv[1]};
	PGresult *res = ctldb_exec(pg, sql_letter, 1, v);
	if (!res)
		return 1;
	if (PQntuples(res) != 1) {
		fprintf(stderr, "hotlinectl: no case %s\n", argv[1]);
		PQclear(res);
		return 1;
	}
	const char *decision = PQgetvalue(res, 0, 3);
	if (strncmp(decision, "forward", 7) != 0) {
		fprintf(stderr, "hotlinectl: the director has not decided to forward case %s\n",
			argv[1]);
		PQclear(res);
		return 1;
	}
	char *org = ctldb_setting(pg, "organisation");
	printf("<!DOCTYPE html>\n<html lang=\"ru\"><head><meta charset=\"utf-8\">"
	       "<title>Сопроводительное письмо %s</title>"
	       "<style>body{font:12pt/1.5 serif;max-width:40em;margin:3em auto}"
	       "@media print{body{margin:0}}</style></head><body>\n"
	       "<p>%s</p>\n<p>Исх. № ________ от ____________</p>\n"
	       "<p style=\"margin-left:50%%\">В уполномоченный орган по противодействию "
	       "коррупции</p>\n<h1 style=\"font-size:14pt;text-align:center\">Сопроводительное "
	       "письмо</h1>\n"
	       "<p>Направляем материалы по сообщению о фактах коррупционных правонарушений, "
	       "зарегистрированному в Журнале регистрации обращений граждан за № %s от %s, для "
	       "принятия мер в соответствии с компетенцией (п. 10.6–10.7 Антикоррупционного "
	       "стандарта).</p>\n<p>Решение руководителя от %s%s%s.</p>\n"
	       "<p>Приложение: материалы по обращению, файлов: %s.</p>\n"
	       "<p>Сведения о лице, оказывающем содействие в противодействии коррупции, являются "
	       "государственными секретами и предоставляются в порядке, установленном законом.</p>\n"
	       "<p style=\"margin-top:4em\">Руководитель ____________________ / "
	       "____________________ /</p>\n</body></html>\n",
	       PQgetvalue(res, 0, 0), org ? org : "", PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1),
	       PQgetvalue(res, 0, 2), *PQgetvalue(res, 0, 4) ? ", " : "", PQgetvalue(res, 0, 4),
	       PQgetvalue(res, 0, 5));
	free(org);
	PQclear(res);
	return 0;
}

int casework_main(int argc, char **argv)
{
	const char *conninfo = ctldb_take_database(&argc, argv);
	PGconn *pg = ctldb_connect(conninfo);
	if (!pg)
		return 1;
	int rc;
	const char *step = argv[0];
	if (strcmp(step, "triage") == 0)
		rc = triage(pg, argc, argv);
	else if (strcmp(step, "ack") == 0)
		rc = ack(pg, argc, argv);
	else if (strcmp(step, "decide") == 0)
		rc = decide(pg, argc, argv);
	else if (strcmp(step, "forwarded") == 0)
		rc = forwarded(pg, argc, argv);
	else if (strcmp(step, "declare-interest") == 0)
		rc = declare_interest(pg, argc, argv);
	else if (strcmp(step, "cover-letter") == 0)
		rc = cover_letter(pg, argc, argv);
	else {
		fprintf(stderr, "hotlinectl: unknown case step '%s'\n", step);
		rc = 2;
	}
	PQfinish(pg);
	return rc;
}
