-- Search index, second form (sqlstore/search*.go): pre-weighted postings,
-- so the best hits of a term come from its index alone, in order.
--
-- search_docs.id becomes object_id * 8 + a kind code (1 paper, 2 agenda
-- item, 3 meeting, 4 file, 5 organization, 6 person, 7 body): a posting
-- names its object without reading the document row, so visibility is
-- checked per posting inside the query. The old entries are dropped; the
-- background indexer (or `ratsnetz search reindex`) rebuilds them.
DROP TABLE search_terms;
DELETE FROM search_docs;

-- One row per distinct term of a document. s is the term's weight in the
-- document times the kind boost; dkey the document's date (Unix seconds,
-- very small when it has none): (term, s DESC, dkey DESC, doc_id DESC) is
-- the rank order of one term's hits, read backwards from the primary key.
CREATE TABLE search_postings (
	term TEXT NOT NULL,
	s INTEGER NOT NULL,
	dkey INTEGER NOT NULL,
	doc_id INTEGER NOT NULL,
	PRIMARY KEY (term, s, dkey, doc_id)
) WITHOUT ROWID;
-- Per document: replace its postings, test whether it has a term.
CREATE INDEX search_postings_doc ON search_postings (doc_id, term);

-- The indexed terms with the number of postings written for them (an
-- estimate: raised on every write, lowered only by a full rebuild), to
-- expand prefixes into terms and to start a query at its rarest word.
CREATE TABLE search_vocab (
	term TEXT PRIMARY KEY,
	df INTEGER NOT NULL
) WITHOUT ROWID;

-- Saved searches with e-mail alerts: a member's (account_id, active at
-- once) or a citizen's (email, active after double opt-in). New hits are
-- told once per object (alert_deliveries, recipient "search:<id>") through
-- the feeds outbox and the job queue.
CREATE TABLE search_saved (
	id INTEGER PRIMARY KEY,
	account_id INTEGER REFERENCES accounts(id) ON DELETE CASCADE,
	email TEXT NOT NULL DEFAULT '',
	query TEXT NOT NULL,
	kind TEXT NOT NULL DEFAULT '',
	confirm_hash TEXT NOT NULL DEFAULT '',
	confirm_expires TEXT,
	confirmed_at TEXT,
	unsubscribe_hash TEXT NOT NULL UNIQUE,
	unsubscribe_token TEXT NOT NULL DEFAULT '',
	created TEXT NOT NULL
);
CREATE INDEX search_saved_account ON search_saved (account_id);
CREATE INDEX search_saved_confirm ON search_saved (confirm_hash) WHERE confirm_hash <> '';
