-- 0033: the organisation's face on the public pages and the trust page
-- (issue 16): its name (the existing 'organisation' key), the trust line's
-- number and e-mail, its hours and the safety and privacy texts per
-- language (kk, ru, en; a missing row means the default text of the po
-- catalog), and an optional logo. The administrator edits them on
-- /staff/admin/settings; `hotlinectl settings set` takes the same keys.
-- The daemon caches them (intake/trust.c, docs/http.md "The trust page").

ALTER TABLE hotline.settings DROP CONSTRAINT settings_key_known;
ALTER TABLE hotline.settings ADD CONSTRAINT settings_key_known CHECK (key IN (
	'director_email', 'alternate_email', 'compliance_email', 'console_url', 'organisation',
	'reply_working_days', 'consider_anonymous_reports',
	'trust_phone', 'trust_email',
	'trust_hours_kk', 'trust_hours_ru', 'trust_hours_en',
	'trust_safety_kk', 'trust_safety_ru', 'trust_safety_en',
	'trust_privacy_kk', 'trust_privacy_ru', 'trust_privacy_en'));
-- The settings page checks the same limits (workflow/site.h); this is the
-- last word for hotlinectl too. NOT VALID: rows written before are left as
-- they are; every new value is checked.
ALTER TABLE hotline.settings ADD CONSTRAINT settings_value_length CHECK (
	char_length(value) <= CASE
		WHEN key LIKE 'trust\_safety\_%' OR key LIKE 'trust\_privacy\_%' THEN 8000
		ELSE 300 END) NOT VALID;

-- The logo: one row or none. PNG, JPEG or WebP only (no SVG: an image
-- that can carry script), at most 256 KiB: it is served from memory on
-- every public page that shows it.
CREATE TABLE hotline.site_logo (
	one          boolean PRIMARY KEY DEFAULT true CHECK (one),
	content_type text NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/webp')),
	image        bytea NOT NULL CHECK (octet_length(image) BETWEEN 1 AND 262144),
	changed_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- A setting changed by a person of the staff pages: set (or removed when
-- p_value is NULL or ''), audited as admin.settings.set or
-- admin.settings.clear with the key as the object, never the value. True
-- when it changed anything (an unchanged value writes no audit row).
CREATE FUNCTION hotline.settings_set_by(p_actor_id bigint, p_actor text, p_key text,
	p_value text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, hotline AS $$
DECLARE
	v_old text;
BEGIN
	SELECT value INTO v_old FROM hotline.settings WHERE key = p_key FOR UPDATE;
	IF coalesce(p_value, '') = '' THEN
		IF v_old IS NULL THEN
			RETURN false;
		END IF;
		DELETE FROM hotline.settings WHERE key = p_key;
		PERFORM hotline.audit_append(p_actor_id, p_actor, 'admin.settings.clear', p_key);
		RETURN true;
	END IF;
	IF v_old IS NOT DISTINCT FROM p_value THEN
		RETURN false;
	END IF;
	INSERT INTO hotline.settings (key, value) VALUES (p_key, p_value)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, changed_at = now();
	PERFORM hotline.audit_append(p_actor_id, p_actor, 'admin.settings.set', p_key);
	RETURN true;
END
$$;

-- The logo set (p_image not NULL) or removed, audited as admin.logo.set or
-- admin.logo.clear (object: the content type, or ''). True when it changed.
CREATE FUNCTION hotline.site_logo_set_by(p_actor_id bigint, p_actor text, p_content_type text,
	p_image bytea) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, hotline AS $$
BEGIN
	IF p_image IS NULL THEN
		DELETE FROM hotline.site_logo;
		IF NOT FOUND THEN
			RETURN false;
		END IF;
		PERFORM hotline.audit_append(p_actor_id, p_actor, 'admin.logo.clear', '');
		RETURN true;
	END IF;
	INSERT INTO hotline.site_logo (one, content_type, image, changed_at)
		VALUES (true, p_content_type, p_image, clock_timestamp())
		ON CONFLICT (one) DO UPDATE SET content_type = excluded.content_type,
			image = excluded.image, changed_at = excluded.changed_at;
	PERFORM hotline.audit_append(p_actor_id, p_actor, 'admin.logo.set', p_content_type);
	RETURN true;
END
$$;

REVOKE ALL ON FUNCTION hotline.settings_set_by, hotline.site_logo_set_by FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hotline.settings_set_by, hotline.site_logo_set_by TO hotline_app;
GRANT SELECT ON hotline.site_logo TO hotline_app;

INSERT INTO hotline.schema_migrations (version, name) VALUES (33, 'trust_settings');
