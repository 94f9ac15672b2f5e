#include "ctl/investigate.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/keys.h"
#include "crypto/seal.h"
#include "ctl/case_show.h"
#include "ctl/ctldb.h"
#include "ctl/deadlines.h"
#include "ctl/keygen.h"
#include "workflow/calendar.h"
#include "workflow/names.h"
#include "workflow/notice.h"
#include "workflow/states.h"

struct inv {
	char case_id[24];
	char reg_no[16];
	enum case_state case_state;
	bool director_named;
	char id[24]; /* "" when none was ordered */
	enum investigation_state state;
	bool decided;
	enum investigation_decision decision;
	char due[11];
	char order_date[11];
	bool extended;
};

static const char sql_load[] =
	"SELECT c.id, j.reg_no, c.state, c.director_named, i.id, i.state, i.decision, "
	"to_char(i.due_date, 'YYYY-MM-DD'), to_char(i.order_date, 'YYYY-MM-DD'), i.extended "
	"FROM hotline.cases c JOIN hotline.journal j ON j.id = c.journal_id "
	"LEFT JOIN hotline.investigations i ON i.case_id = c.id WHERE j.reg_no = $1 "
	"FOR UPDATE OF c";

static bool load(PGconn *pg, const char *reg_no, struct inv *v, bool need_investigation)
{
	memset(v, 0, sizeof(*v));
	const char *p[1] = {reg_no};
	PGresult *res = ctldb_exec(pg, sql_load, 1, p);
	if (!res)
		return false;
	bool ok = false;
	if (PQntuples(res) != 1) {
		fprintf(stderr, "hotlinectl: no case %s in the journal\n", reg_no);
		goto out;
	}
	snprintf(v->case_id, sizeof(v->case_id), "%s", PQgetvalue(res, 0, 0));
	snprintf(v->reg_no, sizeof(v->reg_no), "%s", PQgetvalue(res, 0, 1));
	if (!case_state_parse(PQgetvalue(res, 0, 2), &v->case_state))
		goto out;
	v->director_named = strcmp(PQgetvalue(res, 0, 3), "t") == 0;
	if (!PQgetisnull(res, 0, 4)) {
		snprintf(v->id, sizeof(v->id), "%s", PQgetvalue(res, 0, 4));
		if (!investigation_state_parse(PQgetvalue(res, 0, 5), &v->state))
			goto out;
		v->decided = !PQgetisnull(res, 0, 6) &&
			     investigation_decision_parse(PQgetvalue(res, 0, 6), &v->decision);
		snprintf(v->due, sizeof(v->due), "%s", PQgetvalue(res, 0, 7));
		snprintf(v->order_date, sizeof(v->order_date), "%s", PQgetvalue(res, 0, 8));
		v->extended = strcmp(PQgetvalue(res, 0, 9), "t") == 0;
	} else if (need_investigation) {
		fprintf(stderr, "hotlinectl: no investigation was ordered for case %s\n", reg_no);
		goto out;
	}
	ok = true;
out:
	PQclear(res);
	return ok;
}

static const char sql_inv_state[] =
	"UPDATE hotline.investigations SET state = $2, state_changed_at = now() WHERE id = $1";
static const char sql_event[] =
	"INSERT INTO hotline.case_events (case_id, kind, detail) VALUES ($1, $2, $3::jsonb)";

static bool move(PGconn *pg, const struct inv *v, enum investigation_state to)
{
	const char *why = investigation_check_transition(v->state, to, v->decision, v->decided);
	if (why) {
		fprintf(stderr, "hotlinectl: the investigation of %s is %s: %s\n", v->reg_no,
			investigation_state_name(v->state), why);
		return false;
	}
	char detail[64];
	snprintf(detail, sizeof(detail), "{\"investigation\": \"%s\"}", investigation_state_name(to));
	const char *a[2] = {v->id, investigation_state_name(to)};
	const char *e[3] = {v->case_id, "investigation", detail};
	return ctldb_run(pg, sql_inv_state, 2, a) && ctldb_run(pg, sql_event, 3, e);
}

