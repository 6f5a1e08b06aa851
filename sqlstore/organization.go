package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

var orgTable = table{name: "organizations", alias: "o", cols: []col{
	{name: "body_id", zero: zInt}, {name: "name", zero: zStr}, {name: "short_name", zero: zStr}, {name: "organization_type", zero: zStr}, {name: "classification", zero: zStr},
	{name: "post", zero: zStr}, {name: "sub_organization_of_id", zero: zInt}, {name: "start_date", zero: zNull}, {name: "end_date", zero: zNull}, {name: "website", zero: zStr},
	{name: "location_id", zero: zInt}, {name: "external_body_id", zero: zInt}, {name: "seats", zero: zInt}, {name: "color", zero: zStr}, {name: "confidential", zero: zBool},
	{name: "invitation_days", zero: zInt},
}}

func scanOrg(rows *sql.Rows) (*ratsnetz.Organization, error) {
	o := &ratsnetz.Organization{}
	var redacted bool
	dest := append(metaDest(&o.Meta), &o.BodyID, &o.Name, &o.ShortName, &o.OrganizationType, &o.Classification,
		jsonScanner{&o.Post}, &o.SubOrganizationOfID, timeScanner{&o.StartDate}, timeScanner{&o.EndDate}, &o.Website,
		&o.LocationID, &o.ExternalBodyID, &o.Seats, &o.Color, boolScanner{&o.Confidential},
		&o.InvitationDays, boolScanner{&redacted})
	return o, rows.Scan(dest...)
}

// activeAt adds "in force on day t" for a table with start_date/end_date.
func (db *DB) activeAt(w *where, a string, t time.Time) {
	if t.IsZero() {
		return
	}
	w.add("("+a+".start_date IS NULL OR "+a+".start_date <= ?)", db.tm(t))
	w.add("("+a+".end_date IS NULL OR "+a+".end_date > ?)", db.tm(t.Add(-24*time.Hour)))
}

