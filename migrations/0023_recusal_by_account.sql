-- 0023: a declaration of interest removes the seals of the accounts it
-- names, now that the name itself is sealed (migration 0022).
--
-- Migration 0018 matched the declared name against the accounts' display
-- names in SQL (hotline.case_recused); since 0022 the name is stored only
-- under the case's key, so the database can no longer read it. Whoever
-- records a declaration holds that key and the clear name: they match it
-- against the accounts (workflow/names.c, transliterations and initials
-- included) and store the ids of the accounts it names. Account ids are
-- not free text (docs/keys.md, "Staff text"). Rows written before 0022
-- keep their clear name and are still matched by it; `hotlinectl case
-- seal-text` fills the ids of such a row before it seals its name.
ALTER TABLE hotline.interest_declarations
	ADD COLUMN named_user_ids bigint[] NOT NULL DEFAULT '{}';

CREATE OR REPLACE FUNCTION hotline.case_recused(p_case_id bigint, p_user_id bigint, p_display text,
	p_member_name text) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, hotline AS $$
	SELECT EXISTS (SELECT 1 FROM hotline.interest_declarations d WHERE d.case_id = p_case_id
		AND (d.declared_by = p_user_id
		     OR p_user_id = ANY (d.named_user_ids)
		     OR lower(btrim(d.name)) = lower(btrim(p_display))
		     OR lower(btrim(d.name)) = lower(btrim(coalesce(p_member_name, '')))))
$$;

INSERT INTO hotline.schema_migrations (version, name) VALUES (23, 'recusal_by_account');
