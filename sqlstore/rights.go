package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// This file holds the SQL of mandate-based rights (issue 5, owner: accounts
// engineer): what a logged-in viewer may see beyond the public, derived from
// the viewer's account roles, the memberships of the viewer's person with
// their dates, explicit grants and declared conflicts of interest. Each
// method returns a predicate over an SQL expression for an ID; the viewer's
// IDs and the day are literals (int64 and times formatted here, never user
// text), so the SQL needs no bind arguments. visibility.go ORs these
// predicates into the public rules for logged-in viewers.

// rights is the rights part of the visibility of one logged-in viewer.
type rights struct {
	acct, person int64
	// today is the current day (UTC midnight of the Berlin date) and now the
	// current time, as SQL literals of the dialect.
	today, now string
}

// rightsOf returns the rights of v at now; ok is false for the public and
// the system viewer (which need no rights SQL).
func (db *DB) rightsOf(v ratsnetz.Viewer, now time.Time, loc *time.Location) (rights, bool) {
	if v.System || v.AccountID == 0 {
		return rights{}, false
	}
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := now.In(loc).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return rights{acct: v.AccountID, person: v.PersonID, today: db.timeLiteral(day), now: db.timeLiteral(now)}, true
}

// timeLiteral is t as an SQL literal comparable with the dialect's time
// columns.
func (db *DB) timeLiteral(t time.Time) string {
	t = t.UTC().Truncate(time.Microsecond)
	if db.dialect.Name == "postgres" {
		return "TIMESTAMPTZ '" + t.Format(time.RFC3339Nano) + "'"
	}
	return "'" + t.Format(TimeLayout) + "'"
}

// activeMembership is the predicate "membership alias m is in force today".
func (r rights) activeMembership(m string) string {
	return fmt.Sprintf("NOT %[1]s.deleted AND (%[1]s.start_date IS NULL OR %[1]s.start_date <= %[2]s) AND (%[1]s.end_date IS NULL OR %[1]s.end_date >= %[2]s)", m, r.today)
}

// entitledOrg is the predicate "the viewer may see the non-public material
// of organization id": a membership in force today (member, deputy, chair,
// advisory, citizen member alike), an unexpired grant, or the board office
// of the organization's body; for organizations that are not
// company-law confidential also the administrator, the council office of
// the body (or of all bodies) and the staff of a faction whose members sit
// in the organization today.
func (r rights) entitledOrg(id string) string {
	person := "FALSE"
	if r.person != 0 {
		person = fmt.Sprintf("EXISTS (SELECT 1 FROM memberships rm WHERE rm.organization_id = ro.id AND rm.person_id = %d AND %s)",
			r.person, r.activeMembership("rm"))
	}
	grantee := fmt.Sprintf("rg.account_id = %d", r.acct)
	if r.person != 0 {
		grantee = fmt.Sprintf("(rg.account_id = %d OR rg.person_id = %d)", r.acct, r.person)
	}
	return fmt.Sprintf(`EXISTS (SELECT 1 FROM organizations ro WHERE ro.id = %[1]s AND (
	%[2]s
	OR EXISTS (SELECT 1 FROM grants rg WHERE rg.object_kind = 'organization' AND rg.object_id = ro.id AND %[3]s AND (rg.expires IS NULL OR rg.expires > %[4]s))
	OR EXISTS (SELECT 1 FROM account_roles rr WHERE rr.account_id = %[5]d AND rr.kind = 'unternehmensgremienbuero' AND rr.body_id = ro.body_id)
	OR (NOT ro.confidential AND (
		EXISTS (SELECT 1 FROM account_roles rr WHERE rr.account_id = %[5]d AND (rr.kind = 'administrator' OR (rr.kind = 'sitzungsdienst' AND rr.body_id IN (0, ro.body_id))))
		OR EXISTS (SELECT 1 FROM account_roles rr JOIN memberships fm ON fm.on_behalf_of_id = rr.organization_id
			WHERE rr.account_id = %[5]d AND rr.kind = 'fraktionsmitarbeit' AND fm.organization_id = ro.id AND %[6]s)))))`,
		id, person, grantee, r.now, r.acct, r.activeMembership("fm"))
}

