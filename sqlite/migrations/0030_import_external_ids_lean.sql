-- The importer's external-id map (sqlstore/external.go): the index on
-- (kind, state) served no query (PendingExternalIDs reads a kind through the
-- primary key, SetExternalIDState updates by key) and cost an index insert
-- per imported object. (PostgreSQL also switches external_id to the C
-- collation; SQLite compares text bytewise already.)
DROP INDEX import_external_ids_state;
