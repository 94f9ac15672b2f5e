-- 0030: the analyst's figures (staff/figures.c, docs/figures.md) read
-- indexes only, so that a year of them costs the same whatever else the
-- tables hold (issue 17).
--
-- The figures joined hotline.journal to hotline.cases and converted every
-- row's time to Almaty time: over 1,000,000 cases, a year of them took
-- 1.2-1.5 s of SQL, almost all in the count per month, channel, category
-- and state (a parallel hash join of both tables and a sort on disk) and in
-- the director-routing count. They read the case row now (its
-- registered_at and channel are the journal's, copied by the 0012 trigger
-- and never changed), one month or one day at a time, with the bounds of
-- each computed once, from these covering indexes, without a visit to the
-- table. Measured on 1,000,000 cases: about 150, 45 and 20 ms
-- (docs/figures.md, "Cost").

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

INSERT INTO hotline.schema_migrations (version, name) VALUES (30, 'figures_indexes');