// entitledOrgIDs is the set form of entitledOrg: a query of the IDs of
// the organizations the viewer is entitled to, driven by the viewer (the
// person's memberships, the account's grants and roles) instead of testing
// every organization — on large data the per-organization form scans the
// memberships of every organization. Same rules; the permission matrix
// checks both against each other's results.
func (r rights) entitledOrgIDs() string {
	var parts []string
	if r.person != 0 {
		parts = append(parts, fmt.Sprintf("SELECT rm.organization_id FROM memberships rm WHERE rm.person_id = %d AND %s", r.person, r.activeMembership("rm")))
	}
	grantee := fmt.Sprintf("rg.account_id = %d", r.acct)
	if r.person != 0 {
		grantee = fmt.Sprintf("(rg.account_id = %d OR rg.person_id = %d)", r.acct, r.person)
	}
	parts = append(parts,
		fmt.Sprintf("SELECT rg.object_id FROM grants rg WHERE rg.object_kind = 'organization' AND %s AND (rg.expires IS NULL OR rg.expires > %s)", grantee, r.now),
		fmt.Sprintf("SELECT ro.id FROM organizations ro JOIN account_roles rr ON rr.body_id = ro.body_id WHERE rr.account_id = %d AND rr.kind = 'unternehmensgremienbuero'", r.acct),
		fmt.Sprintf(`SELECT ro.id FROM organizations ro WHERE NOT ro.confidential AND EXISTS (SELECT 1 FROM account_roles rr WHERE rr.account_id = %d
		AND (rr.kind = 'administrator' OR (rr.kind = 'sitzungsdienst' AND rr.body_id IN (0, ro.body_id))))`, r.acct),
		// By the faction's memberships (index memberships_on_behalf_of),
		// never a scan of all memberships.
		fmt.Sprintf(`SELECT fm.organization_id FROM memberships fm
		WHERE fm.on_behalf_of_id IN (SELECT rr.organization_id FROM account_roles rr WHERE rr.account_id = %d AND rr.kind = 'fraktionsmitarbeit')
		AND fm.organization_id IN (SELECT ro.id FROM organizations ro WHERE NOT ro.confidential) AND %s`, r.acct, r.activeMembership("fm")))
	return strings.Join(parts, "\n\tUNION ")
}

// active is the predicate "the viewer's account exists and is active": a
// deactivated (or deleted) account has no rights, whatever its roles,
// memberships and grants say.
func (r rights) active() string {
	return fmt.Sprintf("EXISTS (SELECT 1 FROM accounts racc WHERE racc.id = %d AND racc.active)", r.acct)
}

// meetingEntitled: the viewer may see the non-public parts of meeting id
// through one of its organizations.
func (r rights) meetingEntitled(id string) string {
	return "(" + r.active() + " AND EXISTS (SELECT 1 FROM meeting_organizations rmo WHERE rmo.meeting_id = " + id + " AND " + r.entitledOrg("rmo.organization_id") + "))"
}

// conflicted: the viewer's person declared a conflict of interest on agenda
// item id.
func (r rights) conflicted(id string) string {
	if r.person == 0 {
		return "FALSE"
	}
	return fmt.Sprintf("EXISTS (SELECT 1 FROM conflicts_of_interest rc WHERE rc.agenda_item_id = %s AND rc.person_id = %d)", id, r.person)
}

// agendaItemEntitled: the viewer may see the content of the non-public agenda
// item id (alias-free expression): entitled to its meeting and not
// conflicted on it.
func (r rights) agendaItemEntitled(id string) string {
	return "EXISTS (SELECT 1 FROM agenda_items ra WHERE ra.id = " + id + " AND " + r.meetingEntitled("ra.meeting_id") +
		" AND NOT " + r.conflicted("ra.id") + ")"
}

