-- 0024: the director is sealed only the appeals routed to them, and every
-- seal a person makes is in the audit log.
--
-- Migration 0018 sealed to the director every triaged case that does not
-- name them, referrals to a unit and appeals not considered included. The
-- standard routes to the director the reports of corruption (told no later
-- than the day after registration) and the urgent ones; an appeal referred
-- to a unit or not considered is not theirs to read.
--
-- A seal made after registration (by a compliance manager's session, the
-- background sweep or hotlinectl with the recovery key) gives someone a
-- case: like a role grant it leaves an audit row, "case.seal" with the
-- case's number and the login it was sealed to, by whoever made it (a
-- login, or the database role of a hotlinectl run). Seals made in the
-- registering transaction are not audited one by one: they go to the
-- compliance managers, every case's first readers, and the journal row is
-- their record.
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
		AND c.state NOT IN ('registered', 'referred', 'not_considered')
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

-- Seals already made that the new rule no longer entitles (the director's
-- seals of referred appeals) go now.
DELETE FROM hotline.case_seals s WHERE NOT EXISTS (SELECT 1 FROM hotline.case_entitlements e
	WHERE e.case_id = s.case_id AND e.user_id = s.user_id);

-- Stores a seal if the person is entitled: 1 made, 0 there already, NULL
-- not entitled. Not audited: for the two functions below only.
CREATE FUNCTION hotline.case_seal_store(p_case_id bigint, p_user_id bigint, p_sealed bytea,
	p_granted_by bigint) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, hotline AS $$
DECLARE
	v_why text;
	v_made integer;
BEGIN
	SELECT why INTO v_why FROM hotline.case_entitlements
		WHERE case_id = p_case_id AND user_id = p_user_id;
	IF v_why IS NULL THEN
		RETURN NULL;
	END IF;
	INSERT INTO hotline.case_seals (case_id, user_id, sealed, why, granted_by)
		VALUES (p_case_id, p_user_id, p_sealed, v_why, p_granted_by)
		ON CONFLICT (case_id, user_id) DO NOTHING;
	GET DIAGNOSTICS v_made = ROW_COUNT;
	RETURN v_made;
END $$;
REVOKE EXECUTE ON FUNCTION hotline.case_seal_store FROM PUBLIC;

CREATE OR REPLACE FUNCTION hotline.case_seal_add(p_case_id bigint, p_user_id bigint,
	p_sealed bytea, p_granted_by bigint) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, hotline AS $$
DECLARE
	v_made integer;
BEGIN
	v_made := hotline.case_seal_store(p_case_id, p_user_id, p_sealed, p_granted_by);
	IF v_made = 1 THEN
		PERFORM hotline.audit_append(p_granted_by,
			coalesce((SELECT login FROM hotline.staff_users WHERE id = p_granted_by),
				'db:' || session_user),
			'case.seal',
			(SELECT j.reg_no FROM hotline.cases c JOIN hotline.journal j
				ON j.id = c.journal_id WHERE c.id = p_case_id)
			|| '/seal/' || (SELECT login FROM hotline.staff_users WHERE id = p_user_id));
	END IF;
	RETURN v_made IS NOT NULL;
END $$;

-- Registration's seals to the compliance managers, as in 0018 but not
-- audited one by one (above).
CREATE OR REPLACE FUNCTION hotline.case_seals_register(p_receipt_hash bytea,
	p_case_public_key bytea, p_recovery_sealed bytea, p_users bigint[], p_sealed bytea)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, hotline AS $$
DECLARE
	v_case bigint;
	v_n integer := 0;
BEGIN
	UPDATE hotline.cases SET case_public_key = p_case_public_key,
		recovery_sealed = p_recovery_sealed
		WHERE receipt_hash = p_receipt_hash RETURNING id INTO STRICT v_case;
	IF length(coalesce(p_sealed, ''::bytea)) <> 80 * coalesce(cardinality(p_users), 0) THEN
		RAISE EXCEPTION 'case_seals_register: % users, % bytes of seals',
			cardinality(p_users), length(p_sealed);
	END IF;
	FOR i IN 1 .. coalesce(cardinality(p_users), 0) LOOP
		IF hotline.case_seal_store(v_case, p_users[i],
				substring(p_sealed FROM (i - 1) * 80 + 1 FOR 80), NULL) IS NOT NULL THEN
			v_n := v_n + 1;
		END IF;
	END LOOP;
	-- a compliance manager hotlined did not know of yet: sealed by the
	-- next session holding the case
	IF EXISTS (SELECT 1 FROM hotline.case_readers r
			WHERE NOT r.id = ANY (coalesce(p_users, '{}'::bigint[]))) THEN
		PERFORM hotline.case_seals_due_mark(v_case);
	END IF;
	RETURN v_n;
END $$;

INSERT INTO hotline.schema_migrations (version, name) VALUES (24, 'seals_routed_audited');
