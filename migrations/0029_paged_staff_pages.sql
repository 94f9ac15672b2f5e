-- 0029: the indexes the paged staff pages walk (issue 17).
--
-- The compliance board (staff/board.c) lists the open cases by their
-- next open due date, 50 a page by keyset (due_date, deadline id): it
-- walks the open deadlines in that order. The scanner (workflow/scanner.c)
-- walks them by the same key, so this index replaces the one on due_date
-- alone.
CREATE INDEX deadlines_open_by_date_id ON hotline.deadlines (due_date, id) WHERE met_at IS NULL;
DROP INDEX hotline.deadlines_open_by_date;
-- A case's open deadlines by date: the board's earliest deadline of a
-- case in one probe, when it sorts the few cases a filter matches and
-- when its walk checks that a deadline is its case's earliest. Over
-- 1,000,000 cases, state=investigation (19,886 cases) fell from 158 to
-- 77 ms. One more index entry per deadline opened (registration opens
-- one), a few microseconds against half a millisecond per report.
CREATE INDEX deadlines_open_by_case ON hotline.deadlines (case_id, due_date, id) INCLUDE (kind)
	WHERE met_at IS NULL;

-- The director's and the alternate's queue (staff/decisions.c): the
-- reports awaiting a decision and the cases to order an investigation
-- for, each by registration (case id), split by director_named, 50 a page.
CREATE INDEX cases_awaiting_decision ON hotline.cases (director_named, id)
	WHERE state IN ('to_director', 'acknowledged');
CREATE INDEX cases_to_order ON hotline.cases (director_named, id)
	WHERE state = 'investigation';
-- The running investigations the decider may extend, by due date.
CREATE INDEX investigations_running ON hotline.investigations (due_date, id)
	WHERE state IN ('ordered', 'in_progress', 'conclusion_drafted');
-- The cases that name the director: the alternate's queue starts from
-- them (0.5 % of the cases in the bench's fill; a registration that does
-- not name the director writes no entry).
CREATE INDEX cases_director_named ON hotline.cases (id) WHERE director_named;

INSERT INTO hotline.schema_migrations (version, name) VALUES (29, 'paged_staff_pages');