// paperEntitled: the viewer may see the non-public paper id: an unexpired
// grant on the paper; the clerk role of one of its lead or originating
// departments; or a consultation by an organization (or in a meeting) the
// viewer is entitled to, unless the viewer is conflicted on the agenda item
// of that consultation.
func (r rights) paperEntitled(id string) string {
	grantee := fmt.Sprintf("rg.account_id = %d", r.acct)
	if r.person != 0 {
		grantee = fmt.Sprintf("(rg.account_id = %d OR rg.person_id = %d)", r.acct, r.person)
	}
	return fmt.Sprintf(`(%[8]s AND (EXISTS (SELECT 1 FROM grants rg WHERE rg.object_kind = 'paper' AND rg.object_id = %[1]s AND %[2]s AND (rg.expires IS NULL OR rg.expires > %[3]s))
	OR EXISTS (SELECT 1 FROM paper_refs rpr JOIN account_roles rr ON rr.organization_id = rpr.ref_id
		WHERE rpr.paper_id = %[1]s AND rpr.kind IN ('under_direction_of', 'originator_organization') AND rr.account_id = %[4]d AND rr.kind = 'sachbearbeitung')
	OR EXISTS (SELECT 1 FROM consultations rcs WHERE rcs.paper_id = %[1]s AND NOT rcs.deleted
		AND (EXISTS (SELECT 1 FROM consultation_organizations rco WHERE rco.consultation_id = rcs.id AND %[5]s)
			OR (rcs.meeting_id <> 0 AND %[6]s))
		AND NOT (rcs.agenda_item_id <> 0 AND %[7]s))))`,
		id, grantee, r.now, r.acct, r.entitledOrg("rco.organization_id"), r.meetingEntitled("rcs.meeting_id"), r.conflicted("rcs.agenda_item_id"), r.active())
}

// entitlements are the rights of one logged-in viewer resolved to ID sets
// at the start of a find (one query, through the predicates above), so that
// the visibility SQL carries small ID lists instead of the correlated rights
// predicates: statements stay short to plan, and viewers with the same
// rights share their statement texts. All sets are sorted.
type entitlements struct {
	// orgs are the organizations whose non-public material the viewer may
	// see (rights.entitledOrg).
	orgs []int64
	// conflicts are the agenda items the viewer's person is conflicted on.
	conflicts []int64
	// papers are the papers granted explicitly (unexpired).
	papers []int64
	// clerkOrgs are the departments of the viewer's clerk roles.
	clerkOrgs []int64
}

// none reports whether the entitlements grant nothing beyond the public
// (conflicts alone only take away).
func (e entitlements) none() bool {
	return len(e.orgs) == 0 && len(e.papers) == 0 && len(e.clerkOrgs) == 0
}

