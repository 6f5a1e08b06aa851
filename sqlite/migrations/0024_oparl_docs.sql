-- Stored OParl documents (sqlstore/oparl_docs.go, oparl/docs.go): the
-- rendered JSON of each public object of one kind (meetings with their
-- embedded agenda items, files and location), as the anonymous public sees
-- it. A set is one kind rendered by one program build for one base URL
-- (key). Its documents are used only while the set's version equals the
-- data version: every write of council data bumps the data version, so a
-- write makes the whole set stale until the builder has rendered it again
-- (pass = the data version a pass started at; a pass writes only while it
-- still owns the set, so two builders cannot mix their documents).
CREATE TABLE oparl_doc_sets (
	id INTEGER PRIMARY KEY,
	key TEXT NOT NULL UNIQUE,
	version INTEGER NOT NULL DEFAULT 0,
	pass INTEGER NOT NULL DEFAULT 0,
	built TEXT
);

CREATE TABLE oparl_docs (
	set_id INTEGER NOT NULL REFERENCES oparl_doc_sets (id) ON DELETE CASCADE,
	id INTEGER NOT NULL,
	pass INTEGER NOT NULL,
	modified TEXT,
	doc BLOB NOT NULL,
	PRIMARY KEY (set_id, id)
);
