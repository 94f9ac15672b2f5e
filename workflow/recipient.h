/* Who receives a notice to staff: the rule, once (seed 000 L140, 004
 * p.10.6, L196; docs/procedure.md "Notices"). The procedure's steps
 * (workflow/procedure.c, workflow/investigation.c) and the deadline
 * scanner (workflow/scanner.c) ask it and only look up the addresses.
 * Pure: no database. */
#ifndef HOTLINE_WORKFLOW_RECIPIENT_H
#define HOTLINE_WORKFLOW_RECIPIENT_H

#include <stdbool.h>

#include "workflow/notice.h"

/* A person a notice goes to, by the setting that holds their address. */
enum recipient {
	RECIPIENT_COMPLIANCE, /* compliance_email */
	RECIPIENT_DIRECTOR,   /* director_email */
	RECIPIENT_ALTERNATE,  /* alternate_email: the director's alternate recipient */
	RECIPIENT_COUNT
};

/* A notice goes to at most this many of them. */
#define RECIPIENT_MAX 2

/* "compliance_email", "director_email", "alternate_email": the key of
 * hotline.settings with the recipient's address. */
const char *recipient_setting(enum recipient r);

/* The director, or the alternate recipient when the director must not be
 * told: the case names the director (000 L140), or it is not triaged yet,
 * so nobody has checked whether it does (the director sees no appeal
 * before triage, issue 14). */
enum recipient recipient_director(bool director_named, bool triaged);

/* The recipients of a notice of this kind, in the order their mails are
 * queued; returns how many (1..RECIPIENT_MAX). deadline_kind is the
 * deadline a reminder or an overdue notice (an escalation) is about
 * ("triage", "reply", "director_notice", ...); other kinds ignore it.
 * NOTICE_REPORTER_MESSAGE: the compliance manager here; the commission
 * members sitting on the case are added by their accounts
 * (intake/status.c). */
int recipient_list(enum notice_kind kind, const char *deadline_kind, bool director_named,
		   bool triaged, enum recipient out[RECIPIENT_MAX]);

#endif
