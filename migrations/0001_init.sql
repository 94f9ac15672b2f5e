-- 0001: the journal, cases and their encrypted content, with room for the
-- workflow (events, deadlines) and the outbox.
-- Applied by `hotlinectl migrate` as the database owner, in one transaction.

CREATE SCHEMA IF NOT EXISTS hotline;

CREATE TABLE hotline.schema_migrations (
	version    integer PRIMARY KEY,
	name       text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now()
);

-- The role hotlined logs in as. It may read and append, never rewrite the
-- journal.
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'hotline_app') THEN
		CREATE ROLE hotline_app LOGIN;
	END IF;
END
$$;

-- The journal of appeals (004 L194). Numbers are gap-free per calendar year
-- (Asia/Almaty) because they come from a counter row updated in the
-- registering transaction: a rollback gives the number back. Each row's
-- hash covers the previous row's hash, so any edit breaks the chain
-- (`hotlinectl journal verify`).
CREATE TABLE hotline.journal_head (
	id        integer PRIMARY KEY CHECK (id = 1),
	last_hash bytea NOT NULL
);
INSERT INTO hotline.journal_head (id, last_hash) VALUES (1, '\x0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE hotline.journal_counter (
	year    integer PRIMARY KEY,
	last_no integer NOT NULL
);

CREATE TABLE hotline.journal (
	id             bigserial PRIMARY KEY,
	year           integer NOT NULL,
	seq            integer NOT NULL,
	reg_no         text NOT NULL UNIQUE,
	registered_at  timestamptz NOT NULL,
	channel        text NOT NULL CHECK (channel IN ('web', 'email', 'phone', 'written', 'in_person')),
	content_digest bytea NOT NULL,
	prev_hash      bytea NOT NULL,
	row_hash       bytea NOT NULL,
	UNIQUE (year, seq)
);

CREATE FUNCTION hotline.journal_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'the journal is append-only: % refused', TG_OP;
END
$$;
CREATE TRIGGER journal_append_only BEFORE UPDATE OR DELETE ON hotline.journal
	FOR EACH ROW EXECUTE FUNCTION hotline.journal_refuse_change();
CREATE TRIGGER journal_no_truncate BEFORE TRUNCATE ON hotline.journal
	FOR EACH STATEMENT EXECUTE FUNCTION hotline.journal_refuse_change();

-- The canonical text a journal row's hash covers; hotlinectl computes the
-- same text in C (workflow/journal.c) to verify the chain.
--   v1|<reg_no>|<registered_at as microseconds since the epoch>|<channel>|<hex content_digest>
-- row_hash = sha256(prev_hash || canonical text)

-- Cases: one per appeal. Nothing identifying is stored in clear: content is
-- encrypted under a per-case key sealed to the case-handling public key,
-- identity is sealed to the custodian's public key, the receipt is stored
-- as a keyed hash only.
CREATE TABLE hotline.cases (
	id                 bigserial PRIMARY KEY,
	journal_id         bigint NOT NULL UNIQUE REFERENCES hotline.journal (id),
	receipt_hash       bytea NOT NULL UNIQUE,
	category           text NOT NULL CHECK (category IN ('corruption', 'conflict_of_interest', 'gift', 'unlawful_order', 'other')),
	director_involved  text NOT NULL CHECK (director_involved IN ('yes', 'no', 'unknown')),
	anonymous          boolean NOT NULL,
	language           text NOT NULL CHECK (language IN ('kk', 'ru', 'en')),
	content_key_sealed bytea NOT NULL,
	content            bytea NOT NULL,
	identity_sealed    bytea,
	state              text NOT NULL DEFAULT 'registered',
	state_changed_at   timestamptz NOT NULL DEFAULT now(),
	CHECK (anonymous = (identity_sealed IS NULL))
);

-- Messages between the reporter (through the status page) and staff.
-- body_case: under a per-message key sealed to the case-handling key.
-- body_reporter: under the key derived from the receipt, so the reporter
-- can read the thread back.
CREATE TABLE hotline.messages (
	id             bigserial PRIMARY KEY,
	case_id        bigint NOT NULL REFERENCES hotline.cases (id),
	author         text NOT NULL CHECK (author IN ('reporter', 'staff')),
	created_at     timestamptz NOT NULL DEFAULT now(),
	key_sealed     bytea NOT NULL,
	body_case      bytea NOT NULL,
	body_reporter  bytea NOT NULL
);
CREATE INDEX messages_case ON hotline.messages (case_id, id);

