-- 0025: a request to reveal a reporter's identity routes its case to the
-- director, who decides it.
--
-- Migration 0024 sealed to the director only the appeals routed to them by
-- the triage; but the director (the alternate, when the case names the
-- director) also approves or rejects every request to reveal an identity,
-- on any triaged appeal, and must read its reason, which is sealed under
-- the case's key (migration 0022). So a case with such a request is the
-- director's too. The alternate is entitled to the cases that name the
-- director already.
CREATE OR REPLACE VIEW hotline.case_entitlements AS
SELECT DISTINCT ON (case_id, user_id) case_id, user_id, why FROM (
	SELECT c.id AS case_id, u.id AS user_id, 'compliance' AS why, 1 AS rank
	FROM hotline.cases c CROSS JOIN hotline.staff_users u
	WHERE NOT u.disabled AND 'compliance' = ANY (u.roles) AND NOT 'director' = ANY (u.roles)
		AND NOT hotline.case_recused(c.id, u.id, u.display_name, NULL)
	UNION ALL
	SELECT c.id, u.id, 'director', 2
	FROM hotline.cases c CROSS JOIN hotline.staff_users u
	WHERE NOT u.disabled AND 'director' = ANY (u.roles)
		AND (c.state NOT IN ('registered', 'referred', 'not_considered')
		     OR EXISTS (SELECT 1 FROM hotline.identity_reveals r WHERE r.case_id = c.id))
		AND NOT c.director_named
		AND NOT hotline.case_recused(c.id, u.id, u.display_name, NULL)
	UNION ALL
	SELECT c.id, u.id, 'alternate', 3
	FROM hotline.cases c CROSS JOIN hotline.staff_users u
	WHERE NOT u.disabled AND 'alternate' = ANY (u.roles) AND NOT 'director' = ANY (u.roles)
		AND (c.director_named OR EXISTS (SELECT 1 FROM hotline.deadlines d
			JOIN hotline.deadline_notices n ON n.deadline_id = d.id
			WHERE d.case_id = c.id AND n.kind = 'overdue'
			AND d.kind IN ('triage', 'director_notice')))
		AND NOT hotline.case_recused(c.id, u.id, u.display_name, NULL)
	UNION ALL
	SELECT i.case_id, u.id, 'commission', 4
	FROM hotline.investigations i
	JOIN hotline.commission_members m ON m.investigation_id = i.id
	JOIN hotline.staff_users u ON u.id = m.staff_user_id
	WHERE NOT u.disabled AND 'commission' = ANY (u.roles)
		AND NOT hotline.case_recused(i.case_id, u.id, u.display_name, m.name)
	UNION ALL
	-- the appeals attached to an investigation are read by its commission
	SELECT r.case_id, u.id, 'commission', 5
	FROM hotline.related_appeals r
	JOIN hotline.commission_members m ON m.investigation_id = r.investigation_id
	JOIN hotline.staff_users u ON u.id = m.staff_user_id
	JOIN hotline.investigations i ON i.id = r.investigation_id
	WHERE NOT u.disabled AND 'commission' = ANY (u.roles)
		AND NOT hotline.case_recused(i.case_id, u.id, u.display_name, m.name)
) e ORDER BY case_id, user_id, rank;

-- A new request marks its case, so that the requester's session (or the
-- next compliance session) makes the director's seal.
CREATE FUNCTION hotline.case_seals_due_reveal() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, hotline AS $$
BEGIN
	PERFORM hotline.case_seals_due_mark(NEW.case_id);
	RETURN NULL;
END $$;
REVOKE EXECUTE ON FUNCTION hotline.case_seals_due_reveal FROM PUBLIC;
CREATE TRIGGER case_seals_due_reveal AFTER INSERT ON hotline.identity_reveals
	FOR EACH ROW EXECUTE FUNCTION hotline.case_seals_due_reveal();

INSERT INTO hotline.schema_migrations (version, name) VALUES (25, 'seals_reveal_decider');
