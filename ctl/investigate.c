#include "ctl/investigate.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts/accountdb.h"
#include "base/db.h"
#include "crypto/keys.h"
#include "crypto/seal.h"
#include "crypto/secret.h"
#include "ctl/case_show.h"
#include "ctl/casetext.h"
#include "ctl/ctldb.h"
#include "ctl/keygen.h"
#include "workflow/calendar.h"
#include "workflow/deadline.h"
#include "workflow/freetext.h"
#include "workflow/investigation.h"
#include "workflow/states.h"
#include "workflow/wfdb.h"

static bool fail(const struct wf_error *e)
{
	fprintf(stderr, "hotlinectl: %s\n", e->text);
	return false;
}

/* Options common to the steps, parsed once. */
struct opts {
	const char *order_no, *order_date, *case_key, *pass, *case_pub, *norms, *text_file, *doc,
	    *consent_doc, *consent_date, *consented_by, *new_due, *to, *what, *on, *as, *date;
	const char *members[32];
	int nmembers;
};

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option long_opts[] = {{"order-no", required_argument, NULL, 1},
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
						  {"as", required_argument, NULL, 17},
						  {"date", required_argument, NULL, 18},
						  {NULL, 0, NULL, 0}};
	const char **slot[] = {NULL,
			       &o->order_no,
			       &o->order_date,
			       NULL,
			       &o->case_key,
			       &o->pass,
			       &o->case_pub,
			       &o->norms,
			       &o->text_file,
			       &o->doc,
			       &o->consent_doc,
			       &o->consent_date,
			       &o->consented_by,
			       &o->new_due,
			       &o->to,
			       &o->what,
			       &o->on,
			       &o->as,
			       &o->date};
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
		} else if (c >= 1 && c <= 18) {
			*slot[c] = optarg;
		} else {
			return -1;
		}
	}
	return optind;
}

/* The id of the staff account with this login, or 0 with a message. */
static long long staff_account(PGconn *pg, const char *login)
{
	struct wf_error e = {0};
	long long id = 0;
	enum accountdb_result r = accountdb_user_id(pg, login, &id, &e);
	if (r == ACCOUNTDB_FAILED)
		fprintf(stderr, "hotlinectl: %s\n", e.text);
	else if (r == ACCOUNTDB_NO_ROW)
		fprintf(stderr, "hotlinectl: no staff account %s\n", login);
	return id;
}

static bool order(PGconn *pg, struct investigation *v, const struct opts *o)
{
	if (!o->order_no || !o->order_date || o->nmembers == 0 || !o->case_key || !o->pass) {
		fprintf(stderr,
			"usage: hotlinectl investigation order REG_NO --order-no NO "
			"--order-date YYYY-MM-DD --member \"Name|Position[|login]\" [--member ...] "
			"--case-key FILE --passphrase-file FILE\n"
			"  (the case key is needed to check that no member is named in the "
			"report)\n");
		return false;
	}
	struct wf_error e = {0};
	if (!investigation_check_order(v, &e))
		return fail(&e); /* before the slow key is opened */
	struct investigation_member members[32];
	char names[32][256], positions[32][256];
	for (int i = 0; i < o->nmembers; i++) {
		/* "Name|Position" or "Name|Position|login" */
		const char *spec = o->members[i];
		size_t n = strcspn(spec, "|");
		snprintf(names[i], sizeof(names[i]), "%.*s", (int)n, spec);
		const char *pos = spec[n] ? spec + n + 1 : "";
		size_t m = strcspn(pos, "|");
		snprintf(positions[i], sizeof(positions[i]), "%.*s", (int)m, pos);
		members[i].name = names[i];
		members[i].position = positions[i];
		members[i].staff_user_id = 0;
		if (pos[m] && !(members[i].staff_user_id = staff_account(pg, pos + m + 1)))
			return false;
	}
	struct secret_key *sk = secret_key_from_files(o->case_key, o->pass);
	if (!sk)
		return false;
	char *text = case_report_text(pg, v->reg_no, sk);
	/* the members' names are stored under the case's key (issue 14) */
	struct content_key *key = text ? casetext_key(pg, v->reg_no, sk) : NULL;
	secret_key_free(sk);
	if (!text || !key) {
		if (text)
			secret_wipe(text, strlen(text));
		free(text);
		return false;
	}
	struct investigation_order ord = {.order_no = o->order_no,
					  .order_date = o->order_date,
					  .members = members,
					  .nmembers = o->nmembers,
					  .key = key};
	char due[11];
	int queued = 0;
	bool ok = investigation_order(pg, v, &ord, text, (int64_t)time(NULL), due, &queued, &e);
	content_key_free(key);
	secret_wipe(text, strlen(text));
	free(text);
	if (!ok)
		return fail(&e);
	if (queued == 0)
		fprintf(stderr, "hotlinectl: warning: no recipient is configured for this notice "
				"(hotlinectl settings set ...); it is recorded in the case only\n");
	printf("case %s: investigation ordered (order %s of %s), due %s\n", v->reg_no, o->order_no,
	       o->order_date, due);
	return true;
}

