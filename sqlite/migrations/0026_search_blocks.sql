-- Search index, per-term posting blocks (sqlstore/search_blocks.go).
--
-- search_blocks holds, for each term with many postings, all its postings
-- in one value ordered by document ID (delta-varint encoded): reading a
-- frequent word and intersecting two of them costs a pass over a few
-- hundred kilobytes instead of one row per posting. search_postings stays
-- the truth; a block is a copy of it as of seq.
--
-- search_stale names the documents whose postings were rewritten (by the
-- incremental indexer) after the blocks were built: a block's postings of
-- a document with a newer seq than the block's are ignored and that
-- document's postings are read from search_postings instead. Building
-- the blocks anew (search reindex, or the background indexer when caught
-- up) empties it. AUTOINCREMENT: a seq is never reused, so a later change
-- always has a greater seq than every block built before it.
CREATE TABLE search_blocks (
	term TEXT PRIMARY KEY,
	seq INTEGER NOT NULL,
	n INTEGER NOT NULL,
	data BLOB NOT NULL
);
CREATE TABLE search_stale (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	doc_id INTEGER NOT NULL
);
