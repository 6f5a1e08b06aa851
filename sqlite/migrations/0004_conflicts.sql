-- Declared conflicts of interest (Befangenheit) of persons on agenda items
-- (sqlstore/account.go, issue 5): read by the visibility predicates.

CREATE TABLE conflicts_of_interest (
	id INTEGER PRIMARY KEY,
	person_id INTEGER NOT NULL,
	agenda_item_id INTEGER NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	recorded_by INTEGER NOT NULL DEFAULT 0,
	created TEXT NOT NULL
);
CREATE UNIQUE INDEX conflicts_item_person ON conflicts_of_interest (agenda_item_id, person_id);
CREATE INDEX conflicts_person ON conflicts_of_interest (person_id);
