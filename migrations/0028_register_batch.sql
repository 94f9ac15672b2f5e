-- 0028: a batch of appeals is registered with one statement, and no plan
-- of registration depends on when a table was last analyzed (issue 17,
-- docs/architecture.md "Registration in one statement per batch").
--
-- Until now intake/appeal.c sent, per appeal, hotline.register_case (six
-- statements in plpgsql), hotline.case_seals_register, an UPDATE for the
-- reporter's key, one for the mail's proofs and one for an unproven claim:
-- PostgreSQL spent about 0.5 ms of CPU per report in the serial section
-- (the journal_head lock), mostly on per-statement overhead. Here the
-- whole batch is one call taking arrays (element i of every array is
-- appeal i); every row is written by one multi-row INSERT per table. The
-- rows are exactly those the old statements wrote: the same journal rows
-- and hash chain (v1 format, workflow/journal.c), the same gap-free
-- numbers in input order, the same case_events, deadlines, seals and
-- seal-due marks. Attachments stay one INSERT per file after this call
-- (intake/appeal.c: an array would copy each file's ciphertext once more).
--
-- plan_cache_mode = force_custom_plan and enable_seqscan = off: the
-- foreign-key checks PostgreSQL runs after each inserted row (SELECT 1 FROM
-- ONLY hotline.cases x WHERE id = $1 FOR KEY SHARE OF x) are cached per
-- connection; their generic plan, made while `cases` was analyzed at a few
-- dozen rows, is a sequential scan that the daemon's long-lived
-- connections kept for good. A custom plan alone is not enough: while the
-- table is still a few pages, the planner prefers reading them all, and
-- the statistics say "a few pages" until the next analyze. With both, every
-- check is planned at once as a lookup by its primary key, whatever the
-- statistics and whatever plan the connection cached elsewhere
-- (tests/integration/test_stale_plan.py). A function's SET holds for the
-- triggers fired within it, hence hotline.register_attachment below. jit is
-- off with them: the cost a disabled sequential scan adds to a plan that
-- has no other path (a view on staff_users) would otherwise make each such
-- query compile itself, about 70 ms.
--
-- hotline.register_case and hotline.case_seals_register stay (the bench
-- compares the old path with this one; tests call register_case).

CREATE FUNCTION hotline.register_batch(
	p_channel text[], p_receipt_hash bytea[], p_category text[], p_director_involved text[],
	p_language text[], p_content_key_sealed bytea[], p_content bytea[], p_identity_sealed bytea[],
	p_case_public_key bytea[], p_recovery_sealed bytea[], p_readers bigint[],
	p_reader_seals bytea[], p_reporter_key bytea[], p_mail_sender_hash bytea[],
	p_reply_token_hash bytea[], p_claims text[])
RETURNS TABLE (ord integer, case_id bigint, reg_no text, registered_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, hotline
SET plan_cache_mode = force_custom_plan
SET enable_seqscan = off
SET jit = off AS $$
#variable_conflict use_column
DECLARE
	n integer := coalesce(cardinality(p_channel), 0);
	v_readers integer := coalesce(cardinality(p_readers), 0);
	v_prev bytea;
	v_at timestamptz[];
	v_year integer[];
	v_seq integer[];
	v_reg text[];
	v_digest bytea[];
	v_prevs bytea[];
	v_hash bytea[];
	v_journal bigint[];
	v_case bigint[];
	v_years integer[];
	v_next integer[];
	v_last integer;
	v_count integer;
	y integer;
	v_uncovered boolean;
	v_any_reader boolean;
	k integer;
BEGIN
	IF n = 0 THEN
		RETURN;
	END IF;
	IF coalesce(cardinality(p_receipt_hash), 0) <> n OR coalesce(cardinality(p_category), 0) <> n
			OR coalesce(cardinality(p_director_involved), 0) <> n
			OR coalesce(cardinality(p_language), 0) <> n
			OR coalesce(cardinality(p_content_key_sealed), 0) <> n
			OR coalesce(cardinality(p_content), 0) <> n
			OR coalesce(cardinality(p_identity_sealed), 0) <> n
			OR coalesce(cardinality(p_case_public_key), 0) <> n
			OR coalesce(cardinality(p_recovery_sealed), 0) <> n
			OR coalesce(cardinality(p_reader_seals), 0) <> n
			OR coalesce(cardinality(p_reporter_key), 0) <> n
			OR coalesce(cardinality(p_mail_sender_hash), 0) <> n
			OR coalesce(cardinality(p_reply_token_hash), 0) <> n
			OR coalesce(cardinality(p_claims), 0) <> n THEN
		RAISE EXCEPTION 'register_batch: arrays of different lengths';
	END IF;
	FOR i IN 1 .. n LOOP
		IF length(coalesce(p_reader_seals[i], ''::bytea)) NOT IN (0, 80 * v_readers) THEN
			RAISE EXCEPTION 'register_batch: % users, % bytes of seals', v_readers,
				length(p_reader_seals[i]);
		END IF;
	END LOOP;

	-- as register_case: the chain's head is the lock that orders registrations
	SELECT last_hash INTO STRICT v_prev FROM hotline.journal_head WHERE id = 1 FOR UPDATE;
	FOR i IN 1 .. n LOOP
		v_at[i] := clock_timestamp();
		v_year[i] := extract(year FROM v_at[i] AT TIME ZONE 'Asia/Almaty')::integer;
	END LOOP;
	-- one counter row per year moves by the number of its appeals (almost
	-- always one year): the numbers are those n calls of register_case gave
	FOR y, v_count IN SELECT u, count(*) FROM unnest(v_year) u GROUP BY u ORDER BY u LOOP
		INSERT INTO hotline.journal_counter AS c (year, last_no) VALUES (y, v_count)
			ON CONFLICT (year) DO UPDATE SET last_no = c.last_no + v_count
			RETURNING last_no INTO v_last;
		v_years := v_years || y;
		v_next := v_next || (v_last - v_count + 1);
	END LOOP;
	FOR i IN 1 .. n LOOP
		k := array_position(v_years, v_year[i]);
		v_seq[i] := v_next[k];
		v_next[k] := v_next[k] + 1;
		v_reg[i] := format('%s-%s', v_year[i], CASE WHEN v_seq[i] < 1000000
			THEN lpad(v_seq[i]::text, 6, '0') ELSE v_seq[i]::text END);
		v_digest[i] := sha256(p_content_key_sealed[i] || p_content[i]
			|| coalesce(p_identity_sealed[i], ''::bytea));
		v_prevs[i] := v_prev;
		v_prev := sha256(v_prev || convert_to(format('v1|%s|%s|%s|%s', v_reg[i],
			(extract(epoch FROM v_at[i]) * 1000000)::bigint, p_channel[i],
			encode(v_digest[i], 'hex')), 'UTF8'));
		v_hash[i] := v_prev;
	END LOOP;

	WITH j AS (
		INSERT INTO hotline.journal (year, seq, reg_no, registered_at, channel, content_digest,
			prev_hash, row_hash)
		SELECT v_year[i], v_seq[i], v_reg[i], v_at[i], p_channel[i], v_digest[i], v_prevs[i],
			v_hash[i]
		FROM generate_series(1, n) i ORDER BY i
		RETURNING id, reg_no)
	SELECT array_agg(j.id ORDER BY o.i) INTO v_journal
	FROM j JOIN unnest(v_reg) WITH ORDINALITY o(reg_no, i) ON o.reg_no = j.reg_no;
	UPDATE hotline.journal_head SET last_hash = v_prev WHERE id = 1;

	-- the keys, the mail's proofs: in the row at once, where the old path
	-- updated it by receipt_hash afterwards
	WITH c AS (
		INSERT INTO hotline.cases (journal_id, receipt_hash, category, director_involved,
			anonymous, language, content_key_sealed, content, identity_sealed,
			case_public_key, recovery_sealed, reporter_public_key, mail_sender_hash,
			reply_token_hash)
		SELECT v_journal[i], p_receipt_hash[i], p_category[i], p_director_involved[i],
			p_identity_sealed[i] IS NULL, p_language[i], p_content_key_sealed[i], p_content[i],
			p_identity_sealed[i], p_case_public_key[i], p_recovery_sealed[i], p_reporter_key[i],
			p_mail_sender_hash[i], p_reply_token_hash[i]
		FROM generate_series(1, n) i ORDER BY i
		RETURNING id, journal_id)
	SELECT array_agg(c.id ORDER BY o.i) INTO v_case
	FROM c JOIN unnest(v_journal) WITH ORDINALITY o(journal_id, i) ON o.journal_id = c.journal_id;

	INSERT INTO hotline.case_events (case_id, kind, detail)
		SELECT v_case[i], 'registered', jsonb_build_object('channel', p_channel[i])
		FROM generate_series(1, n) i ORDER BY i;
	INSERT INTO hotline.deadlines (case_id, kind, due_date, due_at, basis, announced)
		SELECT v_case[i], 'triage', d.day + 1,
			(d.day + 2)::timestamp AT TIME ZONE 'Asia/Almaty', 'calendar_days', false
		FROM generate_series(1, n) i,
			LATERAL (SELECT (v_at[i] AT TIME ZONE 'Asia/Almaty')::date AS day) d
		ORDER BY i;

	-- the seals to the compliance managers, as case_seals_register stored
	-- them (an appeal that could not be sealed comes with none)
	PERFORM count(hotline.case_seal_store(v_case[i], p_readers[r],
			substring(p_reader_seals[i] FROM (r - 1) * 80 + 1 FOR 80), NULL))
		FROM generate_series(1, n) i, generate_series(1, v_readers) r
		WHERE length(coalesce(p_reader_seals[i], ''::bytea)) > 0;
	-- a compliance manager hotlined did not know of yet: sealed by the next
	-- session holding the case (as case_seals_due_mark); asked once for the
	-- batch's list, once for an appeal that comes without seals
	v_uncovered := EXISTS (SELECT 1 FROM hotline.case_readers r
		WHERE NOT r.id = ANY (coalesce(p_readers, '{}'::bigint[])));
	v_any_reader := EXISTS (SELECT 1 FROM hotline.case_readers);
	IF v_uncovered OR v_any_reader THEN
		INSERT INTO hotline.case_seals_due (case_id)
			SELECT v_case[i] FROM generate_series(1, n) i
			WHERE CASE WHEN length(coalesce(p_reader_seals[i], ''::bytea)) > 0
				THEN v_uncovered ELSE v_any_reader END
			ON CONFLICT DO NOTHING;
	END IF;

	-- a mail claiming an earlier case's number: only the number, as before
	INSERT INTO hotline.case_events (case_id, kind, detail)
		SELECT v_case[i], 'followup_unproven', jsonb_build_object('claims', p_claims[i])
		FROM generate_series(1, n) i WHERE p_claims[i] IS NOT NULL ORDER BY i;

	RETURN QUERY SELECT i, v_case[i], v_reg[i], v_at[i] FROM generate_series(1, n) i ORDER BY i;
END
$$;

-- One attached file of a case just registered in the same transaction, by
-- its receipt hash (none if no such case, as the INSERT it replaces). A
-- function only for its SET clauses, which hold for the foreign-key check
-- the INSERT fires; the file goes as its own parameter, not in an array
-- (intake/appeal.c holds a file once besides libpq's buffer, issue 14).
CREATE FUNCTION hotline.register_attachment(p_receipt_hash bytea, p_meta bytea, p_data bytea)
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, hotline
SET plan_cache_mode = force_custom_plan
SET enable_seqscan = off
SET jit = off AS $$
	INSERT INTO hotline.attachments (case_id, meta, data)
		SELECT id, p_meta, p_data FROM hotline.cases WHERE receipt_hash = p_receipt_hash
$$;

REVOKE ALL ON FUNCTION hotline.register_batch, hotline.register_attachment FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hotline.register_batch, hotline.register_attachment TO hotline_app;

INSERT INTO hotline.schema_migrations (version, name) VALUES (28, 'register_batch');
