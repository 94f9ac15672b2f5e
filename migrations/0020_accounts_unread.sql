-- 0020: the administrator runs accounts and reads nothing (docs/staff.md,
-- "Accounts and activation", "Privileged roles need a second person").
--   * A new or reset account has no password and no key pair, only a
--     one-time activation code (its hash here, 72 hours, single use); its
--     holder sets the password at /staff/activate and only then is the key
--     pair made and wrapped under it.
--   * Granting compliance, director, alternate or custodian is a request
--     (hotline.staff_grants_pending) until a compliance manager or the
--     director other than the person and the one who asked confirms it.
--   * hotline_app may read accounts but changes them only through the
--     SECURITY DEFINER functions below, each writing its audit row through
--     hotline.audit_append in the same call.
--   * Every key these functions store is of form 2 (migration 0019,
--     staff/account.h): password_hash NULL, kdf_version 2 and the limits
--     the caller derived with (account_kdf_current()); an account without
--     keys yet carries the limits its activation will use.

ALTER TABLE hotline.staff_users
	ALTER COLUMN kek_salt DROP NOT NULL,
	ALTER COLUMN public_key DROP NOT NULL,
	ALTER COLUMN secret_key_wrapped DROP NOT NULL,
	-- BLAKE2b-256 of the code (staff/activation.c): the code has 100
	-- random bits, so a dump gives a guesser nothing to test cheaply
	ADD COLUMN activation_hash bytea CHECK (length(activation_hash) = 32),
	ADD COLUMN activation_expires_at timestamptz,
	-- (password_hash is 0019's business: NULL in form 2, with or
	-- without keys)
	ADD CONSTRAINT staff_users_keys_whole CHECK (
		(kek_salt IS NULL) = (public_key IS NULL)
		AND (secret_key_wrapped IS NULL) = (public_key IS NULL)),
	ADD CONSTRAINT staff_users_activation_whole CHECK (
		(activation_hash IS NULL) = (activation_expires_at IS NULL));

-- A privileged role asked for and not yet confirmed. requested_by NULL:
-- asked by hotlinectl (requested_login names the operating-system user).
CREATE TABLE hotline.staff_grants_pending (
	id              bigserial PRIMARY KEY,
	user_id         bigint NOT NULL REFERENCES hotline.staff_users (id),
	role            text NOT NULL CHECK (role IN ('compliance', 'director', 'alternate',
		'custodian')),
	requested_by    bigint REFERENCES hotline.staff_users (id),
	requested_login text NOT NULL,
	requested_at    timestamptz NOT NULL DEFAULT now(),
	UNIQUE (user_id, role)
);

-- ------------------------------------------------------------ internals
-- (not granted to hotline_app)

-- The bootstrap of an empty installation: a privileged role takes effect
-- at once only when asked by hotlinectl (the database owner, never
-- hotline_app) while no enabled account holds compliance or director.
CREATE FUNCTION hotline.staff_may_bootstrap() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, hotline AS $$
	SELECT session_user <> 'hotline_app' AND NOT EXISTS (
		SELECT 1 FROM hotline.staff_users
		WHERE NOT disabled AND roles && ARRAY['compliance', 'director']);
$$;

-- Sets the roles of p_user_id to p_roles: dropped roles and non-privileged
-- ones at once, privileged new ones as requests (or at once by the
-- bootstrap rule); returns the roles left waiting.
CREATE FUNCTION hotline.staff_apply_roles(p_user_id bigint, p_roles text[], p_actor_id bigint,
	p_actor text) RETURNS text[]
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, hotline AS $$
DECLARE
	v_priv constant text[] := ARRAY['compliance', 'director', 'alternate', 'custodian'];
	v_cur text[];
	v_login text;
	v_boot boolean := hotline.staff_may_bootstrap();
	v_new text[];
	v_wait text[];
	v_role text;
