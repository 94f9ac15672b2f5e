-- 0007: what the compliance manager's and the director's pages add
-- (docs/keys.md, docs/staff-case.md).

-- The reporter's public key, derived from the receipt (crypto/seal.h
-- reporter_key_derive): staff seal their replies to it
-- (messages.body_reporter), and only the receipt opens them on the status
-- page. Set at registration by the channels that seal an appeal, or at the
-- reporter's first lookup for a case registered without it. NULL: no reply
-- can be written yet.
ALTER TABLE hotline.cases ADD COLUMN reporter_public_key bytea
	CHECK (reporter_public_key IS NULL OR length(reporter_public_key) = 32);

-- Internal notes of the staff on a case: the text is a blob under the
-- case's content key (the key sealed in cases.content_key_sealed), so it
-- reads only with the case-handling key. author_login names who wrote it
-- (never content).
CREATE TABLE hotline.case_notes (
	id           bigserial PRIMARY KEY,
	case_id      bigint NOT NULL REFERENCES hotline.cases (id),
	author_login text NOT NULL,
	created_at   timestamptz NOT NULL DEFAULT now(),
	body         bytea NOT NULL
);
CREATE INDEX case_notes_case ON hotline.case_notes (case_id, id);

-- Who wrote a staff message (the reporter's side shows no name).
ALTER TABLE hotline.messages ADD COLUMN staff_login text;

GRANT SELECT, INSERT ON hotline.case_notes TO hotline_app;
GRANT USAGE ON SEQUENCE hotline.case_notes_id_seq TO hotline_app;
-- The service investigation ordered from the director's page, and its
-- extension with written consent, are written by hotlined.
GRANT INSERT, UPDATE ON hotline.investigations TO hotline_app;
GRANT INSERT ON hotline.investigation_extensions, hotline.commission_members,
	hotline.interest_declarations TO hotline_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA hotline TO hotline_app;

INSERT INTO hotline.schema_migrations (version, name) VALUES (7, 'case_pages');
