-- Stored OParl documents are now raw deflate fragments (oparl/deflate.go),
-- served inside gzip responses as they are. PostgreSQL's default storage
-- would try pglz on them when writing (no gain on compressed bytes) and
-- decompress on every read; EXTERNAL keeps them as they are (out of line
-- when large). Documents of the former layout (plain JSON) are never
-- served by a build that stores the new one; they are dropped here rather
-- than after a day (FinishOParlDocs), and the builder renders them anew.
DELETE FROM oparl_docs;
DELETE FROM oparl_doc_sets;
ALTER TABLE oparl_docs ALTER COLUMN doc SET STORAGE EXTERNAL;
