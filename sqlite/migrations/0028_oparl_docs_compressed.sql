-- Stored OParl documents are now raw deflate fragments (oparl/deflate.go),
-- served inside gzip responses as they are (PostgreSQL also switches the
-- column to uncompressed storage). Documents of the former layout (plain
-- JSON) are never served by a build that stores the new one; they are
-- dropped here rather than after a day (FinishOParlDocs), and the builder
-- renders them anew.
DELETE FROM oparl_docs;
DELETE FROM oparl_doc_sets;
