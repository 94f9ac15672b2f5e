-- 0038: the registration path's references checked once per statement
-- instead of once per row; no plan of registration made afresh at each
-- call; a case's row kept whole in its page (issue 17; docs/architecture.md,
-- "Plans that do not depend on statistics").
--
-- Every row register_batch (0028) inserted into cases, case_events,
-- deadlines, case_seals and case_seals_due fired a foreign-key check, a
-- SELECT ... FOR KEY SHARE that PostgreSQL caches per connection. 0028 made
-- the function plan every statement at each call (plan_cache_mode =
-- force_custom_plan) so that no check could reuse a plan made elsewhere
-- while a table looked tiny: about 25 us of planning per check, three or
-- more checks per report, and all of the function's own statements
-- planned again for each batch. Measured with pg_stat_statements.track =
-- all at 32 clients, the checks alone were 0.061 of the 0.28 ms PostgreSQL
-- spent per report.
--
-- Here the references from those five tables to the case (and from a case
-- to its journal row) are checked by triggers, one query for a whole
-- statement's rows:
--  - a row inserted names a case (a journal row) that exists (SQLSTATE
--    23503, as a foreign key says it);
--  - that reference never changes afterwards (refused, where a foreign key
--    would allow pointing at another existing row);
--  - a case named by any such row cannot be deleted, and cases cannot be
--    truncated (journal rows cannot be deleted or truncated at all, 0001).
-- hotline_app may delete neither cases nor journal rows (0001), so the row
-- lock a foreign key takes against a concurrent delete guards nothing the
-- application can do.
--
-- A check looks up each of its rows by key and nothing else: the lookup is
-- a scalar subquery, which PostgreSQL runs once per row and never turns into
-- a join (a join's plan, made while the statement had many rows and the
-- table few, read the whole index at each statement in the bench).
-- Each check, and every function the registration path calls
-- (register_batch, case_seal_store, the cases_from_journal trigger), now
-- carries enable_seqscan = off itself: whenever one of their plans is made,
-- on any connection and whoever calls it, it is made under that setting, so
-- a cached plan is a lookup by key whatever the statistics said at the
-- time, and it can be cached. register_batch drops force_custom_plan. The
-- checks left as foreign keys on that path are case_seals' references to
-- staff_users, a table of a few dozen rows. register_attachment keeps its
-- settings (one call per file; attachments keep their foreign key).
--
-- toast_tuple_target: a registered case's row is about 2.6 KB (2.2 KB of
-- ciphertext). Over 2 KB PostgreSQL tried to compress the ciphertext, which
-- never compresses, then moved it to the TOAST table: two more inserts per
-- case. A row up to the page's size now stays whole; nothing reads cases
-- sequentially (the staff pages use their indexes, 0029-0031).

ALTER TABLE hotline.case_events DROP CONSTRAINT case_events_case_id_fkey;
ALTER TABLE hotline.deadlines DROP CONSTRAINT deadlines_case_id_fkey;
ALTER TABLE hotline.case_seals DROP CONSTRAINT case_seals_case_id_fkey;
ALTER TABLE hotline.case_seals_due DROP CONSTRAINT case_seals_due_case_id_fkey;
ALTER TABLE hotline.cases DROP CONSTRAINT cases_journal_id_fkey;

CREATE FUNCTION hotline.rows_name_cases() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, hotline SET enable_seqscan = off
SET jit = off AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM added a
			WHERE (SELECT c.id FROM hotline.cases c WHERE c.id = a.case_id) IS NULL) THEN
		RAISE EXCEPTION 'a row of %.% names a case that does not exist', TG_TABLE_SCHEMA,
			TG_TABLE_NAME USING ERRCODE = 'foreign_key_violation';
	END IF;
	RETURN NULL;
END $$;

CREATE FUNCTION hotline.cases_name_journal() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, hotline SET enable_seqscan = off
SET jit = off AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM added a
			WHERE (SELECT j.id FROM hotline.journal j WHERE j.id = a.journal_id) IS NULL) THEN
		RAISE EXCEPTION 'a case names a journal row that does not exist'
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	RETURN NULL;
END $$;

CREATE FUNCTION hotline.reference_fixed() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, hotline AS $$
BEGIN
	RAISE EXCEPTION 'the case or journal row a row of %.% names never changes',
		TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = 'foreign_key_violation';
END $$;

CREATE FUNCTION hotline.cases_named_stay() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, hotline SET enable_seqscan = off
SET jit = off AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM removed r
		WHERE (SELECT e.case_id FROM hotline.case_events e WHERE e.case_id = r.id LIMIT 1)
				IS NOT NULL
			OR (SELECT d.case_id FROM hotline.deadlines d WHERE d.case_id = r.id LIMIT 1)
				IS NOT NULL
			OR (SELECT s.case_id FROM hotline.case_seals s WHERE s.case_id = r.id LIMIT 1)
				IS NOT NULL
			OR (SELECT s.case_id FROM hotline.case_seals_due s WHERE s.case_id = r.id)
				IS NOT NULL) THEN
		RAISE EXCEPTION 'a case named by its events, deadlines or seals cannot be deleted'
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	RETURN NULL;
END $$;