static bool conclude(PGconn *pg, struct investigation *v, const struct opts *o)
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
	{
		/* a case on per-case keys: its conclusion goes to the case's own
		 * public key, whoever reads the case reads it (docs/keys.md) */
		static const char sql_pk[] =
		    "SELECT case_public_key FROM hotline.cases WHERE id = $1::bigint "
		    "AND case_public_key IS NOT NULL";
		const char *pv[1] = {v->case_id};
		PGresult *res = ctldb_exec(pg, sql_pk, 1, pv);
		if (res && PQntuples(res) == 1) {
			size_t pklen = 0;
			unsigned char *raw =
			    PQunescapeBytea((const unsigned char *)PQgetvalue(
						res, 0, db_col(res, "case_public_key")),
					    &pklen);
			if (raw && pklen == KEYS_PUBLIC_BYTES)
				memcpy(pk.bytes, raw, KEYS_PUBLIC_BYTES);
			PQfreemem(raw);
		}
		PQclear(res);
	}
	struct wf_error e = {0};
	bool ok = investigation_conclude(pg, v, o->norms, text, len, NULL, 0, &pk, &e);
	secret_wipe(text, len);
	if (!ok)
		return fail(&e);
	printf("case %s: conclusion drafted\n", v->reg_no);
	return true;
}

static bool step(PGconn *pg, const char *what, struct investigation *v, const char *arg,
		 const struct opts *o)
{
	struct wf_error e = {0};
	if (strcmp(what, "start") == 0) {
		if (!investigation_start(pg, v, &e))
			return fail(&e);
		printf("case %s: investigation in progress, due %s\n", v->reg_no, v->due);
		return true;
	}
	if (strcmp(what, "submit") == 0) {
		int queued = 0;
		if (!investigation_submit(pg, v, 0, &queued, &e))
			return fail(&e);
		if (queued == 0)
			fprintf(stderr,
				"hotlinectl: warning: no director's (or alternate's) address "
				"is configured for the notice (hotlinectl settings set ...)\n");
		printf("case %s: conclusion submitted for management's decision\n", v->reg_no);
		return true;
	}
	if (strcmp(what, "decide") == 0) {
		/* management decides (004 p.7.11), not the commission: the
		 * decision is recorded as the director's (or the alternate's)
		 * account, which --as names */
		if (!arg || !o->doc || !o->date || !o->as) {
			fprintf(stderr,
				"usage: hotlinectl investigation decide REG_NO "
				"stop|hand_over|disciplinary|other_measures --doc NO --date "
				"YYYY-MM-DD --as LOGIN\n"
				"  (LOGIN: the account of the director, or of the alternate "
				"recipient when the report names the director)\n");
			return false;
		}
		struct investigation_ruling r = {.decision = arg,
						 .doc = o->doc,
						 .date = o->date,
						 .by = staff_account(pg, o->as)};
		if (!r.by)
			return false;
		if (!investigation_decide(pg, v, &r, (int64_t)time(NULL), &e))
			return fail(&e);
		printf("case %s: decided: %s (%s of %s, by %s)\n", v->reg_no, arg, o->doc, o->date,
		       o->as);
		return true;
	}
	if (strcmp(what, "measures") == 0) {
		if (!o->doc || !o->date) {
			fprintf(stderr, "usage: hotlinectl investigation measures REG_NO --doc "
					"\"order adopting the measures\" --date YYYY-MM-DD\n");
			return false;
		}
		if (!investigation_measures(pg, v, o->doc, o->date, (int64_t)time(NULL), &e))
			return fail(&e);
		printf("case %s: measures adopted\n", v->reg_no);
		return true;
	}
	if (strcmp(what, "close") == 0) {
		if (!investigation_close(pg, v, &e))
			return fail(&e);
		printf("case %s: investigation closed, case closed\n", v->reg_no);
		return true;
	}
	if (strcmp(what, "extend") == 0) {
		char old_due[11];
		snprintf(old_due, sizeof(old_due), "%s", v->due);
		long long consenter = o->consented_by ? staff_account(pg, o->consented_by) : 0;
		if (o->consented_by && !consenter)
			return false;
		struct investigation_extension x = {.consent_doc = o->consent_doc,
						    .consent_date = o->consent_date,
						    .consenter = consenter,
						    .new_due = o->new_due};
		if (!investigation_extend(pg, v, &x, (int64_t)time(NULL), &e)) {
			if (e.code == WF_NO_CONSENT)
				fprintf(stderr,
					"hotlinectl: the term of a service investigation moves "
					"only with the director's written consent (004 "
					"p.7.5): give --consent-doc NO --consent-date "
					"YYYY-MM-DD --consented-by LOGIN --new-due "
					"YYYY-MM-DD (LOGIN: the director's account, or the "
					"alternate's when the report names the director)\n");
			else
				fail(&e);
			return false;
		}
		printf("case %s: investigation extended from %s to %s (consent %s of %s, %s)\n",
		       v->reg_no, old_due, o->new_due, o->consent_doc, o->consent_date,
		       o->consented_by);
		return true;
	}
	if (strcmp(what, "request") == 0) {
		if (!o->to || !o->what || !o->case_key || !o->pass) {
			fprintf(stderr, "usage: hotlinectl investigation request REG_NO --to NAME "
					"--what \"materials\" [--on YYYY-MM-DD] --case-key FILE "
					"--passphrase-file FILE\n"
					"  (whom and what are stored encrypted under the case's "
					"key)\n");
			return false;
		}
		struct content_key *key =
		    casetext_key_from_files(pg, v->reg_no, o->case_key, o->pass);
		if (!key)
			return false;
		char req_id[24], due[11];
		bool ok = investigation_request(pg, v, o->to, o->what, key, o->on,
						(int64_t)time(NULL), req_id, due, &e);
		content_key_free(key);
		if (!ok)
			return fail(&e);
		printf("case %s: request %s for materials, due %s\n", v->reg_no, req_id, due);
		return true;
	}
	if (strcmp(what, "received") == 0) {
		if (!arg) {
			fprintf(stderr,
				"usage: hotlinectl investigation received REG_NO REQUEST_ID\n");
			return false;
		}
		if (!investigation_received(pg, v, arg, &e))
			return fail(&e);
		printf("case %s: materials of request %s received\n", v->reg_no, arg);
		return true;
	}
	fprintf(stderr, "hotlinectl: unknown investigation step '%s'\n", what);
	return false;
}

