-- 0031: the director's conclusions to rule on, by submission (issue 17).
--
-- The decisions queue (staff/decisions.c) lists the investigations whose
-- conclusion is submitted, decided or with measures adopted, 50 a page by
-- (coalesce(submitted_at, '-infinity'), id). Without an index in that
-- order PostgreSQL hashed every case (a parallel scan of 1,000,000 rows)
-- to sort the 10,018 such investigations: 280 ms for the first page alone
-- over the bench's fill; walking this index it reads 51 rows and probes
-- their cases, 0.5 ms. The list's count reads the same index alone.
CREATE INDEX investigations_to_rule ON hotline.investigations
	((coalesce(submitted_at, '-infinity')), id)
	WHERE state IN ('submitted', 'decided', 'measures_adopted');

INSERT INTO hotline.schema_migrations (version, name) VALUES (31, 'decisions_to_rule');
