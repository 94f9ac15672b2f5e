#include "ctl/chaincheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/db.h"
#include "crypto/sign.h"
#include "workflow/checkpoint.h"

enum point_state { POINT_UNSEEN, POINT_MATCH, POINT_CHANGED, POINT_MISSING };

/* One row a checkpoint vouches for. */
struct point {
	long long row;
	unsigned char hash[DIGEST_BYTES];
	int64_t at;
	bool given; /* from the command line, not from the table */
	enum point_state state;
	char label[40];
};

struct chaincheck {
	enum chaincheck_chain chain;
	const char *name; /* "journal" or "audit" */
	bool have_key;
	struct sign_public key;
	struct point *points;
	size_t npoints, cap;
	size_t given;
	size_t next; /* the first point not yet reached by the walk */
	bool sorted;
};

static bool add_point(struct chaincheck *cc, const struct checkpoint *cp, bool given)
{
	const struct checkpoint_head *h =
	    cc->chain == CHAINCHECK_JOURNAL ? &cp->journal : &cp->audit;
	if (cc->npoints == cc->cap) {
		size_t cap = cc->cap ? cc->cap * 2 : 16;
		struct point *p = realloc(cc->points, cap * sizeof *p);
		if (!p)
			return false;
		cc->points = p;
		cc->cap = cap;
	}
	struct point *p = &cc->points[cc->npoints++];
	memset(p, 0, sizeof *p);
	p->row = h->row;
	memcpy(p->hash, h->hash, DIGEST_BYTES);
	p->at = cp->at;
	p->given = given;
	/* an empty chain at the time: nothing it could lose */
	p->state = h->row == 0 ? POINT_MATCH : POINT_UNSEEN;
	cc->given += given;
	return true;
}

static bool add_given(struct chaincheck *cc, const char *line, const char *from)
{
	struct checkpoint cp;
	char why[200];
	if (!checkpoint_verify(line, &cc->key, &cp, why, sizeof why)) {
		fprintf(stderr, "hotlinectl: %s: %s\n", from, why);
		return false;
	}
	return add_point(cc, &cp, true);
}

/* Every checkpoint line in the file, wherever it starts on its line (a
 * saved mail, a log excerpt with a prefix). */
static bool add_file(struct chaincheck *cc, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "hotlinectl: cannot open %s\n", path);
		return false;
	}
	char line[1024];
	size_t found = 0;
	bool ok = true;
	while (ok && fgets(line, sizeof line, f)) {
		char *at = strstr(line, "hotline-checkpoint v1 ");
		if (!at)
			continue;
		found++;
		ok = add_given(cc, at, path);
	}
	fclose(f);
	if (ok && !found) {
		fprintf(stderr, "hotlinectl: %s holds no \"hotline-checkpoint v1\" line\n", path);
		return false;
	}
	return ok;
}

/* "--name VALUE" or "--name=VALUE" at argv[*i]. */
static bool take(int argc, char **argv, int *i, const char *name, const char **value)
{
	size_t n = strlen(name);
	if (strncmp(argv[*i], name, n) != 0)
		return false;
	if (argv[*i][n] == '=') {
		*value = argv[*i] + n + 1;
		return true;
	}
	if (argv[*i][n] != '\0')
		return false;
	*value = *i + 1 < argc ? argv[++*i] : NULL;
	return true;
}

struct chaincheck *chaincheck_from_args(enum chaincheck_chain chain, int *argc, char **argv)
{
	struct chaincheck *cc = calloc(1, sizeof *cc);
	if (!cc)
		return NULL;
	cc->chain = chain;
	cc->name = chain == CHAINCHECK_JOURNAL ? "journal" : "audit";
	const char *key_path = NULL;
	const char *lines[64], *files[64];
	size_t nlines = 0, nfiles = 0;
	int out = 0;
	for (int i = 0; i < *argc; i++) {
		const char *v = NULL;
		if (take(*argc, argv, &i, "--checkpoint", &v)) {
			if (!v || nlines == 64)
				goto usage;
			lines[nlines++] = v;
		} else if (take(*argc, argv, &i, "--checkpoint-file", &v)) {
			if (!v || nfiles == 64)
				goto usage;
			files[nfiles++] = v;
		} else if (take(*argc, argv, &i, "--public-key", &v)) {
			if (!v)
				goto usage;
			key_path = v;
		} else {
			argv[out++] = argv[i];
		}
	}
	argv[out] = NULL;
	*argc = out;
	if ((nlines || nfiles) && !key_path) {
		fprintf(stderr, "hotlinectl: --checkpoint needs --public-key FILE (the checkpoint "
				"key's public half)\n");
		goto fail;
	}
	if (key_path) {
		char why[256];
		if (!sign_load_public(key_path, &cc->key, why, sizeof why)) {
			fprintf(stderr, "hotlinectl: --public-key: %s\n", why);
			goto fail;
		}
		cc->have_key = true;
	}
	for (size_t i = 0; i < nlines; i++)
		if (!add_given(cc, lines[i], "--checkpoint"))
			goto fail;
	for (size_t i = 0; i < nfiles; i++)
		if (!add_file(cc, files[i]))
			goto fail;
	return cc;
usage:
	fprintf(stderr, "hotlinectl: --checkpoint, --checkpoint-file and --public-key need a "
			"value\n");
fail:
	chaincheck_free(cc);
	return NULL;
}

