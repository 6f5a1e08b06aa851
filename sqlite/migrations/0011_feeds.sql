-- Member area and subscriptions (sqlstore/feeds.go, issue 6): member
-- settings with the hashed personal calendar token, read marks, citizens'
-- e-mail alerts (double opt-in), delivery records (never mail twice) and the
-- outbox of rendered alert mails. The unsubscribe token is kept in clear as
-- well as hashed: every alert mail must carry it, and it can do nothing but
-- end that one subscription. Times as in 0001 (fixed-width UTC text).

CREATE TABLE member_settings (
	account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
	notify TEXT NOT NULL DEFAULT 'taeglich',
	calendar_token_hash TEXT NOT NULL DEFAULT '',
	calendar_created TEXT,
	digest_sent TEXT,
	modified TEXT NOT NULL
);
CREATE UNIQUE INDEX member_settings_calendar ON member_settings (calendar_token_hash) WHERE calendar_token_hash <> '';

CREATE TABLE read_marks (
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	kind TEXT NOT NULL,
	object_id INTEGER NOT NULL,
	read_at TEXT NOT NULL,
	PRIMARY KEY (account_id, kind, object_id)
);

CREATE TABLE alert_subscriptions (
	id INTEGER PRIMARY KEY,
	email TEXT NOT NULL,
	organization_id INTEGER NOT NULL DEFAULT 0,
	keyword TEXT NOT NULL DEFAULT '',
	confirm_hash TEXT NOT NULL DEFAULT '',
	confirm_expires TEXT,
	confirmed_at TEXT,
	unsubscribe_hash TEXT NOT NULL UNIQUE,
	unsubscribe_token TEXT NOT NULL DEFAULT '',
	created TEXT NOT NULL
);
CREATE UNIQUE INDEX alert_subscriptions_key ON alert_subscriptions (email, organization_id, keyword);
CREATE INDEX alert_subscriptions_confirm ON alert_subscriptions (confirm_hash) WHERE confirm_hash <> '';

CREATE TABLE alert_deliveries (
	recipient TEXT NOT NULL,
	kind TEXT NOT NULL,
	object_id INTEGER NOT NULL,
	delivered TEXT NOT NULL,
	PRIMARY KEY (recipient, kind, object_id)
);

CREATE TABLE feed_outbox (
	id INTEGER PRIMARY KEY,
	recipient TEXT NOT NULL,
	subject TEXT NOT NULL,
	body_text TEXT NOT NULL,
	body_html TEXT NOT NULL DEFAULT '',
	list_unsubscribe TEXT NOT NULL DEFAULT '',
	created TEXT NOT NULL
);