/* Options common to the steps, parsed once. */
struct opts {
	const char *order_no, *order_date, *case_key, *pass, *case_pub, *norms, *text_file, *doc,
		*consent_doc, *consent_date, *consented_by, *new_due, *to, *what, *on;
	const char *members[32];
	int nmembers;
};

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option long_opts[] = {
		{"order-no", required_argument, NULL, 1},
		{"order-date", required_argument, NULL, 2},
		{"member", required_argument, NULL, 3},
		{"case-key", required_argument, NULL, 4},
		{"passphrase-file", required_argument, NULL, 5},
		{"case-public-key", required_argument, NULL, 6},
		{"norms", required_argument, NULL, 7},
		{"text-file", required_argument, NULL, 8},
		{"doc", required_argument, NULL, 9},
		{"consent-doc", required_argument, NULL, 10},
		{"consent-date", required_argument, NULL, 11},
		{"consented-by", required_argument, NULL, 12},
		{"new-due", required_argument, NULL, 13},
		{"to", required_argument, NULL, 14},
		{"what", required_argument, NULL, 15},
		{"on", required_argument, NULL, 16},
		{NULL, 0, NULL, 0}};
	const char **slot[] = {NULL,	       &o->order_no,	 &o->order_date, NULL,
			       &o->case_key,   &o->pass,	 &o->case_pub,	 &o->norms,
			       &o->text_file,  &o->doc,		 &o->consent_doc, &o->consent_date,
			       &o->consented_by, &o->new_due,	 &o->to,	 &o->what,
			       &o->on};
	memset(o, 0, sizeof(*o));
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		if (c == 3) {
			if (o->nmembers >= 32) {
				fprintf(stderr, "hotlinectl: at most 32 commission members\n");
				return -1;
			}
			o->members[o->nmembers++] = optarg;
		} else if (c >= 1 && c <= 16) {
			*slot[c] = optarg;
		} else {
			return -1;
		}
	}
	return optind;
}

static char *setting(PGconn *pg, const char *key)
{
	return ctldb_setting(pg, key);
}

static void notify_ordered(PGconn *pg, const struct inv *v, const char *due)
{
	char *url = setting(pg, "console_url"), *org = setting(pg, "organisation");
	char *director = setting(pg, v->director_named ? "alternate_email" : "director_email");
	char *compliance = setting(pg, "compliance_email");
	struct notice_facts f = {.reg_no = v->reg_no,
				 .deadline_kind = "investigation",
				 .due_date = due,
				 .console_url = url,
				 .organisation = org};
	struct notice n;
	notice_build(&n, NOTICE_INVESTIGATION_ORDERED, &f);
	const char *r[2] = {compliance, director};
	(void)ctldb_notify(pg, v->case_id, "investigation_ordered", r, 2, &n);
	notice_free(&n);
	free(url);
	free(org);
	free(director);
	free(compliance);
}

/* The commission: nobody named in the report, nobody who declared a
 * personal interest (004 L105, 002 L47). */
static bool check_members(PGconn *pg, const struct inv *v, const struct opts *o)
{
	static const char sql_interest[] =
		"SELECT 1 FROM hotline.interest_declarations WHERE case_id = $1 AND lower(name) = lower($2)";
	struct secret_key *sk = secret_key_from_files(o->case_key, o->pass);
	if (!sk)
		return false;
	char *text = case_report_text(pg, v->reg_no, sk);
	secret_key_free(sk);
	if (!text)
		return false;
	bool ok = true;
	for (int i = 0; i < o->nmembers; i++) {
		char name[256];
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(o->members[i], "|"), o->members[i]);
		if (names_mentioned(text, strlen(text), name)) {
			fprintf(stderr, "hotlinectl: %s is named in the report and cannot sit on its "
					"commission (004 p.7.3, L105)\n",
				name);
			ok = false;
		}
		const char *p[2] = {v->case_id, name};
		PGresult *res = ctldb_exec(pg, sql_interest, 2, p);
		if (!res || PQntuples(res) > 0) {
			fprintf(stderr, "hotlinectl: %s declared a personal interest in this case and "
					"cannot sit on its commission\n",
				name);
			ok = false;
		}
		PQclear(res);
	}
	memset(text, 0, strlen(text));
	free(text);
	return ok;
}

