-- 0015: the chain checkpoints (docs/keys.md, "The checkpoint key").
--
-- hotlined signs the heads of the journal's and the audit log's hash
-- chains with a key the database does not hold, at start and every
-- checkpoint_interval seconds, logs the signed line and mails it to the
-- director and the compliance manager. It keeps each line here too, for
-- convenience only: `hotlinectl journal|audit verify --public-key` checks
-- every stored line's signature and uses the valid ones to narrow down a
-- rewritten row, but a checkpoint kept outside (the mail, the log) is
-- what proves a rewrite, since whoever owns the database may delete rows
-- of this table (not forge them).
CREATE TABLE hotline.checkpoints (
	id         bigserial PRIMARY KEY,
	at         timestamptz NOT NULL DEFAULT now(),
	journal_id bigint NOT NULL,
	audit_id   bigint NOT NULL,
	line       text NOT NULL
);

CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON hotline.checkpoints
	FOR EACH ROW EXECUTE FUNCTION hotline.journal_refuse_change();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON hotline.checkpoints
	FOR EACH STATEMENT EXECUTE FUNCTION hotline.journal_refuse_change();

REVOKE ALL ON hotline.checkpoints FROM PUBLIC;
GRANT SELECT, INSERT ON hotline.checkpoints TO hotline_app;
GRANT USAGE ON SEQUENCE hotline.checkpoints_id_seq TO hotline_app;

INSERT INTO hotline.schema_migrations (version, name) VALUES (15, 'checkpoints');
