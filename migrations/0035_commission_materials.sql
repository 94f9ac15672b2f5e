-- 0035: the materials the commission receives (issue 16).
--
-- The commission requests explanations and documents from employees
-- (KazStandart anti-corruption standard p.7.8) and keeps what it receives
-- with the investigation's materials. Each file is tied to the request it
-- answers and is stored as the reporter's files are (docs/keys.md): a fresh
-- content key per file, sealed to the case's own public key (key_sealed, as
-- messages.key_sealed), the file's name, type and size as a blob under it
-- (meta) and its bytes as a stream under it (data). Nothing of the file,
-- not even its name, is in clear; who uploaded it is an account id.
CREATE TABLE hotline.commission_materials (
	id          bigserial PRIMARY KEY,
	request_id  bigint NOT NULL REFERENCES hotline.material_requests (id),
	key_sealed  bytea NOT NULL,
	meta        bytea NOT NULL,
	data        bytea NOT NULL,
	uploaded_by bigint NOT NULL REFERENCES hotline.staff_users (id),
	uploaded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX commission_materials_request ON hotline.commission_materials (request_id, id);

GRANT SELECT, INSERT ON hotline.commission_materials TO hotline_app;
GRANT USAGE ON SEQUENCE hotline.commission_materials_id_seq TO hotline_app;

INSERT INTO hotline.schema_migrations (version, name) VALUES (35, 'commission_materials');
