-- 0012: reporters' new messages are seen, the archive of every case with
-- its search, and appeals related to an investigation (docs/staff-case.md).

-- A staff account's e-mail address, for notices addressed to the person
-- rather than to a role's setting (a commission member sitting on a case
-- is told of the reporter's new message). Set with `hotlinectl user email`.
ALTER TABLE hotline.staff_users ADD COLUMN email text
	CHECK (email IS NULL OR email ~ '^[^@[:space:]<>,;]+@[^@[:space:]<>,;]+$');

-- Read marks per case, not per message: the reporter's messages up to
-- messages_read_upto (a messages.id) were opened by someone with access to
-- the case; last_reporter_message is the id of the reporter's newest
-- message (set in the follow-up's transaction), so a case has unread
-- messages when last_reporter_message > messages_read_upto, a comparison
-- in the row that the board makes for every case without touching the
-- messages. One UPDATE of the case row marks everything read when the case
-- page (or the commission's page of it) is opened, and that view is
-- audited as case.view already. Who read it last, and when, are kept
-- beside it.
ALTER TABLE hotline.cases
	ADD COLUMN last_reporter_message bigint NOT NULL DEFAULT 0,
	ADD COLUMN messages_read_upto bigint NOT NULL DEFAULT 0,
	ADD COLUMN messages_read_at timestamptz,
	ADD COLUMN messages_read_by bigint REFERENCES hotline.staff_users (id);
UPDATE hotline.cases c SET last_reporter_message = m.upto
	FROM (SELECT case_id, max(id) AS upto FROM hotline.messages WHERE author = 'reporter'
	      GROUP BY case_id) m
	WHERE m.case_id = c.id;
-- Before this migration a message was shown on the case page but nobody
-- was told of it: messages on open cases count as read (they were on the
-- board's cases), those that came after a case was finished, when nobody
-- looked any more, as unread.
UPDATE hotline.cases c SET messages_read_upto = CASE
	WHEN c.state IN ('closed', 'referred', 'not_considered', 'forwarded') THEN
		coalesce((SELECT max(m.id) FROM hotline.messages m WHERE m.case_id = c.id
			AND m.author = 'reporter' AND m.created_at <= c.state_changed_at), 0)
	ELSE c.last_reporter_message END
	WHERE c.last_reporter_message > 0;
CREATE INDEX cases_unread ON hotline.cases (id) WHERE last_reporter_message > messages_read_upto;
-- The reporter's messages of a case not yet read: one definition for the
-- board, the archive, the case page and the commission's pages.
CREATE FUNCTION hotline.case_unread_messages(p_case_id bigint, p_read_upto bigint)
RETURNS integer LANGUAGE sql STABLE AS $$
	SELECT count(*)::integer FROM hotline.messages
	WHERE case_id = p_case_id AND author = 'reporter' AND id > p_read_upto
$$;

-- The archive searches every case by state, channel, category, the period
-- of registration and the registration number, newest first, 50 a page by
-- keyset (registered_at, id). The journal's channel and time are copied
-- into the case row (they never change: the journal is append-only) so
-- that each filter has one index in the archive's order.
ALTER TABLE hotline.cases
	ADD COLUMN registered_at timestamptz,
	ADD COLUMN channel text;
UPDATE hotline.cases c SET registered_at = j.registered_at, channel = j.channel
	FROM hotline.journal j WHERE j.id = c.journal_id;
ALTER TABLE hotline.cases ALTER COLUMN registered_at SET NOT NULL,
	ALTER COLUMN channel SET NOT NULL;
CREATE FUNCTION hotline.cases_from_journal() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	SELECT j.registered_at, j.channel INTO STRICT NEW.registered_at, NEW.channel
		FROM hotline.journal j WHERE j.id = NEW.journal_id;
	RETURN NEW;
END
$$;
CREATE TRIGGER cases_from_journal BEFORE INSERT ON hotline.cases
	FOR EACH ROW EXECUTE FUNCTION hotline.cases_from_journal();
CREATE INDEX cases_archive ON hotline.cases (registered_at DESC, id DESC);
CREATE INDEX cases_archive_state ON hotline.cases (state, registered_at DESC, id DESC);
CREATE INDEX cases_archive_channel ON hotline.cases (channel, registered_at DESC, id DESC);
CREATE INDEX cases_archive_category ON hotline.cases (category, registered_at DESC, id DESC);

-- Appeals about the matter of a running investigation, attached to it by
-- the compliance manager (KazStandart anti-corruption standard p.7.9,
-- 004 L139): the commission sees them and may open them.
CREATE TABLE hotline.related_appeals (
	investigation_id bigint NOT NULL REFERENCES hotline.investigations (id),
	case_id          bigint NOT NULL REFERENCES hotline.cases (id),
	linked_by        bigint NOT NULL REFERENCES hotline.staff_users (id),
	linked_at        timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (investigation_id, case_id)
);
CREATE INDEX related_appeals_case ON hotline.related_appeals (case_id);

GRANT SELECT, INSERT ON hotline.related_appeals TO hotline_app;
GRANT EXECUTE ON FUNCTION hotline.case_unread_messages(bigint, bigint) TO hotline_app;

INSERT INTO hotline.schema_migrations (version, name) VALUES (12, 'messages_archive');
