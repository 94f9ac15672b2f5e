/* Shared by the unit tests that need the working-day calendar as shipped:
 * D("YYYY-MM-DD") and a cmocka setup/teardown that load every row of
 * migrations/0002_calendar.sql (the tests run from the repository root, as
 * tools/unit.sh does) into a struct calendar in *state. Header-only: each
 * test program includes it once, after <cmocka.h>. */
#ifndef HOTLINE_TESTS_CALENDAR_FIXTURE_H
#define HOTLINE_TESTS_CALENDAR_FIXTURE_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "workflow/calendar.h"

#define MIGRATION "migrations/0002_calendar.sql"

static struct cal_date D(const char *s) {
	struct cal_date d = {0, 0, 0};
	if (!cal_date_parse(s, &d))
		fail_msg("bad date in the test: %s", s);
	return d;
}

/* One SQL string literal at *p ('...' with '' for a quote) into out. */
static bool
sql_string(const char **p, char *out, size_t size)
{
	const char *s = *p;
	size_t n = 0;
	if (*s++ != '\'')
		return false;
	for (;;) {
		if (*s == '\0' || *s == '\n')
			return false;
		if (*s == '\'') {
			if (s[1] != '\'')
				break;
			s++;
		}
		if (n + 1 >= size)
			return false;
		out[n++] = *s++;
	}
	out[n] = '\0';
	*p = s + 1;
	return true;
}

/* The rows of the migration: lines that start (after blanks) with "('". */
struct row {
	char day[16], kind[16], note[512], source[512];
};

static int read_rows(struct row *rows, int max)
{
	FILE *f = fopen(MIGRATION, "r");
	if (!f)
		fail_msg("cannot open %s: run from the repository root", MIGRATION);
	char line[4096];
	int n = 0;
	while (fgets(line, sizeof(line), f)) {
		const char *p = line + strspn(line, " \t");
		if (strncmp(p, "('", 2) != 0)
			continue;
		if (n == max)
			fail_msg("more than %d rows in %s", max, MIGRATION);
		struct row *r = &rows[n++];
		p++;
		bool ok = sql_string(&p, r->day, sizeof(r->day)) && strncmp(p, ", ", 2) == 0;
		p += ok ? 2 : 0;
		ok = ok && sql_string(&p, r->kind, sizeof(r->kind)) && strncmp(p, ", ", 2) == 0;
		p += ok ? 2 : 0;
		ok = ok && sql_string(&p, r->note, sizeof(r->note)) && strncmp(p, ", ", 2) == 0;
		p += ok ? 2 : 0;
		ok = ok && sql_string(&p, r->source, sizeof(r->source)) && *p == ')';
		if (!ok)
			fail_msg("row not understood: %s", line);
	}
	fclose(f);
	return n;
}

static struct calendar *shipped(void)
{
	static struct row rows[64];
	int n = read_rows(rows, 64);
	struct calendar *cal = calendar_new();
	assert_non_null(cal);
	for (int i = 0; i < n; i++) {
		if (!calendar_load_row(cal, rows[i].day, rows[i].kind, rows[i].note))
			fail_msg("row %s %s not accepted", rows[i].day, rows[i].kind);
	}
	return cal;
}

static int setup(void **state)
{
	*state = shipped();
	return 0;
}

static int teardown(void **state)
{
	calendar_free(*state);
	return 0;
}

#endif
