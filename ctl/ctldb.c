#include "ctl/ctldb.h"
#include "workflow/wfdb.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accounts/audit.h"
#include "base/db.h"
#include "workflow/calendar.h"

PGconn *ctldb_connect(const char *conninfo)
{
	if (!conninfo) {
		fprintf(stderr, "hotlinectl: no database: give --database CONNINFO or set "
				"HOTLINE_DATABASE\n");
		return NULL;
	}
	PGconn *pg = PQconnectdb(conninfo);
	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "hotlinectl: cannot connect to the database: %s",
			PQerrorMessage(pg));
		PQfinish(pg);
		return NULL;
	}
	return pg;
}

const char *ctldb_take_database(int *argc, char **argv)
{
	const char *conninfo = getenv("HOTLINE_DATABASE");
	int out = 0;
	for (int i = 0; i < *argc; i++) {
		if (strcmp(argv[i], "--database") == 0 && i + 1 < *argc) {
			conninfo = argv[++i];
			continue;
		}
		if (strncmp(argv[i], "--database=", 11) == 0) {
			conninfo = argv[i] + 11;
			continue;
		}
		argv[out++] = argv[i];
	}
	argv[out] = NULL;
	*argc = out;
	return conninfo;
}

const char *ctldb_take_option(int *argc, char **argv, const char *flag, const char *env)
{
	const char *value = env ? getenv(env) : NULL;
	size_t flen = strlen(flag);
	int out = 0;
	for (int i = 0; i < *argc; i++) {
		if (strcmp(argv[i], flag) == 0 && i + 1 < *argc) {
			value = argv[++i];
			continue;
		}
		if (strncmp(argv[i], flag, flen) == 0 && argv[i][flen] == '=') {
			value = argv[i] + flen + 1;
			continue;
		}
		argv[out++] = argv[i];
	}
	argv[out] = NULL;
	*argc = out;
	return value;
}

PGresult *ctldb_exec(PGconn *pg, const char *sql_text, int nparams, const char *const *values)
{
	struct db_error err;
	PGresult *res = db_query(pg, sql_text, nparams, values, NULL, NULL, &err);
	if (!res)
		ctldb_refused(pg, &err);
	return res;
}

void ctldb_refused(PGconn *pg, const struct db_error *err)
{
	fprintf(stderr, "hotlinectl: the database refused: %s\n",
		err->message[0] ? err->message : PQerrorMessage(pg));
}

bool ctldb_run(PGconn *pg, const char *sql_text, int nparams, const char *const *values)
{
	PGresult *res = ctldb_exec(pg, sql_text, nparams, values);
	PQclear(res);
	return res != NULL;
}

const char *ctldb_actor(void)
{
	static char actor[96];
	if (!actor[0]) {
		const struct passwd *pw = getpwuid(geteuid());
		if (pw && pw->pw_name && *pw->pw_name)
			snprintf(actor, sizeof actor, "os:%s", pw->pw_name);
		else
			snprintf(actor, sizeof actor, "os:uid=%lu", (unsigned long)geteuid());
	}
	return actor;
}

bool ctldb_begin(PGconn *pg)
{
	static const char sql_begin[] = "BEGIN";
	static const char sql_actor[] = "SELECT set_config('hotline.actor', $1, true)";
	const char *v[1] = {ctldb_actor()};
	return ctldb_run(pg, sql_begin, 0, NULL) && ctldb_run(pg, sql_actor, 1, v);
}

/* The audit row (accounts/audit.c: the hash-chained log) of a change made by
 * this command, done by ctldb_actor(), in the caller's transaction. action
 * is "<what>.<step>", each '-' of step written '_' ("case.declare_interest"),
 * or what as it is when step is NULL; object an id, never content (a registration
 * number, a setting's key, a date). Prints why when it fails. */
static bool ctldb_audit(PGconn *pg, const char *what, const char *step, const char *object)
{
	char action[64];
	int n = step ? snprintf(action, sizeof action, "%s.%s", what, step)
		     : snprintf(action, sizeof action, "%s", what);
	if (n < 0 || (size_t)n >= sizeof action) {
		fprintf(stderr, "hotlinectl: no audit action for %s %s\n", what, step ? step : "");
		return false;
	}
	/* the staff pages' names: "case.declare_interest" */
	for (char *p = action + strlen(what); step && *p; p++)
		if (*p == '-')
			*p = '_';
	if (!audit_append(pg, 0, ctldb_actor(), action, object ? object : "")) {
		fprintf(stderr, "hotlinectl: cannot write the audit row: %s", PQerrorMessage(pg));
		return false;
	}
	return true;
}

bool ctldb_commit_audited(PGconn *pg, const char *what, const char *step, const char *object)
{
	return ctldb_audit(pg, what, step, object) && ctldb_commit(pg);
}

bool ctldb_commit(PGconn *pg)
{
	static const char sql_commit[] = "COMMIT";
	return ctldb_run(pg, sql_commit, 0, NULL);
}

void ctldb_rollback(PGconn *pg)
{
	static const char sql_rollback[] = "ROLLBACK";
	PQclear(db_query(pg, sql_rollback, 0, NULL, NULL, NULL, NULL));
}

struct calendar *ctldb_calendar(PGconn *pg)
{
	struct wf_error e = {0};
	struct calendar *cal = wfdb_calendar(pg, &e);
	if (!cal)
		fprintf(stderr, "hotlinectl: %s\n", e.text);
	return cal;
}
