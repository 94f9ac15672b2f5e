/* The texts of notices to staff. A notice says which case, what is due and
 * by when, and where the console is: never report content, never anything
 * about the reporter. Kazakh and Russian in one message, so whoever reads
 * it can act. Pure: no database. */
#ifndef HOTLINE_WORKFLOW_NOTICE_H
#define HOTLINE_WORKFLOW_NOTICE_H

#include <stdbool.h>

#include "base/buf.h"

/* A notice's row in hotline.outbox has as its kind the enum name without
 * NOTICE_, in lower case ("director_new", "registered", ...).
 * tests/integration/test_notice_links.py reads this enum and fails until
 * it has a scenario that sends a mail of each kind and opens its link. */
enum notice_kind {
	NOTICE_DIRECTOR_NEW, /* a corruption report for the director's decision */
	NOTICE_URGENT,	     /* anonymous, but a crime or a threat: forward now */
	NOTICE_REMINDER,     /* a deadline is near */
	NOTICE_OVERDUE,	     /* a deadline passed: escalation */
	NOTICE_INVESTIGATION_ORDERED,
	NOTICE_REGISTERED,	     /* a new appeal, to the compliance manager: triage it */
	NOTICE_CONCLUSION_SUBMITTED, /* the commission's conclusion awaits management's decision */
	NOTICE_REPORTER_MESSAGE,     /* the reporter wrote a new message on /status */
};

struct notice_facts {
	const char *reg_no;
	const char *deadline_kind; /* "director_notice", "investigation", ... */
	const char *channel;	   /* NOTICE_REGISTERED: "web", "email", ...; may be NULL */
	const char *due_date;	   /* YYYY-MM-DD, the last day */
	int working_days_left;	   /* for reminders */
	bool calendar_days;	   /* ... counted in calendar days, not working days */
	const char *console_url;   /* may be NULL */
	const char *organisation;  /* may be NULL */
};

struct notice {
	struct buf subject;
	struct buf body;
};

void notice_build(struct notice *n, enum notice_kind kind, const struct notice_facts *f);
void notice_free(struct notice *n);

#endif