CREATE FUNCTION hotline.cases_refuse_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'hotline.cases cannot be truncated: other tables name its rows'
		USING ERRCODE = 'foreign_key_violation';
END $$;

REVOKE ALL ON FUNCTION hotline.rows_name_cases, hotline.cases_name_journal,
	hotline.reference_fixed, hotline.cases_named_stay, hotline.cases_refuse_truncate
	FROM PUBLIC;

CREATE TRIGGER case_events_name_cases AFTER INSERT ON hotline.case_events
	REFERENCING NEW TABLE AS added FOR EACH STATEMENT
	EXECUTE FUNCTION hotline.rows_name_cases();
CREATE TRIGGER deadlines_name_cases AFTER INSERT ON hotline.deadlines
	REFERENCING NEW TABLE AS added FOR EACH STATEMENT
	EXECUTE FUNCTION hotline.rows_name_cases();
CREATE TRIGGER case_seals_name_cases AFTER INSERT ON hotline.case_seals
	REFERENCING NEW TABLE AS added FOR EACH STATEMENT
	EXECUTE FUNCTION hotline.rows_name_cases();
CREATE TRIGGER case_seals_due_name_cases AFTER INSERT ON hotline.case_seals_due
	REFERENCING NEW TABLE AS added FOR EACH STATEMENT
	EXECUTE FUNCTION hotline.rows_name_cases();
CREATE TRIGGER cases_name_journal AFTER INSERT ON hotline.cases
	REFERENCING NEW TABLE AS added FOR EACH STATEMENT
	EXECUTE FUNCTION hotline.cases_name_journal();

CREATE TRIGGER case_events_case_fixed BEFORE UPDATE OF case_id ON hotline.case_events
	FOR EACH ROW WHEN (NEW.case_id IS DISTINCT FROM OLD.case_id)
	EXECUTE FUNCTION hotline.reference_fixed();
CREATE TRIGGER deadlines_case_fixed BEFORE UPDATE OF case_id ON hotline.deadlines
	FOR EACH ROW WHEN (NEW.case_id IS DISTINCT FROM OLD.case_id)
	EXECUTE FUNCTION hotline.reference_fixed();
CREATE TRIGGER case_seals_case_fixed BEFORE UPDATE OF case_id ON hotline.case_seals
	FOR EACH ROW WHEN (NEW.case_id IS DISTINCT FROM OLD.case_id)
	EXECUTE FUNCTION hotline.reference_fixed();
CREATE TRIGGER case_seals_due_case_fixed BEFORE UPDATE OF case_id ON hotline.case_seals_due
	FOR EACH ROW WHEN (NEW.case_id IS DISTINCT FROM OLD.case_id)
	EXECUTE FUNCTION hotline.reference_fixed();
CREATE TRIGGER cases_references_fixed BEFORE UPDATE OF id, journal_id ON hotline.cases
	FOR EACH ROW WHEN (NEW.id IS DISTINCT FROM OLD.id
		OR NEW.journal_id IS DISTINCT FROM OLD.journal_id)
	EXECUTE FUNCTION hotline.reference_fixed();

CREATE TRIGGER cases_named_stay AFTER DELETE ON hotline.cases
	REFERENCING OLD TABLE AS removed FOR EACH STATEMENT
	EXECUTE FUNCTION hotline.cases_named_stay();
CREATE TRIGGER cases_no_truncate BEFORE TRUNCATE ON hotline.cases
	FOR EACH STATEMENT EXECUTE FUNCTION hotline.cases_refuse_truncate();

ALTER FUNCTION hotline.register_batch SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION hotline.case_seal_store SET enable_seqscan = off;
ALTER FUNCTION hotline.case_seal_store SET jit = off;
ALTER FUNCTION hotline.cases_from_journal SET enable_seqscan = off;
ALTER FUNCTION hotline.cases_from_journal SET jit = off;

ALTER TABLE hotline.cases SET (toast_tuple_target = 8160);

-- The scanner's page of new deadlines to announce (workflow/scanner.c): up
-- to p_limit of them, with their case and journal row. Asked as a join,
-- PostgreSQL read the whole of cases and journal into a hash at each scan
-- while their statistics said they were small (the bench's stale-plan
-- scenario, once per scan); here each is looked up by its key.
CREATE FUNCTION hotline.deadlines_unannounced(p_limit integer)
RETURNS TABLE (id bigint, case_id bigint, reg_no text, channel text, due_date date,
	triaged boolean, anonymous boolean, registered_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, hotline SET enable_seqscan = off SET enable_hashjoin = off
SET enable_mergejoin = off SET jit = off AS $$
	SELECT d.id, c.id, j.reg_no, j.channel, d.due_date, d.met_at IS NOT NULL, c.anonymous,
		j.registered_at
	FROM hotline.deadlines d JOIN hotline.cases c ON c.id = d.case_id
		JOIN hotline.journal j ON j.id = c.journal_id
	WHERE NOT d.announced ORDER BY d.id LIMIT p_limit
$$;
REVOKE ALL ON FUNCTION hotline.deadlines_unannounced FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hotline.deadlines_unannounced TO hotline_app;

INSERT INTO hotline.schema_migrations (version, name) VALUES (38, 'statement_references');
