/* hotlinectl case ...: the terminal's face of workflow/procedure.c. Parses
 * the options, runs the step in a transaction and says what happened. */
#include "ctl/casework.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctldb.h"
#include "workflow/procedure.h"

/* Audits and commits a step that succeeded ("case.<step>" on reg_no),
 * prints why one did not; 0 or 1. */
static int finish(PGconn *pg, const char *step, const char *reg_no, bool ok,
		  const struct procedure_outcome *out, const struct wf_error *e)
{
	if (ok && ctldb_commit_audited(pg, "case", step, reg_no)) {
		if (out && out->no_recipient)
			fprintf(stderr, "hotlinectl: warning: no recipient is configured for this "
					"notice (hotlinectl settings set ...); it is recorded in the "
					"case only\n");
		return 0;
	}
	if (!ok)
		fprintf(stderr, "hotlinectl: %s\n", e->text);
	ctldb_rollback(pg);
	return 1;
}

static int triage(PGconn *pg, int argc, char **argv)
{
	const char *unit = NULL, *named = NULL;
	static const struct option opts[] = {{"note", required_argument, NULL, 'n'},
					     {"unit", required_argument, NULL, 'u'},
					     {"director-named", required_argument, NULL, 'D'},
					     {"database", required_argument, NULL, 'd'},
					     {NULL, 0, NULL, 0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'n') {
			fprintf(stderr, "hotlinectl: case triage takes no --note: a note about a case "
					"is kept encrypted, written on the case page (Notes)\n");
			return 2;
		} else if (c == 'u')
			unit = optarg;
		else if (c == 'D')
			named = optarg;
		else if (c != 'd')
			return 2;
	}
	if (optind + 2 != argc) {
		fprintf(stderr, "usage: hotlinectl case triage REG_NO corruption|not_corruption|"
				"anonymous|urgent [--unit UNIT] [--director-named yes|no]\n");
		return 2;
	}
	const char *reg_no = argv[optind];
	struct procedure_triage t = {.unit = unit, .director_named = -1};
	if (!triage_outcome_parse(argv[optind + 1], &t.outcome)) {
		fprintf(stderr, "hotlinectl: triage outcome must be corruption, not_corruption, "
				"anonymous or urgent\n");
		return 2;
	}
	if (t.outcome == TRIAGE_NOT_CORRUPTION && (!unit || !*unit)) {
		fprintf(stderr, "hotlinectl: a report not about corruption is sent to a unit: give "
				"--unit NAME (004 p.10.9)\n");
		return 2;
	}
	if (named && strcmp(named, "yes") != 0 && strcmp(named, "no") != 0) {
		fprintf(stderr, "hotlinectl: --director-named takes yes or no\n");
		return 2;
	}
	if (named)
		t.director_named = strcmp(named, "yes") == 0;
	struct procedure_outcome out;
	struct wf_error e;
	if (!ctldb_begin(pg))
		return 1;
	bool ok = procedure_triage(pg, reg_no, &t, ctldb_actor(), &out, &e);
	int rc = finish(pg, "triage", reg_no, ok, &out, &e);
	if (rc == 0)
		printf("case %s: %s%s%s\n", reg_no, case_state_name(out.state), out.due[0] ? ", due " : "",
		       out.due);
	return rc;
}

static int ack(PGconn *pg, int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: hotlinectl case ack REG_NO\n");
		return 2;
	}
	struct procedure_outcome out;
	struct wf_error e;
	if (!ctldb_begin(pg))
		return 1;
	bool ok = procedure_ack(pg, argv[1], ctldb_actor(), &out, &e);
	int rc = finish(pg, "ack", argv[1], ok, &out, &e);
	if (rc == 0)
		printf("case %s: acknowledged\n", argv[1]);
	return rc;
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
	const char *reg_no = argv[optind];
	enum director_decision d;
	if (!director_decision_parse(argv[optind + 1], &d)) {
		fprintf(stderr, "hotlinectl: the decision is forward, investigate, "
				"forward_and_investigate or no_grounds\n");
		return 2;
	}
	struct procedure_outcome out;
	struct wf_error e;
	if (!ctldb_begin(pg))
		return 1;
	bool ok = procedure_decide(pg, reg_no, d, doc, ctldb_actor(), &out, &e);
	int rc = finish(pg, "decide", reg_no, ok, &out, &e);
	if (rc == 0) {
		printf("case %s: %s\n", reg_no, case_state_name(out.state));
		if (d == DIRECTOR_FORWARD || d == DIRECTOR_FORWARD_AND_INVESTIGATE)
			printf("cover letter: hotlinectl case cover-letter %s > letter.html\n", reg_no);
	}
	return rc;
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
	struct procedure_outcome out;
	struct wf_error e;
	if (!ctldb_begin(pg))
		return 1;
	bool ok = procedure_forwarded(pg, argv[optind], to_body, ctldb_actor(), &out, &e);
	int rc = finish(pg, "forwarded", argv[optind], ok, &out, &e);
	if (rc == 0)
		printf("case %s: forwarded\n", argv[optind]);
	return rc;
}

static int declare_interest(PGconn *pg, int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: hotlinectl case declare-interest REG_NO \"NAME\"\n");
		return 2;
	}
	struct wf_error e;
	if (!ctldb_begin(pg))
		return 1;
	bool ok = procedure_declare_interest(pg, argv[1], argv[2], &e);
	int rc = finish(pg, "declare-interest", argv[1], ok, NULL, &e);
	if (rc == 0)
		printf("case %s: personal interest declared; this person cannot sit on its "
		       "commission\n",
		       argv[1]);
	return rc;
}

static int cover_letter(PGconn *pg, int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: hotlinectl case cover-letter REG_NO > letter.html\n");
		return 2;
	}
	struct wf_error e;
	struct buf page;
	buf_init(&page);
	if (!procedure_cover_letter(pg, argv[1], NULL, &page, &e)) {
		fprintf(stderr, "hotlinectl: %s\n", e.text);
		buf_reset(&page);
		return 1;
	}
	fwrite(page.data, 1, page.len, stdout);
	buf_reset(&page);
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
