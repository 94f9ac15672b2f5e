-- 0002: the working-day calendar's yearly data. The fixed rules (holidays of
-- the Law "On holidays", the move of a holiday's day off from a weekend to
-- the next working day) are in workflow/calendar.c; this table holds what
-- changes every year: the first day of Kurban Ait, and the moves of days of
-- rest ordered by the Ministry of Labour and Social Protection of Population
-- under Labour Code art. 85 p. 3 (a Government decree until 2023). One row per
-- day; a row wins over the rules for its day. Edited with
-- `hotlinectl calendar set|unset`; docs/calendar.md says where each row
-- comes from and what is not yet certain.
--   holiday  an extra holiday whose day off is not moved from a weekend
--   off      a weekday made a day off (a day of rest moved onto it)
--   work     a day made working (the weekend day whose rest moved away)

CREATE TABLE hotline.calendar_days (
	day        date PRIMARY KEY,
	kind       text NOT NULL CHECK (kind IN ('holiday', 'off', 'work')),
	note       text NOT NULL,
	source     text NOT NULL,
	changed_at timestamptz NOT NULL DEFAULT now()
);

-- One row per line: tests/unit/test_calendar.c reads these tuples.
INSERT INTO hotline.calendar_days (day, kind, note, source) VALUES
	-- 2024. The egov.kz calendar of January 2024 gave Kurban Ait as Monday 17
	-- June; DUMK fixed it on 7 June 2024 as Sunday 16 June, so 17 June was a
	-- working day (Kurban Ait is not moved).
	('2024-05-04', 'work', 'Saturday made working: its day of rest moved to Wednesday 8 May', 'Order of the acting Minister of Labour and Social Protection of Population of 17 April 2024 "On moving a day of rest in 2024" (adilet.zan.kz G24G0000109)'),
	('2024-05-08', 'off', 'Day of rest moved from Saturday 4 May', 'Order of the acting Minister of Labour and Social Protection of Population of 17 April 2024 "On moving a day of rest in 2024" (adilet.zan.kz G24G0000109)'),
	('2024-06-16', 'holiday', 'Kurban Ait, first day (a Sunday: not moved)', 'Spiritual Administration of Muslims of Kazakhstan (DUMK), announcement of 7 June 2024 (Dhul-Hijja began on 7 June); Labour Code art. 84, Law "On holidays" art. 5'),
	-- 2025
	('2025-01-03', 'off', 'Day of rest moved from Sunday 5 January', 'Order of the Minister of Labour and Social Protection of Population "On moving a day of rest in 2025", November 2024 (adilet.zan.kz G24G0000436)'),
	('2025-01-05', 'work', 'Sunday made working: its day of rest moved to Friday 3 January', 'Order of the Minister of Labour and Social Protection of Population "On moving a day of rest in 2025", November 2024 (adilet.zan.kz G24G0000436)'),
	('2025-06-06', 'holiday', 'Kurban Ait, first day', 'DUMK religious calendar for 2025; egov.kz calendar of holidays 2025; Labour Code art. 84'),
	-- 2026: no order moving days of rest was found; the egov.kz calendar for
	-- 2026 (published 2 January 2026) has only the Law's moves. 30 August is
	-- no longer a holiday (new Constitution, referendum of 15 March 2026):
	-- that is a rule, in workflow/calendar.c.
	('2026-05-27', 'holiday', 'Kurban Ait, first day', 'DUMK religious calendar for 2026, published 6 November 2025; egov.kz calendar of holidays 2026 (2 January 2026); Labour Code art. 84'),
	-- 2027: no order moving days of rest was found (as of November 2026), and
	-- DUMK's calendar for 2027 was not found: the date below is computed.
	('2027-05-16', 'holiday', 'Kurban Ait, first day: ESTIMATE, a Sunday (no day off either way); if DUMK gives Monday 17 May, set that day instead', 'ESTIMATE, not confirmed: 10 Dhul-Hijja 1448 from the new moon of 6 May 2027 10:59 UTC, by the rule DUMK followed in 2024-2026; replace with DUMK''s calendar for 2027');

GRANT SELECT ON hotline.calendar_days TO hotline_app;

INSERT INTO hotline.schema_migrations (version, name) VALUES (2, 'calendar');
