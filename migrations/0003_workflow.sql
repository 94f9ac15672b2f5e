-- 0003: the procedure (seed 004 chapters 6, 7, 10): triage, the director's
-- notice and decision, service investigations, requests for materials,
-- deadlines with their reminders and escalations, and the settings the
-- notices need. Notices carry no report content and no identity.

-- Who gets notices and where the console is. Edited with
-- `hotlinectl settings set KEY VALUE`.
CREATE TABLE hotline.settings (
	key        text PRIMARY KEY CHECK (key IN ('director_email', 'alternate_email',
		'compliance_email', 'console_url', 'organisation')),
	value      text NOT NULL,
	changed_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE hotline.cases
	ADD COLUMN triage text CHECK (triage IN ('corruption', 'not_corruption', 'anonymous', 'urgent')),
	ADD COLUMN triaged_at timestamptz,
	ADD COLUMN triage_note text,
	ADD COLUMN referred_unit text,
	ADD COLUMN director_named boolean NOT NULL DEFAULT false,
	ADD COLUMN acknowledged_at timestamptz,
	ADD COLUMN decision text CHECK (decision IN ('forward', 'investigate', 'forward_and_investigate', 'no_grounds')),
	ADD COLUMN decided_at timestamptz,
	ADD COLUMN decision_doc text,
	ADD COLUMN forwarded_at timestamptz,
	ADD COLUMN forwarded_to text,
	ADD COLUMN overdue boolean NOT NULL DEFAULT false;
UPDATE hotline.cases SET director_named = (director_involved = 'yes');
-- The reporter's "the director is among them" routes the case away from the
-- director from the start; triage may correct it (--director-named).
CREATE FUNCTION hotline.cases_director_named() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.director_named := NEW.director_named OR NEW.director_involved = 'yes';
	RETURN NEW;
END
$$;
CREATE TRIGGER cases_director_named BEFORE INSERT ON hotline.cases
	FOR EACH ROW EXECUTE FUNCTION hotline.cases_director_named();
ALTER TABLE hotline.cases ADD CONSTRAINT cases_state_known CHECK (state IN (
	'registered', 'to_director', 'acknowledged', 'referred', 'not_considered',
	'urgent', 'forwarded', 'investigation', 'closed'));

-- A service investigation (004 L116-146): at most ten working days from
-- the order (L127) unless the director consents in writing.
CREATE TABLE hotline.investigations (
	id             bigserial PRIMARY KEY,
	case_id        bigint NOT NULL UNIQUE REFERENCES hotline.cases (id),
	order_no       text NOT NULL,
	order_date     date NOT NULL,
	state          text NOT NULL DEFAULT 'ordered' CHECK (state IN ('ordered', 'in_progress',
		'conclusion_drafted', 'decided', 'measures_adopted', 'closed')),
	due_date       date NOT NULL,
	extended       boolean NOT NULL DEFAULT false,
	norms          text,
	conclusion_key_sealed bytea,
	conclusion     bytea,
	decision       text CHECK (decision IN ('stop', 'hand_over', 'disciplinary', 'other_measures')),
	decided_at     timestamptz,
	measures_doc   text,
	state_changed_at timestamptz NOT NULL DEFAULT now()
);

-- The director's written consent to a longer term (L127).
CREATE TABLE hotline.investigation_extensions (
	id               bigserial PRIMARY KEY,
	investigation_id bigint NOT NULL REFERENCES hotline.investigations (id),
	consent_doc      text NOT NULL,
	consent_date     date NOT NULL,
	consented_by     text NOT NULL,
	old_due_date     date NOT NULL,
	new_due_date     date NOT NULL,
	recorded_at      timestamptz NOT NULL DEFAULT now(),
	CHECK (new_due_date > old_due_date)
);

CREATE TABLE hotline.commission_members (
	investigation_id bigint NOT NULL REFERENCES hotline.investigations (id),
	name             text NOT NULL,
	position         text NOT NULL DEFAULT '',
	PRIMARY KEY (investigation_id, name)
);

-- People who declared a personal interest in a case (004 L105, 002 L47):
-- they cannot sit on its commission.
CREATE TABLE hotline.interest_declarations (
	case_id     bigint NOT NULL REFERENCES hotline.cases (id),
	name        text NOT NULL,
	declared_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (case_id, name)
);

-- Requests for materials to an employee: due within one working day (L136).
CREATE TABLE hotline.material_requests (
	id               bigserial PRIMARY KEY,
	investigation_id bigint NOT NULL REFERENCES hotline.investigations (id),
	addressee        text NOT NULL,
	what             text NOT NULL,
	requested_on     date NOT NULL,
	due_date         date NOT NULL,
	received_at      timestamptz
);

-- Deadlines: due_date is the last day (Asia/Almaty) on which the duty can be
-- met; due_at is the first moment it is late (the next midnight in Almaty).
-- ref_id names the material request for kind 'material_request'.
ALTER TABLE hotline.deadlines DROP CONSTRAINT deadlines_case_id_kind_key;
ALTER TABLE hotline.deadlines
	ADD COLUMN due_date date,
	ADD COLUMN ref_id bigint,
	ADD COLUMN created_at timestamptz NOT NULL DEFAULT now(),
	ADD COLUMN basis text NOT NULL DEFAULT 'working_days' CHECK (basis IN ('calendar_days', 'working_days', 'fixed'));
ALTER TABLE hotline.deadlines ADD CONSTRAINT deadlines_kind_known CHECK (kind IN (
	'director_notice', 'urgent_forward', 'investigation', 'material_request'));
CREATE UNIQUE INDEX deadlines_one_per_duty ON hotline.deadlines (case_id, kind, coalesce(ref_id, 0));
CREATE INDEX deadlines_open_by_date ON hotline.deadlines (due_date) WHERE met_at IS NULL;

-- Which reminders and escalations went out, so each goes once.
CREATE TABLE hotline.deadline_notices (
	deadline_id bigint NOT NULL REFERENCES hotline.deadlines (id),
	kind        text NOT NULL,
	at          timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (deadline_id, kind)
);

-- Wake the mail sender when a notice is queued.
CREATE FUNCTION hotline.outbox_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('hotline_outbox', NEW.id::text);
	RETURN NEW;
END
$$;
CREATE TRIGGER outbox_notify AFTER INSERT ON hotline.outbox
	FOR EACH ROW EXECUTE FUNCTION hotline.outbox_notify();
ALTER TABLE hotline.outbox ADD COLUMN case_id bigint REFERENCES hotline.cases (id);

GRANT SELECT ON hotline.settings, hotline.investigations, hotline.investigation_extensions,
	hotline.commission_members, hotline.interest_declarations, hotline.material_requests
	TO hotline_app;
GRANT SELECT, INSERT ON hotline.deadline_notices TO hotline_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA hotline TO hotline_app;

INSERT INTO hotline.schema_migrations (version, name) VALUES (3, 'workflow');
