-- Remote members' live connections (issue 7, sqlstore/live_links.go): each
-- instance renews the rows of the remote members connected to it (seen) and
-- records when their last connection on it ended (dropped). A member whose
-- rows are all dropped or stale for the grace period gets a link failure.
-- Several instances can serve one member's streams: the store decides.
CREATE TABLE live_links (
	meeting_id BIGINT NOT NULL,
	person_id BIGINT NOT NULL,
	instance TEXT NOT NULL,
	since TIMESTAMPTZ NOT NULL,
	seen TIMESTAMPTZ NOT NULL,
	dropped TIMESTAMPTZ,
	PRIMARY KEY (meeting_id, person_id, instance)
);

-- At most one open link failure per member: instances detecting the same
-- drop at once record it once.
CREATE UNIQUE INDEX live_link_failures_open ON live_link_failures (meeting_id, person_id) WHERE restored IS NULL;