-- Attachments: data is a secretstream under the key of the case (report
-- files, message_id NULL) or of the message; meta holds the encrypted file
-- name and type.
CREATE TABLE hotline.attachments (
	id         bigserial PRIMARY KEY,
	case_id    bigint NOT NULL REFERENCES hotline.cases (id),
	message_id bigint REFERENCES hotline.messages (id),
	meta       bytea NOT NULL,
	data       bytea NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_case ON hotline.attachments (case_id);

-- Room for the workflow: the timeline of a case and its deadlines.
CREATE TABLE hotline.case_events (
	id      bigserial PRIMARY KEY,
	case_id bigint NOT NULL REFERENCES hotline.cases (id),
	at      timestamptz NOT NULL DEFAULT now(),
	kind    text NOT NULL,
	detail  jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX case_events_case ON hotline.case_events (case_id, id);

CREATE TABLE hotline.deadlines (
	id      bigserial PRIMARY KEY,
	case_id bigint NOT NULL REFERENCES hotline.cases (id),
	kind    text NOT NULL,
	due_at  timestamptz NOT NULL,
	met_at  timestamptz,
	UNIQUE (case_id, kind)
);
CREATE INDEX deadlines_open ON hotline.deadlines (due_at) WHERE met_at IS NULL;

-- Notices to send. Written in the transaction that causes them; a sender
-- delivers and marks them. Never report content or identity.
CREATE TABLE hotline.outbox (
	id              bigserial PRIMARY KEY,
	created_at      timestamptz NOT NULL DEFAULT now(),
	kind            text NOT NULL,
	recipient       text NOT NULL,
	subject         text NOT NULL,
	body            text NOT NULL,
	attempts        integer NOT NULL DEFAULT 0,
	next_attempt_at timestamptz NOT NULL DEFAULT now(),
	sent_at         timestamptz,
	last_error      text
);
CREATE INDEX outbox_pending ON hotline.outbox (next_attempt_at) WHERE sent_at IS NULL;

-- Registers one appeal: takes the journal head (serialising registrations),
-- numbers it gap-free for its Almaty year, chains it, and creates its case.
-- SECURITY DEFINER so that hotline_app needs no right to touch the head,
-- the counters or the journal directly.
CREATE FUNCTION hotline.register_case(
	p_channel text, p_receipt_hash bytea, p_category text, p_director_involved text,
	p_language text, p_content_key_sealed bytea, p_content bytea, p_identity_sealed bytea,
	OUT case_id bigint, OUT reg_no text, OUT registered_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, hotline AS $$
DECLARE
	v_prev bytea;
	v_year integer;
	v_seq integer;
	v_digest bytea;
	v_hash bytea;
	v_journal bigint;
BEGIN
	SELECT last_hash INTO STRICT v_prev FROM hotline.journal_head WHERE id = 1 FOR UPDATE;
	registered_at := clock_timestamp();
	v_year := extract(year FROM registered_at AT TIME ZONE 'Asia/Almaty')::integer;
	INSERT INTO hotline.journal_counter AS c (year, last_no) VALUES (v_year, 1)
		ON CONFLICT (year) DO UPDATE SET last_no = c.last_no + 1
		RETURNING last_no INTO v_seq;
	reg_no := format('%s-%s', v_year, lpad(v_seq::text, 6, '0'));
	v_digest := sha256(p_content_key_sealed || p_content || coalesce(p_identity_sealed, ''::bytea));
	v_hash := sha256(v_prev || convert_to(format('v1|%s|%s|%s|%s', reg_no,
		(extract(epoch FROM registered_at) * 1000000)::bigint, p_channel,
		encode(v_digest, 'hex')), 'UTF8'));
	INSERT INTO hotline.journal (year, seq, reg_no, registered_at, channel, content_digest, prev_hash, row_hash)
		VALUES (v_year, v_seq, reg_no, registered_at, p_channel, v_digest, v_prev, v_hash)
		RETURNING id INTO v_journal;
	UPDATE hotline.journal_head SET last_hash = v_hash WHERE id = 1;
	INSERT INTO hotline.cases (journal_id, receipt_hash, category, director_involved, anonymous,
		language, content_key_sealed, content, identity_sealed)
		VALUES (v_journal, p_receipt_hash, p_category, p_director_involved, p_identity_sealed IS NULL,
		p_language, p_content_key_sealed, p_content, p_identity_sealed)
		RETURNING id INTO case_id;
	INSERT INTO hotline.case_events (case_id, kind, detail)
		VALUES (case_id, 'registered', jsonb_build_object('channel', p_channel));
END
$$;

REVOKE ALL ON ALL TABLES IN SCHEMA hotline FROM PUBLIC;
REVOKE ALL ON FUNCTION hotline.register_case FROM PUBLIC;
GRANT USAGE ON SCHEMA hotline TO hotline_app;
GRANT SELECT ON hotline.schema_migrations, hotline.journal TO hotline_app;
GRANT SELECT, UPDATE ON hotline.cases TO hotline_app;
GRANT SELECT, INSERT ON hotline.messages, hotline.attachments, hotline.case_events TO hotline_app;
GRANT SELECT, INSERT, UPDATE ON hotline.deadlines, hotline.outbox TO hotline_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA hotline TO hotline_app;
GRANT EXECUTE ON FUNCTION hotline.register_case TO hotline_app;

INSERT INTO hotline.schema_migrations (version, name) VALUES (1, 'init');
