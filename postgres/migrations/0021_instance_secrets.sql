-- Secrets shared by every instance on this database (sqlstore/secret.go):
-- generated once by whichever instance starts first, so that several
-- instances behind a load balancer accept each other's CSRF tokens and
-- signed form values. RATSNETZ_SECRET, when set, is used instead.
CREATE TABLE instance_secrets (
	name TEXT PRIMARY KEY,
	value TEXT NOT NULL,
	created TIMESTAMPTZ NOT NULL
);
