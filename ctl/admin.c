#include "ctl/admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/db.h"
#include "ctl/ctldb.h"
#include "ctl/deadlines.h"
#include "workflow/calendar.h"
#include "workflow/site.h"
#include "workflow/wfdb.h"

int settings_main(int argc, char **argv)
{
	const char *conninfo = ctldb_take_database(&argc, argv);
	bool set = argc == 3 && strcmp(argv[0], "set") == 0;
	bool show = argc == 1 && strcmp(argv[0], "show") == 0;
	if (!set && !show) {
		fprintf(stderr,
			"usage: hotlinectl settings set KEY VALUE | hotlinectl settings show\n"
			"  keys: director_email alternate_email compliance_email console_url "
			"organisation reply_working_days consider_anonymous_reports (on|off)\n"
			"  trust_phone trust_email trust_hours_LANG trust_safety_LANG "
			"trust_privacy_LANG (LANG: kk ru en)\n");
		return 2;
	}
	/* a policy is on or off; anything else would read as off without a
	 * word (workflow/procedure.h) */
	if (set && strcmp(argv[1], "consider_anonymous_reports") == 0 &&
	    strcmp(argv[2], "on") != 0 && strcmp(argv[2], "off") != 0) {
		fprintf(stderr, "hotlinectl: consider_anonymous_reports is on or off\n");
		return 2;
	}
	/* the settings page's rules (workflow/site.h): the same value is
	 * refused here as there */
	enum site_kind kind;
	enum site_check check;
	if (set && site_kind_of(argv[1], &kind) &&
	    (check = site_value_check(kind, argv[2])) != SITE_OK) {
		fprintf(stderr, "hotlinectl: %s: %s\n", argv[1], site_check_reason(check));
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
		/* the key only: a value may be an address, kept in the table */
		if (ctldb_begin(pg) && ctldb_run(pg, sql_set, 2, v) &&
		    ctldb_commit_audited(pg, "settings", "set", argv[1])) {
			printf("%s set\n", argv[1]);
			rc = 0;
		} else {
			ctldb_rollback(pg);
		}
	} else {
		PGresult *res = ctldb_exec(pg, SQL_SETTINGS, 0, NULL);
		int key = res ? db_col(res, "key") : 0, value = res ? db_col(res, "value") : 0;
		for (int i = 0; res && i < PQntuples(res); i++)
			printf("%s = %s\n", PQgetvalue(res, i, key), PQgetvalue(res, i, value));
		rc = res ? 0 : 1;
		PQclear(res);
	}
	PQfinish(pg);
	return rc;
}

/* The first day of Kurban Ait is the one holiday that comes from the
 * table only (docs/calendar.md): a year without its row counts the day as
 * working. DUMK publishes the next year's date in November, so `show`
 * reminds of it whatever year is shown. */
static bool warn_kurban_ait(PGconn *pg)
{
	static const char sql_holidays[] =
	    "SELECT count(*) AS holidays FROM hotline.calendar_days WHERE kind = 'holiday' "
	    "AND day >= make_date($1::int, 1, 1) AND day < make_date($1::int + 1, 1, 1)";
	int next = calendar_local_date((int64_t)time(NULL)).year + 1;
	char year[12];
	snprintf(year, sizeof year, "%d", next);
	const char *v[1] = {year};
	PGresult *res = ctldb_exec(pg, sql_holidays, 1, v);
	if (!res)
		return false;
	if (strcmp(PQgetvalue(res, 0, db_col(res, "holidays")), "0") == 0)
		fprintf(stderr,
			"hotlinectl: warning: %d has no Kurban Ait row: its first day counts as a "
			"working day until it is set from DUMK's calendar for %d:\n"
			"  hotlinectl calendar set %d-MM-DD holiday \"Kurban Ait, first day\" "
			"--source \"DUMK calendar for %d\"\n",
			next, next, next, next);
	PQclear(res);
	return true;
}

