-- OParl importer state (sqlstore/external.go): external id → local ID per
-- kind, an ID counter per kind, and key/value progress of list walks.

CREATE TABLE import_external_ids (
	kind TEXT NOT NULL,
	external_id TEXT NOT NULL,
	id BIGINT NOT NULL,
	state TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (kind, external_id)
);
CREATE INDEX import_external_ids_state ON import_external_ids (kind, state);

CREATE TABLE import_id_counters (
	kind TEXT PRIMARY KEY,
	last_id BIGINT NOT NULL
);

CREATE TABLE import_state (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
