package sqlstore

import (
	"context"
	"database/sql"

	"github.com/ratsnetz/ratsnetz"
)

var bodyTable = table{name: "bodies", alias: "b", cols: []col{
	{name: "name", zero: zStr}, {name: "short_name", zero: zStr}, {name: "kind", zero: zStr}, {name: "owner_body_id", zero: zInt}, {name: "website", zero: zStr},
	{name: "license", zero: zStr}, {name: "license_valid_since", zero: zNull}, {name: "oparl_since", zero: zNull}, {name: "ags", zero: zStr}, {name: "rgs", zero: zStr},
	{name: "equivalent", zero: zStr}, {name: "contact_email", zero: zStr}, {name: "contact_name", zero: zStr}, {name: "classification", zero: zStr},
	{name: "location_id", zero: zInt},
}}

func scanBody(rows *sql.Rows) (*ratsnetz.Body, error) {
	b := &ratsnetz.Body{}
	var redacted bool
	dest := append(metaDest(&b.Meta),
		&b.Name, &b.ShortName, &b.Kind, &b.OwnerBodyID, &b.Website,
		&b.License, timeScanner{&b.LicenseValidSince}, timeScanner{&b.OparlSince}, &b.AGS, &b.RGS,
		jsonScanner{&b.Equivalent}, &b.ContactEmail, &b.ContactName, &b.Classification,
		&b.LocationID, boolScanner{&redacted})
	return b, rows.Scan(dest...)
}

// FindBodyByID returns the body with the given ID.
func (db *DB) FindBodyByID(ctx context.Context, id int64) (*ratsnetz.Body, error) {
	tx, end, err := db.reader(ctx)
	if err != nil {
		return nil, err
	}
	defer end()
	var b *ratsnetz.Body
	err = db.byID(ctx, tx, bodyTable, plainVis("b", true), id, "Körperschaft nicht gefunden.", func(rows *sql.Rows) (err error) {
		b, err = scanBody(rows)
		return err
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// FindBodies lists bodies by ID.
func (db *DB) FindBodies(ctx context.Context, f ratsnetz.BodyFilter) ([]*ratsnetz.Body, int, error) {
	tx, end, err := db.reader(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer end()
	v := plainVis("b", f.WithDeleted)
	w := db.newWhere()
	if err := db.listOptions(&w, bodyTable, v, f.ListOptions); err != nil {
		return nil, 0, err
	}
	w.ids("b.id", f.IDs)
	bodies := []*ratsnetz.Body{}
	n, err := db.list(ctx, tx, bodyTable, v, &w, f.ListOptions, "b.id", func(rows *sql.Rows) error {
		b, err := scanBody(rows)
		bodies = append(bodies, b)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return bodies, n, nil
}

var termTable = table{name: "legislative_terms", alias: "t", cols: []col{
	{name: "body_id", zero: zInt}, {name: "name", zero: zStr}, {name: "start_date", zero: zNull}, {name: "end_date", zero: zNull},
}}

func scanTerm(rows *sql.Rows) (*ratsnetz.LegislativeTerm, error) {
	t := &ratsnetz.LegislativeTerm{}
	var redacted bool
	dest := append(metaDest(&t.Meta), &t.BodyID, &t.Name, timeScanner{&t.StartDate}, timeScanner{&t.EndDate}, boolScanner{&redacted})
	return t, rows.Scan(dest...)
}

// FindLegislativeTerms lists legislative terms by start date.
func (db *DB) FindLegislativeTerms(ctx context.Context, f ratsnetz.LegislativeTermFilter) ([]*ratsnetz.LegislativeTerm, int, error) {
	tx, end, err := db.reader(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer end()
	v := plainVis("t", f.WithDeleted)
	w := db.newWhere()
	if err := db.listOptions(&w, termTable, v, f.ListOptions); err != nil {
		return nil, 0, err
	}
	w.ids("t.id", f.IDs)
	if f.BodyID != 0 {
		w.add("t.body_id = ?", f.BodyID)
	}
	terms := []*ratsnetz.LegislativeTerm{}
	n, err := db.list(ctx, tx, termTable, v, &w, f.ListOptions, "t.start_date, t.id", func(rows *sql.Rows) error {
		t, err := scanTerm(rows)
		terms = append(terms, t)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return terms, n, nil
}

var locationTable = table{name: "locations", alias: "l", cols: []col{
	{name: "body_id", zero: zInt}, {name: "description", zero: zStr}, {name: "street_address", zero: zStr}, {name: "room", zero: zStr}, {name: "postal_code", zero: zStr},
	{name: "sub_locality", zero: zStr}, {name: "locality", zero: zStr}, {name: "has_geo", zero: zBool}, {name: "lat", zero: zInt}, {name: "lon", zero: zInt},
}}

func scanLocation(rows *sql.Rows) (*ratsnetz.Location, error) {
	l := &ratsnetz.Location{}
	var redacted bool
	dest := append(metaDest(&l.Meta), &l.BodyID, &l.Description, &l.StreetAddress, &l.Room, &l.PostalCode,
		&l.SubLocality, &l.Locality, boolScanner{&l.HasGeo}, &l.Lat, &l.Lon, boolScanner{&redacted})
	return l, rows.Scan(dest...)
}

// FindLocationByID returns the location with the given ID.
func (db *DB) FindLocationByID(ctx context.Context, id int64) (*ratsnetz.Location, error) {
	tx, end, err := db.reader(ctx)
	if err != nil {
		return nil, err
	}
	defer end()
	var l *ratsnetz.Location
	err = db.byID(ctx, tx, locationTable, plainVis("l", true), id, "Ort nicht gefunden.", func(rows *sql.Rows) (err error) {
		l, err = scanLocation(rows)
		return err
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// FindLocations lists locations by ID.
func (db *DB) FindLocations(ctx context.Context, f ratsnetz.LocationFilter) ([]*ratsnetz.Location, int, error) {
	tx, end, err := db.reader(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer end()
	v := plainVis("l", f.WithDeleted)
	w := db.newWhere()
	if err := db.listOptions(&w, locationTable, v, f.ListOptions); err != nil {
		return nil, 0, err
	}
	w.ids("l.id", f.IDs)
	if f.BodyID != 0 {
		w.add("l.body_id = ?", f.BodyID)
	}
	locs := []*ratsnetz.Location{}
	n, err := db.list(ctx, tx, locationTable, v, &w, f.ListOptions, "l.id", func(rows *sql.Rows) error {
		l, err := scanLocation(rows)
		locs = append(locs, l)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return locs, n, nil
}
