package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// The live demo (issue 7): a hybrid meeting of the Bezirksvertretung Nord
// (six members, so a newcomer can play every role) on the day the demo
// accounts were created, 18:00 Berlin time, with demo accounts for its chair
// and its five other members. The council office (sitzungsdienst@…) runs it
// too. The IDs lie far above the generated ones (the large scale ends below
// 500 000 per kind).
const (
	LiveMeetingID int64 = 990_001
	// LiveItemOpeningID … LiveItemNonPublicID are the meeting's agenda
	// items: Ö 1 opening, Ö 2 a motion (for an open or named vote), Ö 3 an
	// election (candidates, secret vote), N 1 a non-public property matter
	// carrying Canary.
	LiveItemOpeningID   int64 = 990_011
	LiveItemMotionID    int64 = 990_012
	LiveItemElectionID  int64 = 990_013
	LiveItemNonPublicID int64 = 990_014

	// LiveChairEmail is the login of the district council's chair
	// (Bezirksbürgermeister/in): cockpit and vote.
	LiveChairEmail = "live-vorsitz@musterstadt.example"
	// liveDistrict names the district council of the live demo.
	liveDistrict = "Bezirksvertretung Nord"
)

// LiveMemberEmail returns the login of the live demo's member n (1 … 5).
func LiveMemberEmail(n int) string { return fmt.Sprintf("live-mitglied%d@musterstadt.example", n) }

// LiveStore is what the live demo needs beyond memberships: organizations,
// meetings and the loader.
type LiveStore interface {
	FindOrganizations(ctx context.Context, f ratsnetz.OrganizationFilter) ([]*ratsnetz.Organization, int, error)
	FindMeetingByID(ctx context.Context, id int64) (*ratsnetz.Meeting, error)
	ratsnetz.Loader
}

// liveAccountSpec is one live demo account to create.
type liveAccountSpec struct {
	DemoAccount
	name   string
	person int64
}

// loadLive creates the live demo meeting if it does not exist and returns
// the accounts of its chair and members (created by the caller). ctx carries
// the system viewer.
func loadLive(ctx context.Context, store AccountStore, now time.Time) ([]liveAccountSpec, error) {
	orgs, _, err := store.FindOrganizations(ctx, ratsnetz.OrganizationFilter{BodyID: CityBodyID, ListOptions: ratsnetz.ListOptions{Limit: 1000}})
	if err != nil {
		return nil, fmt.Errorf("live demo: organizations: %w", err)
	}
	var district *ratsnetz.Organization
	for _, o := range orgs {
		if o.Name == liveDistrict {
			district = o
		}
	}
	if district == nil {
		return nil, fmt.Errorf("live demo: no %s in the demo", liveDistrict)
	}
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		return nil, fmt.Errorf("live demo: %w", err)
	}
	day := now.In(loc)
	start := time.Date(day.Year(), day.Month(), day.Day(), 18, 0, 0, 0, loc)
	switch mt, err := store.FindMeetingByID(ctx, LiveMeetingID); {
	case err == nil:
		start = mt.Start // created on an earlier start of the demo
	case ratsnetz.ErrorCode(err) == ratsnetz.ENOTFOUND:
		if err := store.Load(ctx, liveDataset(district, start, now)); err != nil {
			return nil, fmt.Errorf("live demo: load meeting: %w", err)
		}
	default:
		return nil, fmt.Errorf("live demo: %w", err)
	}

	// The chair first, then the members in the order of their person IDs.
	ms, _, err := store.FindMemberships(ctx, ratsnetz.MembershipFilter{OrganizationID: district.ID, ActiveAt: start,
		ListOptions: ratsnetz.ListOptions{Limit: 100}})
	if err != nil {
		return nil, fmt.Errorf("live demo: memberships: %w", err)
	}
	var chair int64
	var members []int64
	for _, m := range ms {
		switch {
		case m.Role == ratsnetz.RoleChair && chair == 0:
			chair = m.PersonID
		case m.VotingRight && m.Role != ratsnetz.RoleDeputy:
			members = append(members, m.PersonID)
		}
	}
	if chair == 0 || len(members) < 5 {
		return nil, fmt.Errorf("live demo: %s has %d members and chair %d on %s, want a chair and 5 members", liveDistrict, len(members), chair, start.Format("2006-01-02"))
	}
	slices.Sort(members)
	role := ratsnetz.RoleKindMandateHolder
	specs := []liveAccountSpec{{DemoAccount{LiveChairEmail, role,
		"Live-Sitzung der Bezirksvertretung Nord als Vorsitz: Cockpit, Redeliste, Abstimmungen, Niederschriftsentwurf", false},
		"Bezirksbürgermeister/in (Live-Demo)", chair}}
	for i, p := range members[:5] {
		specs = append(specs, liveAccountSpec{DemoAccount{LiveMemberEmail(i + 1), role,
			"Live-Sitzung der Bezirksvertretung Nord als Mitglied: Anwesenheit, Wortmeldung, Stimmabgabe, Chat", false},
			fmt.Sprintf("Mitglied %d der Bezirksvertretung Nord (Live-Demo)", i+1), p})
	}
	return specs, nil
}

// liveDataset is the live demo meeting with its agenda.
func liveDataset(district *ratsnetz.Organization, start, now time.Time) *ratsnetz.Dataset {
	created := now.Add(-time.Minute)
	if start.Before(created) {
		created = start.Add(-24 * time.Hour)
	}
	m := func(id int64) ratsnetz.Meta { return ratsnetz.Meta{ID: id, Created: created, Modified: created} }
	item := func(id int64, order int, number, name string, public bool) *ratsnetz.AgendaItem {
		return &ratsnetz.AgendaItem{Meta: m(id), MeetingID: LiveMeetingID, Order: order, Number: number, Name: name, Public: public}
	}
	return &ratsnetz.Dataset{
		Meetings: []*ratsnetz.Meeting{{Meta: m(LiveMeetingID), BodyID: CityBodyID,
			Name:         "Sitzung der Bezirksvertretung Nord (Live-Demo)",
			MeetingState: ratsnetz.MeetingStateInvited, Start: start, End: start.Add(2 * time.Hour),
			Mode: ratsnetz.ModeHybrid, OrganizationIDs: []int64{district.ID}, Public: true}},
		AgendaItems: []*ratsnetz.AgendaItem{
			item(LiveItemOpeningID, 0, "Ö 1", "Eröffnung der Sitzung und Feststellung der Beschlussfähigkeit", true),
			item(LiveItemMotionID, 1, "Ö 2", "Antrag: Tempo 30 vor der Grundschule am Lindenhof", true),
			item(LiveItemElectionID, 2, "Ö 3", "Wahl der Vertretung im Beirat für Stadtteilkultur Nord", true),
			item(LiveItemNonPublicID, 3, "N 1", "Grundstücksangelegenheit Lindenhofstraße "+Canary, false),
		},
	}
}
