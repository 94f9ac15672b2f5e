/* Appeals related to an investigation: see related.h. */
#include "workflow/related.h"

#include <stdio.h>
#include <string.h>

#include "base/db.h"
#include "workflow/journal.h"

bool related_attach(PGconn *pg, const char *appeal_case_id, const char *appeal_reg_no,
		    const char *target, long long user_id, struct wf_error *e)
{
	static const char sql_target[] =
	    "SELECT c.id AS case_id, i.id AS investigation_id, i.state <> 'closed' AS running "
	    "FROM hotline.cases c "
	    "JOIN hotline.journal j ON j.id = c.journal_id "
	    "LEFT JOIN hotline.investigations i ON i.case_id = c.id WHERE j.reg_no = $1";
	static const char sql_attach[] =
	    "INSERT INTO hotline.related_appeals (investigation_id, case_id, linked_by) "
	    "VALUES ($1::bigint, $2::bigint, $3::bigint) ON CONFLICT DO NOTHING";
	static const char sql_event[] =
	    "SELECT hotline.case_event($1::bigint, $2, jsonb_build_object($3::text, $4::text))";
	int year, seq;
	if (!target || !journal_parse_reg_no(target, &year, &seq))
		return wf_missing(e, M_WF_NEED_REG_NO,
				  "the registration number of the investigated case is missing or "
				  "malformed");
	PGresult *res = wfdb_exec(pg, sql_target, 1, (const char *const[]){target}, e);
	if (!res)
		return false;
	if (PQntuples(res) != 1) {
		PQclear(res);
		wf_fail(e, WF_MISSING, "no case %s", target);
		return wf_explain(e, M_WF_GIVEN, WF_VALUE_TEXT, target, WF_VALUE_TEXT, NULL);
	}
	char target_id[24], inv_id[24];
	snprintf(target_id, sizeof(target_id), "%s", PQgetvalue(res, 0, db_col(res, "case_id")));
	snprintf(inv_id, sizeof(inv_id), "%s", PQgetvalue(res, 0, db_col(res, "investigation_id")));
	bool running = strcmp(PQgetvalue(res, 0, db_col(res, "running")), "t") == 0;
	PQclear(res);
	if (!running)
		return wf_fail(e, WF_NOT_ORDERED, "case %s has no investigation running", target);
	if (strcmp(target_id, appeal_case_id) == 0)
		return wf_fail(e, WF_CASE_STATE,
			       "an appeal cannot be attached to its own "
			       "investigation");
	char uid[24];
	snprintf(uid, sizeof(uid), "%lld", user_id);
	res = wfdb_exec(pg, sql_attach, 3, (const char *const[]){inv_id, appeal_case_id, uid}, e);
	if (!res)
		return false;
	bool added = strcmp(PQcmdTuples(res), "1") == 0;
	PQclear(res);
	if (!added)
		return wf_fail(e, WF_CASE_STATE,
			       "%s is already attached to the investigation of %s", appeal_reg_no,
			       target);
	return wfdb_run(pg, sql_event, 4,
			(const char *const[]){appeal_case_id, "related_attached",
					      "investigation_of", target},
			e) &&
	       wfdb_run(pg, sql_event, 4,
			(const char *const[]){target_id, "related_appeal", "appeal", appeal_reg_no},
			e);
}
