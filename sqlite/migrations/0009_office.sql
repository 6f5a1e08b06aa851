-- Council office (issue 6, sqlstore/office*.go): paper drafts with versions
-- and uploaded attachments, reference number schemes and gap-free counters,
-- motions, agenda bookkeeping (level, added/changed times for the Nachtrag),
-- minutes state (attendance, sign-off, publication). Regular papers,
-- consultations, meetings, agenda items and files stay in the 0001 tables.

CREATE TABLE office_drafts (
	id INTEGER PRIMARY KEY,
	body_id INTEGER NOT NULL,
	department_id INTEGER NOT NULL DEFAULT 0,
	author_id INTEGER NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	paper_type TEXT NOT NULL DEFAULT '',
	public INTEGER NOT NULL DEFAULT 1,
	sections TEXT NOT NULL DEFAULT '',
	consultations TEXT NOT NULL DEFAULT '',
	parent_paper_id INTEGER NOT NULL DEFAULT 0,
	state TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1,
	paper_id INTEGER NOT NULL DEFAULT 0,
	reference TEXT NOT NULL DEFAULT '',
	released_by INTEGER NOT NULL DEFAULT 0,
	released TEXT,
	created TEXT,
	modified TEXT
);
CREATE INDEX office_drafts_body ON office_drafts (body_id, state);

CREATE TABLE office_draft_versions (
	draft_id INTEGER NOT NULL REFERENCES office_drafts (id) ON DELETE CASCADE,
	version INTEGER NOT NULL,
	account_id INTEGER NOT NULL,
	saved TEXT,
	name TEXT NOT NULL DEFAULT '',
	paper_type TEXT NOT NULL DEFAULT '',
	sections TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (draft_id, version)
);

CREATE TABLE office_draft_files (
	id INTEGER PRIMARY KEY,
	draft_id INTEGER NOT NULL REFERENCES office_drafts (id) ON DELETE CASCADE,
	name TEXT NOT NULL DEFAULT '',
	file_name TEXT NOT NULL DEFAULT '',
	mime_type TEXT NOT NULL DEFAULT '',
	size INTEGER NOT NULL DEFAULT 0,
	sha256 TEXT NOT NULL DEFAULT '',
	sha512 TEXT NOT NULL DEFAULT '',
	blob_key TEXT NOT NULL DEFAULT '',
	public INTEGER NOT NULL DEFAULT 1,
	created TEXT
);
CREATE INDEX office_draft_files_draft ON office_draft_files (draft_id);

CREATE TABLE office_reference_schemes (
	body_id INTEGER PRIMARY KEY,
	scheme TEXT NOT NULL
);

-- One row per body and year; next is the next free running number. The row
-- is updated in the releasing transaction, so numbers are gap-free.
CREATE TABLE office_reference_counters (
	body_id INTEGER NOT NULL,
	year INTEGER NOT NULL,
	next INTEGER NOT NULL,
	PRIMARY KEY (body_id, year)
);

CREATE TABLE office_motions (
	id INTEGER PRIMARY KEY,
	body_id INTEGER NOT NULL,
	kind TEXT NOT NULL,
	organization_id INTEGER NOT NULL DEFAULT 0,
	faction_id INTEGER NOT NULL DEFAULT 0,
	person_id INTEGER NOT NULL DEFAULT 0,
	submitted_by INTEGER NOT NULL,
	title TEXT NOT NULL DEFAULT '',
	text TEXT NOT NULL DEFAULT '',
	reasoning TEXT NOT NULL DEFAULT '',
	received TEXT,
	state TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	decided_by INTEGER NOT NULL DEFAULT 0,
	decided TEXT,
	paper_id INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX office_motions_body ON office_motions (body_id, state);

CREATE TABLE office_agenda (
	item_id INTEGER PRIMARY KEY,
	meeting_id INTEGER NOT NULL,
	level INTEGER NOT NULL DEFAULT 0,
	added TEXT,
	changed TEXT
);
CREATE INDEX office_agenda_meeting ON office_agenda (meeting_id);

CREATE TABLE office_meetings (
	meeting_id INTEGER PRIMARY KEY,
	invited TEXT,
	minutes_text TEXT NOT NULL DEFAULT '',
	chair_account_id INTEGER NOT NULL DEFAULT 0,
	chair_signed TEXT,
	recorder_account_id INTEGER NOT NULL DEFAULT 0,
	recorder_signed TEXT,
	published TEXT,
	file_id INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE office_attendance (
	meeting_id INTEGER NOT NULL,
	person_id INTEGER NOT NULL,
	status TEXT NOT NULL,
	arrived TEXT,
	left_at TEXT,
	PRIMARY KEY (meeting_id, person_id)
);
