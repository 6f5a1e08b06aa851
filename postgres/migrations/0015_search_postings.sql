-- Search index, second form (sqlstore/search*.go): pre-weighted postings,
-- so the best hits of a term come from its index alone, in order.
--
-- search_docs.id becomes object_id * 8 + a kind code (1 paper, 2 agenda
-- item, 3 meeting, 4 file, 5 organization, 6 person, 7 body): a posting
-- names its object without reading the document row, so visibility is
-- checked per posting inside the query. The old entries are dropped; the
-- background indexer (or `ratsnetz search reindex`) rebuilds them.
DROP TABLE search_terms;
TRUNCATE search_docs;

-- One row per distinct term of a document. s is the term's weight in the
-- document times the kind boost; dkey the document's date (Unix seconds,
-- very small when it has none): (term, s DESC, dkey DESC, doc_id DESC) is
-- the rank order of one term's hits, read backwards from the primary key.
-- Byte order (C collation) so that prefix ranges compare as on SQLite.
CREATE TABLE search_postings (
	term TEXT COLLATE "C" NOT NULL,
	s INTEGER NOT NULL,
	dkey BIGINT NOT NULL,
	doc_id BIGINT NOT NULL,
	PRIMARY KEY (term, s, dkey, doc_id)
);
-- Per document: replace its postings, test whether it has a term.
CREATE INDEX search_postings_doc ON search_postings (doc_id, term);

-- The indexed terms with the number of postings written for them (an
-- estimate: raised on every write, lowered only by a full rebuild), to
-- expand prefixes into terms and to start a query at its rarest word.
CREATE TABLE search_vocab (
	term TEXT COLLATE "C" PRIMARY KEY,
	df BIGINT NOT NULL
);