// FindOrganizationByID returns the organization with the given ID.
func (db *DB) FindOrganizationByID(ctx context.Context, id int64) (*ratsnetz.Organization, error) {
	tx, end, err := db.reader(ctx)
	if err != nil {
		return nil, err
	}
	defer end()
	var o *ratsnetz.Organization
	err = db.byID(ctx, tx, orgTable, plainVis("o", true), id, "Gremium nicht gefunden.", func(rows *sql.Rows) (err error) {
		o, err = scanOrg(rows)
		return err
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// FindOrganizations lists organizations by ID.
func (db *DB) FindOrganizations(ctx context.Context, f ratsnetz.OrganizationFilter) ([]*ratsnetz.Organization, int, error) {
	tx, end, err := db.reader(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer end()
	v := plainVis("o", f.WithDeleted)
	w := db.newWhere()
	if err := db.listOptions(&w, orgTable, v, f.ListOptions); err != nil {
		return nil, 0, err
	}
	w.ids("o.id", f.IDs)
	if f.BodyID != 0 {
		w.add("o.body_id = ?", f.BodyID)
	}
	if f.OrganizationType != "" {
		w.add("o.organization_type = ?", f.OrganizationType)
	}
	if f.Classification != "" {
		w.add("o.classification = ?", f.Classification)
	}
	db.activeAt(&w, "o", f.ActiveAt)
	orgs := []*ratsnetz.Organization{}
	n, err := db.list(ctx, tx, orgTable, v, &w, f.ListOptions, "o.id", func(rows *sql.Rows) error {
		o, err := scanOrg(rows)
		orgs = append(orgs, o)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return orgs, n, nil
}

var personTable = table{name: "persons", alias: "p", cols: []col{
	{name: "body_id", zero: zInt}, {name: "name", zero: zStr}, {name: "family_name", zero: zStr}, {name: "given_name", zero: zStr}, {name: "form_of_address", zero: zStr},
	{name: "affix", zero: zStr}, {name: "title", zero: zStr}, {name: "gender", zero: zStr}, {name: "phone", zero: zStr}, {name: "email", zero: zStr}, {name: "location_id", zero: zInt},
	{name: "status", zero: zStr}, {name: "life", zero: zStr}, {name: "life_source", zero: zStr},
}}

func scanPerson(rows *sql.Rows) (*ratsnetz.Person, error) {
	p := &ratsnetz.Person{}
	var redacted bool
	dest := append(metaDest(&p.Meta), &p.BodyID, &p.Name, &p.FamilyName, &p.GivenName, &p.FormOfAddress,
		&p.Affix, jsonScanner{&p.Title}, &p.Gender, jsonScanner{&p.Phone}, jsonScanner{&p.Email}, &p.LocationID,
		jsonScanner{&p.Status}, &p.Life, &p.LifeSource, boolScanner{&redacted})
	return p, rows.Scan(dest...)
}

// FindPersonByID returns the person with the given ID.
func (db *DB) FindPersonByID(ctx context.Context, id int64) (*ratsnetz.Person, error) {
	tx, end, err := db.reader(ctx)
	if err != nil {
		return nil, err
	}
	defer end()
	var p *ratsnetz.Person
	err = db.byID(ctx, tx, personTable, plainVis("p", true), id, "Person nicht gefunden.", func(rows *sql.Rows) (err error) {
		p, err = scanPerson(rows)
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// FindPersons lists persons by ID.
func (db *DB) FindPersons(ctx context.Context, f ratsnetz.PersonFilter) ([]*ratsnetz.Person, int, error) {
	tx, end, err := db.reader(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer end()
	v := plainVis("p", f.WithDeleted)
	w := db.newWhere()
	if err := db.listOptions(&w, personTable, v, f.ListOptions); err != nil {
		return nil, 0, err
	}
	w.ids("p.id", f.IDs)
	if f.BodyID != 0 {
		w.add("p.body_id = ?", f.BodyID)
	}
	if f.OrganizationID != 0 {
		w.add("p.id IN (SELECT fm.person_id FROM memberships fm WHERE fm.organization_id = ? AND NOT fm.deleted)", f.OrganizationID)
	}
	persons := []*ratsnetz.Person{}
	n, err := db.list(ctx, tx, personTable, v, &w, f.ListOptions, "p.id", func(rows *sql.Rows) error {
		p, err := scanPerson(rows)
		persons = append(persons, p)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return persons, n, nil
}

var membershipTable = table{name: "memberships", alias: "m", cols: []col{
	{name: "person_id", zero: zInt}, {name: "organization_id", zero: zInt}, {name: "role", zero: zStr}, {name: "voting_right", zero: zBool},
	{name: "start_date", zero: zNull}, {name: "end_date", zero: zNull}, {name: "on_behalf_of_id", zero: zInt},
}}

func scanMembership(rows *sql.Rows) (*ratsnetz.Membership, error) {
	m := &ratsnetz.Membership{}
	var redacted bool
	dest := append(metaDest(&m.Meta), &m.PersonID, &m.OrganizationID, &m.Role, boolScanner{&m.VotingRight},
		timeScanner{&m.StartDate}, timeScanner{&m.EndDate}, &m.OnBehalfOfID, boolScanner{&redacted})
	return m, rows.Scan(dest...)
}

// FindMembershipByID returns the membership with the given ID.
func (db *DB) FindMembershipByID(ctx context.Context, id int64) (*ratsnetz.Membership, error) {
	tx, end, err := db.reader(ctx)
	if err != nil {
		return nil, err
	}
	defer end()
	var m *ratsnetz.Membership
	err = db.byID(ctx, tx, membershipTable, plainVis("m", true), id, "Mitgliedschaft nicht gefunden.", func(rows *sql.Rows) (err error) {
		m, err = scanMembership(rows)
		return err
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// FindMemberships lists memberships by ID.
func (db *DB) FindMemberships(ctx context.Context, f ratsnetz.MembershipFilter) ([]*ratsnetz.Membership, int, error) {
	return db.findMemberships(ctx, f, "", nil)
}

// FindMembershipsByPersonIDs returns all memberships of the persons, by ID.
func (db *DB) FindMembershipsByPersonIDs(ctx context.Context, personIDs []int64) ([]*ratsnetz.Membership, error) {
	if len(personIDs) == 0 {
		return []*ratsnetz.Membership{}, nil
	}
	ms, _, err := db.findMemberships(ctx, ratsnetz.MembershipFilter{}, "m.person_id", personIDs)
	return ms, err
}

// FindMembershipsByOrganizationIDs returns all memberships in the
// organizations, by ID.
func (db *DB) FindMembershipsByOrganizationIDs(ctx context.Context, organizationIDs []int64) ([]*ratsnetz.Membership, error) {
	if len(organizationIDs) == 0 {
		return []*ratsnetz.Membership{}, nil
	}
	ms, _, err := db.findMemberships(ctx, ratsnetz.MembershipFilter{}, "m.organization_id", organizationIDs)
	return ms, err
}

func (db *DB) findMemberships(ctx context.Context, f ratsnetz.MembershipFilter, parentCol string, parents []int64) ([]*ratsnetz.Membership, int, error) {
	tx, end, err := db.reader(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer end()
	v := plainVis("m", f.WithDeleted)
	w := db.newWhere()
	if parents != nil {
		w.ids(parentCol, parents)
		f.ListOptions = ratsnetz.ListOptions{Limit: -1}
	} else if err := db.listOptions(&w, membershipTable, v, f.ListOptions); err != nil {
		return nil, 0, err
	}
	w.ids("m.id", f.IDs)
	if f.BodyID != 0 {
		w.add("EXISTS (SELECT 1 FROM organizations fo WHERE fo.id = m.organization_id AND fo.body_id = ?)", f.BodyID)
	}
	if f.PersonID != 0 {
		w.add("m.person_id = ?", f.PersonID)
	}
	if f.OrganizationID != 0 {
		w.add("m.organization_id = ?", f.OrganizationID)
	}
	db.activeAt(&w, "m", f.ActiveAt)
	ms := []*ratsnetz.Membership{}
	n, err := db.list(ctx, tx, membershipTable, v, &w, f.ListOptions, "m.id", func(rows *sql.Rows) error {
		m, err := scanMembership(rows)
		ms = append(ms, m)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return ms, n, nil
}
