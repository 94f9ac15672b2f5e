-- The organisation's documented policy on anonymous reports (KazStandart
-- anti-corruption standard p.6.3): an anonymous appeal is not considered
-- unless it tells of a crime or a threat, but an organisation may decide to
-- consider anonymous reports. `hotlinectl settings set
-- consider_anonymous_reports on|off` records that decision (off when the
-- row is absent); triage (workflow/procedure.c) and the public form's text
-- follow it. The CHECK of 0010 lists every key; this one adds the policy,
-- and the database refuses any value but on or off.

ALTER TABLE hotline.settings DROP CONSTRAINT settings_key_known;
ALTER TABLE hotline.settings ADD CONSTRAINT settings_key_known CHECK (key IN (
	'director_email', 'alternate_email', 'compliance_email', 'console_url', 'organisation',
	'reply_working_days', 'consider_anonymous_reports'));
ALTER TABLE hotline.settings ADD CONSTRAINT settings_consider_anonymous_reports CHECK (
	key <> 'consider_anonymous_reports' OR value IN ('on', 'off'));

INSERT INTO hotline.schema_migrations (version, name) VALUES (11, 'anonymous_policy');