bool chaincheck_load_stored(struct chaincheck *cc, PGconn *pg)
{
	static const char sql_stored[] = "SELECT line FROM hotline.checkpoints ORDER BY id";
	if (!cc->have_key)
		return true;
	PGresult *res = db_query(pg, sql_stored, 0, NULL, NULL, NULL, NULL);
	if (!res) {
		fprintf(stderr, "hotlinectl: reading hotline.checkpoints failed: %s",
			PQerrorMessage(pg));
		return false;
	}
	int unsigned_lines = 0;
	bool ok = true;
	int line = db_col(res, "line");
	for (int i = 0; ok && i < PQntuples(res); i++) {
		struct checkpoint cp;
		if (!checkpoint_verify(PQgetvalue(res, i, line), &cc->key, &cp, NULL, 0))
			unsigned_lines++;
		else
			ok = add_point(cc, &cp, false);
	}
	PQclear(res);
	if (unsigned_lines)
		fprintf(stderr,
			"%s: warning: %d stored checkpoints are not signed by this key (an older "
			"key, or forged); not used\n",
			cc->name, unsigned_lines);
	return ok;
}

static int by_row(const void *a, const void *b)
{
	const struct point *x = a, *y = b;
	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

void chaincheck_row(struct chaincheck *cc, long long id, const unsigned char hash[DIGEST_BYTES],
		    const char *label)
{
	if (!cc->sorted) {
		if (cc->npoints)
			qsort(cc->points, cc->npoints, sizeof *cc->points, by_row);
		cc->sorted = true;
	}
	/* a row a checkpoint named that the walk passed without seeing */
	for (; cc->next < cc->npoints && cc->points[cc->next].row < id; cc->next++) {
		if (cc->points[cc->next].state == POINT_UNSEEN)
			cc->points[cc->next].state = POINT_MISSING;
	}
	for (size_t i = cc->next; i < cc->npoints && cc->points[i].row == id; i++) {
		struct point *p = &cc->points[i];
		p->state = memcmp(p->hash, hash, DIGEST_BYTES) == 0 ? POINT_MATCH : POINT_CHANGED;
		if (label)
			snprintf(p->label, sizeof p->label, " (%s)", label);
		cc->next = i + 1;
	}
}

static void when(int64_t at, char out[32])
{
	time_t t = (time_t)at;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool chaincheck_finish(struct chaincheck *cc)
{
	chaincheck_row(cc, __LONG_LONG_MAX__, (const unsigned char[DIGEST_BYTES]){0}, NULL);
	if (!cc->given)
		fprintf(stderr,
			"%s: warning: no --checkpoint given: an intact chain shows only that it "
			"is consistent, not that the database owner did not recompute it; only a "
			"checkpoint kept outside the database proves that (docs/keys.md)\n",
			cc->name);
	size_t bad = cc->npoints;
	for (size_t i = 0; i < cc->npoints; i++) {
		if (cc->points[i].state != POINT_MATCH) {
			bad = i;
			break;
		}
	}
	char at[32];
	if (bad == cc->npoints) {
		if (cc->npoints) {
			const struct point *last = &cc->points[cc->npoints - 1];
			when(last->at, at);
			printf(
			    "%s: matches %zu signed checkpoints (%zu given), the latest up to row "
			    "%lld (%s)\n",
			    cc->name, cc->npoints, cc->given, last->row, at);
		}
		return true;
	}
	const struct point *f = &cc->points[bad];
	const struct point *l = NULL;
	for (size_t i = bad; i-- > 0;) {
		if (cc->points[i].state == POINT_MATCH && cc->points[i].row < f->row) {
			l = &cc->points[i];
			break;
		}
	}
	when(f->at, at);
	if (f->state == POINT_MISSING)
		printf("%s: REWRITTEN: row %lld, which the checkpoint of %s names, no longer "
		       "exists\n",
		       cc->name, f->row, at);
	else
		printf("%s: REWRITTEN: row %lld%s no longer has the hash the checkpoint of %s "
		       "signed\n",
		       cc->name, f->row, f->label, at);
	long long from = l ? l->row + 1 : 1;
	if (from == f->row)
		printf("%s: rewritten row: %lld (changed or removed; row %lld still matches its "
		       "checkpoint)\n",
		       cc->name, f->row, from - 1);
	else if (l)
		printf("%s: rewritten row: one of rows %lld..%lld (row %lld still matches its "
		       "checkpoint)\n",
		       cc->name, from, f->row, l->row);
	else
		printf("%s: rewritten row: one of rows 1..%lld (no earlier checkpoint)\n", cc->name,
		       f->row);
	return false;
}

void chaincheck_free(struct chaincheck *cc)
{
	if (!cc)
		return;
	free(cc->points);
	free(cc);
}
