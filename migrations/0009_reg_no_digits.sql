-- Registration numbers past 999,999 in a year. hotline.register_case wrote
-- the number with lpad(seq, 6, '0'), which cuts longer text: the millionth
-- appeal of a year got the number of the 100,000th, the INSERT failed on the
-- unique reg_no, and so did every registration after it until New Year (a
-- flood of web reports could get there in under an hour). Now the number
-- keeps six zero-padded digits below a million and all its digits from
-- there on ("2026-1000000"); workflow/journal.c says the same for
-- `hotlinectl journal verify`. The function is otherwise unchanged
-- (migrations/0001_init.sql) and declared as there; CREATE OR REPLACE
-- keeps its owner and its grants (EXECUTE revoked from PUBLIC).

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
BEGIN
	SELECT last_hash INTO STRICT v_prev FROM hotline.journal_head WHERE id = 1 FOR UPDATE;
	registered_at := clock_timestamp();
	v_year := extract(year FROM registered_at AT TIME ZONE 'Asia/Almaty')::integer;
	INSERT INTO hotline.journal_counter AS c (year, last_no) VALUES (v_year, 1)
		ON CONFLICT (year) DO UPDATE SET last_no = c.last_no + 1
		RETURNING last_no INTO v_seq;
	-- six digits, zero-padded; from the millionth appeal of a year on, as
	-- many as it takes (lpad would cut 1000000 to '100000', a number that
	-- exists, and refuse every registration for the rest of the year)
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
END
$$;

INSERT INTO hotline.schema_migrations (version, name) VALUES (9, 'reg_no_digits');
