-- 0037: the unit a report was sent to, for the reporter (issue 16). The
-- triage records the unit under the case's key (referred_unit_sealed,
-- migration 0022), which the public daemon does not hold, so the
-- reporter's status page could only say "the unit concerned". The same
-- text is now also sealed to the reporter's public key (crypto/seal.h seal_to;
-- the receipt derives the secret half, as for the staff's replies:
-- docs/keys.md, "The reporter's key pair"), and the status page names the
-- unit. NULL when no unit was given, when the case has no reporter key
-- yet, and for every case triaged before this migration.
ALTER TABLE hotline.cases ADD COLUMN referred_unit_reporter bytea;

INSERT INTO hotline.schema_migrations (version, name) VALUES (37, 'unit_for_reporter');
