/* libFuzzer harness: the small parsers of the staff side that take text
 * from a request (a form field, a URL segment, a cookie). The first byte
 * picks one; the rest, up to its first NUL, is the text:
 *   0 cal_date_parse (workflow/calendar.c): dates typed in forms
 *   1 cal_month_parse (workflow/calendar.c): the figures page's from/to
 *   2 journal_parse_reg_no (workflow/journal.c): /staff/case/2026-000123
 *   3 role_parse and role_list_parse (accounts/role.c)
 *   4 totp_check (accounts/totp.c): the login's 6-digit code, as typed
 *   5 totp_check on the real code of a step near now (chosen by the next
 *     byte) with the rest of the input appended
 *   6 session_lookup and session_end (accounts/session.c): the session cookie
 *   7 calendar_kind_parse and the state/decision names (workflow/states.c),
 *     the triage outcome and director's decision (workflow/procedure.c)
 *   8 staff_pattern_match (staff/pattern.c): the request path against
 *     route patterns of the real shapes, and against a pattern that is
 *     the input up to its first '\n' (the rest is then the path); a case
 *     number matched by the case page's pattern goes on to journal_parse_reg_no
 * Each checks what the parser promises: an accepted value is in range and
 * formats back to exactly the input (every accepted form is canonical);
 * the text is accepted exactly when it has the documented shape. */
#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "staff/internal.h"
#include "accounts/session.h"
#include "accounts/totp.h"
#include "workflow/calendar.h"
#include "workflow/journal.h"
#include "workflow/procedure.h"
#include "workflow/states.h"

#define MAX_TEXT 256

static const unsigned char totp_secret[TOTP_SECRET_BYTES] = "12345678901234567890";
/* 2026-12-02 23:00:00 UTC: a fixed now, so a run is reproducible */
static const time_t totp_now = 1796252400;

static struct session_store *sessions;
static char session_id[SESSION_ID_HEX + 1];

static bool digits(const char *s, int from, int to)
{
	for (int i = from; i < to; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
	}
	return true;
}

