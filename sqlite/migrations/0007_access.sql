-- Rights of faction staff (sqlstore/rights.go entitledOrgIDs): the
-- memberships held on behalf of a faction, found by the faction instead of
-- scanning every membership on each logged-in request.
CREATE INDEX memberships_on_behalf_of ON memberships (on_behalf_of_id);
