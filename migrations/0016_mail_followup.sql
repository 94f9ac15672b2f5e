-- 0016: e-mail follow-ups must prove they come from the reporter
-- (docs/mail-intake.md, "Follow-ups").
--
-- A mail quoting a registration number used to be added to that case on
-- the number alone, which anyone may know. Now it is added only when it
-- proves it belongs: its sender is the address the appeal came from, or it
-- quotes the case's receipt, or the reply token its acknowledgment
-- carried. Both are kept only as keyed BLAKE2b hashes (key derived from
-- the receipt pepper, which is not in the database), never in clear; NULL
-- for appeals that did not come by mail.
ALTER TABLE hotline.cases
	ADD COLUMN mail_sender_hash bytea CHECK (octet_length(mail_sender_hash) = 32),
	ADD COLUMN reply_token_hash bytea CHECK (octet_length(reply_token_hash) = 32);

-- A sealed acknowledgment is sealed under a key of its own, kept in a file
-- of the outbox key's spool folder and erased after delivery, so the
-- copies PostgreSQL keeps of the row (dead tuples, WAL, backups) cannot be
-- opened afterwards (docs/mail-intake.md). sealed_key names that file;
-- NULL: sealed under the outbox key itself (rows made before 0016).
ALTER TABLE hotline.outbox
	ADD COLUMN sealed_key text CHECK (sealed_key ~ '^[0-9a-f]{32}$');

INSERT INTO hotline.schema_migrations (version, name) VALUES (16, 'mail_followup');