BEGIN
	SELECT roles, login INTO STRICT v_cur, v_login FROM hotline.staff_users
		WHERE id = p_user_id FOR UPDATE;
	DELETE FROM hotline.staff_grants_pending
		WHERE user_id = p_user_id AND NOT (role = ANY (p_roles));
	SELECT coalesce(array_agg(DISTINCT r), '{}') INTO v_new FROM unnest(p_roles) r
		WHERE NOT (r = ANY (v_priv)) OR r = ANY (v_cur) OR v_boot;
	SELECT coalesce(array_agg(DISTINCT r), '{}') INTO v_wait FROM unnest(p_roles) r
		WHERE NOT (r = ANY (v_new));
	FOREACH v_role IN ARRAY v_new LOOP
		IF v_role = ANY (v_priv) AND NOT (v_role = ANY (v_cur)) THEN
			PERFORM hotline.audit_append(p_actor_id, p_actor, 'grant.bootstrap',
				v_login || ':' || v_role);
		END IF;
	END LOOP;
	FOREACH v_role IN ARRAY v_wait LOOP
		INSERT INTO hotline.staff_grants_pending (user_id, role, requested_by, requested_login)
			VALUES (p_user_id, v_role, p_actor_id, p_actor)
			ON CONFLICT (user_id, role) DO NOTHING;
		IF FOUND THEN
			PERFORM hotline.audit_append(p_actor_id, p_actor, 'grant.request',
				v_login || ':' || v_role);
		END IF;
	END LOOP;
	IF NOT (v_new @> v_cur AND v_cur @> v_new) THEN
		UPDATE hotline.staff_users SET roles = v_new, epoch = epoch + 1, changed_at = now()
			WHERE id = p_user_id;
	END IF;
	RETURN v_wait;
END
$$;

-- ------------------------------------------------------------ accounts

-- A new account without password or keys; NULL when the login is taken.
-- p_actor_id NULL: hotlinectl (audited "user.add"), else the admin page.
CREATE FUNCTION hotline.staff_account_add(p_actor_id bigint, p_actor text, p_login text,
	p_name text, p_roles text[], p_activation_hash bytea, p_kdf_opslimit bigint,
	p_kdf_memlimit bigint) RETURNS text[]
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, hotline AS $$
DECLARE
	v_id bigint;
BEGIN
	INSERT INTO hotline.staff_users (login, display_name, roles, activation_hash,
		activation_expires_at, password_hash, kdf_version, kdf_opslimit, kdf_memlimit)
		VALUES (p_login, p_name, '{}', p_activation_hash, now() + interval '72 hours',
			NULL, 2, p_kdf_opslimit, p_kdf_memlimit)
		ON CONFLICT (login) DO NOTHING RETURNING id INTO v_id;
	IF v_id IS NULL THEN
		RETURN NULL;
	END IF;
	PERFORM hotline.audit_append(p_actor_id, p_actor,
		CASE WHEN p_actor_id IS NULL THEN 'user.add' ELSE 'admin.user.add' END, p_login);
	RETURN hotline.staff_apply_roles(v_id, p_roles, p_actor_id, p_actor);
END
$$;

