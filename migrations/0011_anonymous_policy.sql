-- The organisation's documented policy on anonymous reports (KazStandart
-- anti-corruption standard p.6.3): an anonymous appeal is not considered
-- unless it tells of a crime or a threat, but an organisation may decide to
-- consider anonymous reports. `hotlinectl settings set
-- consider_anonymous_reports on|off` records that decision (off when the
-- row is absent); triage (workflow/procedure.c) and the public form's text
-- follow it. The CHECK lists every key of 0003 plus the new one.

ALTER TABLE hotline.settings DROP CONSTRAINT IF EXISTS settings_key_check;
ALTER TABLE hotline.settings ADD CONSTRAINT settings_key_check
	CHECK (key IN ('director_email', 'alternate_email', 'compliance_email', 'console_url',
		'organisation', 'consider_anonymous_reports'));

INSERT INTO hotline.schema_migrations (version, name) VALUES (11, 'anonymous_policy');
