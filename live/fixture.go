package live

import (
	"fmt"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// Fixture IDs: a council with its factions, members, one public meeting
// with a public and a non-public agenda item, far above the demo's IDs.
const (
	FixtureBody          = 9_000_001
	FixtureCouncil       = 9_000_010
	FixtureMeeting       = 9_000_100
	FixturePublicItem    = 9_000_200
	FixtureNonPublicItem = 9_000_201
	FixtureFirstPerson   = 9_100_000
	fixtureFactions      = 5
)

// Fixture returns a dataset for load tests and benchmarks: a council of n
// voting members in five factions, the first one chairing, and meeting
// FixtureMeeting starting at start.
func Fixture(n int, start time.Time) *ratsnetz.Dataset {
	t := start.Add(-48 * time.Hour)
	m := func(id int64) ratsnetz.Meta { return ratsnetz.Meta{ID: id, Created: t, Modified: t} }
	ds := &ratsnetz.Dataset{
		Bodies:        []*ratsnetz.Body{{Meta: m(FixtureBody), Name: "Lastprobe"}},
		Organizations: []*ratsnetz.Organization{{Meta: m(FixtureCouncil), BodyID: FixtureBody, Name: "Rat der Lastprobe", OrganizationType: ratsnetz.OrgTypeGremium, Seats: n}},
		Meetings: []*ratsnetz.Meeting{{Meta: m(FixtureMeeting), BodyID: FixtureBody, Name: "Lastprobe-Sitzung", Start: start,
			OrganizationIDs: []int64{FixtureCouncil}, Public: true, Mode: ratsnetz.ModeHybrid}},
		AgendaItems: []*ratsnetz.AgendaItem{
			{Meta: m(FixturePublicItem), MeetingID: FixtureMeeting, Order: 0, Number: "Ö 1", Name: "Öffentlicher Punkt", Public: true},
			{Meta: m(FixtureNonPublicItem), MeetingID: FixtureMeeting, Order: 1, Number: "N 1", Name: "Nichtöffentlicher Punkt VERTRAULICH-7Q2X-KANARIE"},
		},
	}
	for f := int64(1); f <= fixtureFactions; f++ {
		ds.Organizations = append(ds.Organizations, &ratsnetz.Organization{Meta: m(FixtureCouncil + f), BodyID: FixtureBody,
			Name: fmt.Sprintf("Fraktion %d", f), ShortName: fmt.Sprintf("F%d", f), OrganizationType: ratsnetz.OrgTypeFraktion})
	}
	for i := 0; i < n; i++ {
		id := int64(FixtureFirstPerson + i)
		ds.Persons = append(ds.Persons, &ratsnetz.Person{Meta: m(id), BodyID: FixtureBody, Name: fmt.Sprintf("Mitglied %05d", i),
			FamilyName: fmt.Sprintf("Mitglied %05d", i)})
		role := ratsnetz.RoleMember
		if i == 0 {
			role = ratsnetz.RoleChair
		}
		ds.Memberships = append(ds.Memberships, &ratsnetz.Membership{Meta: m(id), PersonID: id, OrganizationID: FixtureCouncil,
			Role: role, VotingRight: true, StartDate: t, OnBehalfOfID: FixtureCouncil + 1 + int64(i%fixtureFactions)})
	}
	return ds
}
