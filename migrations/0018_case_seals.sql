-- 0018: each person holds only their own cases' keys (issue 14;
-- docs/keys.md, "Per-case keys and seals").
--
-- Every case gets its own X25519 key pair. Its content key, its message
-- keys and its conclusion key are sealed to the case's public key
-- (cases.case_public_key); the case's secret key is sealed to each account
-- entitled to read the case at this moment (hotline.case_seals) and, when
-- the organisation keeps one, to the offline recovery key
-- (cases.recovery_sealed: the config's case_public_key). Nothing here can
-- make a seal: only someone who opened the case's secret key can. What the
-- database does is say who is entitled (hotline.case_entitlements), which
-- seals are missing (someone holding the case key makes them) and drop the
-- seals of those who no longer are (recusal, a role dropped, disabled).

-- content_key_resealed: a case registered before this migration keeps
-- content_key_sealed as it was (the journal's content digest covers it);
-- `hotlinectl case reseal` writes the content key sealed to the new case
-- key here. Readers use coalesce(content_key_resealed, content_key_sealed).
ALTER TABLE hotline.cases
	ADD COLUMN case_public_key bytea CHECK (length(case_public_key) = 32),
	ADD COLUMN recovery_sealed bytea CHECK (length(recovery_sealed) = 80),
	ADD COLUMN content_key_resealed bytea;

-- One row per person holding a case's secret key: sealed is
-- crypto_box_seal(case secret key, the account's public key), 32 + 48 bytes.
-- granted_by: the account whose session made the seal; NULL when hotlined
-- made it at registration or hotlinectl made it with the recovery key.
CREATE TABLE hotline.case_seals (
	case_id    bigint NOT NULL REFERENCES hotline.cases (id),
	user_id    bigint NOT NULL REFERENCES hotline.staff_users (id),
	sealed     bytea NOT NULL CHECK (length(sealed) = 80),
	why        text NOT NULL CHECK (why IN ('compliance', 'director', 'alternate', 'commission')),
	granted_at timestamptz NOT NULL DEFAULT now(),
	granted_by bigint REFERENCES hotline.staff_users (id),
	PRIMARY KEY (case_id, user_id)
);
CREATE INDEX case_seals_user ON hotline.case_seals (user_id, case_id);

-- Whether a person has declared an interest in the case, or is named in a
-- declaration (004 L105: who has a personal interest steps aside).
CREATE FUNCTION hotline.case_recused(p_case_id bigint, p_user_id bigint, p_display text,
	p_member_name text) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, hotline AS $$
	SELECT EXISTS (SELECT 1 FROM hotline.interest_declarations d WHERE d.case_id = p_case_id
		AND (d.declared_by = p_user_id
		     OR lower(btrim(d.name)) = lower(btrim(p_display))
		     OR lower(btrim(d.name)) = lower(btrim(coalesce(p_member_name, '')))))
$$;

-- Who may read each case now: the rule of the pages (staff/casefile.c
-- casefile_visible) plus the commission, minus the recused.
--   compliance: every case, unless they also hold the director's role;
--   director:   the triaged cases that do not name the director;
--   alternate:  the cases that name the director, and those whose triage
--               or director's notice was escalated to them;
--   commission: the case of an investigation they sit on (with a login),
--               and the appeals attached to it.
-- Never the analyst, admin, operator, registrar or custodian.
CREATE VIEW hotline.case_entitlements AS
SELECT DISTINCT ON (case_id, user_id) case_id, user_id, why FROM (
	SELECT c.id AS case_id, u.id AS user_id, 'compliance' AS why, 1 AS rank
	FROM hotline.cases c CROSS JOIN hotline.staff_users u
	WHERE NOT u.disabled AND 'compliance' = ANY (u.roles) AND NOT 'director' = ANY (u.roles)
		AND NOT hotline.case_recused(c.id, u.id, u.display_name, NULL)
	UNION ALL
	SELECT c.id, u.id, 'director', 2
	FROM hotline.cases c CROSS JOIN hotline.staff_users u
	WHERE NOT u.disabled AND 'director' = ANY (u.roles)
		AND c.state <> 'registered' AND NOT c.director_named
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

-- Seals someone should make: entitled, no seal yet, the case has its key.
CREATE VIEW hotline.case_seals_missing AS
SELECT e.case_id, e.user_id, e.why, u.public_key
FROM hotline.case_entitlements e
JOIN hotline.cases c ON c.id = e.case_id
JOIN hotline.staff_users u ON u.id = e.user_id
WHERE c.case_public_key IS NOT NULL
	AND NOT EXISTS (SELECT 1 FROM hotline.case_seals s
		WHERE s.case_id = e.case_id AND s.user_id = e.user_id);

-- The same for one case; plpgsql keeps its plan, so a session asking case
-- after case pays the planning once.
CREATE FUNCTION hotline.case_seals_missing_for(p_case_id bigint)
	RETURNS TABLE (user_id bigint, public_key bytea)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, hotline AS $$
BEGIN
	RETURN QUERY SELECT m.user_id, m.public_key FROM hotline.case_seals_missing m
		WHERE m.case_id = p_case_id;
END $$;

-- Cases whose seals may be missing, so that finding them does not mean
-- computing every entitlement of every case: the triggers below mark a case
-- when who is entitled to it may have grown, and whoever holds the case
-- makes the seals and clears the mark (hotline.case_seals_checked).
CREATE TABLE hotline.case_seals_due (
	case_id bigint PRIMARY KEY REFERENCES hotline.cases (id),
	since   timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION hotline.case_seals_due_mark(p_case_id bigint) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, hotline AS $$
	INSERT INTO hotline.case_seals_due (case_id)
		SELECT c.id FROM hotline.cases c WHERE p_case_id IS NULL OR c.id = p_case_id
		ON CONFLICT DO NOTHING
$$;

-- Clears the mark of a case once nothing is missing; true when cleared.
CREATE FUNCTION hotline.case_seals_checked(p_case_id bigint) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, hotline AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM hotline.case_seals_missing_for(p_case_id)) THEN
		RETURN false;
	END IF;
	DELETE FROM hotline.case_seals_due WHERE case_id = p_case_id;
	RETURN true;
END $$;

-- Drops the seals of people no longer entitled to the case (or, with
-- p_case_id NULL, to any case of p_user_id). Runs from the triggers below,
-- in the transaction that made the change.
CREATE FUNCTION hotline.case_seals_prune(p_case_id bigint, p_user_id bigint) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, hotline AS $$
DECLARE
	v_n integer;
BEGIN
	IF p_case_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM hotline.case_seals s
			WHERE s.case_id = p_case_id) THEN
		RETURN 0;
	END IF;
	DELETE FROM hotline.case_seals s
	WHERE (p_case_id IS NULL OR s.case_id = p_case_id)
		AND (p_user_id IS NULL OR s.user_id = p_user_id)
		AND NOT EXISTS (SELECT 1 FROM hotline.case_entitlements e
			WHERE e.case_id = s.case_id AND e.user_id = s.user_id);
	GET DIAGNOSTICS v_n = ROW_COUNT;
	RETURN v_n;
END $$;

CREATE FUNCTION hotline.case_seals_prune_trigger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, hotline AS $$
DECLARE
	v_case bigint;
BEGIN
	IF TG_TABLE_NAME = 'staff_users' THEN
		IF TG_OP = 'INSERT' THEN
			IF NEW.roles && ARRAY['compliance', 'director', 'alternate', 'commission'] THEN
				PERFORM hotline.case_seals_due_mark(NULL);
			END IF;
			RETURN NULL;
		END IF;
		-- a new key pair (a reset): the old seals open nothing any more;
		-- they become missing, and the next holder of each case seals again
		IF NEW.public_key IS DISTINCT FROM OLD.public_key THEN
			DELETE FROM hotline.case_seals WHERE user_id = NEW.id;
		END IF;
		PERFORM hotline.case_seals_prune(NULL, NEW.id);
		IF (NEW.roles || OLD.roles) && ARRAY['compliance', 'director', 'alternate', 'commission']
				AND (NEW.public_key IS DISTINCT FROM OLD.public_key
				     OR NEW.roles IS DISTINCT FROM OLD.roles
				     OR NEW.disabled IS DISTINCT FROM OLD.disabled) THEN
			PERFORM hotline.case_seals_due_mark(NULL);
		END IF;
	ELSIF TG_TABLE_NAME = 'cases' THEN
		PERFORM hotline.case_seals_prune(NEW.id, NULL);
		PERFORM hotline.case_seals_due_mark(NEW.id);
	ELSIF TG_TABLE_NAME = 'interest_declarations' THEN
		PERFORM hotline.case_seals_prune(NEW.case_id, NULL);
	ELSIF TG_TABLE_NAME = 'commission_members' THEN
		v_case := (SELECT i.case_id FROM hotline.investigations i
			WHERE i.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.investigation_id
				ELSE NEW.investigation_id END);
		IF TG_OP = 'INSERT' THEN
			PERFORM hotline.case_seals_due_mark(v_case);
			INSERT INTO hotline.case_seals_due (case_id)
				SELECT r.case_id FROM hotline.related_appeals r
				WHERE r.investigation_id = NEW.investigation_id ON CONFLICT DO NOTHING;
		ELSE
			PERFORM hotline.case_seals_prune(v_case, NULL);
			PERFORM hotline.case_seals_due_mark(v_case);
		END IF;
	ELSIF TG_TABLE_NAME = 'related_appeals' THEN
		PERFORM hotline.case_seals_due_mark(NEW.case_id);
	ELSIF TG_TABLE_NAME = 'deadline_notices' THEN
		PERFORM hotline.case_seals_due_mark(
			(SELECT d.case_id FROM hotline.deadlines d WHERE d.id = NEW.deadline_id));
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER case_seals_prune_user AFTER UPDATE OF roles, disabled, display_name, public_key
	ON hotline.staff_users FOR EACH ROW EXECUTE FUNCTION hotline.case_seals_prune_trigger();
CREATE TRIGGER case_seals_prune_case AFTER UPDATE OF state, director_named
	ON hotline.cases FOR EACH ROW EXECUTE FUNCTION hotline.case_seals_prune_trigger();
CREATE TRIGGER case_seals_prune_interest AFTER INSERT ON hotline.interest_declarations
	FOR EACH ROW EXECUTE FUNCTION hotline.case_seals_prune_trigger();
CREATE TRIGGER case_seals_prune_member AFTER INSERT OR UPDATE OR DELETE
	ON hotline.commission_members FOR EACH ROW EXECUTE FUNCTION hotline.case_seals_prune_trigger();
CREATE TRIGGER case_seals_due_user AFTER INSERT ON hotline.staff_users
	FOR EACH ROW EXECUTE FUNCTION hotline.case_seals_prune_trigger();
CREATE TRIGGER case_seals_due_related AFTER INSERT ON hotline.related_appeals
	FOR EACH ROW EXECUTE FUNCTION hotline.case_seals_prune_trigger();
CREATE TRIGGER case_seals_due_escalated AFTER INSERT ON hotline.deadline_notices
	FOR EACH ROW WHEN (NEW.kind = 'overdue')
	EXECUTE FUNCTION hotline.case_seals_prune_trigger();

-- A seal made by someone who holds the case key (a staff session, or
-- hotlinectl with the recovery key): refused unless the person is
-- entitled now; an existing seal is kept.
CREATE FUNCTION hotline.case_seal_add(p_case_id bigint, p_user_id bigint, p_sealed bytea,
	p_granted_by bigint) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, hotline AS $$
DECLARE
	v_why text;
BEGIN
	SELECT why INTO v_why FROM hotline.case_entitlements
		WHERE case_id = p_case_id AND user_id = p_user_id;
	IF v_why IS NULL THEN
		RETURN false;
	END IF;
	INSERT INTO hotline.case_seals (case_id, user_id, sealed, why, granted_by)
		VALUES (p_case_id, p_user_id, p_sealed, v_why, p_granted_by)
		ON CONFLICT (case_id, user_id) DO NOTHING;
	RETURN true;
END $$;

-- The compliance managers hotlined seals new cases to (intake/appeal.c reads
-- them before a batch).
CREATE VIEW hotline.case_readers AS
SELECT u.id, u.public_key FROM hotline.staff_users u
WHERE NOT u.disabled AND 'compliance' = ANY (u.roles) AND NOT 'director' = ANY (u.roles);

-- At registration (intake/appeal.c, in the registering transaction): the
-- case's public key, its secret sealed to the recovery key (or NULL), and
-- its secret sealed to the compliance managers hotlined knew of: p_users
-- the ids, p_sealed their 80-byte boxes one after the other. A box for
-- someone not entitled is dropped; one missing stays in
-- case_seals_missing for the next compliance session.
CREATE FUNCTION hotline.case_seals_register(p_receipt_hash bytea, p_case_public_key bytea,
	p_recovery_sealed bytea, p_users bigint[], p_sealed bytea) RETURNS integer
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
		IF hotline.case_seal_add(v_case, p_users[i],
				substring(p_sealed FROM (i - 1) * 80 + 1 FOR 80), NULL) THEN
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

REVOKE EXECUTE ON FUNCTION hotline.case_seals_prune, hotline.case_seal_add,
	hotline.case_seals_register, hotline.case_seals_due_mark, hotline.case_seals_checked
	FROM PUBLIC;
GRANT SELECT ON hotline.case_seals, hotline.case_entitlements, hotline.case_seals_missing,
	hotline.case_readers, hotline.case_seals_due TO hotline_app;
GRANT EXECUTE ON FUNCTION hotline.case_seal_add, hotline.case_seals_register,
	hotline.case_recused, hotline.case_seals_missing_for, hotline.case_seals_checked
	TO hotline_app;

INSERT INTO hotline.schema_migrations (version, name) VALUES (18, 'case_seals');
