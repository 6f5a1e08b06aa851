package sqlstore

import (
	"context"
	"strings"
	"testing"

	"github.com/ratsnetz/ratsnetz"
)

// TestPublicSQLHasNoRights: the public's visibility SQL gains nothing from
// the rights of logged-in viewers (no joins, no subqueries on the rights
// tables), and a logged-in viewer with entitlements gets ID sets, never the
// correlated rights predicates.
func TestPublicSQLHasNoRights(t *testing.T) {
	db := &DB{dialect: Dialect{Name: "sqlite"}}
	dump := func(w viewer) string {
		var b strings.Builder
		for _, wd := range []bool{false, true} {
			for _, v := range []vis{w.paper("p", wd), w.meeting("m", wd), w.file("f", wd), w.agendaItem("a", wd), w.consultation("c", wd)} {
				b.WriteString(v.list + v.byID + v.content + v.tomb + v.tombModified)
			}
		}
		b.WriteString(w.agendaItemByPaper("a") + w.consultationByMeeting("c") + w.paperVisible("x") + w.meetingVisible("x") +
			w.agendaItemVisible("x") + w.consultationVisible("x") + w.fileVisible("x"))
		return b.String()
	}
	public := dump(db.viewerOf(context.Background()))
	for _, table := range []string{"accounts", "account_roles", "grants", "memberships", "conflicts_of_interest", "meeting_organizations", "consultation_organizations"} {
		if strings.Contains(public, " "+table+" ") {
			t.Errorf("public visibility SQL reads %s", table)
		}
	}
	member := dump(viewer{v: ratsnetz.Viewer{AccountID: 1, PersonID: 2}, logged: true,
		r: entitlements{orgs: []int64{10, 11}, conflicts: []int64{300}, papers: []int64{403}, clerkOrgs: []int64{14}}})
	for _, s := range []string{"account_roles", "grants", "memberships"} {
		if strings.Contains(member, s) {
			t.Errorf("member visibility SQL reads %s: the rights belong in entitlementsOf", s)
		}
	}
	for _, s := range []string{"IN (10, 11)", "IN (300)", "IN (403)", "IN (14)"} {
		if !strings.Contains(member, s) {
			t.Errorf("member visibility SQL lacks %q", s)
		}
	}
}
