-- Accounts, roles, grants, sessions, one-time tokens, audit log
-- (sqlstore/account.go, issue 5). Times as in 0001 (fixed-width UTC text).
-- e-mail and user name are stored lower-case; "" means not set.

CREATE TABLE accounts (
	id INTEGER PRIMARY KEY,
	person_id INTEGER NOT NULL DEFAULT 0,
	email TEXT NOT NULL DEFAULT '',
	user_name TEXT NOT NULL DEFAULT '',
	display_name TEXT NOT NULL DEFAULT '',
	password_hash TEXT NOT NULL DEFAULT '',
	totp_secret TEXT NOT NULL DEFAULT '',
	totp_enabled INTEGER NOT NULL DEFAULT 0,
	totp_last_step INTEGER NOT NULL DEFAULT 0,
	recovery_codes TEXT NOT NULL DEFAULT '',
	oidc_issuer TEXT NOT NULL DEFAULT '',
	oidc_subject TEXT NOT NULL DEFAULT '',
	active INTEGER NOT NULL DEFAULT 1,
	created TEXT,
	modified TEXT,
	last_login TEXT
);
CREATE UNIQUE INDEX accounts_email ON accounts (email) WHERE email <> '';
CREATE UNIQUE INDEX accounts_user_name ON accounts (user_name) WHERE user_name <> '';
CREATE UNIQUE INDEX accounts_oidc ON accounts (oidc_issuer, oidc_subject) WHERE oidc_subject <> '';
CREATE INDEX accounts_person ON accounts (person_id) WHERE person_id <> 0;

CREATE TABLE account_roles (
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	kind TEXT NOT NULL,
	body_id INTEGER NOT NULL DEFAULT 0,
	organization_id INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (account_id, kind, body_id, organization_id)
);

CREATE TABLE grants (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL DEFAULT 0,
	person_id INTEGER NOT NULL DEFAULT 0,
	object_kind TEXT NOT NULL,
	object_id INTEGER NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	granted_by INTEGER NOT NULL DEFAULT 0,
	created TEXT,
	expires TEXT
);
CREATE INDEX grants_account ON grants (account_id, object_kind, object_id);
CREATE INDEX grants_person ON grants (person_id, object_kind, object_id);

CREATE TABLE sessions (
	id INTEGER PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	created TEXT NOT NULL,
	last_seen TEXT NOT NULL,
	expires TEXT NOT NULL,
	user_agent TEXT NOT NULL DEFAULT '',
	ip TEXT NOT NULL DEFAULT '',
	two_factor INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE one_time_tokens (
	id INTEGER PRIMARY KEY,
	purpose TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	created TEXT NOT NULL,
	expires TEXT NOT NULL,
	used TEXT
);
CREATE INDEX one_time_tokens_account ON one_time_tokens (account_id, purpose);

CREATE TABLE audit_events (
	id INTEGER PRIMARY KEY,
	at TEXT NOT NULL,
	account_id INTEGER NOT NULL DEFAULT 0,
	actor TEXT NOT NULL DEFAULT '',
	action TEXT NOT NULL,
	object_kind TEXT NOT NULL DEFAULT '',
	object_id INTEGER NOT NULL DEFAULT 0,
	ip TEXT NOT NULL DEFAULT '',
	user_agent TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_account ON audit_events (account_id, at);
CREATE INDEX audit_events_object ON audit_events (object_kind, object_id, at);
