-- 0008: the commission's pages and revealing a reporter's identity
-- (docs/reveal.md, docs/procedure.md).

-- A commission member may be a staff account: the commission's pages show
-- a member only the investigations they sit on (need to know, 004 L139).
ALTER TABLE hotline.commission_members
	ADD COLUMN staff_user_id bigint REFERENCES hotline.staff_users (id);
CREATE INDEX commission_members_user ON hotline.commission_members (staff_user_id)
	WHERE staff_user_id IS NOT NULL;

-- Who recorded a declaration of personal interest, when it was made in the
-- staff pages.
ALTER TABLE hotline.interest_declarations
	ADD COLUMN declared_by bigint REFERENCES hotline.staff_users (id);

-- The measures the commission proposes in its conclusion, encrypted under
-- the conclusion's key like the conclusion itself.
ALTER TABLE hotline.investigations ADD COLUMN proposed_measures bytea;

-- A request to reveal who made a report. It states its reason; a second
-- person approves it (the director, or the alternate recipient when the
-- case names the director); then the custodian opens the sealed identity
-- with the custodian key. The identity itself is never stored anywhere
-- but in cases.identity_sealed: the custodian reads it on the page and
-- hands it to the requester outside the system. The reporter's status
-- page shows the request from its approval on ("will be revealed to ...")
-- and the reveal ("was revealed to ... on ...").
CREATE TABLE hotline.identity_reveals (
	id             bigserial PRIMARY KEY,
	case_id        bigint NOT NULL REFERENCES hotline.cases (id),
	requested_by   bigint NOT NULL REFERENCES hotline.staff_users (id),
	requester_role text NOT NULL CHECK (requester_role IN ('compliance', 'commission')),
	reason         text NOT NULL CHECK (length(btrim(reason)) > 0),
	requested_at   timestamptz NOT NULL DEFAULT now(),
	state          text NOT NULL DEFAULT 'requested'
		CHECK (state IN ('requested', 'approved', 'rejected', 'revealed')),
	decided_by     bigint REFERENCES hotline.staff_users (id),
	decider_role   text CHECK (decider_role IN ('director', 'alternate')),
	decided_at     timestamptz,
	revealed_by    bigint REFERENCES hotline.staff_users (id),
	revealed_at    timestamptz,
	CONSTRAINT identity_reveals_second_person CHECK (decided_by <> requested_by),
	CONSTRAINT identity_reveals_custodian_not_requester CHECK (revealed_by <> requested_by),
	CONSTRAINT identity_reveals_decided CHECK ((state = 'requested') =
		(decided_at IS NULL AND decided_by IS NULL AND decider_role IS NULL)),
	CONSTRAINT identity_reveals_revealed CHECK ((state = 'revealed') =
		(revealed_at IS NOT NULL AND revealed_by IS NOT NULL))
);
-- One open request per case at a time.
CREATE UNIQUE INDEX identity_reveals_open ON hotline.identity_reveals (case_id)
	WHERE state IN ('requested', 'approved');

-- Wrong custodian passphrases, per custodian account: after a few, each
-- further attempt waits longer (docs/reveal.md). Cleared by a success.
CREATE TABLE hotline.reveal_failures (
	user_id         bigint PRIMARY KEY REFERENCES hotline.staff_users (id),
	failures        integer NOT NULL DEFAULT 0,
	last_failure_at timestamptz NOT NULL DEFAULT now()
);

-- hotlined's staff pages run the investigation's steps (workflow/
-- investigation.c) and the reveal requests; the status page reads the
-- reveals of the reporter's own case.
GRANT SELECT, INSERT, UPDATE ON hotline.investigations, hotline.commission_members,
	hotline.material_requests, hotline.investigation_extensions,
	hotline.identity_reveals, hotline.reveal_failures TO hotline_app;
GRANT SELECT, INSERT ON hotline.interest_declarations TO hotline_app;
GRANT DELETE ON hotline.reveal_failures TO hotline_app;
GRANT USAGE ON SEQUENCE hotline.identity_reveals_id_seq TO hotline_app;

INSERT INTO hotline.schema_migrations (version, name) VALUES (8, 'commission_reveal');
