/* Who receives a notice: see recipient.h. */
#include "workflow/recipient.h"

#include <string.h>

const char *recipient_setting(enum recipient r)
{
	static const char *const keys[RECIPIENT_COUNT] = {
	    [RECIPIENT_COMPLIANCE] = "compliance_email",
	    [RECIPIENT_DIRECTOR] = "director_email",
	    [RECIPIENT_ALTERNATE] = "alternate_email",
	};
	return (unsigned)r < RECIPIENT_COUNT ? keys[r] : "";
}

enum recipient recipient_director(bool director_named, bool triaged)
{
	return director_named || !triaged ? RECIPIENT_ALTERNATE : RECIPIENT_DIRECTOR;
}

/* A reminder (overdue false) or an escalation (overdue true) about a
 * deadline of this kind. */
static int about_deadline(const char *kind, bool overdue, enum recipient director,
			  enum recipient out[RECIPIENT_MAX])
{
	int n = 0;
	if (strcmp(kind, "triage") == 0) {
		/* Untriaged: nobody has checked yet whether the report names the
		 * director (000 L140), so an escalation goes one level up and to
		 * compliance, never to the director. */
		if (overdue)
			out[n++] = RECIPIENT_ALTERNATE;
		out[n++] = RECIPIENT_COMPLIANCE;
	} else if (strcmp(kind, "reply") == 0) {
		/* compliance writes the reply (004 L196); an overdue one goes
		 * up to the director, or the alternate when the director is
		 * named */
		out[n++] = RECIPIENT_COMPLIANCE;
		if (overdue)
			out[n++] = director;
	} else if (strcmp(kind, "director_notice") == 0) {
		/* the director was not told in time: the alternate and
		 * compliance are */
		if (overdue) {
			out[n++] = RECIPIENT_ALTERNATE;
			out[n++] = RECIPIENT_COMPLIANCE;
		} else {
			out[n++] = director;
		}
	} else if (strcmp(kind, "material_request") == 0) {
		out[n++] = RECIPIENT_COMPLIANCE;
	} else {
		/* investigation, urgent_forward */
		out[n++] = RECIPIENT_COMPLIANCE;
		out[n++] = director;
	}
	return n;
}

int recipient_list(enum notice_kind kind, const char *deadline_kind, bool director_named,
		   bool triaged, enum recipient out[RECIPIENT_MAX])
{
	enum recipient director = recipient_director(director_named, triaged);
	switch (kind) {
	case NOTICE_REMINDER:
	case NOTICE_OVERDUE:
		return about_deadline(deadline_kind ? deadline_kind : "", kind == NOTICE_OVERDUE,
				      director, out);
	case NOTICE_DIRECTOR_NEW:
	case NOTICE_CONCLUSION_SUBMITTED:
		/* the director decides (004 p.10.6, p.7.11) */
		out[0] = director;
		return 1;
	case NOTICE_URGENT:
	case NOTICE_INVESTIGATION_ORDERED:
		out[0] = RECIPIENT_COMPLIANCE;
		out[1] = director;
		return 2;
	case NOTICE_REGISTERED:
	case NOTICE_REPORTER_MESSAGE:
	default:
		/* the compliance manager triages and reads every case */
		out[0] = RECIPIENT_COMPLIANCE;
		return 1;
	}
}