static int number(const char *s, int from, int to)
{
	int v = 0;
	for (int i = from; i < to; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static void check_date(const char *s)
{
	struct cal_date d = {-1, -1, -1};
	bool ok = cal_date_parse(s, &d);
	size_t n = strlen(s);
	bool shape = n == 10 && s[4] == '-' && s[7] == '-' && digits(s, 0, 4) && digits(s, 5, 7) &&
		     digits(s, 8, 10);
	if (ok != (shape && cal_date_valid((struct cal_date){number(s, 0, 4), number(s, 5, 7),
							     number(s, 8, 10)})))
		abort();
	if (!ok) {
		if (d.year != -1 || d.month != -1 || d.day != -1)
			abort(); /* left alone */
		return;
	}
	if (!cal_date_valid(d) || d.year < 1 || d.year > 9999)
		abort();
	char out[CAL_DATE_SIZE];
	cal_date_format(d, out);
	if (strcmp(out, s) != 0)
		abort();
	/* the arithmetic the deadline pages do on it */
	int w = cal_date_weekday(d);
	if (w < 1 || w > 7)
		abort();
	struct cal_date e = cal_date_add_days(d, 366);
	if (cal_date_days_between(d, e) != 366 || cal_date_compare(d, e) >= 0)
		abort();
	if (cal_date_weekday(cal_date_add_days(d, 7)) != w)
		abort();
}

static void check_month(const char *s)
{
	int y = -1, m = -1;
	bool ok = cal_month_parse(s, &y, &m);
	bool shape = strlen(s) == 7 && s[4] == '-' && digits(s, 0, 4) && digits(s, 5, 7);
	if (ok != (shape && number(s, 0, 4) >= 1 && number(s, 5, 7) >= 1 && number(s, 5, 7) <= 12))
		abort();
	if (!ok) {
		if (y != -1 || m != -1)
			abort();
		return;
	}
	char out[16];
	snprintf(out, sizeof out, "%04d-%02d", y, m);
	if (strcmp(out, s) != 0)
		abort();
}

static void check_reg_no(const char *s)
{
	int year = -1, seq = -1;
	bool ok = journal_parse_reg_no(s, &year, &seq);
	size_t len = strlen(s);
	/* six digits, or seven/eight without a leading zero (1,000,000 on) */
	bool shape = len >= 11 && len <= 13 && s[4] == '-' && digits(s, 0, 4) &&
		     digits(s, 5, (int)len) && (len == 11 || s[5] != '0');
	if (ok != (shape && number(s, 0, 4) >= 2000 && number(s, 5, (int)len) >= 1))
		abort();
	if (!ok)
		return;
	if (year < 2000 || year > 9999 || seq < 1 || seq > JOURNAL_SEQ_MAX)
		abort();
	char out[JOURNAL_REG_NO_SIZE];
	if (!journal_format_reg_no(year, seq, out) || strcmp(out, s) != 0)
		abort();
}

static void check_roles(const char *s)
{
	enum role r = ROLE_COUNT;
	if (role_parse(s, &r)) {
		if ((unsigned)r >= ROLE_COUNT || strcmp(role_name(r), s) != 0)
			abort();
	} else if (r != ROLE_COUNT) {
		abort();
	}
	unsigned roles = role_list_parse(s);
	if (roles & ~ROLES_ANY)
		abort();
	/* exactly the roles named by an element of the comma list */
	unsigned want = 0;
	const char *p = s;
	for (;;) {
		size_t n = strcspn(p, ",");
		for (int i = 0; i < ROLE_COUNT; i++) {
			const char *name = role_name((enum role)i);
			if (strlen(name) == n && strncmp(p, name, n) == 0)
				want |= ROLE_BIT(i);
		}
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	if (roles != want)
		abort();
	char text[256];
	role_list_text(roles, text, sizeof text);
	if (role_list_parse(text) != roles)
		abort();
}

static void check_totp_text(const char *s, unsigned char sel)
{
	int64_t here = (int64_t)totp_now / TOTP_STEP;
	int64_t last = here - 2 + sel % 4;
	int64_t step = -1;
	bool ok = totp_check(totp_secret, sizeof totp_secret, totp_now, last, s, &step);
	if (!ok) {
		if (step != -1)
			abort();
		return;
	}
	if (strlen(s) != TOTP_DIGITS || !digits(s, 0, TOTP_DIGITS))
		abort();
	if (step < here - TOTP_WINDOW || step > here + TOTP_WINDOW || step <= last)
		abort();
	char want[TOTP_DIGITS + 1];
	if (!totp_code(totp_secret, sizeof totp_secret, (time_t)(step * TOTP_STEP), TOTP_DIGITS,
		       want) ||
	    strcmp(want, s) != 0)
		abort();
}

static void check_totp_code(const char *rest, unsigned char sel)
{
	int64_t here = (int64_t)totp_now / TOTP_STEP;
	int d = (int)(sel % 7) - 3;		 /* the code's step: here-3 .. here+3 */
	int64_t last = here - 3 + (sel / 7) % 6; /* here-3 .. here+2 */
	char code[TOTP_DIGITS + 1 + MAX_TEXT];
	if (!totp_code(totp_secret, sizeof totp_secret, (time_t)((here + d) * TOTP_STEP),
		       TOTP_DIGITS, code))
		abort();
	snprintf(code + TOTP_DIGITS, sizeof code - TOTP_DIGITS, "%s", rest);
	int64_t step = -1;
	bool ok = totp_check(totp_secret, sizeof totp_secret, totp_now, last, code, &step);
	/* Another step of the window could share the code (one in a million);
	 * then that step may be the one accepted. */
	bool want = rest[0] == '\0' && d >= -TOTP_WINDOW && d <= TOTP_WINDOW && here + d > last;
	if (want && (!ok || step <= last))
		abort();
	if (ok && (rest[0] != '\0' || step <= last || step < here - TOTP_WINDOW ||
		   step > here + TOTP_WINDOW))
		abort();
	if (ok && !want) {
		char other[TOTP_DIGITS + 1];
		if (!totp_code(totp_secret, sizeof totp_secret, (time_t)(step * TOTP_STEP),
			       TOTP_DIGITS, other) ||
		    strcmp(other, code) != 0)
			abort();
	}
}

static void new_session(void)
{
	char csrf[SESSION_CSRF_HEX + 1];
	if (!session_create(sessions, 7, 1, NULL, session_id, csrf))
		abort();
}

static void check_session(const char *s)
{
	struct session_view v;
	time_t now = time(NULL);
	bool ok = session_lookup(sessions, s, 900, now, &v);
	/* the cookie is hex: either case names the same 256 bits */
	bool same = strlen(s) == SESSION_ID_HEX && strcasecmp(s, session_id) == 0;
	if (ok != same)
		abort();
	if (ok &&
	    (v.user_id != 7 || v.epoch != 1 || strlen(v.csrf) != SESSION_CSRF_HEX || v.case_key))
		abort();
	session_view_clear(&v);
	session_end(sessions, s);
	bool still = session_lookup(sessions, session_id, 900, now, &v);
	session_view_clear(&v);
	if (still == same)
		abort(); /* ended exactly when the cookie was the session's */
	if (session_count(sessions) != (still ? 1u : 0u))
		abort();
	if (!still)
		new_session();
}

static void check_names(const char *s)
{
	enum cal_kind k;
	if (calendar_kind_parse(s, &k) && strcmp(calendar_kind_name(k), s) != 0)
		abort();
	enum case_state cs;
	if (case_state_parse(s, &cs) &&
	    ((unsigned)cs >= CASE_STATE_COUNT || strcmp(case_state_name(cs), s) != 0))
		abort();
	enum investigation_state is;
	if (investigation_state_parse(s, &is) &&
	    ((unsigned)is >= INV_STATE_COUNT || strcmp(investigation_state_name(is), s) != 0))
		abort();
	enum triage_outcome t;
	if (triage_outcome_parse(s, &t) &&
	    ((unsigned)t >= TRIAGE_COUNT || strcmp(triage_outcome_name(t), s) != 0))
		abort();
	enum director_decision dir;
	if (director_decision_parse(s, &dir) && ((unsigned)dir >= DIRECTOR_DECISION_COUNT ||
						 strcmp(director_decision_name(dir), s) != 0))
		abort();
	enum investigation_decision dd;
	if (investigation_decision_parse(s, &dd) &&
	    ((unsigned)dd >= DECISION_COUNT || strcmp(investigation_decision_name(dd), s) != 0))
		abort();
}

static void check_pattern(const char *pattern, const char *path)
{
	const char *arg = NULL;
	size_t len = 12345;
	bool ok = staff_pattern_match(pattern, path, &arg, &len);
	size_t plen = strlen(pattern);
	bool star = plen >= 2 && strcmp(pattern + plen - 2, "/*") == 0;
	bool want;
	if (star) {
		const char *rest = path + (strncmp(pattern, path, plen - 1) == 0 ? plen - 1 : 0);
		want = rest != path && *rest != '\0' && !strchr(rest, '/');
	} else {
		want = strcmp(pattern, path) == 0;
	}
	if (ok != want)
		abort();
	if (!ok) {
		if (arg != NULL || len != 12345)
			abort(); /* left alone */
		return;
	}
	if (!star) {
		if (strcmp(arg, "") != 0 || len != 0)
			abort();
		return;
	}
	/* arg is the path's last segment, inside the path */
	if (arg != path + plen - 1 || len != strlen(arg) || len == 0 || strchr(arg, '/'))
		abort();
	if (strcmp(pattern, "/staff/case/*") == 0)
		check_reg_no(arg);
}

static void check_path(const char *s)
{
	static const char *const patterns[] = {
	    "/staff/",
	    "/staff/login",
	    "/staff/case/*",
	    "/staff/admin/user/*",
	    "/staff/commission/*",
	    "/*",
	};
	for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++)
		check_pattern(patterns[i], s);
	const char *nl = strchr(s, '\n');
	if (nl) {
		char pattern[MAX_TEXT + 1];
		memcpy(pattern, s, (size_t)(nl - s));
		pattern[nl - s] = '\0';
		check_pattern(pattern, nl + 1);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sodium_init() < 0 || !totp_init())
		abort();
	sessions = session_store_new();
	if (!sessions)
		abort();
	new_session();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned sel = data[0] % 9;
	unsigned char sub = size > 1 ? data[1] : 0;
	char text[MAX_TEXT + 1];
	size_t n = size - 1 < MAX_TEXT ? size - 1 : MAX_TEXT;
	memcpy(text, data + 1, n);
	text[n] = '\0';
	switch (sel) {
	case 0:
		check_date(text);
		break;
	case 1:
		check_month(text);
		break;
	case 2:
		check_reg_no(text);
		break;
	case 3:
		check_roles(text);
		break;
	case 4:
		check_totp_text(text, data[0] / 9);
		break;
	case 5:
		check_totp_code(size > 2 ? text + 1 : "", sub);
		break;
	case 6:
		check_session(text);
		break;
	case 7:
		check_names(text);
		break;
	default:
		check_path(text);
		break;
	}
	return 0;
}