/* A sealed text of the investigation for the terminal: opened with key,
 * else "(encrypted)" (workflow/freetext.h). */
static void print_text(const struct content_key *key, const PGresult *res, int row, int sealed_col,
		       int clear_col)
{
	char *text = NULL;
	enum freetext_state st = freetext_open(key, res, row, sealed_col, clear_col, &text);
	fputs(text ? text : st == FREETEXT_SEALED ? "(encrypted: give --case-key)" : "", stdout);
	freetext_free(text);
}

static int show(PGconn *pg, const struct investigation *v, const struct opts *o)
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
	int left = deadline_days_left(cal, v->due, (int64_t)time(NULL));
	printf("investigation: %s, ordered %s, due %s%s (%s%d working days %s)\n",
	       investigation_state_name(v->state), v->order_date, v->due,
	       v->extended ? " (extended)" : "", left < 0 ? "OVERDUE by " : "",
	       left < 0 ? -left : left, left < 0 ? "" : "left");
	static const char sql_ruling[] =
	    "SELECT coalesce(i.decision, '') AS decision, "
	    "coalesce(i.decision_doc, '') AS decision_doc, "
	    "coalesce(to_char(i.decision_date, 'YYYY-MM-DD'), '') AS decision_date, "
	    "coalesce(u.login, '') AS decided_by, coalesce(i.measures_doc, '') AS measures_doc, "
	    "coalesce(to_char(i.measures_date, 'YYYY-MM-DD'), '') AS measures_date "
	    "FROM hotline.investigations i LEFT JOIN hotline.staff_users u ON u.id = i.decided_by "
	    "WHERE i.id = $1";
	if (v->submitted_on[0])
		printf("conclusion submitted %s\n", v->submitted_on);
	const char *q[1] = {v->id};
	PGresult *ruling = ctldb_exec(pg, sql_ruling, 1, q);
	if (ruling && PQntuples(ruling) == 1) {
		const char *decision = PQgetvalue(ruling, 0, db_col(ruling, "decision"));
		const char *by = PQgetvalue(ruling, 0, db_col(ruling, "decided_by"));
		const char *measures = PQgetvalue(ruling, 0, db_col(ruling, "measures_doc"));
		if (*decision)
			printf("decision: %s (%s of %s, by %s)\n", decision,
			       PQgetvalue(ruling, 0, db_col(ruling, "decision_doc")),
			       PQgetvalue(ruling, 0, db_col(ruling, "decision_date")),
			       *by ? by : "-");
		if (*measures)
			printf("measures: %s of %s\n", measures,
			       PQgetvalue(ruling, 0, db_col(ruling, "measures_date")));
	}
	PQclear(ruling);
	/* names and addressees are the case's: shown with --case-key only */
	static const char sql_members[] =
	    "SELECT name_sealed, name, position_sealed, position FROM "
	    "hotline.commission_members WHERE investigation_id = $1 ORDER BY id";
	static const char sql_requests[] =
	    "SELECT id, addressee_sealed, to_char(requested_on, 'YYYY-MM-DD') AS requested_on, "
	    "to_char(due_date, 'YYYY-MM-DD') AS due_date, received_at IS NOT NULL AS received, "
	    "addressee "
	    "FROM hotline.material_requests WHERE investigation_id = $1 ORDER BY id";
	struct content_key *key =
	    o->case_key ? casetext_key_from_files(pg, v->reg_no, o->case_key, o->pass) : NULL;
	if (o->case_key && !key) {
		calendar_free(cal);
		return 1;
	}
	const char *p[1] = {v->id};
	PGresult *res = ctldb_exec(pg, sql_members, 1, p);
	if (res) {
		int name_sealed = db_col(res, "name_sealed"), name = db_col(res, "name");
		int pos_sealed = db_col(res, "position_sealed"), pos = db_col(res, "position");
		for (int i = 0; i < PQntuples(res); i++) {
			fputs("commission: ", stdout);
			print_text(key, res, i, name_sealed, name);
			fputs(", ", stdout);
			print_text(key, res, i, pos_sealed, pos);
			fputs("\n", stdout);
		}
	}
	PQclear(res);
	res = ctldb_exec(pg, sql_requests, 1, p);
	if (res) {
		int id = db_col(res, "id"), to_sealed = db_col(res, "addressee_sealed");
		int to = db_col(res, "addressee"), on = db_col(res, "requested_on");
		int due = db_col(res, "due_date"), received = db_col(res, "received");
		for (int i = 0; i < PQntuples(res); i++) {
			bool got = strcmp(PQgetvalue(res, i, received), "t") == 0;
			int l =
			    deadline_days_left(cal, PQgetvalue(res, i, due), (int64_t)time(NULL));
			printf("request %s to ", PQgetvalue(res, i, id));
			print_text(key, res, i, to_sealed, to);
			printf(" on %s: due %s, %s\n", PQgetvalue(res, i, on),
			       PQgetvalue(res, i, due),
			       got     ? "received"
			       : l < 0 ? "OVERDUE"
				       : "open");
		}
	}
	PQclear(res);
	content_key_free(key);
	calendar_free(cal);
	return 0;
}

