-- 0026: the statements several modules share, written once (issue 15).
--
-- Queueing a notice, adding an event to a case's timeline and reading a
-- setting were each written out in several C files. They are SQL functions
-- now, so that a change to those tables is made in one place.
--
-- SECURITY INVOKER (the default) on purpose: a function runs with the
-- rights of whoever calls it, so hotline_app may do through it exactly what
-- it could do before (INSERT into hotline.outbox and hotline.case_events,
-- SELECT on hotline.settings), and nothing more. The owner, who runs
-- hotlinectl, owns them.

-- A notice for each non-empty recipient, in the order given (NULL and ''
-- are skipped, as every caller did); the number queued. Not a notice about a
-- case: p_case_id NULL.
CREATE FUNCTION hotline.outbox_queue(p_kind text, p_recipients text[], p_subject text,
	p_body text, p_case_id bigint DEFAULT NULL) RETURNS integer
LANGUAGE sql AS $$
	WITH q AS (
		INSERT INTO hotline.outbox (kind, recipient, subject, body, case_id)
		SELECT p_kind, u.r, p_subject, p_body, p_case_id
		FROM unnest(p_recipients) WITH ORDINALITY AS u (r, n)
		WHERE u.r <> '' ORDER BY u.n
		RETURNING 1)
	SELECT count(*)::integer FROM q
$$;

-- A sealed notice (docs/mail-intake.md): recipient, subject and body are in
-- p_sealed, under the key named p_sealed_key; the clear columns stay empty.
CREATE FUNCTION hotline.outbox_queue_sealed(p_kind text, p_case_id bigint, p_sealed bytea,
	p_sealed_key text) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO hotline.outbox (kind, recipient, subject, body, case_id, sealed, sealed_key)
	VALUES (p_kind, '', '', '', p_case_id, p_sealed, p_sealed_key)
$$;

-- An event on a case's timeline.
CREATE FUNCTION hotline.case_event(p_case_id bigint, p_kind text, p_detail jsonb DEFAULT '{}')
	RETURNS void
LANGUAGE sql AS $$
	INSERT INTO hotline.case_events (case_id, kind, detail) VALUES (p_case_id, p_kind, p_detail)
$$;

-- The value of a setting, NULL when it was never set.
CREATE FUNCTION hotline.setting(p_key text) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT value FROM hotline.settings WHERE key = p_key
$$;

REVOKE ALL ON FUNCTION hotline.outbox_queue, hotline.outbox_queue_sealed, hotline.case_event,
	hotline.setting FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hotline.outbox_queue, hotline.outbox_queue_sealed, hotline.case_event,
	hotline.setting TO hotline_app;

INSERT INTO hotline.schema_migrations (version, name) VALUES (26, 'shared_statements');
