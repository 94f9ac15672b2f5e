-- 0030: two reads whose cost grew with the number of cases (issue 17):
-- the analyst's figures (staff/figures.c, docs/figures.md) read indexes
-- only, so that a year of them costs the same whatever else the tables
-- hold; and marking one case's seals due no longer reads every case.
--
-- The figures joined hotline.journal to hotline.cases and converted every
-- row's time to Almaty time: over 1,000,000 cases, a year of them took
-- 1.2-1.5 s of SQL, almost all in the count per month, channel, category
-- and state (a parallel hash join of both tables and a sort on disk) and in
-- the director-routing count. They read the case row now (its
-- registered_at and channel are the journal's, copied by the 0012 trigger
-- and never changed), one month or one day at a time, with the bounds of
-- each computed once, from these covering indexes, without a visit to the
-- table. Measured on 1,000,000 cases, a year of them: 1,092-1,267 ms to
-- 154-180 ms, 642-686 ms to 25-30 ms, and 113 ms to 15-17 ms for the
-- investigations (docs/figures.md, "Cost").

-- The appeals per month, channel, category and state.
CREATE INDEX cases_figures ON hotline.cases (registered_at) INCLUDE (channel, category, state);

-- Corruption reports and when the director was informed
-- (hotline.director_informed_at(), which reads acknowledged_at).
CREATE INDEX cases_figures_routing ON hotline.cases (registered_at) INCLUDE (acknowledged_at)
	WHERE triage = 'corruption';

-- The investigations' deadlines.
CREATE INDEX deadlines_investigation ON hotline.deadlines (case_id) INCLUDE (due_at, met_at)
	WHERE kind = 'investigation';

-- An index-only scan reads the table for every row of a page not marked
-- all-visible; cases change state all the time, so let autovacuum mark
-- them again after 1 % of the table changed or was added, not the
-- default 20 %. A vacuum of cases skips the pages already all-visible.
ALTER TABLE hotline.cases SET (autovacuum_vacuum_scale_factor = 0.01,
	autovacuum_vacuum_insert_scale_factor = 0.01);

-- Marking one case's seals due (hotline.case_seals_due_mark, migration
-- 0018) read every case: it was a SQL function that is never inlined
-- (SECURITY DEFINER, SET search_path), so its
-- "WHERE p_case_id IS NULL OR c.id = p_case_id" ran as a generic plan, a
-- sequential scan of hotline.cases, and it runs from the trigger on every
-- change of a case's state or director flag, on every commission member,
-- related appeal, escalation and reveal. Measured on 1,000,000 cases: one
-- UPDATE of a case's state 156-181 ms, 1,001 of them in one statement
-- would be 1,001 scans; with the two cases apart, 7.7 ms (the function's
-- first call in the session) and 182 ms for the 1,001. Same rows marked,
-- same rights (CREATE OR REPLACE keeps the function's owner and grants).
CREATE OR REPLACE FUNCTION hotline.case_seals_due_mark(p_case_id bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, hotline AS $$
BEGIN
	IF p_case_id IS NULL THEN
		INSERT INTO hotline.case_seals_due (case_id)
			SELECT c.id FROM hotline.cases c ON CONFLICT DO NOTHING;
	ELSE
		INSERT INTO hotline.case_seals_due (case_id)
			SELECT c.id FROM hotline.cases c WHERE c.id = p_case_id ON CONFLICT DO NOTHING;
	END IF;
END $$;

INSERT INTO hotline.schema_migrations (version, name) VALUES (30, 'figures_seal_marks');
