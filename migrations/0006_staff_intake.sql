-- 0006: which staff member took an appeal in by hand: the trust-line
-- operator who logged a call (seed 004 L187-193) or the registrar who
-- registered a written or in-person appeal (seed 001 L261). Written in the
-- registering transaction. It holds no content: the operator's console
-- lists their own calls of the day from it by number and time only.
CREATE TABLE hotline.staff_intake (
	case_id       bigint PRIMARY KEY REFERENCES hotline.cases (id),
	staff_id      bigint NOT NULL REFERENCES hotline.staff_users (id),
	kind          text NOT NULL CHECK (kind IN ('call', 'desk')),
	-- the day the appeal reached the organisation (a letter may be
	-- registered the day after it came); a call's is its registration day
	received_on   date NOT NULL,
	-- a call logged while the line was closed; its reason is in the
	-- encrypted content
	outside_hours boolean NOT NULL DEFAULT false,
	logged_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX staff_intake_by_staff ON hotline.staff_intake (staff_id, kind, logged_at);

GRANT SELECT, INSERT ON hotline.staff_intake TO hotline_app;

INSERT INTO hotline.schema_migrations (version, name) VALUES (6, 'staff_intake');
