-- 0027: the states that end a case's procedure for the hotline, named once.
--
-- A case closed, referred to a unit, not considered or forwarded to the
-- competent body is over: no deadline runs for it but the reply a named
-- reporter is still owed after a referral or a forwarding (004 L196), and
-- a message the reporter writes on /status afterwards goes to the
-- compliance manager. The list was written in the deadline scanner
-- (workflow/scanner.c), the procedure's steps (workflow/procedure.c) and
-- the status page (intake/status.c); they all ask this function now, and
-- the C side asks case_state_ended() (workflow/states.c), which
-- tests/unit/test_states.c holds to the same list. IMMUTABLE and written
-- in SQL, so the planner inlines it into the queries that use it.
CREATE FUNCTION hotline.case_ended(p_state text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT p_state IN ('closed', 'referred', 'not_considered', 'forwarded')
$$;
GRANT EXECUTE ON FUNCTION hotline.case_ended(text) TO hotline_app;

INSERT INTO hotline.schema_migrations (version, name) VALUES (27, 'case_ended');
