/* The audit log page (GET /staff/audit): compliance and the administrator
 * read hotline.audit_log newest first, 50 rows a page, filtered by action,
 * account, case number and dates, each action in words, under the result
 * of the chain's check (accounts/auditchain.h) (docs/staff.md, "The audit
 * log page"). */
#ifndef HOTLINE_STAFF_AUDITLOG_H
#define HOTLINE_STAFF_AUDITLOG_H

#include "base/i18n.h"
#include "staff/staff.h"

/* The words of an audit action ("case.view": "Opened the case"); actions
 * the table does not know get the words of their kind ("case.*": "Step on
 * a case"), or M_AUDIT_A_OTHER. */
enum msg auditlog_action_text(const char *action);

extern const struct staff_route staff_auditlog_routes[];
extern const struct staff_menu staff_auditlog_menu[];

#endif
