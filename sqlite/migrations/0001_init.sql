-- Ratsnetz schema, SQLite. Times are fixed-width UTC text
-- (2006-01-02T15:04:05.000000Z), booleans 0/1, string lists and structured
-- values JSON text. No foreign keys between domain objects: imported data
-- may reference objects that arrive later.

CREATE TABLE bodies (
	id INTEGER PRIMARY KEY,
	external_id TEXT NOT NULL DEFAULT '',
	created TEXT,
	modified TEXT,
	deleted INTEGER NOT NULL DEFAULT 0,
	name TEXT NOT NULL DEFAULT '',
	short_name TEXT NOT NULL DEFAULT '',
	kind TEXT NOT NULL DEFAULT '',
	owner_body_id INTEGER NOT NULL DEFAULT 0,
	website TEXT NOT NULL DEFAULT '',
	license TEXT NOT NULL DEFAULT '',
	license_valid_since TEXT,
	oparl_since TEXT,
	ags TEXT NOT NULL DEFAULT '',
	rgs TEXT NOT NULL DEFAULT '',
	equivalent TEXT NOT NULL DEFAULT '',
	contact_email TEXT NOT NULL DEFAULT '',
	contact_name TEXT NOT NULL DEFAULT '',
	classification TEXT NOT NULL DEFAULT '',
	location_id INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE legislative_terms (
	id INTEGER PRIMARY KEY,
	external_id TEXT NOT NULL DEFAULT '',
	created TEXT,
	modified TEXT,
	deleted INTEGER NOT NULL DEFAULT 0,
	body_id INTEGER NOT NULL DEFAULT 0,
	name TEXT NOT NULL DEFAULT '',
	start_date TEXT,
	end_date TEXT
);
CREATE INDEX legislative_terms_body ON legislative_terms (body_id, start_date);

CREATE TABLE locations (
	id INTEGER PRIMARY KEY,
	external_id TEXT NOT NULL DEFAULT '',
	created TEXT,
	modified TEXT,
	deleted INTEGER NOT NULL DEFAULT 0,
	body_id INTEGER NOT NULL DEFAULT 0,
	description TEXT NOT NULL DEFAULT '',
	street_address TEXT NOT NULL DEFAULT '',
	room TEXT NOT NULL DEFAULT '',
	postal_code TEXT NOT NULL DEFAULT '',
	sub_locality TEXT NOT NULL DEFAULT '',
	locality TEXT NOT NULL DEFAULT '',
	has_geo INTEGER NOT NULL DEFAULT 0,
	lat REAL NOT NULL DEFAULT 0,
	lon REAL NOT NULL DEFAULT 0
);
CREATE INDEX locations_body ON locations (body_id);

CREATE TABLE organizations (
	id INTEGER PRIMARY KEY,
	external_id TEXT NOT NULL DEFAULT '',
	created TEXT,
	modified TEXT,
	deleted INTEGER NOT NULL DEFAULT 0,
	body_id INTEGER NOT NULL DEFAULT 0,
	name TEXT NOT NULL DEFAULT '',
	short_name TEXT NOT NULL DEFAULT '',
	organization_type TEXT NOT NULL DEFAULT '',
	classification TEXT NOT NULL DEFAULT '',
	post TEXT NOT NULL DEFAULT '',
	sub_organization_of_id INTEGER NOT NULL DEFAULT 0,
	start_date TEXT,
	end_date TEXT,
	website TEXT NOT NULL DEFAULT '',
	location_id INTEGER NOT NULL DEFAULT 0,
	external_body_id INTEGER NOT NULL DEFAULT 0,
	seats INTEGER NOT NULL DEFAULT 0,
	color TEXT NOT NULL DEFAULT '',
	confidential INTEGER NOT NULL DEFAULT 0,
	invitation_days INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX organizations_body ON organizations (body_id);

CREATE TABLE persons (
	id INTEGER PRIMARY KEY,
	external_id TEXT NOT NULL DEFAULT '',
	created TEXT,
	modified TEXT,
	deleted INTEGER NOT NULL DEFAULT 0,
	body_id INTEGER NOT NULL DEFAULT 0,
	name TEXT NOT NULL DEFAULT '',
	family_name TEXT NOT NULL DEFAULT '',
	given_name TEXT NOT NULL DEFAULT '',
	form_of_address TEXT NOT NULL DEFAULT '',
	affix TEXT NOT NULL DEFAULT '',
	title TEXT NOT NULL DEFAULT '',
	gender TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	location_id INTEGER NOT NULL DEFAULT 0,
	status TEXT NOT NULL DEFAULT '',
	life TEXT NOT NULL DEFAULT '',
	life_source TEXT NOT NULL DEFAULT ''
);
CREATE INDEX persons_body ON persons (body_id);

CREATE TABLE memberships (
	id INTEGER PRIMARY KEY,
	external_id TEXT NOT NULL DEFAULT '',
	created TEXT,
	modified TEXT,
	deleted INTEGER NOT NULL DEFAULT 0,
	person_id INTEGER NOT NULL DEFAULT 0,
	organization_id INTEGER NOT NULL DEFAULT 0,
	role TEXT NOT NULL DEFAULT '',
	voting_right INTEGER NOT NULL DEFAULT 0,
	start_date TEXT,
	end_date TEXT,
	on_behalf_of_id INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX memberships_person ON memberships (person_id);
CREATE INDEX memberships_organization ON memberships (organization_id);

CREATE TABLE meetings (
	id INTEGER PRIMARY KEY,
	external_id TEXT NOT NULL DEFAULT '',
	created TEXT,
	modified TEXT,
	deleted INTEGER NOT NULL DEFAULT 0,
	body_id INTEGER NOT NULL DEFAULT 0,
	name TEXT NOT NULL DEFAULT '',
	meeting_state TEXT NOT NULL DEFAULT '',
	cancelled INTEGER NOT NULL DEFAULT 0,
	start_at TEXT,
	end_at TEXT,
	location_id INTEGER NOT NULL DEFAULT 0,
	mode TEXT NOT NULL DEFAULT '',
	public INTEGER NOT NULL DEFAULT 0,
	depublished_at TEXT
);
CREATE INDEX meetings_start ON meetings (start_at, id);
CREATE INDEX meetings_body_start ON meetings (body_id, start_at);

CREATE TABLE meeting_organizations (
	meeting_id INTEGER NOT NULL,
	position INTEGER NOT NULL,
	organization_id INTEGER NOT NULL,
	PRIMARY KEY (meeting_id, position)
);
CREATE INDEX meeting_organizations_org ON meeting_organizations (organization_id, meeting_id);

CREATE TABLE meeting_participants (
	meeting_id INTEGER NOT NULL,
	position INTEGER NOT NULL,
	person_id INTEGER NOT NULL,
	PRIMARY KEY (meeting_id, position)
);
CREATE INDEX meeting_participants_person ON meeting_participants (person_id);

CREATE TABLE agenda_items (
	id INTEGER PRIMARY KEY,
	external_id TEXT NOT NULL DEFAULT '',
	created TEXT,
	modified TEXT,
	deleted INTEGER NOT NULL DEFAULT 0,
	meeting_id INTEGER NOT NULL DEFAULT 0,
	position INTEGER NOT NULL DEFAULT 0,
	number TEXT NOT NULL DEFAULT '',
	name TEXT NOT NULL DEFAULT '',
	public INTEGER NOT NULL DEFAULT 0,
	depublished_at TEXT,
	consultation_id INTEGER NOT NULL DEFAULT 0,
	paper_id INTEGER NOT NULL DEFAULT 0,
	result TEXT NOT NULL DEFAULT '',
	resolution_text TEXT NOT NULL DEFAULT '',
	minutes_text TEXT NOT NULL DEFAULT '',
	vote TEXT NOT NULL DEFAULT '',
	start_at TEXT,
	end_at TEXT,
	urgent INTEGER NOT NULL DEFAULT 0,
	addendum INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX agenda_items_meeting ON agenda_items (meeting_id, position, id);
CREATE INDEX agenda_items_paper ON agenda_items (paper_id);

CREATE TABLE papers (
	id INTEGER PRIMARY KEY,
	external_id TEXT NOT NULL DEFAULT '',
	created TEXT,
	modified TEXT,
	deleted INTEGER NOT NULL DEFAULT 0,
	body_id INTEGER NOT NULL DEFAULT 0,
	name TEXT NOT NULL DEFAULT '',
	reference TEXT NOT NULL DEFAULT '',
	date TEXT,
	paper_type TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT '',
	public INTEGER NOT NULL DEFAULT 0,
	depublished_at TEXT,
	sections TEXT NOT NULL DEFAULT '',
	responsible_person_id INTEGER NOT NULL DEFAULT 0,
	-- lower-cased title and reference for the simple text filter
	search TEXT NOT NULL DEFAULT ''
);
CREATE INDEX papers_date ON papers (date, id);
CREATE INDEX papers_body_date ON papers (body_id, date);
CREATE INDEX papers_type_date ON papers (paper_type, date);
CREATE INDEX papers_status_date ON papers (status, date);
CREATE INDEX papers_reference ON papers (reference);

CREATE TABLE paper_refs (
	paper_id INTEGER NOT NULL,
	kind TEXT NOT NULL,
	position INTEGER NOT NULL,
	ref_id INTEGER NOT NULL,
	PRIMARY KEY (paper_id, kind, position)
);
CREATE INDEX paper_refs_ref ON paper_refs (kind, ref_id);

CREATE TABLE consultations (
	id INTEGER PRIMARY KEY,
	external_id TEXT NOT NULL DEFAULT '',
	created TEXT,
	modified TEXT,
	deleted INTEGER NOT NULL DEFAULT 0,
	paper_id INTEGER NOT NULL DEFAULT 0,
	meeting_id INTEGER NOT NULL DEFAULT 0,
	agenda_item_id INTEGER NOT NULL DEFAULT 0,
	authoritative INTEGER NOT NULL DEFAULT 0,
	role TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT '',
	result TEXT NOT NULL DEFAULT '',
	date TEXT,
	position INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX consultations_paper ON consultations (paper_id, position, id);
CREATE INDEX consultations_meeting ON consultations (meeting_id);
CREATE INDEX consultations_agenda_item ON consultations (agenda_item_id);

CREATE TABLE consultation_organizations (
	consultation_id INTEGER NOT NULL,
	position INTEGER NOT NULL,
	organization_id INTEGER NOT NULL,
	PRIMARY KEY (consultation_id, position)
);
CREATE INDEX consultation_organizations_org ON consultation_organizations (organization_id, consultation_id);

CREATE TABLE files (
	id INTEGER PRIMARY KEY,
	external_id TEXT NOT NULL DEFAULT '',
	created TEXT,
	modified TEXT,
	deleted INTEGER NOT NULL DEFAULT 0,
	body_id INTEGER NOT NULL DEFAULT 0,
	name TEXT NOT NULL DEFAULT '',
	file_name TEXT NOT NULL DEFAULT '',
	mime_type TEXT NOT NULL DEFAULT '',
	date TEXT,
	size INTEGER NOT NULL DEFAULT 0,
	sha256 TEXT NOT NULL DEFAULT '',
	sha512 TEXT NOT NULL DEFAULT '',
	blob_key TEXT NOT NULL DEFAULT '',
	text TEXT NOT NULL DEFAULT '',
	external_service_url TEXT NOT NULL DEFAULT '',
	master_file_id INTEGER NOT NULL DEFAULT 0,
	license TEXT NOT NULL DEFAULT '',
	public INTEGER NOT NULL DEFAULT 0,
	depublished_at TEXT
);
CREATE INDEX files_body ON files (body_id);

CREATE TABLE file_derivatives (
	file_id INTEGER NOT NULL,
	position INTEGER NOT NULL,
	derivative_id INTEGER NOT NULL,
	PRIMARY KEY (file_id, position)
);

-- Every reference from a paper, meeting or agenda item to a file.
CREATE TABLE file_links (
	owner_kind TEXT NOT NULL,
	owner_id INTEGER NOT NULL,
	role TEXT NOT NULL,
	position INTEGER NOT NULL,
	file_id INTEGER NOT NULL,
	PRIMARY KEY (owner_kind, owner_id, role, position)
);
CREATE INDEX file_links_file ON file_links (file_id);
