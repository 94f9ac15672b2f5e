-- 0004: the acknowledgment sent to someone who wrote to the hotline by
-- e-mail carries their receipt, and a receipt is never in clear in the
-- database. Such an outbox row keeps recipient, subject and body empty and
-- the whole message in `sealed`: a 24-byte nonce and the secretbox of
-- {"to", "from", "subject", "body"} under the key in outbox_key_file, which
-- only hotlined reads (docs/mail-intake.md). The sender clears `sealed`
-- once the message is sent.
ALTER TABLE hotline.outbox ADD COLUMN sealed bytea;

INSERT INTO hotline.schema_migrations (version, name) VALUES (4, 'outbox_sealed');
