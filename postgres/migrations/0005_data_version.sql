-- The data version (sqlstore/version.go): one counter bumped in the same
-- transaction as every write of council data, read by the response cache
-- (respcache) once per request to know whether cached pages are current.
-- Instances sharing the database see each other's writes at once.
CREATE TABLE data_version (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	version BIGINT NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 1);