int investigate_main(int argc, char **argv)
{
	const char *conninfo = ctldb_take_database(&argc, argv);
	struct opts o;
	int first = parse_opts(argc, argv, &o);
	if (first < 0 || first >= argc) {
		fprintf(stderr,
			"usage: hotlinectl investigation STEP REG_NO ... (see docs/cli.md)\n");
		return 2;
	}
	const char *what = argv[0];
	/* the steps that write text under the case's key take the recovery key
	 * from the environment too, as the steps that make seals do */
	if (strcmp(what, "order") == 0 || strcmp(what, "request") == 0)
		casetext_default_files(&o.case_key, &o.pass);
	const char *reg_no = argv[first];
	const char *arg = first + 1 < argc ? argv[first + 1] : NULL;
	PGconn *pg = ctldb_connect(conninfo);
	if (!pg)
		return 1;
	int rc = 1;
	struct investigation v;
	struct wf_error e = {0};
	if (!ctldb_begin(pg))
		goto out;
	if (!investigation_load(pg, reg_no, &v, &e)) {
		fail(&e);
		goto out;
	}
	if (strcmp(what, "show") == 0) {
		rc = show(pg, &v, &o);
		goto out;
	}
	bool ok = strcmp(what, "order") == 0	  ? order(pg, &v, &o)
		  : strcmp(what, "conclude") == 0 ? conclude(pg, &v, &o)
						  : step(pg, what, &v, arg, &o);
	if (ok && ctldb_commit_audited(pg, "investigation", what, reg_no))
		rc = 0;
out:
	if (rc != 0)
		ctldb_rollback(pg);
	PQfinish(pg);
	return rc;
}
