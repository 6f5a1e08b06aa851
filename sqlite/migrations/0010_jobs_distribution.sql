-- Durable job queue (sqlstore/jobs.go) and distribution (issue 6,
-- sqlstore/distribution*.go): delivery preferences per person, invitations
-- with their frozen agenda PDF, recipients with proof of sending and receipt,
-- print-and-post packets. Times as in 0001 (fixed-width UTC text).

-- A pending job; a completed job is deleted. run_at is the earliest time it
-- may run; a claim moves run_at to the end of the lease, so a job whose
-- worker died is due again when its lease runs out.
CREATE TABLE jobs (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,
	job_key TEXT NOT NULL DEFAULT '',
	payload BLOB NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	run_at TEXT NOT NULL,
	last_error TEXT NOT NULL DEFAULT '',
	created TEXT NOT NULL
);
CREATE UNIQUE INDEX jobs_kind_key ON jobs (kind, job_key) WHERE job_key <> '';
CREATE INDEX jobs_due ON jobs (run_at, id);

CREATE TABLE delivery_prefs (
	person_id INTEGER PRIMARY KEY,
	channel TEXT NOT NULL DEFAULT 'app',
	email TEXT NOT NULL DEFAULT '',
	postal_address TEXT NOT NULL DEFAULT '',
	electronic_consent INTEGER NOT NULL DEFAULT 0,
	consent_at TEXT,
	modified TEXT
);

CREATE TABLE invitations (
	id INTEGER PRIMARY KEY,
	meeting_id INTEGER NOT NULL,
	kind TEXT NOT NULL,
	deadline_met INTEGER NOT NULL DEFAULT 1,
	reason TEXT NOT NULL DEFAULT '',
	changes TEXT NOT NULL DEFAULT '',
	agenda TEXT NOT NULL DEFAULT '',
	pdf BLOB,
	created_by INTEGER NOT NULL DEFAULT 0,
	created TEXT NOT NULL
);
CREATE INDEX invitations_meeting ON invitations (meeting_id, id);

CREATE TABLE invitation_recipients (
	id INTEGER PRIMARY KEY,
	invitation_id INTEGER NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
	person_id INTEGER NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	role TEXT NOT NULL DEFAULT '',
	channel TEXT NOT NULL,
	email TEXT NOT NULL DEFAULT '',
	postal_address TEXT NOT NULL DEFAULT '',
	token_hash TEXT NOT NULL UNIQUE,
	sent TEXT,
	opened TEXT,
	packet_sent TEXT,
	packet_sent_by INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX invitation_recipients_invitation ON invitation_recipients (invitation_id, person_id);
CREATE INDEX invitation_recipients_person ON invitation_recipients (person_id);
