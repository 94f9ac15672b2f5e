-- 0022: no clear text about a case in the database (issue 14; docs/keys.md,
-- "Staff text"). What a person types about a case is stored as a blob
-- under the case's content key (crypto/seal.h content_encrypt: nonce ||
-- secretbox), so it reads only with a key that opens the case. The clear
-- columns stay for the rows written before this migration: the pages show
-- them as they are until a key holder runs `hotlinectl case seal-text`
-- (deploy/README.md), which encrypts them and empties the clear columns.
-- New rows never fill them (the checks below make one of the two present).

-- The reason a reporter's identity is to be revealed.
ALTER TABLE hotline.identity_reveals
	ADD COLUMN reason_sealed bytea,
	ALTER COLUMN reason DROP NOT NULL,
	ADD CONSTRAINT identity_reveals_reason_given
		CHECK (reason IS NOT NULL OR reason_sealed IS NOT NULL);

-- The unit a report not about corruption is sent to, and the body the
-- materials were forwarded to.
ALTER TABLE hotline.cases
	ADD COLUMN referred_unit_sealed bytea,
	ADD COLUMN forwarded_to_sealed bytea;

-- A request for materials: whom it goes to and what it asks for.
ALTER TABLE hotline.material_requests
	ADD COLUMN addressee_sealed bytea,
	ADD COLUMN what_sealed bytea,
	ALTER COLUMN addressee DROP NOT NULL,
	ALTER COLUMN what DROP NOT NULL,
	ADD CONSTRAINT material_requests_text_given CHECK (
		(addressee IS NOT NULL AND what IS NOT NULL) OR
		(addressee_sealed IS NOT NULL AND what_sealed IS NOT NULL));

-- Who declared a personal interest in a case. The name was the key; a
-- sealed name cannot be (each blob has its own nonce), so a row gets an id
-- and the writer compares the decrypted names (workflow/names.c compares
-- across scripts and initials, which no hash of the text could).
ALTER TABLE hotline.interest_declarations
	DROP CONSTRAINT interest_declarations_pkey,
	ADD COLUMN id bigserial PRIMARY KEY,
	ADD COLUMN name_sealed bytea,
	ALTER COLUMN name DROP NOT NULL,
	ADD CONSTRAINT interest_declarations_name_given
		CHECK (name IS NOT NULL OR name_sealed IS NOT NULL);
CREATE UNIQUE INDEX interest_declarations_clear_name
	ON hotline.interest_declarations (case_id, name) WHERE name IS NOT NULL;

-- The commission's members: name and position.
ALTER TABLE hotline.commission_members
	DROP CONSTRAINT commission_members_pkey,
	ADD COLUMN id bigserial PRIMARY KEY,
	ADD COLUMN name_sealed bytea,
	ADD COLUMN position_sealed bytea,
	ALTER COLUMN name DROP NOT NULL,
	ALTER COLUMN position DROP NOT NULL,
	ADD CONSTRAINT commission_members_name_given
		CHECK (name IS NOT NULL OR name_sealed IS NOT NULL);
CREATE UNIQUE INDEX commission_members_clear_name
	ON hotline.commission_members (investigation_id, name) WHERE name IS NOT NULL;

-- The norms a conclusion cites: under the conclusion's own key, like the
-- findings and the proposed measures beside them (migrations/0008).
ALTER TABLE hotline.investigations ADD COLUMN norms_sealed bytea;

GRANT USAGE ON SEQUENCE hotline.interest_declarations_id_seq,
	hotline.commission_members_id_seq TO hotline_app;

INSERT INTO hotline.schema_migrations (version, name) VALUES (22, 'staff_text_sealed');