static int calendar_show(PGconn *pg, const char *year_text)
{
	char *end;
	long year = strtol(year_text, &end, 10);
	if (*end || year < CALENDAR_FIRST_YEAR || year > CALENDAR_LAST_YEAR) {
		fprintf(stderr, "hotlinectl: %s is not a year of the calendar (%d to %d)\n",
			year_text, CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR);
		return 2;
	}
	if (!warn_kurban_ait(pg))
		return 1;
	struct calendar *cal = ctldb_calendar(pg);
	if (!cal)
		return 1;
	int working = 0;
	printf("%ld: days off other than Saturdays and Sundays, and working weekend days\n", year);
	for (struct cal_date d = {(int)year, 1, 1}; d.year == year; d = cal_date_add_days(d, 1)) {
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
	printf("%d working days in %ld\n", working, year);
	calendar_free(cal);
	return 0;
}

/* One side of a change: the row's kind, note and source (the columns
 * side[0..2]), or the rules. */
static void put_row_side(const PGresult *res, int i, const int side[3])
{
	if (PQgetisnull(res, i, side[0])) {
		printf("(the rules)");
		return;
	}
	printf("%s \"%s\" [%s]", PQgetvalue(res, i, side[0]), PQgetvalue(res, i, side[1]),
	       PQgetvalue(res, i, side[2]));
}

/* Every change of a row (migrations/0014_calendar_history.sql), oldest
 * first; of one year when year_text is given. */
static int calendar_history(PGconn *pg, const char *year_text)
{
	static const char sql_history[] =
	    "SELECT to_char(changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS changed, "
	    "changed_by, to_char(day, 'YYYY-MM-DD') AS day_iso, old_kind, old_note, old_source, "
	    "new_kind, new_note, new_source FROM hotline.calendar_history "
	    "WHERE $1::int IS NULL OR (day >= make_date($1::int, 1, 1) "
	    "AND day < make_date($1::int + 1, 1, 1)) ORDER BY id";
	char *end = NULL;
	long year = year_text ? strtol(year_text, &end, 10) : 0;
	if (year_text && (*end || year < CALENDAR_FIRST_YEAR || year > CALENDAR_LAST_YEAR)) {
		fprintf(stderr, "hotlinectl: %s is not a year of the calendar (%d to %d)\n",
			year_text, CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR);
		return 2;
	}
	const char *v[1] = {year_text};
	PGresult *res = ctldb_exec(pg, sql_history, 1, v);
	if (!res)
		return 1;
	int changed = db_col(res, "changed"), by = db_col(res, "changed_by");
	int day = db_col(res, "day_iso");
	const int old_side[3] = {db_col(res, "old_kind"), db_col(res, "old_note"),
				 db_col(res, "old_source")};
	const int new_side[3] = {db_col(res, "new_kind"), db_col(res, "new_note"),
				 db_col(res, "new_source")};
	for (int i = 0; i < PQntuples(res); i++) {
		printf("%s UTC %s %s: ", PQgetvalue(res, i, changed), PQgetvalue(res, i, by),
		       PQgetvalue(res, i, day));
		put_row_side(res, i, old_side);
		printf(" -> ");
		put_row_side(res, i, new_side);
		printf("\n");
	}
	if (PQntuples(res) == 0)
		printf("no change of the calendar's rows is recorded%s%s\n",
		       year_text ? " for " : "", year_text ? year_text : "");
	PQclear(res);
	return 0;
}

/* set or unset one day's row, checked first (calendar_check_row), audited
 * and with every running deadline moved in the same transaction. */
static int calendar_change(PGconn *pg, bool set, char **argv, const char *source)
{
	struct cal_date d;
	if (!cal_date_parse(argv[1], &d)) {
		fprintf(stderr, "hotlinectl: %s is not a date (YYYY-MM-DD)\n", argv[1]);
		return 2;
	}
	enum cal_kind kind;
	char why[256];
	if (set && !calendar_kind_parse(argv[2], &kind)) {
		fprintf(stderr, "hotlinectl: the kind is off, work or holiday\n");
		return 2;
	}
	if (set && !calendar_check_row(d, kind, why, sizeof why)) {
		fprintf(stderr, "hotlinectl: %s\n", why);
		return 2;
	}
	static const char sql_set[] =
	    "INSERT INTO hotline.calendar_days (day, kind, note, source) VALUES ($1::date, $2, $3, "
	    "$4) "
	    "ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, note = excluded.note, "
	    "source = excluded.source, changed_at = now()";
	static const char sql_unset[] = "DELETE FROM hotline.calendar_days WHERE day = $1::date";
	const char *v[4] = {argv[1], set ? argv[2] : NULL, set ? argv[3] : NULL, source};
	PGresult *res = NULL;
	int rc = 1;
	if (!ctldb_begin(pg) || !(res = ctldb_exec(pg, set ? sql_set : sql_unset, set ? 4 : 1, v)))
		goto out;
	if (!set && strcmp(PQcmdTuples(res), "0") == 0) {
		fprintf(stderr, "hotlinectl: %s has no row: it follows the rules already\n",
			argv[1]);
		goto out;
	}
	/* Deadlines still running follow the new calendar, in the same
	 * transaction. */
	struct calendar *cal = ctldb_calendar(pg);
	int moved = cal ? deadlines_recompute(pg, cal) : -1;
	calendar_free(cal);
	if (moved < 0 || !ctldb_commit_audited(pg, "calendar", argv[0], argv[1]))
		goto out;
	printf("%s: %s; %d running deadline(s) moved\n", argv[1],
	       set ? argv[2] : "back to the rules", moved);
	rc = 0;
out:
	PQclear(res);
	if (rc)
		ctldb_rollback(pg);
	return rc;
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
	bool history = (argc == 1 || argc == 2) && strcmp(argv[0], "history") == 0;
	if (!set && !unset && !show && !history) {
		fprintf(
		    stderr,
		    "usage: hotlinectl calendar set YYYY-MM-DD off|work|holiday \"NOTE\" [--source "
		    "TEXT]\n       hotlinectl calendar unset YYYY-MM-DD\n"
		    "       hotlinectl calendar show YEAR\n"
		    "       hotlinectl calendar history [YEAR]\n");
		return 2;
	}
	PGconn *pg = ctldb_connect(conninfo);
	if (!pg)
		return 1;
	int rc = show	   ? calendar_show(pg, argv[1])
		 : history ? calendar_history(pg, argc == 2 ? argv[1] : NULL)
			   : calendar_change(pg, set, argv, source);
	PQfinish(pg);
	return rc;
}
