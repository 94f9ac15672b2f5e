-- 0014: the history of the working-day calendar's rows (docs/calendar.md).
--
-- A row of hotline.calendar_days moves every running working-day deadline,
-- so who changed which day, from what to what and when must stay known
-- after the row itself was replaced or removed. A trigger writes the
-- history, so a change made in psql is kept too: the actor is the
-- transaction's hotline.actor setting (hotlinectl sets it to "os:" and the
-- operating-system user, ctl/ctldb.c) or else "db:" and the database role.
-- `hotlinectl calendar history` prints it. Append-only, like the journal.
CREATE TABLE hotline.calendar_history (
	id         bigserial PRIMARY KEY,
	day        date NOT NULL,
	old_kind   text CHECK (old_kind IN ('holiday', 'off', 'work')),
	old_note   text,
	old_source text,
	new_kind   text CHECK (new_kind IN ('holiday', 'off', 'work')),
	new_note   text,
	new_source text,
	changed_by text NOT NULL,
	changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	CHECK (old_kind IS NOT NULL OR new_kind IS NOT NULL)
);
CREATE INDEX calendar_history_day ON hotline.calendar_history (day, id);

CREATE TRIGGER calendar_history_append_only BEFORE UPDATE OR DELETE ON hotline.calendar_history
	FOR EACH ROW EXECUTE FUNCTION hotline.journal_refuse_change();
CREATE TRIGGER calendar_history_no_truncate BEFORE TRUNCATE ON hotline.calendar_history
	FOR EACH STATEMENT EXECUTE FUNCTION hotline.journal_refuse_change();

CREATE FUNCTION hotline.calendar_days_history() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, hotline AS $$
DECLARE
	v_by text := coalesce(nullif(current_setting('hotline.actor', true), ''), 'db:' || session_user);
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO hotline.calendar_history (day, new_kind, new_note, new_source, changed_by)
			VALUES (NEW.day, NEW.kind, NEW.note, NEW.source, v_by);
	ELSIF TG_OP = 'UPDATE' THEN
		IF (OLD.day, OLD.kind, OLD.note, OLD.source) IS NOT DISTINCT FROM
		   (NEW.day, NEW.kind, NEW.note, NEW.source) THEN
			RETURN NULL;
		END IF;
		IF OLD.day <> NEW.day THEN
			INSERT INTO hotline.calendar_history (day, old_kind, old_note, old_source, changed_by)
				VALUES (OLD.day, OLD.kind, OLD.note, OLD.source, v_by);
			INSERT INTO hotline.calendar_history (day, new_kind, new_note, new_source, changed_by)
				VALUES (NEW.day, NEW.kind, NEW.note, NEW.source, v_by);
		ELSE
			INSERT INTO hotline.calendar_history (day, old_kind, old_note, old_source,
				new_kind, new_note, new_source, changed_by)
				VALUES (NEW.day, OLD.kind, OLD.note, OLD.source, NEW.kind, NEW.note,
					NEW.source, v_by);
		END IF;
	ELSE
		INSERT INTO hotline.calendar_history (day, old_kind, old_note, old_source, changed_by)
			VALUES (OLD.day, OLD.kind, OLD.note, OLD.source, v_by);
	END IF;
	RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION hotline.calendar_days_history FROM PUBLIC;

CREATE TRIGGER calendar_days_history AFTER INSERT OR UPDATE OR DELETE ON hotline.calendar_days
	FOR EACH ROW EXECUTE FUNCTION hotline.calendar_days_history();

REVOKE ALL ON hotline.calendar_history FROM PUBLIC;
GRANT SELECT ON hotline.calendar_history TO hotline_app;

INSERT INTO hotline.schema_migrations (version, name) VALUES (14, 'calendar_history');
