/* hotlinectl case ...: the terminal's face of workflow/procedure.c. Parses
 * the options, runs the step in a transaction and says what happened. */
#include "ctl/casework.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/db.h"
#include "crypto/seal.h"
#include "crypto/secret.h"
#include "ctl/casetext.h"
#include "ctl/ctldb.h"
#include "ctl/reseal.h"
#include "ctl/keygen.h"
#include "ctl/sealtext.h"
#include "staff/coverletter.h"
#include "workflow/procedure.h"
#include "workflow/wfdb.h"

/* Audits and commits a step that succeeded ("case.<step>" on reg_no),
 * prints why one did not; 0 or 1. */
static int finish(PGconn *pg, const char *step, const char *reg_no, bool ok,
		  const struct procedure_outcome *out, const struct wf_error *e)
{
	if (ok && ctldb_commit_audited(pg, "case", step, reg_no)) {
		if (out && out->no_recipient)
			fprintf(stderr,
				"hotlinectl: warning: no recipient is configured for this "
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
	const char *unit = NULL, *named = NULL, *case_key = NULL, *pass = NULL;
	static const struct option opts[] = {{"note", required_argument, NULL, 'n'},
					     {"unit", required_argument, NULL, 'u'},
					     {"director-named", required_argument, NULL, 'D'},
					     {"case-key", required_argument, NULL, 'k'},
					     {"passphrase-file", required_argument, NULL, 'p'},
					     {"database", required_argument, NULL, 'd'},
					     {NULL, 0, NULL, 0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'n') {
			fprintf(stderr,
				"hotlinectl: case triage takes no --note: a note about a case "
				"is kept encrypted, written on the case page (Notes)\n");
			return 2;
		} else if (c == 'u')
			unit = optarg;
		else if (c == 'D')
			named = optarg;
		else if (c == 'k')
			case_key = optarg;
		else if (c == 'p')
			pass = optarg;
		else if (c != 'd')
			return 2;
	}
	if (optind + 2 != argc) {
		fprintf(stderr, "usage: hotlinectl case triage REG_NO corruption|not_corruption|"
				"anonymous|urgent [--unit UNIT --case-key FILE --passphrase-file "
				"FILE] [--director-named yes|no]\n"
				"  (the unit is stored encrypted under the case's key)\n");
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
	struct content_key *key = NULL;
	casetext_default_files(&case_key, &pass);
	if (unit && *unit && !(key = casetext_key_from_files(pg, reg_no, case_key, pass))) {
		ctldb_rollback(pg);
		return 1;
	}
	t.key = key;
	bool ok = procedure_triage(pg, reg_no, &t, ctldb_actor(), &out, &e);
	content_key_free(key);
	int rc = finish(pg, "triage", reg_no, ok, &out, &e);
	if (rc == 0)
		printf("case %s: %s%s%s\n", reg_no, case_state_name(out.state),
		       out.due[0] ? ", due " : "", out.due);
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
		fprintf(stderr,
			"usage: hotlinectl case decide REG_NO forward|investigate|"
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
			printf("cover letter: hotlinectl case cover-letter %s > letter.html\n",
			       reg_no);
	}
	return rc;
}

static int forwarded(PGconn *pg, int argc, char **argv)
{
	const char *to_body = NULL, *case_key = NULL, *pass = NULL;
	static const struct option opts[] = {{"to", required_argument, NULL, 't'},
					     {"case-key", required_argument, NULL, 'k'},
					     {"passphrase-file", required_argument, NULL, 'p'},
					     {"database", required_argument, NULL, 'd'},
					     {NULL, 0, NULL, 0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 't')
			to_body = optarg;
		else if (c == 'k')
			case_key = optarg;
		else if (c == 'p')
			pass = optarg;
		else if (c != 'd')
			return 2;
	}
	casetext_default_files(&case_key, &pass);
	if (optind + 1 != argc || !to_body || !case_key || !pass) {
		fprintf(stderr, "usage: hotlinectl case forwarded REG_NO --to BODY --case-key FILE "
				"--passphrase-file FILE\n"
				"  (BODY is stored encrypted under the case's key)\n");
		return 2;
	}
	struct procedure_outcome out;
	struct wf_error e;
	if (!ctldb_begin(pg))
		return 1;
	struct content_key *key = casetext_key_from_files(pg, argv[optind], case_key, pass);
	if (!key) {
		ctldb_rollback(pg);
		return 1;
	}
	bool ok = procedure_forwarded(pg, argv[optind], to_body, key, ctldb_actor(), &out, &e);
	content_key_free(key);
	int rc = finish(pg, "forwarded", argv[optind], ok, &out, &e);
	if (rc == 0)
		printf("case %s: forwarded\n", argv[optind]);
	return rc;
}

static int declare_interest(PGconn *pg, int argc, char **argv)
{
	const char *case_key = NULL, *pass = NULL;
	static const struct option opts[] = {{"case-key", required_argument, NULL, 'k'},
					     {"passphrase-file", required_argument, NULL, 'p'},
					     {"database", required_argument, NULL, 'd'},
					     {NULL, 0, NULL, 0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'k')
			case_key = optarg;
		else if (c == 'p')
			pass = optarg;
		else if (c != 'd')
			return 2;
	}
	casetext_default_files(&case_key, &pass);
	if (optind + 2 != argc || !case_key || !pass) {
		fprintf(stderr,
			"usage: hotlinectl case declare-interest REG_NO \"NAME\" --case-key "
			"FILE --passphrase-file FILE\n"
			"  (the name is stored encrypted under the case's key)\n");
		return 2;
	}
	const char *reg_no = argv[optind], *name = argv[optind + 1];
	struct wf_error e;
	if (!ctldb_begin(pg))
		return 1;
	struct content_key *key = casetext_key_from_files(pg, reg_no, case_key, pass);
	if (!key) {
		ctldb_rollback(pg);
		return 1;
	}
	bool ok = procedure_declare_interest(pg, reg_no, name, key, 0, &e);
	content_key_free(key);
	int rc = finish(pg, "declare-interest", reg_no, ok, NULL, &e);
	if (rc == 0)
		printf("case %s: personal interest declared; this person cannot sit on its "
		       "commission\n",
		       reg_no);
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
	if (!coverletter_write(pg, argv[1], NULL, &page, &e)) {
		fprintf(stderr, "hotlinectl: %s\n", e.text);
		buf_reset(&page);
		return 1;
	}
	fwrite(page.data, 1, page.len, stdout);
	buf_reset(&page);
	return 0;
}

/* The reason a flag is cleared: at most this much, from a file (never the
 * command line, which the process list and the shell's history keep). */
#define REASON_MAX 65536

/* The reason file's text, or NULL with a message. */
static char *read_reason(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "hotlinectl: cannot read %s\n", path);
		return NULL;
	}
	char *text = calloc(1, REASON_MAX + 1);
	size_t n = text ? fread(text, 1, REASON_MAX + 1, f) : 0;
	fclose(f);
	if (!text || n > REASON_MAX || text[strspn(text, " \t\r\n")] == '\0') {
		fprintf(stderr, "hotlinectl: the reason file is empty or longer than %d bytes\n",
			REASON_MAX);
		free(text);
		return NULL;
	}
	return text;
}

/* Whether login is an active account holding the alternate recipient's
 * role and not the director's (issue 14: never the director, never a
 * compliance manager alone); says why not. */
static bool is_alternate(PGconn *pg, const char *login)
{
	static const char sql_roles[] =
	    "SELECT 'alternate' = ANY (roles) AS alternate, 'director' = ANY (roles) AS director, "
	    "disabled "
	    "FROM hotline.staff_users WHERE login = $1";
	const char *v[1] = {login};
	PGresult *res = ctldb_exec(pg, sql_roles, 1, v);
	bool ok = res && PQntuples(res) == 1 &&
		  strcmp(PQgetvalue(res, 0, db_col(res, "alternate")), "t") == 0 &&
		  strcmp(PQgetvalue(res, 0, db_col(res, "director")), "f") == 0 &&
		  strcmp(PQgetvalue(res, 0, db_col(res, "disabled")), "f") == 0;
	if (res && !ok)
		fprintf(stderr,
			"hotlinectl: %s is not an active account of the alternate recipient "
			"(without the director's role): only the alternate clears that the "
			"report names the director\n",
			login);
	PQclear(res);
	return ok;
}

/* Writes reason as an internal note of the case under its content key
 * (opened with sk), as login; the note's id into note_id. */
static bool store_reason(PGconn *pg, const char *reg_no, const struct secret_key *sk,
			 const char *login, const char *reason, char note_id[24])
{
	static const char sql_key[] =
	    "SELECT c.id, coalesce(c.content_key_resealed, c.content_key_sealed) AS content_key "
	    "FROM hotline.cases c "
	    "JOIN hotline.journal j ON j.id = c.journal_id WHERE j.reg_no = $1";
	const char *v[1] = {reg_no};
	PGresult *res = ctldb_exec(pg, sql_key, 1, v);
	if (!res || PQntuples(res) != 1) {
		if (res)
			fprintf(stderr, "hotlinectl: no case %s in the journal\n", reg_no);
		PQclear(res);
		return false;
	}
	char case_id[24];
	snprintf(case_id, sizeof(case_id), "%s", PQgetvalue(res, 0, db_col(res, "id")));
	size_t slen = 0;
	unsigned char *sealed = PQunescapeBytea(
	    (const unsigned char *)PQgetvalue(res, 0, db_col(res, "content_key")), &slen);
	PQclear(res);
	/* the case's own key from its recovery seal (docs/keys.md) */
	struct secret_key *case_sk = reseal_case_key(pg, reg_no, sk);
	struct content_key *key =
	    sealed && case_sk ? content_key_open(case_sk, sealed, slen) : NULL;
	secret_key_free(case_sk);
	PQfreemem(sealed);
	if (!key) {
		fprintf(stderr, "hotlinectl: the case key does not open case %s\n", reg_no);
		return false;
	}
	unsigned char *body = NULL;
	size_t blen = 0;
	bool ok = content_encrypt(key, reason, strlen(reason), &body, &blen);
	content_key_free(key);
	if (!ok) {
		fprintf(stderr, "hotlinectl: encryption failed\n");
		return false;
	}
	ok = wfdb_case_note(pg, case_id, login, body, blen, note_id, NULL);
	free(body);
	if (!ok)
		fprintf(stderr, "hotlinectl: cannot write the note: %s", PQerrorMessage(pg));
	return ok;
}

/* hotlinectl case director-named REG_NO no --reason-file FILE --as LOGIN
 * --case-key FILE --passphrase-file FILE: the alternate recipient clears
 * "the report names the director", as on the case page
 * (procedure_clear_director_named). The reason is encrypted under the
 * case's content key, which the case-handling key opens. */
static int director_named(PGconn *pg, int argc, char **argv)
{
	const char *reason_file = NULL, *as = NULL, *case_key = NULL, *pass = NULL;
	static const struct option opts[] = {{"reason-file", required_argument, NULL, 'r'},
					     {"as", required_argument, NULL, 'a'},
					     {"case-key", required_argument, NULL, 'k'},
					     {"passphrase-file", required_argument, NULL, 'p'},
					     {"database", required_argument, NULL, 'd'},
					     {NULL, 0, NULL, 0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'r')
			reason_file = optarg;
		else if (c == 'a')
			as = optarg;
		else if (c == 'k')
			case_key = optarg;
		else if (c == 'p')
			pass = optarg;
		else if (c != 'd')
			return 2;
	}
	if (optind + 2 != argc || strcmp(argv[optind + 1], "no") != 0 || !reason_file || !as ||
	    !case_key || !pass) {
		fprintf(stderr,
			"usage: hotlinectl case director-named REG_NO no --reason-file FILE "
			"--as LOGIN --case-key FILE --passphrase-file FILE\n"
			"  (LOGIN: the alternate recipient's account; the reason is kept "
			"encrypted as a note of the case)\n");
		return 2;
	}
	const char *reg_no = argv[optind];
	char *reason = read_reason(reason_file);
	if (!reason)
		return 1;
	struct secret_key *sk = secret_key_from_files(case_key, pass);
	if (!sk || !ctldb_begin(pg)) {
		secret_key_free(sk);
		secret_wipe(reason, strlen(reason));
		free(reason);
		return 1;
	}
	char note_id[24] = "";
	struct procedure_outcome out;
	struct wf_error e = {0};
	bool stored = is_alternate(pg, as) && store_reason(pg, reg_no, sk, as, reason, note_id);
	secret_key_free(sk);
	secret_wipe(reason, strlen(reason));
	free(reason);
	if (!stored) {
		ctldb_rollback(pg);
		return 1;
	}
	bool ok = procedure_clear_director_named(pg, reg_no, note_id, as, &out, &e);
	int rc = finish(pg, "director-named", reg_no, ok, &out, &e);
	if (rc == 0)
		printf("case %s: no longer names the director (cleared by %s); it goes to the "
		       "director\n",
		       reg_no, as);
	return rc;
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
	else if (strcmp(step, "director-named") == 0)
		rc = director_named(pg, argc, argv);
	else if (strcmp(step, "seal-text") == 0)
		rc = sealtext_main(pg, argc, argv);
	else {
		fprintf(stderr, "hotlinectl: unknown case step '%s'\n", step);
		rc = 2;
	}
	PQfinish(pg);
	return rc;
}
