-- 0034: what metadata cleaning did to each reporter's file (issue 16).
--
-- A file a reporter sends is cleaned of its metadata (author, device,
-- place, editing history) with mat2 in a sandbox before it is encrypted
-- (intake/clean.c, docs/http.md "Files cleaned of metadata"). A file that
-- could not be cleaned is stored as it came, and staff see that beside it
-- on the case page: 'cleaned', 'kept' (could not be cleaned), or NULL for
-- the files stored before this migration and those of channels that do not
-- clean (the commission's materials).
ALTER TABLE hotline.attachments ADD COLUMN clean_state text
	CHECK (clean_state IN ('cleaned', 'kept'));

-- register_attachment of 0028 with the state; the old one stays for the
-- tests that call it, storing NULL.
CREATE FUNCTION hotline.register_attachment(p_receipt_hash bytea, p_meta bytea, p_data bytea,
	p_clean text)
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, hotline
SET plan_cache_mode = force_custom_plan
SET enable_seqscan = off
SET jit = off AS $$
	INSERT INTO hotline.attachments (case_id, meta, data, clean_state)
		SELECT id, p_meta, p_data, p_clean FROM hotline.cases WHERE receipt_hash = p_receipt_hash
$$;

REVOKE ALL ON FUNCTION hotline.register_attachment(bytea, bytea, bytea, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hotline.register_attachment(bytea, bytea, bytea, text) TO hotline_app;

INSERT INTO hotline.schema_migrations (version, name) VALUES (34, 'attachment_clean');
