-- Live hybrid meetings (issue 7, sqlstore/live*.go): live state, roster,
-- speakers list, electronic votes with ballots as rows, chat, link failures
-- and the append-only, hash-chained event log. Times as in 0001.

CREATE TABLE live_meetings (
	meeting_id INTEGER PRIMARY KEY,
	state TEXT NOT NULL,
	current_item_id INTEGER NOT NULL DEFAULT 0,
	non_public INTEGER NOT NULL DEFAULT 0,
	started TEXT,
	closed TEXT
);

CREATE TABLE live_roster (
	meeting_id INTEGER NOT NULL,
	person_id INTEGER NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	faction_id INTEGER NOT NULL DEFAULT 0,
	faction TEXT NOT NULL DEFAULT '',
	role TEXT NOT NULL DEFAULT '',
	voting_right INTEGER NOT NULL DEFAULT 1,
	presence TEXT NOT NULL,
	arrived TEXT,
	left_at TEXT,
	PRIMARY KEY (meeting_id, person_id)
);

CREATE TABLE live_speakers (
	id INTEGER PRIMARY KEY,
	meeting_id INTEGER NOT NULL,
	agenda_item_id INTEGER NOT NULL DEFAULT 0,
	person_id INTEGER NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	point_of_order INTEGER NOT NULL DEFAULT 0,
	position INTEGER NOT NULL DEFAULT 0,
	state TEXT NOT NULL,
	requested TEXT NOT NULL,
	started TEXT,
	ended TEXT,
	speaking_seconds INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX live_speakers_meeting ON live_speakers (meeting_id, agenda_item_id);

CREATE TABLE live_votes (
	id INTEGER PRIMARY KEY,
	meeting_id INTEGER NOT NULL,
	agenda_item_id INTEGER NOT NULL DEFAULT 0,
	title TEXT NOT NULL,
	kind TEXT NOT NULL,
	options TEXT NOT NULL,
	majority TEXT NOT NULL,
	base TEXT NOT NULL,
	allow_change INTEGER NOT NULL DEFAULT 0,
	state TEXT NOT NULL,
	public INTEGER NOT NULL DEFAULT 1,
	opened TEXT NOT NULL,
	closed TEXT,
	eligible INTEGER NOT NULL DEFAULT 0,
	excluded INTEGER NOT NULL DEFAULT 0,
	seats INTEGER NOT NULL DEFAULT 0,
	quorate INTEGER NOT NULL DEFAULT 0,
	show_of_hands INTEGER NOT NULL DEFAULT 0,
	result TEXT NOT NULL DEFAULT ''
);
CREATE INDEX live_votes_meeting ON live_votes (meeting_id);

-- Who may vote, fixed when the vote opens (present, voting right, not
-- conflicted).
CREATE TABLE live_vote_eligible (
	vote_id INTEGER NOT NULL,
	person_id INTEGER NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	faction_id INTEGER NOT NULL DEFAULT 0,
	faction TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (vote_id, person_id)
);

-- Who has voted: the only link between a member and a secret vote.
CREATE TABLE live_voters (
	vote_id INTEGER NOT NULL,
	person_id INTEGER NOT NULL,
	PRIMARY KEY (vote_id, person_id)
);

-- The ballots. Open and named votes key them by the voter ("p<id>"); secret
-- ballots carry a random key, no voter and no time.
CREATE TABLE live_ballots (
	vote_id INTEGER NOT NULL,
	ballot_key TEXT NOT NULL,
	person_id INTEGER NOT NULL DEFAULT 0,
	faction_id INTEGER NOT NULL DEFAULT 0,
	option TEXT NOT NULL,
	PRIMARY KEY (vote_id, ballot_key)
);

CREATE TABLE live_chat (
	id INTEGER PRIMARY KEY,
	meeting_id INTEGER NOT NULL,
	channel TEXT NOT NULL,
	author_id INTEGER NOT NULL DEFAULT 0,
	author TEXT NOT NULL DEFAULT '',
	text TEXT NOT NULL,
	created TEXT NOT NULL
);
CREATE INDEX live_chat_meeting ON live_chat (meeting_id, channel, id);

CREATE TABLE live_link_failures (
	id INTEGER PRIMARY KEY,
	meeting_id INTEGER NOT NULL,
	person_id INTEGER NOT NULL,
	lost TEXT NOT NULL,
	restored TEXT,
	decision TEXT NOT NULL DEFAULT ''
);
CREATE INDEX live_link_failures_meeting ON live_link_failures (meeting_id);

-- The event log: append-only, each row's hash covers the previous hash.
CREATE TABLE live_events (
	seq INTEGER PRIMARY KEY,
	meeting_id INTEGER NOT NULL,
	type TEXT NOT NULL,
	audience TEXT NOT NULL,
	data TEXT NOT NULL,
	created TEXT NOT NULL,
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL
);
CREATE INDEX live_events_meeting ON live_events (meeting_id, seq);

-- The head of the chain: appenders update this row first, which serializes
-- them (PostgreSQL row lock; SQLite writes serialize anyway).
CREATE TABLE live_chain (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	seq INTEGER NOT NULL,
	hash TEXT NOT NULL
);
INSERT INTO live_chain (id, seq, hash) VALUES (1, 0, '');