static bool order(PGconn *pg, struct inv *v, const struct opts *o)
{
	if (!o->order_no || !o->order_date || o->nmembers == 0 || !o->case_key || !o->pass) {
		fprintf(stderr, "usage: hotlinectl investigation order REG_NO --order-no NO "
				"--order-date YYYY-MM-DD --member \"Name|Position\" [--member ...] "
				"--case-key FILE --passphrase-file FILE\n"
				"  (the case key is needed to check that no member is named in the "
				"report)\n");
		return false;
	}
	if (v->case_state != CASE_INVESTIGATION) {
		fprintf(stderr, "hotlinectl: case %s is %s: the director orders an investigation "
				"first (hotlinectl case decide %s investigate)\n",
			v->reg_no, case_state_name(v->case_state), v->reg_no);
		return false;
	}
	if (v->id[0]) {
		fprintf(stderr, "hotlinectl: an investigation of %s was already ordered\n", v->reg_no);
		return false;
	}
	if (!check_members(pg, v, o))
		return false;
	struct calendar *cal = ctldb_calendar(pg);
	if (!cal)
		return false;
	char due[11];
	struct cal_date od;
	bool ok = cal_date_parse(o->order_date, &od);
	if (!ok)
		fprintf(stderr, "hotlinectl: --order-date %s is not a date\n", o->order_date);
	if (ok) {
		cal_date_format(calendar_add_working_days(cal, od, 10), due);
		static const char sql_order[] =
			"INSERT INTO hotline.investigations (case_id, order_no, order_date, due_date) "
			"VALUES ($1, $2, $3::date, $4::date) RETURNING id";
		const char *p[4] = {v->case_id, o->order_no, o->order_date, due};
		PGresult *res = ctldb_exec(pg, sql_order, 4, p);
		ok = res != NULL;
		if (ok)
			snprintf(v->id, sizeof(v->id), "%s", PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	static const char sql_member[] = "INSERT INTO hotline.commission_members "
					 "(investigation_id, name, position) VALUES ($1, $2, $3)";
	for (int i = 0; ok && i < o->nmembers; i++) {
		char name[256];
		size_t n = strcspn(o->members[i], "|");
		snprintf(name, sizeof(name), "%.*s", (int)n, o->members[i]);
		const char *pos = o->members[i][n] ? o->members[i] + n + 1 : "";
		const char *p[3] = {v->id, name, pos};
		ok = ctldb_run(pg, sql_member, 3, p);
	}
	ok = ok && deadlines_add_investigation(pg, cal, v->case_id, o->order_date, due);
	calendar_free(cal);
	if (ok) {
		const char *e[3] = {v->case_id, "investigation", "{\"investigation\": \"ordered\"}"};
		ok = ctldb_run(pg, sql_event, 3, e);
		notify_ordered(pg, v, due);
		printf("case %s: investigation ordered (order %s of %s), due %s\n", v->reg_no,
		       o->order_no, o->order_date, due);
	}
	return ok;
}

static bool conclude(PGconn *pg, struct inv *v, const struct opts *o)
{
	if (!o->norms || !*o->norms || !o->text_file || !o->case_pub) {
		fprintf(stderr, "usage: hotlinectl investigation conclude REG_NO --norms \"norms "
				"cited\" --text-file FILE --case-public-key FILE\n"
				"  (a reasoned conclusion citing the legal or internal norms, 004 "
				"p.7.10; the text is stored encrypted to the case key)\n");
		return false;
	}
	FILE *f = fopen(o->text_file, "rb");
	if (!f) {
		fprintf(stderr, "hotlinectl: cannot read %s\n", o->text_file);
		return false;
	}
	static char text[1 << 20];
	size_t len = fread(text, 1, sizeof(text), f);
	fclose(f);
	if (len == 0) {
		fprintf(stderr, "hotlinectl: the conclusion is empty: it must give its reasons\n");
		return false;
	}
	struct public_key pk;
	char err[256];
	if (!keys_load_public(o->case_pub, &pk, err, sizeof(err))) {
		fprintf(stderr, "hotlinectl: %s: %s\n", o->case_pub, err);
		return false;
	}
	struct content_key *key = content_key_new();
	unsigned char *sealed = NULL, *ct = NULL;
	size_t slen = 0, clen = 0;
	bool ok = key && content_key_seal(key, &pk, &sealed, &slen) &&
		  content_encrypt(key, text, len, &ct, &clen);
	memset(text, 0, len);
	content_key_free(key);
	if (ok)
		ok = move(pg, v, INV_CONCLUSION_DRAFTED);
	if (ok) {
		static const char sql_conclude[] =
			"UPDATE hotline.investigations SET norms = $2, conclusion_key_sealed = $3, "
			"conclusion = $4 WHERE id = $1";
		const char *p[4] = {v->id, o->norms, (const char *)sealed, (const char *)ct};
		int lengths[4] = {0, 0, (int)slen, (int)clen};
		int formats[4] = {0, 0, 1, 1};
		PGresult *res = PQexecParams(pg, sql_conclude, 4, NULL, p, lengths, formats, 0);
		ok = PQresultStatus(res) == PGRES_COMMAND_OK;
		if (!ok)
			fprintf(stderr, "hotlinectl: %s", PQerrorMessage(pg));
		PQclear(res);
	}
	free(sealed);
	free(ct);
	if (ok)
		printf("case %s: conclusion drafted\n", v->reg_no);
	return ok;
}

static bool meet(PGconn *pg, const struct inv *v, const char *kind, const char *ref)
{
	static const char sql_meet[] =
		"UPDATE hotline.deadlines SET met_at = now() WHERE case_id = $1 AND kind = $2 "
		"AND coalesce(ref_id, 0) = coalesce($3::bigint, 0) AND met_at IS NULL";
	const char *p[3] = {v->case_id, kind, ref};
	return ctldb_run(pg, sql_meet, 3, p);
}

static bool step(PGconn *pg, const char *what, struct inv *v, const char *arg,
		 const struct opts *o)
{
	if (strcmp(what, "start") == 0) {
		if (!move(pg, v, INV_IN_PROGRESS))
			return false;
		printf("case %s: investigation in progress, due %s\n", v->reg_no, v->due);
		return true;
	}
	if (strcmp(what, "decide") == 0) {
		enum investigation_decision d;
		if (!arg || !investigation_decision_parse(arg, &d)) {
			fprintf(stderr, "hotlinectl: the decision is stop, hand_over, disciplinary or "
					"other_measures (004 p.7.11)\n");
			return false;
		}
		if (!move(pg, v, INV_DECIDED))
			return false;
		static const char sql_decide[] =
			"UPDATE hotline.investigations SET decision = $2, decided_at = now() WHERE id = $1";
		const char *p[2] = {v->id, arg};
		if (!ctldb_run(pg, sql_decide, 2, p))
			return false;
		printf("case %s: decided: %s\n", v->reg_no, arg);
		return true;
	}
	if (strcmp(what, "measures") == 0) {
		if (!o->doc) {
			fprintf(stderr, "usage: hotlinectl investigation measures REG_NO --doc "
					"\"order adopting the measures\"\n");
			return false;
		}
		static const char sql_measures[] =
			"UPDATE hotline.investigations SET measures_doc = $2 WHERE id = $1";
		const char *p[2] = {v->id, o->doc};
		if (!move(pg, v, INV_MEASURES_ADOPTED) || !ctldb_run(pg, sql_measures, 2, p))
			return false;
		printf("case %s: measures adopted\n", v->reg_no);
		return true;
	}
	if (strcmp(what, "close") == 0) {
		static const char sql_close[] =
			"UPDATE hotline.cases SET state = 'closed', state_changed_at = now() WHERE id = $1";
		const char *p[1] = {v->case_id};
		if (!move(pg, v, INV_CLOSED) || !ctldb_run(pg, sql_close, 1, p) ||
		    !meet(pg, v, "investigation", NULL))
			return false;
		printf("case %s: investigation closed, case closed\n", v->reg_no);
		return true;
	}
	if (strcmp(what, "extend") == 0) {
		if (!o->consent_doc || !o->consent_date || !o->consented_by || !o->new_due) {
			fprintf(stderr, "hotlinectl: the term of a service investigation moves only "
					"with the director's written consent (004 p.7.5): give "
					"--consent-doc NO --consent-date YYYY-MM-DD --consented-by NAME "
					"--new-due YYYY-MM-DD\n");
			return false;
		}
		if (v->state >= INV_DECIDED) {
			fprintf(stderr, "hotlinectl: the investigation is already decided\n");
			return false;
		}
		if (strcmp(o->new_due, v->due) <= 0) {
			fprintf(stderr, "hotlinectl: the new due date must be after %s\n", v->due);
			return false;
		}
		static const char sql_ext[] =
			"INSERT INTO hotline.investigation_extensions (investigation_id, consent_doc, "
			"consent_date, consented_by, old_due_date, new_due_date) "
			"VALUES ($1, $2, $3::date, $4, $5::date, $6::date)";
		static const char sql_due[] = "UPDATE hotline.investigations SET due_date = $2::date, "
					      "extended = true WHERE id = $1";
		const char *p[6] = {v->id, o->consent_doc, o->consent_date, o->consented_by, v->due,
				    o->new_due};
		const char *q[2] = {v->id, o->new_due};
		if (!ctldb_run(pg, sql_ext, 6, p) || !ctldb_run(pg, sql_due, 2, q) ||
		    !deadlines_move(pg, v->case_id, "investigation", o->new_due))
			return false;
		printf("case %s: investigation extended from %s to %s (consent %s of %s, %s)\n",
		       v->reg_no, v->due, o->new_due, o->consent_doc, o->consent_date,
		       o->consented_by);
		return true;
	}
	if (strcmp(what, "request") == 0) {
		if (!o->to || !o->what) {
			fprintf(stderr, "usage: hotlinectl investigation request REG_NO --to NAME "
					"--what \"materials\" [--on YYYY-MM-DD]\n");
			return false;
		}
		if (v->state != INV_IN_PROGRESS && v->state != INV_ORDERED) {
			fprintf(stderr, "hotlinectl: materials are requested while the investigation "
					"runs\n");
			return false;
		}
		char today[11];
		cal_date_format(calendar_local_date((int64_t)time(NULL)), today);
		const char *on = o->on ? o->on : today;
		struct calendar *cal = ctldb_calendar(pg);
		if (!cal)
			return false;
		struct cal_date d;
		char due[11];
		bool ok = cal_date_parse(on, &d);
		if (!ok)
			fprintf(stderr, "hotlinectl: --on %s is not a date\n", on);
		char req_id[24] = "";
		if (ok) {
			cal_date_format(calendar_add_working_days(cal, d, 1), due);
			static const char sql_req[] =
				"INSERT INTO hotline.material_requests (investigation_id, addressee, what, "
				"requested_on, due_date) VALUES ($1, $2, $3, $4::date, $5::date) RETURNING id";
			const char *p[5] = {v->id, o->to, o->what, on, due};
			PGresult *res = ctldb_exec(pg, sql_req, 5, p);
			ok = res != NULL;
			if (ok)
				snprintf(req_id, sizeof(req_id), "%s", PQgetvalue(res, 0, 0));
			PQclear(res);
		}
		ok = ok && deadlines_add_material(pg, cal, v->case_id, req_id, on, due);
		calendar_free(cal);
		if (ok)
			printf("case %s: request %s for materials, due %s\n", v->reg_no, req_id, due);
		return ok;
	}
	if (strcmp(what, "received") == 0) {
		if (!arg) {
			fprintf(stderr, "usage: hotlinectl investigation received REG_NO REQUEST_ID\n");
			return false;
		}
		static const char sql_recv[] =
			"UPDATE hotline.material_requests SET received_at = now() WHERE id = $1::bigint "
			"AND investigation_id = $2 AND received_at IS NULL RETURNING id";
		const char *p[2] = {arg, v->id};
		PGresult *res = ctldb_exec(pg, sql_recv, 2, p);
		bool ok = res && PQntuples(res) == 1;
		if (res && !ok)
			fprintf(stderr, "hotlinectl: no open request %s in this investigation\n", arg);
		PQclear(res);
		ok = ok && meet(pg, v, "material_request", arg);
		if (ok)
			printf("case %s: materials of request %s received\n", v->reg_no, arg);
		return ok;
	}
	fprintf(stderr, "hotlinectl: unknown investigation step '%s'\n", what);
	return false;
}

static int show(PGconn *pg, const struct inv *v)
{
	struct calendar *cal = ctldb_calendar(pg);
	if (!cal)
		return 1;
	printf("case %s: %s\n", v->reg_no, case_state_name(v->case_state));
	if (!v->id[0]) {
		printf("no investigation ordered\n");
		calendar_free(cal);
		return 0;
	}
	int left = deadlines_days_left(cal, v->due);
	printf("investigation: %s, ordered %s, due %s%s (%s%d working days %s)\n",
	       investigation_state_name(v->state), v->order_date, v->due,
	       v->extended ? " (extended)" : "", left < 0 ? "OVERDUE by " : "", left < 0 ? -left : left,
	       left < 0 ? "" : "left");
	static const char sql_members[] = "SELECT name, position FROM hotline.commission_members "
					  "WHERE investigation_id = $1 ORDER BY name";
	static const char sql_requests[] =
		"SELECT id, addressee, to_char(requested_on, 'YYYY-MM-DD'), "
		"to_char(due_date, 'YYYY-MM-DD'), received_at IS NOT NULL FROM hotline.material_requests "
		"WHERE investigation_id = $1 ORDER BY id";
	const char *p[1] = {v->id};
	PGresult *res = ctldb_exec(pg, sql_members, 1, p);
	for (int i = 0; res && i < PQntuples(res); i++)
		printf("commission: %s%s%s\n", PQgetvalue(res, i, 0),
		       *PQgetvalue(res, i, 1) ? ", " : "", PQgetvalue(res, i, 1));
	PQclear(res);
	res = ctldb_exec(pg, sql_requests, 1, p);
	for (int i = 0; res && i < PQntuples(res); i++) {
		bool got = strcmp(PQgetvalue(res, i, 4), "t") == 0;
		int l = deadlines_days_left(cal, PQgetvalue(res, i, 3));
		printf("request %s to %s on %s: due %s, %s\n", PQgetvalue(res, i, 0),
		       PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), PQgetvalue(res, i, 3),
		       got ? "received" : l < 0 ? "OVERDUE" : "open");
	}
	PQclear(res);
	calendar_free(cal);
	return 0;
}

int investigate_main(int argc, char **argv)
{
	const char *conninfo = ctldb_take_database(&argc, argv);
	struct opts o;
	int first = parse_opts(argc, argv, &o);
	if (first < 0 || first >= argc) {
		fprintf(stderr, "usage: hotlinectl investigation STEP REG_NO ... (see docs/cli.md)\n");
		return 2;
	}
	const char *what = argv[0];
	const char *reg_no = argv[first];
	const char *arg = first + 1 < argc ? argv[first + 1] : NULL;
	PGconn *pg = ctldb_connect(conninfo);
	if (!pg)
		return 1;
	int rc = 1;
	struct inv v;
	if (!ctldb_begin(pg) || !load(pg, reg_no, &v, strcmp(what, "order") != 0 &&
							    strcmp(what, "show") != 0))
		goto out;
	if (strcmp(what, "show") == 0) {
		rc = show(pg, &v);
		goto out;
	}
	bool ok = strcmp(what, "order") == 0	  ? order(pg, &v, &o)
		  : strcmp(what, "conclude") == 0 ? (v.id[0] && conclude(pg, &v, &o))
						  : step(pg, what, &v, arg, &o);
	if (ok && ctldb_commit(pg))
		rc = 0;
out:
	if (rc != 0)
		ctldb_rollback(pg);
	PQfinish(pg);
	return rc;
}
