-- The importer's external-id map (sqlstore/external.go) gets one row per
-- imported object and is probed for every reference a list page makes; in a
-- full import its inserts and probes were the largest share of the
-- database's CPU. Two savings, neither changes a result:
-- * external ids are URLs compared for equality only (nothing sorts them):
--   the C collation compares bytes instead of going through the locale on
--   every btree step (with a deterministic collation equality is the same);
-- * the index on (kind, state) served no query (PendingExternalIDs reads a
--   kind through the primary key, SetExternalIDState updates by key) and
--   cost an index insert per object.
DROP INDEX import_external_ids_state;
ALTER TABLE import_external_ids ALTER COLUMN external_id TYPE TEXT COLLATE "C";
