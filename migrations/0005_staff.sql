-- 0005: staff accounts, the per-role login policy and the audit log
-- (docs/staff.md).

-- One row per person who works in the staff pages. Nothing here opens a
-- case by itself:
--   password_hash     Argon2id (crypto_pwhash_str, INTERACTIVE limits)
--   kek_salt          salt of the key-encryption key derived from the
--                     password (crypto_pwhash Argon2id, INTERACTIVE)
--   public_key        the account's X25519 public key
--   secret_key_wrapped 24-byte nonce || secretbox(secret key) under that key
--   case_key_sealed   the case-handling secret key sealed (crypto_box_seal)
--                     to public_key when granted (`hotlinectl user
--                     grant-cases`), else NULL
--   totp_wrapped      24-byte nonce || secretbox(TOTP secret) under the
--                     password-derived key, NULL when not enrolled
--   totp_last_step    the last 30-second step whose code was accepted: a
--                     code is never accepted twice
--   epoch             bumped by every reset, disable and role change: open
--                     sessions of an older epoch end at their next request
CREATE TABLE hotline.staff_users (
	id                 bigserial PRIMARY KEY,
	login              text NOT NULL UNIQUE CHECK (login ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
	display_name       text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 127),
	roles              text[] NOT NULL DEFAULT '{}' CHECK (roles <@ ARRAY['operator', 'registrar',
		'compliance', 'director', 'alternate', 'commission', 'custodian', 'analyst', 'admin']),
	password_hash      text NOT NULL,
	kek_salt           bytea NOT NULL,
	public_key         bytea NOT NULL CHECK (length(public_key) = 32),
	secret_key_wrapped bytea NOT NULL,
	case_key_sealed    bytea,
	totp_wrapped       bytea,
	totp_last_step     bigint NOT NULL DEFAULT 0,
	disabled           boolean NOT NULL DEFAULT false,
	failed_logins      integer NOT NULL DEFAULT 0,
	last_failure_at    timestamptz,
	last_login_at      timestamptz,
	epoch              integer NOT NULL DEFAULT 1,
	created_at         timestamptz NOT NULL DEFAULT now(),
	changed_at         timestamptz NOT NULL DEFAULT now()
);

-- Per role: whether its members must give a TOTP code at login (a person
-- with several roles needs one when any of them requires it).
CREATE TABLE hotline.staff_role_policy (
	role          text PRIMARY KEY CHECK (role IN ('operator', 'registrar', 'compliance',
		'director', 'alternate', 'commission', 'custodian', 'analyst', 'admin')),
	totp_required boolean NOT NULL DEFAULT false,
	changed_at    timestamptz NOT NULL DEFAULT now()
);
INSERT INTO hotline.staff_role_policy (role) VALUES ('operator'), ('registrar'), ('compliance'),
	('director'), ('alternate'), ('commission'), ('custodian'), ('analyst'), ('admin');

-- The audit log: who (user id and login), what (action), on what (object:
-- an id, a registration number, a login), when. Never content. Each row's
-- hash covers the previous row's hash, like the journal, and
-- `hotlinectl audit verify` walks the chain:
--   v1|<id>|<at as microseconds since the epoch>|<user_id or empty>|
--      <octets of login>:<login>|<octets of action>:<action>|<octets of object>:<object>
--   row_hash = sha256(prev_hash || canonical text)
CREATE TABLE hotline.audit_head (
	id        integer PRIMARY KEY CHECK (id = 1),
	last_hash bytea NOT NULL
);
INSERT INTO hotline.audit_head (id, last_hash) VALUES (1, '\x0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE hotline.audit_log (
	id        bigserial PRIMARY KEY,
	at        timestamptz NOT NULL,
	user_id   bigint REFERENCES hotline.staff_users (id),
	login     text NOT NULL,
	action    text NOT NULL,
	object    text NOT NULL,
	prev_hash bytea NOT NULL,
	row_hash  bytea NOT NULL
);
CREATE INDEX audit_log_user ON hotline.audit_log (user_id, id);
CREATE INDEX audit_log_object ON hotline.audit_log (object, id);

CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON hotline.audit_log
	FOR EACH ROW EXECUTE FUNCTION hotline.journal_refuse_change();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON hotline.audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION hotline.journal_refuse_change();

-- Appends one row: takes the head (serialising writers), chains, returns
-- the row's id. SECURITY DEFINER: hotline_app may not write the log or the
-- head directly.
CREATE FUNCTION hotline.audit_append(p_user_id bigint, p_login text, p_action text, p_object text)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, hotline AS $$
DECLARE
	v_prev bytea;
	v_id bigint;
	v_at timestamptz;
	v_hash bytea;
BEGIN
	SELECT last_hash INTO STRICT v_prev FROM hotline.audit_head WHERE id = 1 FOR UPDATE;
	v_id := nextval('hotline.audit_log_id_seq');
	v_at := date_trunc('microseconds', clock_timestamp());
	v_hash := sha256(v_prev || convert_to(format('v1|%s|%s|%s|%s:%s|%s:%s|%s:%s', v_id,
		(extract(epoch FROM v_at) * 1000000)::bigint, coalesce(p_user_id::text, ''),
		octet_length(p_login), p_login, octet_length(p_action), p_action,
		octet_length(p_object), p_object), 'UTF8'));
	INSERT INTO hotline.audit_log (id, at, user_id, login, action, object, prev_hash, row_hash)
		VALUES (v_id, v_at, p_user_id, p_login, p_action, p_object, v_prev, v_hash);
	UPDATE hotline.audit_head SET last_hash = v_hash WHERE id = 1;
	RETURN v_id;
END
$$;

REVOKE ALL ON hotline.staff_users, hotline.staff_role_policy, hotline.audit_head,
	hotline.audit_log FROM PUBLIC;
REVOKE ALL ON FUNCTION hotline.audit_append FROM PUBLIC;
-- hotlined: logins (reads accounts, counts failures, accepted TOTP steps),
-- the administrator's pages (adds accounts, resets, roles, the policy);
-- it reads the audit log and appends through audit_append only.
GRANT SELECT, INSERT, UPDATE ON hotline.staff_users TO hotline_app;
GRANT SELECT, UPDATE ON hotline.staff_role_policy TO hotline_app;
GRANT SELECT ON hotline.audit_log TO hotline_app;
GRANT USAGE ON SEQUENCE hotline.staff_users_id_seq TO hotline_app;
GRANT EXECUTE ON FUNCTION hotline.audit_append TO hotline_app;

INSERT INTO hotline.schema_migrations (version, name) VALUES (5, 'staff');
