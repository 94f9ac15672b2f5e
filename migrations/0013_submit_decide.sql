-- 0013: the commission submits, management decides (KazStandart
-- anti-corruption standard p.7.10-7.11), and the end of a case ends its
-- clocks.
--
-- An investigation gets a state between the conclusion and the decision:
-- 'submitted', when the commission hands its reasoned conclusion and the
-- materials to management; that meets the ten-working-day term. The
-- director (or the alternate recipient when the report names the director)
-- then records one of the four decisions with the document that states it
-- (number and date) and who recorded it; the measures adopted are recorded
-- with their document's number and date.
ALTER TABLE hotline.investigations DROP CONSTRAINT investigations_state_check;
ALTER TABLE hotline.investigations ADD CONSTRAINT investigations_state_known CHECK (state IN (
	'ordered', 'in_progress', 'conclusion_drafted', 'submitted', 'decided',
	'measures_adopted', 'closed'));
ALTER TABLE hotline.investigations
	ADD COLUMN submitted_at  timestamptz,
	ADD COLUMN submitted_by  bigint REFERENCES hotline.staff_users (id),
	ADD COLUMN decision_doc  text,
	ADD COLUMN decision_date date,
	ADD COLUMN decided_by    bigint REFERENCES hotline.staff_users (id),
	ADD COLUMN measures_date date;

-- The written consent to a longer term is given by the account holding the
-- director's role (or the alternate's when the report names the director):
-- recorded as that account, not as free text. consented_by keeps the
-- account's display name for the history.
ALTER TABLE hotline.investigation_extensions
	ADD COLUMN consented_by_user bigint REFERENCES hotline.staff_users (id);

-- A deadline that ended because its case ended (closed, referred, not
-- considered, forwarded) without its duty being done: met_at says when it
-- stopped running, voided that it was not met.
ALTER TABLE hotline.deadlines ADD COLUMN voided boolean NOT NULL DEFAULT false;

-- A reminder or an escalation still waiting in the outbox when its case
-- ended is withdrawn, never sent: nobody is to be chased about a closed
-- case.
ALTER TABLE hotline.outbox ADD COLUMN withdrawn_at timestamptz;

INSERT INTO hotline.schema_migrations (version, name) VALUES (13, 'submit_decide');
