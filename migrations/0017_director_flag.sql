-- 0017: director involvement cannot be quietly undone (issue 14;
-- docs/procedure.md, "Whether the report names the director").
--
-- cases.director_involved keeps the reporter's own answer (yes, no,
-- unknown) as every channel registered it; cases.director_named is the flag
-- that routes the case away from the director (seed 000 L140). The rule is
-- workflow/procedure.c's; this trigger makes the database refuse, at
-- commit, a change of the flag that the rule did not record:
-- - every change needs its timeline event (kind 'director_named', the new
--   value, who) in the same transaction;
-- - clearing a reporter's "yes" also needs the event to name the reason's
--   note (encrypted under the case's key), written by an active account of
--   the alternate recipient that does not hold the director's role.
-- Deferred, because the step writes the flag before its event and note.
-- A database owner can still drop the trigger: tamper evidence for that is
-- the audit chain's (docs/staff.md, "The audit log").
CREATE FUNCTION hotline.cases_director_named_recorded() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.director_named IS NOT DISTINCT FROM OLD.director_named THEN
		RETURN NULL;
	END IF;
	-- now() is the transaction's start: the events of this transaction
	IF NOT EXISTS (SELECT 1 FROM hotline.case_events e
			WHERE e.case_id = NEW.id AND e.kind = 'director_named' AND e.at = now()
			AND e.detail->>'named' = CASE WHEN NEW.director_named THEN 'yes' ELSE 'no' END
			AND coalesce(e.detail->>'by', '') <> '') THEN
		RAISE EXCEPTION 'case %: director_named changed without its timeline event', NEW.id
			USING ERRCODE = 'check_violation';
	END IF;
	IF NOT NEW.director_named AND NEW.director_involved = 'yes' AND NOT EXISTS (
			SELECT 1 FROM hotline.case_events e
			JOIN hotline.case_notes n ON n.case_id = NEW.id
				AND n.id::text = e.detail->>'reason_note'
			JOIN hotline.staff_users u ON u.login = n.author_login
			WHERE e.case_id = NEW.id AND e.kind = 'director_named' AND e.at = now()
			AND e.detail->>'named' = 'no' AND e.detail->>'by' = u.login
			AND 'alternate' = ANY (u.roles) AND NOT 'director' = ANY (u.roles)
			AND NOT u.disabled) THEN
		RAISE EXCEPTION 'case %: only the alternate recipient clears a reporter''s '
			'"director involved: yes", with a reason', NEW.id
			USING ERRCODE = 'check_violation';
	END IF;
	RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER cases_director_named_recorded
	AFTER UPDATE OF director_named ON hotline.cases
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION hotline.cases_director_named_recorded();

INSERT INTO hotline.schema_migrations (version, name) VALUES (17, 'director_flag');