-- A new activation code: the password, the keys, the case key grant and
-- the TOTP enrolment are gone, sessions end; the privileged roles wait for
-- a confirmation again (of the new key's fingerprint). NULL: no such login.
CREATE FUNCTION hotline.staff_account_reset(p_actor_id bigint, p_actor text, p_login text,
	p_activation_hash bytea, p_kdf_opslimit bigint, p_kdf_memlimit bigint) RETURNS text[]
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, hotline AS $$
DECLARE
	v_priv constant text[] := ARRAY['compliance', 'director', 'alternate', 'custodian'];
	v_id bigint;
	v_roles text[];
	v_role text;
BEGIN
	SELECT id, roles INTO v_id, v_roles FROM hotline.staff_users WHERE login = p_login
		FOR UPDATE;
	IF v_id IS NULL THEN
		RETURN NULL;
	END IF;
	UPDATE hotline.staff_users SET password_hash = NULL, kek_salt = NULL, public_key = NULL,
		secret_key_wrapped = NULL, case_key_sealed = NULL, totp_wrapped = NULL,
		kdf_version = 2, kdf_opslimit = p_kdf_opslimit, kdf_memlimit = p_kdf_memlimit,
		activation_hash = p_activation_hash,
		activation_expires_at = now() + interval '72 hours',
		roles = ARRAY(SELECT r FROM unnest(v_roles) r WHERE NOT (r = ANY (v_priv))),
		failed_logins = 0, epoch = epoch + 1, changed_at = now()
		WHERE id = v_id;
	PERFORM hotline.audit_append(p_actor_id, p_actor,
		CASE WHEN p_actor_id IS NULL THEN 'user.reset' ELSE 'admin.user.reset' END, p_login);
	FOREACH v_role IN ARRAY v_roles LOOP
		IF v_role = ANY (v_priv) THEN
			INSERT INTO hotline.staff_grants_pending (user_id, role, requested_by,
				requested_login) VALUES (v_id, v_role, p_actor_id, p_actor)
				ON CONFLICT (user_id, role) DO NOTHING;
			PERFORM hotline.audit_append(p_actor_id, p_actor, 'grant.request',
				p_login || ':' || v_role);
		END IF;
	END LOOP;
	RETURN ARRAY(SELECT role FROM hotline.staff_grants_pending WHERE user_id = v_id
		ORDER BY role);
END
$$;

-- The holder of a valid activation code sets the account's first
-- password and key pair. The account's id, or 0 for a wrong, used or
-- expired code, or a disabled account.
CREATE FUNCTION hotline.staff_account_activate(p_login text, p_code_hash bytea,
	p_kek_salt bytea, p_public_key bytea, p_sk_wrapped bytea, p_kdf_opslimit bigint,
	p_kdf_memlimit bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, hotline AS $$
DECLARE
	v_id bigint;
BEGIN
	UPDATE hotline.staff_users SET password_hash = NULL, kek_salt = p_kek_salt,
		public_key = p_public_key, secret_key_wrapped = p_sk_wrapped, kdf_version = 2,
		kdf_opslimit = p_kdf_opslimit, kdf_memlimit = p_kdf_memlimit,
		activation_hash = NULL, activation_expires_at = NULL, failed_logins = 0,
		epoch = epoch + 1, changed_at = now()
		WHERE login = p_login AND activation_hash = p_code_hash
		AND activation_expires_at > now() AND NOT disabled AND public_key IS NULL
		RETURNING id INTO v_id;
	IF v_id IS NULL THEN
		RETURN 0;
	END IF;
	PERFORM hotline.audit_append(v_id, p_login, 'account.activate', p_login);
	RETURN v_id;
END
$$;

-- The person's own new password: the same key pair and TOTP secret,
-- wrapped anew; the account's other sessions end (new epoch, returned;
-- NULL: no such active account, or its password changed meanwhile:
-- p_old_salt is the salt the caller unwrapped with).
CREATE FUNCTION hotline.staff_password_set(p_user_id bigint, p_old_salt bytea,
	p_kek_salt bytea, p_sk_wrapped bytea, p_totp_wrapped bytea, p_kdf_opslimit bigint,
	p_kdf_memlimit bigint) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, hotline AS $$
DECLARE
	v_epoch integer;
	v_login text;
BEGIN
	UPDATE hotline.staff_users SET password_hash = NULL, kek_salt = p_kek_salt,
		secret_key_wrapped = p_sk_wrapped, kdf_version = 2, kdf_opslimit = p_kdf_opslimit,
		kdf_memlimit = p_kdf_memlimit,
		totp_wrapped = CASE WHEN totp_wrapped IS NULL THEN NULL ELSE p_totp_wrapped END,
		epoch = epoch + 1, changed_at = now()
		WHERE id = p_user_id AND public_key IS NOT NULL AND NOT disabled
		AND kek_salt = p_old_salt -- unchanged since the caller opened it
		AND (totp_wrapped IS NULL OR p_totp_wrapped IS NOT NULL)
		RETURNING epoch, login INTO v_epoch, v_login;
	IF v_epoch IS NOT NULL THEN
		PERFORM hotline.audit_append(p_user_id, v_login, 'account.password', v_login);
	END IF;
	RETURN v_epoch;
END
$$;

-- TOTP enrolment: by the person (p_actor_id their id, "account.totp") or
-- hotlinectl (NULL, "user.totp"), wrapped under the key of the salt
-- p_kek_salt. False: no such active account, or its password changed
-- meanwhile.
CREATE FUNCTION hotline.staff_totp_set(p_actor_id bigint, p_actor text, p_login text,
	p_kek_salt bytea, p_totp_wrapped bytea, p_last_step bigint) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, hotline AS $$
BEGIN
	UPDATE hotline.staff_users SET totp_wrapped = p_totp_wrapped,
		totp_last_step = p_last_step, changed_at = now()
		WHERE login = p_login AND public_key IS NOT NULL AND kek_salt = p_kek_salt
		AND (p_actor_id IS NULL OR id = p_actor_id);
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	PERFORM hotline.audit_append(p_actor_id, p_actor,
		CASE WHEN p_actor_id IS NULL THEN 'user.totp' ELSE 'account.totp' END, p_login);
	RETURN true;
END
$$;

-- Disables or enables an account (its sessions end); NULL: no such login.
CREATE FUNCTION hotline.staff_set_disabled(p_actor_id bigint, p_actor text, p_login text,
	p_disabled boolean) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, hotline AS $$
DECLARE
	v_id bigint;
BEGIN
	UPDATE hotline.staff_users SET disabled = p_disabled, epoch = epoch + 1,
		changed_at = now() WHERE login = p_login RETURNING id INTO v_id;
	IF v_id IS NOT NULL THEN
		PERFORM hotline.audit_append(p_actor_id, p_actor,
			CASE WHEN p_actor_id IS NULL THEN 'user.' ELSE 'admin.user.' END
			|| CASE WHEN p_disabled THEN 'disable' ELSE 'enable' END, p_login);
	END IF;
	RETURN v_id;
END
$$;

-- The roles an account should have (staff_apply_roles): the roles left
-- waiting for a confirmation, NULL when there is no such login.
CREATE FUNCTION hotline.staff_roles_set(p_actor_id bigint, p_actor text, p_login text,
	p_roles text[]) RETURNS text[]
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, hotline AS $$
DECLARE
	v_id bigint;
BEGIN
	SELECT id INTO v_id FROM hotline.staff_users WHERE login = p_login;
	IF v_id IS NULL THEN
		RETURN NULL;
	END IF;
	PERFORM hotline.audit_append(p_actor_id, p_actor,
		CASE WHEN p_actor_id IS NULL THEN 'user.roles' ELSE 'admin.user.roles' END, p_login);
	RETURN hotline.staff_apply_roles(v_id, p_roles, p_actor_id, p_actor);
END
$$;

-- A compliance manager or the director confirms a waiting grant: never
-- their own, never one they asked for, never before the account has its
-- key (the fingerprint compared is of that key). 'done', or why not:
-- 'gone' (no such request), 'not-allowed', 'own', 'asked', 'no-key'.
CREATE FUNCTION hotline.staff_grant_confirm(p_actor_id bigint, p_grant_id bigint) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, hotline AS $$
DECLARE
	v_g hotline.staff_grants_pending;
	v_actor hotline.staff_users;
	v_user hotline.staff_users;
BEGIN
	SELECT * INTO v_g FROM hotline.staff_grants_pending WHERE id = p_grant_id FOR UPDATE;
	IF v_g.id IS NULL THEN
		RETURN 'gone';
	END IF;
	SELECT * INTO v_actor FROM hotline.staff_users WHERE id = p_actor_id;
	IF v_actor.id IS NULL OR v_actor.disabled OR v_actor.public_key IS NULL
	   OR NOT (v_actor.roles && ARRAY['compliance', 'director']) THEN
		RETURN 'not-allowed';
	END IF;
	IF v_g.user_id = p_actor_id THEN
		RETURN 'own';
	END IF;
	IF v_g.requested_by = p_actor_id THEN
		RETURN 'asked';
	END IF;
	SELECT * INTO v_user FROM hotline.staff_users WHERE id = v_g.user_id FOR UPDATE;
	IF v_user.public_key IS NULL THEN
		RETURN 'no-key';
	END IF;
	UPDATE hotline.staff_users SET roles = array_append(roles, v_g.role), changed_at = now()
		WHERE id = v_g.user_id AND NOT (v_g.role = ANY (roles));
	DELETE FROM hotline.staff_grants_pending WHERE id = v_g.id;
	PERFORM hotline.audit_append(p_actor_id, v_actor.login, 'grant.confirm',
		v_user.login || ':' || v_g.role);
	RETURN 'done';
END
$$;

-- ------------------------------------------------------------ logins

-- A failed login (known login or not: the same statement).
CREATE FUNCTION hotline.staff_login_failed(p_login text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, hotline AS $$
DECLARE
	v_id bigint;
BEGIN
	UPDATE hotline.staff_users SET failed_logins = failed_logins + 1, last_failure_at = now()
		WHERE login = p_login RETURNING id INTO v_id;
	PERFORM hotline.audit_append(v_id, CASE WHEN v_id IS NULL THEN '' ELSE p_login END,
		'login.failed', '');
END
$$;

-- A successful login: p_step the TOTP step just accepted (0: none), false
-- when that step was used meanwhile (the login is refused).
CREATE FUNCTION hotline.staff_login_done(p_user_id bigint, p_step bigint) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, hotline AS $$
DECLARE
	v_login text;
BEGIN
	IF p_step > 0 THEN
		UPDATE hotline.staff_users SET totp_last_step = p_step
			WHERE id = p_user_id AND totp_last_step < p_step;
		IF NOT FOUND THEN
			RETURN false;
		END IF;
	END IF;
	UPDATE hotline.staff_users SET failed_logins = 0, last_login_at = now()
		WHERE id = p_user_id RETURNING login INTO v_login;
	PERFORM hotline.audit_append(p_user_id, v_login, 'login', '');
	RETURN true;
END
$$;

-- An account of form 1 (before 0019) that just logged in, wrapped again in
-- form 2 by the daemon (staff/core.c login_upgrade): the same secret key
-- and TOTP secret under a new salt, no more password hash. False when the
-- account is no longer of form 1 (another login came first).
CREATE FUNCTION hotline.staff_login_rewrap(p_user_id bigint, p_kek_salt bytea,
	p_sk_wrapped bytea, p_totp_wrapped bytea, p_kdf_opslimit bigint, p_kdf_memlimit bigint)
	RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, hotline AS $$
DECLARE
	v_login text;
BEGIN
	UPDATE hotline.staff_users SET password_hash = NULL, kek_salt = p_kek_salt,
		secret_key_wrapped = p_sk_wrapped,
		totp_wrapped = CASE WHEN totp_wrapped IS NULL THEN NULL ELSE p_totp_wrapped END,
		kdf_version = 2, kdf_opslimit = p_kdf_opslimit, kdf_memlimit = p_kdf_memlimit,
		changed_at = now()
		WHERE id = p_user_id AND kdf_version = 1 AND public_key IS NOT NULL
		AND (totp_wrapped IS NULL OR p_totp_wrapped IS NOT NULL)
		RETURNING login INTO v_login;
	IF v_login IS NULL THEN
		RETURN false;
	END IF;
	PERFORM hotline.audit_append(p_user_id, v_login, 'account.rewrap', v_login);
	RETURN true;
END
$$;

-- Whether a role's members must give a TOTP code; true when it changed
-- (then audited; hotlinectl's call is audited either way).
CREATE FUNCTION hotline.staff_policy_set(p_actor_id bigint, p_actor text, p_role text,
	p_on boolean) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, hotline AS $$
DECLARE
	v_changed boolean;
BEGIN
	UPDATE hotline.staff_role_policy SET totp_required = p_on, changed_at = now()
		WHERE role = p_role AND totp_required <> p_on;
	v_changed := FOUND;
	IF v_changed OR p_actor_id IS NULL THEN
		PERFORM hotline.audit_append(p_actor_id, p_actor,
			CASE WHEN p_actor_id IS NULL THEN 'role.totp.' ELSE 'admin.role.totp.' END
			|| CASE WHEN p_on THEN 'on' ELSE 'off' END, p_role);
	END IF;
	RETURN v_changed;
END
$$;

-- hotline_app reads accounts (logins, pages) and changes them only
-- through the functions above (0005 let it INSERT and UPDATE directly).
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON hotline.staff_users, hotline.staff_role_policy
	FROM hotline_app;
REVOKE USAGE ON SEQUENCE hotline.staff_users_id_seq FROM hotline_app;
REVOKE ALL ON hotline.staff_grants_pending FROM PUBLIC;
REVOKE ALL ON FUNCTION hotline.staff_may_bootstrap, hotline.staff_apply_roles,
	hotline.staff_account_add, hotline.staff_account_reset, hotline.staff_account_activate,
	hotline.staff_password_set, hotline.staff_totp_set, hotline.staff_set_disabled,
	hotline.staff_roles_set, hotline.staff_grant_confirm, hotline.staff_login_failed,
	hotline.staff_login_done, hotline.staff_login_rewrap, hotline.staff_policy_set
	FROM PUBLIC;
GRANT SELECT ON hotline.staff_grants_pending TO hotline_app;
GRANT EXECUTE ON FUNCTION hotline.staff_account_add, hotline.staff_account_reset,
	hotline.staff_account_activate, hotline.staff_password_set, hotline.staff_totp_set,
	hotline.staff_set_disabled, hotline.staff_roles_set, hotline.staff_grant_confirm,
	hotline.staff_login_failed, hotline.staff_login_done, hotline.staff_login_rewrap,
	hotline.staff_policy_set TO hotline_app;

INSERT INTO hotline.schema_migrations (version, name) VALUES (20, 'accounts_unread');
