-- 0019: a database dump is no password oracle; TOTP by default for the
-- roles that open cases or identities or run accounts (issue 14;
-- docs/staff.md, "Accounts and keys" and "The second factor").
--
-- kdf_version: how the account's key-encryption key is derived from its
-- password (staff/account.h):
--   1  before this migration: password_hash (crypto_pwhash_str,
--      INTERACTIVE) checks the password; kek = Argon2id(password, kek_salt),
--      INTERACTIVE. Both can be tested offline from a dump. Such an account
--      logs in once more in this form and is wrapped again in form 2 at
--      that login (staff/core.c).
--   2  no password hash (NULL); kek = BLAKE2b keyed with the server secret
--      (account_secret_file, never in the database) of Argon2id(password,
--      kek_salt) at kdf_opslimit / kdf_memlimit (bytes), MODERATE by
--      default; the password is checked by unwrapping secret_key_wrapped.
ALTER TABLE hotline.staff_users
	ADD COLUMN kdf_version smallint NOT NULL DEFAULT 1 CHECK (kdf_version IN (1, 2)),
	ADD COLUMN kdf_opslimit bigint,
	ADD COLUMN kdf_memlimit bigint,
	ALTER COLUMN password_hash DROP NOT NULL;
ALTER TABLE hotline.staff_users
	ADD CONSTRAINT staff_users_kdf_form CHECK (
		(kdf_version = 1 AND password_hash IS NOT NULL) OR
		(kdf_version = 2 AND password_hash IS NULL AND kdf_opslimit IS NOT NULL
			AND kdf_memlimit IS NOT NULL));
-- a row written without naming its form is a new one: form 2 (its writer
-- must then give the limits, or the CHECK above refuses it)
ALTER TABLE hotline.staff_users ALTER COLUMN kdf_version SET DEFAULT 2;

-- A new kek is always form 2: a statement that writes a new kek_salt must
-- also say kdf_version = 2 and its limits (as accountdb.c and staff/core.c
-- do), or the account would keep an old hash no password matches.
CREATE FUNCTION hotline.staff_users_kek_form() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.kek_salt IS DISTINCT FROM OLD.kek_salt AND NEW.kdf_version = 1 THEN
		RAISE EXCEPTION 'a new key-encryption key must be of form 2 (kdf_version, kdf_opslimit, kdf_memlimit; staff/account.h)';
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER staff_users_kek_form BEFORE UPDATE OF kek_salt ON hotline.staff_users
	FOR EACH ROW EXECUTE FUNCTION hotline.staff_users_kek_form();

-- TOTP required by default for compliance, director, alternate, custodian
-- and admin: they open cases, identities or accounts. `hotlinectl role totp
-- ROLE off` (or the admin's policy page) still turns it off.
UPDATE hotline.staff_role_policy SET totp_required = true, changed_at = now()
	WHERE role IN ('compliance', 'director', 'alternate', 'custodian', 'admin');

INSERT INTO hotline.schema_migrations (version, name) VALUES (19, 'account_kdf');
