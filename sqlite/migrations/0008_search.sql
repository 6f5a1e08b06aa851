-- Full-text search (sqlstore/search*.go). Text is analysed in Go (package
-- search: German stemming, folding) for both databases; the index is a
-- plain term table queried with the same SQL on SQLite and PostgreSQL, so
-- both find and rank alike. Who may see a hit is decided at query time
-- from the objects' own tables (visibility.go), never stored here.

-- One row per indexed object. src_modified is the object's modified when
-- it was indexed: objects whose modified differs are indexed again.
CREATE TABLE search_docs (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,
	object_id INTEGER NOT NULL,
	src_modified TEXT,
	body_id INTEGER NOT NULL DEFAULT 0,
	paper_type TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT '',
	year INTEGER NOT NULL DEFAULT 0,
	-- multiplies the score: papers, organizations, persons and bodies
	-- first, then agenda items and meetings, then files (which repeat them)
	boost INTEGER NOT NULL DEFAULT 1,
	date TEXT,
	title TEXT NOT NULL DEFAULT '',
	subtitle TEXT NOT NULL DEFAULT '',
	-- the original text the snippet is cut from (pages separated by \f)
	body TEXT NOT NULL DEFAULT '',
	-- all analysed terms in order, space-framed, for phrase tests
	terms TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX search_docs_object ON search_docs (kind, object_id);

-- One row per distinct term of a document; w is its weight (title and
-- reference hits weigh more than body text).
CREATE TABLE search_terms (
	term TEXT NOT NULL,
	doc_id INTEGER NOT NULL,
	w INTEGER NOT NULL,
	PRIMARY KEY (term, doc_id)
) WITHOUT ROWID;
CREATE INDEX search_terms_doc ON search_terms (doc_id);
