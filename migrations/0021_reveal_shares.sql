-- 0021: revealing an identity with no custodian key on the server
-- (issue 14, docs/reveal.md). The unmasking key is split M-of-N among its
-- holders (hotlinectl unmask-key); hotlined only records and releases. For
-- an approved request the custodian downloads a "reveal packet" (the sealed
-- identity and what binds it to the request); the holders open it together
-- off the server (hotlinectl unmask); the custodian then confirms on the
-- request page that it was opened.

-- The release: who downloaded the packet, when, and the packet's binding
-- (SHA-256 of its content) so that a packet changed afterwards can be told
-- from the one released.
ALTER TABLE hotline.identity_reveals
	ADD COLUMN released_by bigint REFERENCES hotline.staff_users (id),
	ADD COLUMN released_at timestamptz,
	ADD COLUMN packet_binding text CHECK (packet_binding ~ '^[0-9a-f]{64}$'),
	ADD CONSTRAINT identity_reveals_released CHECK (
		(released_at IS NULL) = (released_by IS NULL) AND
		(released_at IS NULL) = (packet_binding IS NULL)),
	ADD CONSTRAINT identity_reveals_releaser_not_requester CHECK (released_by <> requested_by);
-- From now on an identity is recorded as revealed only after its packet
-- was released; requests revealed before this migration (through the
-- custodian key on the server) have no release, hence NOT VALID.
ALTER TABLE hotline.identity_reveals
	ADD CONSTRAINT identity_reveals_revealed_after_release
	CHECK (state <> 'revealed' OR released_at IS NOT NULL) NOT VALID;

-- hotline.reveal_failures (wrong custodian passphrases typed into
-- hotlined) is no longer written: no passphrase reaches the server.

INSERT INTO hotline.schema_migrations (version, name) VALUES (21, 'reveal_shares');