// entitlementsOf resolves r (an inactive or unknown account gets none).
func (db *DB) entitlementsOf(ctx context.Context, r rights) (entitlements, error) {
	grantee := fmt.Sprintf("g.account_id = %d", r.acct)
	if r.person != 0 {
		grantee = fmt.Sprintf("(g.account_id = %d OR g.person_id = %d)", r.acct, r.person)
	}
	q := fmt.Sprintf(`SELECT 'o' AS kind, x.id AS id FROM organizations x WHERE x.id IN (%[1]s)
	UNION ALL SELECT 'c', c.agenda_item_id FROM conflicts_of_interest c WHERE c.person_id = %[2]d AND c.person_id <> 0
	UNION ALL SELECT 'p', g.object_id FROM grants g WHERE g.object_kind = 'paper' AND %[3]s AND (g.expires IS NULL OR g.expires > %[4]s)
	UNION ALL SELECT 'k', k.organization_id FROM account_roles k WHERE k.account_id = %[5]d AND k.kind = 'sachbearbeitung'`,
		r.entitledOrgIDs(), r.person, grantee, r.now, r.acct)
	q = "SELECT s.kind, s.id FROM (" + q + ") s WHERE " + r.active() + " ORDER BY 1, 2"
	rows, err := db.read.QueryContext(ctx, q)
	if err != nil {
		return entitlements{}, fmt.Errorf("entitlements of account %d: %w", r.acct, err)
	}
	defer rows.Close()
	var e entitlements
	for rows.Next() {
		var kind string
		var id int64
		if err := rows.Scan(&kind, &id); err != nil {
			return entitlements{}, fmt.Errorf("entitlements of account %d: %w", r.acct, err)
		}
		switch kind {
		case "o":
			e.orgs = append(e.orgs, id)
		case "c":
			e.conflicts = append(e.conflicts, id)
		case "p":
			e.papers = append(e.papers, id)
		case "k":
			e.clerkOrgs = append(e.clerkOrgs, id)
		}
	}
	if err := rows.Err(); err != nil {
		return entitlements{}, fmt.Errorf("entitlements of account %d: %w", r.acct, err)
	}
	return e, nil
}

// idList is ids as an SQL list "1, 2, 3" (never empty: callers check).
func idList(ids []int64) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}

// in is "expr IN (ids)", FALSE for no ids.
func in(expr string, ids []int64) string {
	if len(ids) == 0 {
		return "FALSE"
	}
	return expr + " IN (" + idList(ids) + ")"
}

// meetingEntitled: the viewer may see the non-public parts of meeting id
// (the set form of rights.meetingEntitled).
func (e entitlements) meetingEntitled(id string) string {
	if len(e.orgs) == 0 {
		return "FALSE"
	}
	return "EXISTS (SELECT 1 FROM meeting_organizations rmo WHERE rmo.meeting_id = " + id + " AND " + in("rmo.organization_id", e.orgs) + ")"
}

// conflicted: the viewer's person is conflicted on agenda item id.
func (e entitlements) conflicted(id string) string { return in(id, e.conflicts) }

// agendaItemEntitled: the set form of rights.agendaItemEntitled.
func (e entitlements) agendaItemEntitled(id string) string {
	if len(e.orgs) == 0 {
		return "FALSE"
	}
	s := "EXISTS (SELECT 1 FROM agenda_items ra WHERE ra.id = " + id + " AND " + e.meetingEntitled("ra.meeting_id") + ")"
	if len(e.conflicts) > 0 {
		s = "(" + s + " AND NOT " + e.conflicted(id) + ")"
	}
	return s
}

// paperEntitled: the set form of rights.paperEntitled.
func (e entitlements) paperEntitled(id string) string {
	var or []string
	if len(e.papers) > 0 {
		or = append(or, in(id, e.papers))
	}
	if len(e.clerkOrgs) > 0 {
		or = append(or, "EXISTS (SELECT 1 FROM paper_refs rpr WHERE rpr.paper_id = "+id+
			" AND rpr.kind IN ('under_direction_of', 'originator_organization') AND "+in("rpr.ref_id", e.clerkOrgs)+")")
	}
	if len(e.orgs) > 0 {
		c := "EXISTS (SELECT 1 FROM consultations rcs WHERE rcs.paper_id = " + id + " AND NOT rcs.deleted" +
			" AND (EXISTS (SELECT 1 FROM consultation_organizations rco WHERE rco.consultation_id = rcs.id AND " + in("rco.organization_id", e.orgs) + ")" +
			" OR (rcs.meeting_id <> 0 AND " + e.meetingEntitled("rcs.meeting_id") + "))"
		if len(e.conflicts) > 0 {
			c += " AND NOT " + e.conflicted("rcs.agenda_item_id")
		}
		or = append(or, c+")")
	}
	if len(or) == 0 {
		return "FALSE"
	}
	return "(" + strings.Join(or, " OR ") + ")"
}
