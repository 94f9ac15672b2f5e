#include "ctl/migrate.h"

#include <dirent.h>
#include <getopt.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/db.h"
#include "ctl/ctldb.h"
#include "base/schema.h"

/* Any fixed number: every hotlinectl migrate takes the same lock. */
#define MIGRATE_LOCK_KEY "7264531"

struct migration {
	int version;
	char name[256];
};

static int by_version(const void *a, const void *b)
{
	return ((const struct migration *)a)->version - ((const struct migration *)b)->version;
}

/* NNNN_name.sql, sorted; a duplicate number is an error. */
static int list_migrations(const char *dir, struct migration **out)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "hotlinectl: cannot open migrations folder %s\n", dir);
		return -1;
	}
	struct migration *list = NULL;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 9 || strcmp(e->d_name + len - 4, ".sql") != 0 || e->d_name[4] != '_')
			continue;
		bool digits = true;
		for (int i = 0; i < 4; i++)
			digits = digits && e->d_name[i] >= '0' && e->d_name[i] <= '9';
		if (!digits || len >= sizeof(list->name))
			continue;
		struct migration *more = realloc(list, sizeof(*list) * (size_t)(n + 1));
		if (!more) {
			fprintf(stderr, "hotlinectl: out of memory\n");
			closedir(d);
			free(list);
			return -1;
		}
		list = more;
		list[n].version = atoi(e->d_name);
		snprintf(list[n].name, sizeof(list[n].name), "%s", e->d_name);
		n++;
	}
	closedir(d);
	qsort(list, (size_t)n, sizeof(*list), by_version);
	for (int i = 1; i < n; i++) {
		if (list[i].version == list[i - 1].version) {
			fprintf(stderr, "hotlinectl: two migrations numbered %d: %s and %s\n",
				list[i].version, list[i - 1].name, list[i].name);
			free(list);
			return -1;
		}
	}
	*out = list;
	return n;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *data = NULL;
	size_t len = 0, cap = 0;
	char chunk[8192];
	size_t got;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (len + got + 1 > cap) {
			cap = (len + got + 1) * 2;
			char *more = realloc(data, cap);
			if (!more) {
				free(data);
				fclose(f);
				return NULL;
			}
			data = more;
		}
		memcpy(data + len, chunk, got);
		len += got;
	}
	fclose(f);
	if (!data)
		data = calloc(1, 1);
	else
		data[len] = '\0';
	return data;
}

/* A migration file runs as one simple query, several statements in one
 * text: the one place db_query() (one statement, parameters) cannot serve. */
static bool exec_ok(PGconn *pg, const char *sql_text, const char *what)
{
	PGresult *res = PQexec(pg, sql_text);
	ExecStatusType st = PQresultStatus(res);
	bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
	if (!ok)
		fprintf(stderr, "hotlinectl: %s failed: %s", what, PQerrorMessage(pg));
	PQclear(res);
	return ok;
}

static int current_version(PGconn *pg)
{
	int v = db_schema_read(pg, NULL, NULL);
	if (v < 0)
		fprintf(stderr, "hotlinectl: cannot read the schema version: %s",
			PQerrorMessage(pg));
	return v;
}

/* Whether every migration up to version is recorded in the database. One
 * applied after a later one was (a development database migrated by a
 * build that did not have the file yet) would otherwise be skipped for
 * good: say which, apply nothing. */
static bool no_gaps(PGconn *pg, const struct migration *list, int n, int version)
{
	if (version == 0)
		return true;
	static const char sql_has[] =
	    "SELECT EXISTS (SELECT 1 FROM hotline.schema_migrations WHERE version = $1) AS applied";
	bool ok = true;
	for (int i = 0; i < n && list[i].version <= version; i++) {
		char v[16];
		snprintf(v, sizeof(v), "%d", list[i].version);
		const char *params[1] = {v};
		PGresult *res = db_query(pg, sql_has, 1, params, NULL, NULL, NULL);
		if (!res) {
			fprintf(stderr, "hotlinectl: cannot read the applied migrations: %s",
				PQerrorMessage(pg));
			return false;
		}
		if (strcmp(PQgetvalue(res, 0, db_col(res, "applied")), "t") != 0) {
			fprintf(stderr,
				"hotlinectl: the database is at version %d but %s was never "
				"applied to it (it was migrated by a build without that file)\n",
				version, list[i].name);
			ok = false;
		}
		PQclear(res);
	}
	if (!ok)
		fprintf(stderr,
			"hotlinectl: nothing was applied. A development database: make a new "
			"one (for make run: stop it and remove var/pg). Otherwise apply the "
			"missing file by hand with psql, in a transaction, and run migrate "
			"again.\n");
	return ok;
}

int migrate_main(int argc, char **argv)
{
	const char *conninfo = getenv("HOTLINE_DATABASE");
	const char *dir = "migrations";
	static const struct option opts[] = {{"database", required_argument, NULL, 'd'},
					     {"dir", required_argument, NULL, 'D'},
					     {NULL, 0, NULL, 0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			conninfo = optarg;
		else if (c == 'D')
			dir = optarg;
		else
			return 2;
	}
	if (!conninfo) {
		fprintf(stderr, "usage: hotlinectl migrate --database CONNINFO [--dir DIR]\n");
		return 2;
	}
	struct migration *list = NULL;
	int n = list_migrations(dir, &list);
	if (n < 0)
		return 1;
	int status = 1;
	PGconn *pg = ctldb_connect(conninfo);
	if (!pg)
		goto out;
	static const char sql_quiet[] = "SET client_min_messages = warning";
	static const char sql_lock[] = "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")";
	if (!exec_ok(pg, sql_quiet, "setting up") || !exec_ok(pg, sql_lock, "taking the lock"))
		goto out;
	int version = current_version(pg);
	if (version < 0 || !no_gaps(pg, list, n, version))
		goto out;
	int applied = 0;
	for (int i = 0; i < n; i++) {
		if (list[i].version <= version)
			continue;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, list[i].name);
		char *sql_file = read_file(path);
		if (!sql_file) {
			fprintf(stderr, "hotlinectl: cannot read %s\n", path);
			goto out;
		}
		static const char sql_begin[] = "BEGIN";
		static const char sql_rollback[] = "ROLLBACK";
		static const char sql_commit[] = "COMMIT";
		bool ok = exec_ok(pg, sql_begin, "BEGIN") && exec_ok(pg, sql_file, list[i].name);
		free(sql_file);
		if (ok && current_version(pg) != list[i].version) {
			fprintf(stderr,
				"hotlinectl: %s did not register itself as version %d in "
				"hotline.schema_migrations\n",
				list[i].name, list[i].version);
			ok = false;
		}
		if (!ok) {
			(void)exec_ok(pg, sql_rollback, "ROLLBACK");
			fprintf(stderr, "hotlinectl: nothing of %s was applied\n", list[i].name);
			goto out;
		}
		if (!exec_ok(pg, sql_commit, "COMMIT"))
			goto out;
		printf("applied %s\n", list[i].name);
		version = list[i].version;
		applied++;
	}
	if (!applied)
		printf("schema is current (version %d)\n", version);
	if (version != SCHEMA_VERSION)
		fprintf(stderr,
			"hotlinectl: note: the schema is at version %d, this build of hotlined "
			"expects %d\n",
			version, SCHEMA_VERSION);
	status = 0;
out:
	PQfinish(pg);
	free(list);
	return status;
}
