-- 0010: every appeal has an owner and a clock from registration, and a
-- named reporter is answered in time (docs/procedure.md, "Deadlines").
--
-- Until now the director's day (004 p.10.6: informed no later than the
-- day after the day of registration) started to be watched only at
-- triage: an appeal nobody triaged had no deadline, no reminder, no
-- escalation and no mail. Now registration itself opens a `triage`
-- deadline due on the director's day; the deadline scanner announces it
-- to the compliance manager (a content-free mail), reminds, and escalates
-- it to the alternate recipient and the compliance manager, never to the
-- director (nobody has yet checked whether the report names the director).
--
-- A named appeal also gets a `reply` deadline (004 L196: the reply follows
-- the law on citizens' appeals), `reply_working_days` working days after
-- the day of registration. Working days come from workflow/calendar.c,
-- whose holiday rules live in C only, so the scanner (which loads the
-- calendar) adds it when it announces the registration; `announced` marks
-- the triage deadlines it has not seen yet.

ALTER TABLE hotline.deadlines DROP CONSTRAINT deadlines_kind_known;
ALTER TABLE hotline.deadlines ADD CONSTRAINT deadlines_kind_known CHECK (kind IN (
	'director_notice', 'urgent_forward', 'investigation', 'material_request',
	'triage', 'reply'));

-- false only on a triage deadline the scanner has not announced yet; the
-- default keeps every other insert as it was.
ALTER TABLE hotline.deadlines ADD COLUMN announced boolean NOT NULL DEFAULT true;
CREATE INDEX deadlines_unannounced ON hotline.deadlines (id) WHERE NOT announced;

-- The number of working days for the reply to a named reporter. Default
-- 15 (docs/procedure.md says where it comes from and how sure we are).
ALTER TABLE hotline.settings DROP CONSTRAINT settings_key_check;
ALTER TABLE hotline.settings ADD CONSTRAINT settings_key_known CHECK (key IN (
	'director_email', 'alternate_email', 'compliance_email', 'console_url', 'organisation',
	'reply_working_days'));
ALTER TABLE hotline.settings ADD CONSTRAINT settings_reply_working_days CHECK (
	key <> 'reply_working_days' OR (value ~ '^[0-9]{1,2}$' AND value::integer BETWEEN 1 AND 60));

-- The reply to a named reporter (004 L196) is a staff message marked as
-- the reply: the reporter reads it on /status like every message, and the
-- case page prints it as a letter. Writing it meets the reply deadline.
ALTER TABLE hotline.messages ADD COLUMN is_reply boolean NOT NULL DEFAULT false;

-- THE definition of "the director was informed" of a case: the director
-- (or the alternate recipient, when the report names the director)
-- acknowledged it on their page, or decided on it (a decision sets
-- acknowledged_at too). A mail queued or sent is not proof that anybody
-- read it. The director_notice deadline is met at this moment; the board,
-- the figures and the status page read this function, nothing else.
CREATE FUNCTION hotline.director_informed_at(c hotline.cases) RETURNS timestamptz
LANGUAGE sql STABLE AS $$ SELECT c.acknowledged_at $$;
GRANT EXECUTE ON FUNCTION hotline.director_informed_at(hotline.cases) TO hotline_app;

-- register_case as in 0009, plus the triage deadline: due on the day after
-- the day of registration in Asia/Almaty (the director's day, 004 p.10.6),
-- late from the midnight after it. One INSERT more per appeal, in the same
-- transaction, so no appeal is registered without its clock.
CREATE OR REPLACE FUNCTION hotline.register_case(
	p_channel text, p_receipt_hash bytea, p_category text, p_director_involved text,
	p_language text, p_content_key_sealed bytea, p_content bytea, p_identity_sealed bytea,
	OUT case_id bigint, OUT reg_no text, OUT registered_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, hotline AS $$
DECLARE
	v_prev bytea;
	v_year integer;
	v_seq integer;
	v_digest bytea;
	v_hash bytea;
	v_journal bigint;
	v_day date;
BEGIN
	SELECT last_hash INTO STRICT v_prev FROM hotline.journal_head WHERE id = 1 FOR UPDATE;
	registered_at := clock_timestamp();
	v_year := extract(year FROM registered_at AT TIME ZONE 'Asia/Almaty')::integer;
	v_day := (registered_at AT TIME ZONE 'Asia/Almaty')::date;
	INSERT INTO hotline.journal_counter AS c (year, last_no) VALUES (v_year, 1)
		ON CONFLICT (year) DO UPDATE SET last_no = c.last_no + 1
		RETURNING last_no INTO v_seq;
	reg_no := format('%s-%s', v_year,
		CASE WHEN v_seq < 1000000 THEN lpad(v_seq::text, 6, '0') ELSE v_seq::text END);
	v_digest := sha256(p_content_key_sealed || p_content || coalesce(p_identity_sealed, ''::bytea));
	v_hash := sha256(v_prev || convert_to(format('v1|%s|%s|%s|%s', reg_no,
		(extract(epoch FROM registered_at) * 1000000)::bigint, p_channel,
		encode(v_digest, 'hex')), 'UTF8'));
	INSERT INTO hotline.journal (year, seq, reg_no, registered_at, channel, content_digest, prev_hash, row_hash)
		VALUES (v_year, v_seq, reg_no, registered_at, p_channel, v_digest, v_prev, v_hash)
		RETURNING id INTO v_journal;
	UPDATE hotline.journal_head SET last_hash = v_hash WHERE id = 1;
	INSERT INTO hotline.cases (journal_id, receipt_hash, category, director_involved, anonymous,
		language, content_key_sealed, content, identity_sealed)
		VALUES (v_journal, p_receipt_hash, p_category, p_director_involved, p_identity_sealed IS NULL,
		p_language, p_content_key_sealed, p_content, p_identity_sealed)
		RETURNING id INTO case_id;
	INSERT INTO hotline.case_events (case_id, kind, detail)
		VALUES (case_id, 'registered', jsonb_build_object('channel', p_channel));
	INSERT INTO hotline.deadlines (case_id, kind, due_date, due_at, basis, announced)
		VALUES (case_id, 'triage', v_day + 1, (v_day + 2)::timestamp AT TIME ZONE 'Asia/Almaty',
		'calendar_days', false);
END
$$;

-- Appeals registered before this migration and still waiting for triage
-- get their clock too (the scanner announces them once and adds the
-- reply deadline of the named ones); a late one escalates at once, which
-- is the truth about it.
INSERT INTO hotline.deadlines (case_id, kind, due_date, due_at, basis, announced)
	SELECT c.id, 'triage', (j.registered_at AT TIME ZONE 'Asia/Almaty')::date + 1,
		((j.registered_at AT TIME ZONE 'Asia/Almaty')::date + 2)::timestamp AT TIME ZONE 'Asia/Almaty',
		'calendar_days', false
	FROM hotline.cases c JOIN hotline.journal j ON j.id = c.journal_id
	WHERE c.state = 'registered'
	ON CONFLICT DO NOTHING;

INSERT INTO hotline.schema_migrations (version, name) VALUES (10, 'clock_from_registration');
