#include "ctl/admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctldb.h"
#include "ctl/deadlines.h"
#include "workflow/calendar.h"

int settings_main(int argc, char **argv)
{
	const char *conninfo = ctldb_take_database(&argc, argv);
	bool set = argc == 3 && strcmp(argv[0], "set") == 0;
	bool show = argc == 1 && strcmp(argv[0], "show") == 0;
	if (!set && !show) {
		fprintf(stderr, "usage: hotlinectl settings set KEY VALUE | hotlinectl settings show\n"
				"  keys: director_email alternate_email compliance_email console_url "
				"organisation consider_anonymous_reports (on|off)\n");
		return 2;
	}
	/* a policy is on or off; anything else would read as off without a
	 * word (workflow/procedure.h) */
	if (set && strcmp(argv[1], "consider_anonymous_reports") == 0 &&
	    strcmp(argv[2], "on") != 0 && strcmp(argv[2], "off") != 0) {
		fprintf(stderr, "hotlinectl: consider_anonymous_reports is on or off\n");
		return 2;
	}
	PGconn *pg = ctldb_connect(conninfo);
	if (!pg)
		return 1;
	int rc = 1;
	if (set) {
		static const char sql_set[] =
			"INSERT INTO hotline.settings (key, value) VALUES ($1, $2) "
			"ON CONFLICT (key) DO UPDATE SET value = excluded.value, changed_at = now()";
		const char *v[2] = {argv[1], argv[2]};
		if (ctldb_run(pg, sql_set, 2, v)) {
			printf("%s set\n", argv[1]);
			rc = 0;
		}
	} else {
		static const char sql_show[] = "SELECT key, value FROM hotline.settings ORDER BY key";
		PGresult *res = ctldb_exec(pg, sql_show, 0, NULL);
		for (int i = 0; res && i < PQntuples(res); i++)
			printf("%s = %s\n", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
		rc = res ? 0 : 1;
		PQclear(res);
	}
	PQfinish(pg);
	return rc;
}

static int calendar_show(PGconn *pg, const char *year_text)
{
	int year = atoi(year_text);
	if (year < 2000 || year > 2100) {
		fprintf(stderr, "hotlinectl: %s is not a year\n", year_text);
		return 2;
	}
	struct calendar *cal = ctldb_calendar(pg);
	if (!cal)
		return 1;
	int working = 0;
	printf("%d: days off other than Saturdays and Sundays, and working weekend days\n", year);
	for (struct cal_date d = {year, 1, 1}; d.year == year; d = cal_date_add_days(d, 1)) {
		char date[11], why[160];
		bool work = calendar_is_working_day(cal, d);
		working += work;
		int dow = cal_date_weekday(d); /* 1 = Monday .. 7 = Sunday */
		bool weekend = dow >= 6;
		if (work == !weekend)
			continue;
		cal_date_format(d, date);
		calendar_describe(cal, d, why, sizeof(why));
		printf("  %s %s  %s\n", date, work ? "working" : "off    ", why);
	}
	printf("%d working days in %d\n", working, year);
	calendar_free(cal);
	return 0;
}

int calendar_main(int argc, char **argv)
{
	const char *conninfo = ctldb_take_database(&argc, argv);
	const char *source = "set by an administrator (hotlinectl calendar set)";
	for (int i = 0; i + 1 < argc; i++) {
		if (strcmp(argv[i], "--source") == 0) {
			source = argv[i + 1];
			memmove(&argv[i], &argv[i + 2], sizeof(char *) * (size_t)(argc - i - 1));
			argc -= 2;
			break;
		}
	}
	bool set = argc == 4 && strcmp(argv[0], "set") == 0;
	bool unset = argc == 2 && strcmp(argv[0], "unset") == 0;
	bool show = argc == 2 && strcmp(argv[0], "show") == 0;
	if (!set && !unset && !show) {
		fprintf(stderr,
			"usage: hotlinectl calendar set YYYY-MM-DD off|work|holiday \"NOTE\" [--source "
			"TEXT]\n       hotlinectl calendar unset YYYY-MM-DD\n"
			"       hotlinectl calendar show YEAR\n");
		return 2;
	}
	PGconn *pg = ctldb_connect(conninfo);
	if (!pg)
		return 1;
	int rc = 1;
	if (show) {
		rc = calendar_show(pg, argv[1]);
		PQfinish(pg);
		return rc;
	}
	struct cal_date d;
	if (!cal_date_parse(argv[1], &d)) {
		fprintf(stderr, "hotlinectl: %s is not a date (YYYY-MM-DD)\n", argv[1]);
		PQfinish(pg);
		return 2;
	}
	if (set && strcmp(argv[2], "off") != 0 && strcmp(argv[2], "work") != 0 &&
	    strcmp(argv[2], "holiday") != 0) {
		fprintf(stderr, "hotlinectl: the kind is off, work or holiday\n");
		PQfinish(pg);
		return 2;
	}
	static const char sql_set[] =
		"INSERT INTO hotline.calendar_days (day, kind, note, source) VALUES ($1::date, $2, $3, $4) "
		"ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, note = excluded.note, "
		"source = excluded.source, changed_at = now()";
	static const char sql_unset[] = "DELETE FROM hotline.calendar_days WHERE day = $1::date";
	const char *v[4] = {argv[1], set ? argv[2] : NULL, set ? argv[3] : NULL, source};
	if (!ctldb_begin(pg) || !ctldb_run(pg, set ? sql_set : sql_unset, set ? 4 : 1, v))
		goto out;
	/* Deadlines still running follow the new calendar, in the same
	 * transaction. */
	struct calendar *cal = ctldb_calendar(pg);
	int moved = cal ? deadlines_recompute(pg, cal) : -1;
	calendar_free(cal);
	if (moved < 0 || !ctldb_commit(pg))
		goto out;
	printf("%s: %s; %d running deadline(s) moved\n", argv[1], set ? argv[2] : "back to the rules",
	       moved);
	rc = 0;
out:
	if (rc)
		ctldb_rollback(pg);
	PQfinish(pg);
	return rc;
}
