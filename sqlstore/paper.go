package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/ratsnetz/ratsnetz"
)

// Kinds of paper_refs rows.
const (
	refRelated                = "related"
	refSuperordinated         = "superordinated"
	refSubordinated           = "subordinated"
	refLocation               = "location"
	refOriginatorPerson       = "originator_person"
	refOriginatorOrganization = "originator_organization"
	refUnderDirectionOf       = "under_direction_of"
)

var paperTable = table{name: "papers", alias: "p", flagged: true, cols: []col{
	{name: "body_id", zero: zInt}, {name: "name", zero: zStr}, {name: "reference", zero: zStr},
	{name: "date", zero: zNull}, {name: "paper_type", zero: zStr}, {name: "status", zero: zStr},
	{name: "public", zero: zBool}, {name: "sections", zero: zStr, heavy: true}, {name: "responsible_person_id", zero: zInt},
}}

func scanPaper(rows rowScanner, hidden *bool, extra ...any) (*ratsnetz.Paper, error) {
	p := &ratsnetz.Paper{}
	dest := append(metaDest(&p.Meta), &p.BodyID, &p.Name, &p.Reference, timeScanner{&p.Date}, &p.PaperType,
		&p.Status, boolScanner{&p.Public}, jsonScanner{&p.Sections}, &p.ResponsiblePersonID)
	dest = append(append(dest, extra...), boolScanner{hidden})
	return p, rows.Scan(dest...)
}

// paperRefsUnion selects the ID lists (o, k, r, pos) of the papers whose ID
// column satisfies owner(column): paper_refs and the file links, whose
// kinds and roles do not overlap.
func paperRefsUnion(w viewer, owner func(col string) string) string {
	return `SELECT r.paper_id AS o, r.kind AS k, r.ref_id AS r, r.position AS pos FROM paper_refs r
		WHERE ` + owner("r.paper_id") + ` AND (r.kind NOT IN ('related', 'superordinated', 'subordinated') OR ` + w.paperVisible("r.ref_id") + `)
		UNION ALL
		SELECT l.owner_id, l.role, l.file_id, l.position FROM file_links l
		WHERE l.owner_kind = 'paper' AND ` + owner("l.owner_id") + ` AND ` + w.fileVisible("l.file_id")
}

// addPaperRef adds one row of paperRefsUnion to p.
func addPaperRef(p *ratsnetz.Paper, key string, ref int64) {
	switch key {
	case refRelated:
		p.RelatedPaperIDs = append(p.RelatedPaperIDs, ref)
	case refSuperordinated:
		p.SuperordinatedPaperIDs = append(p.SuperordinatedPaperIDs, ref)
	case refSubordinated:
		p.SubordinatedPaperIDs = append(p.SubordinatedPaperIDs, ref)
	case refLocation:
		p.LocationIDs = append(p.LocationIDs, ref)
	case refOriginatorPerson:
		p.OriginatorPersonIDs = append(p.OriginatorPersonIDs, ref)
	case refOriginatorOrganization:
		p.OriginatorOrganizationIDs = append(p.OriginatorOrganizationIDs, ref)
	case refUnderDirectionOf:
		p.UnderDirectionOfIDs = append(p.UnderDirectionOfIDs, ref)
	case roleMain:
		p.MainFileID = ref
	case roleAuxiliary:
		p.AuxiliaryFileIDs = append(p.AuxiliaryFileIDs, ref)
	}
}

// paperRefs fills the ID lists of the papers (one query for a page).
func (db *DB) paperRefs(ctx context.Context, tx querier, w viewer, ps []*ratsnetz.Paper) error {
	byID := make(map[int64]*ratsnetz.Paper, len(ps))
	ids := make([]int64, 0, len(ps))
	for _, p := range ps {
		byID[p.ID] = p
		ids = append(ids, p.ID)
	}
	in := func(col string) string { return col + " IN (%s)" }
	return db.refs(ctx, tx, `SELECT o, k, r FROM (`+paperRefsUnion(w, in)+`) u ORDER BY o, k, pos`, ids, func(r refRow) {
		addPaperRef(byID[r.owner], r.key, r.ref)
	})
}

// FindPaperByID returns the paper with the given ID; ENOTFOUND when the
// viewer may not see it. The paper and its ID lists come in one statement.
func (db *DB) FindPaperByID(ctx context.Context, id int64) (*ratsnetz.Paper, error) {
	// Rights first: resolving them may need a connection of its own,
	// and holding a read transaction meanwhile can exhaust the pool.
	w := db.viewerOf(ctx)
	tx, end, err := db.reader(ctx)
	if err != nil {
		return nil, err
	}
	defer end()
	t := paperTable
	t.cols = append(t.cols[:len(t.cols):len(t.cols)], col{name: "refs", zero: zNull,
		expr: db.refsColumn(paperRefsUnion(w, func(c string) string { return c + " = p.id" }), "u.k, u.pos")})
	var p *ratsnetz.Paper
	var hidden bool
	err = db.byID(ctx, tx, t, w.paper("p", true), id, "Vorlage nicht gefunden.", func(rows *sql.Rows) (err error) {
		var refs []refRow
		p, err = scanPaper(rows, &hidden, refsScanner{func(k string, r int64) { refs = append(refs, refRow{key: k, ref: r}) }})
		for _, r := range refs {
			addPaperRef(p, r.key, r.ref)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// likePattern is a LIKE pattern for "contains s", lower-cased, with the
// wildcards of s escaped by '\'.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

// searchText is what the Text filter of papers searches: title and reference.
func searchText(p *ratsnetz.Paper) string {
	return strings.ToLower(p.Name + "\n" + p.Reference)
}

// FindPapers lists papers by ID, or newest first (by date).
func (db *DB) FindPapers(ctx context.Context, f ratsnetz.PaperFilter) ([]*ratsnetz.Paper, int, error) {
	return db.findPapers(ctx, f, true)
}

// FindPapersShallow is FindPapers without the ID lists (files, related
// papers, originators, …) and without the text sections, for list pages and
// links that show only the paper's name, reference, date, type and status.
// Same visibility and order.
func (db *DB) FindPapersShallow(ctx context.Context, f ratsnetz.PaperFilter) ([]*ratsnetz.Paper, int, error) {
	return db.findPapers(ctx, f, false)
}

func (db *DB) findPapers(ctx context.Context, f ratsnetz.PaperFilter, withRefs bool) ([]*ratsnetz.Paper, int, error) {
	// Rights first: resolving them may need a connection of its own,
	// and holding a read transaction meanwhile can exhaust the pool.
	vw := db.viewerOf(ctx)
	tx, end, err := db.reader(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer end()
	v := vw.paper("p", f.WithDeleted)
	w := db.newWhere()
	if err := db.listOptions(&w, paperTable, v, f.ListOptions); err != nil {
		return nil, 0, err
	}
	if f.Year < 0 || f.Year > 9999 {
		return nil, 0, ratsnetz.Errorf(ratsnetz.EINVALID, "Ungültiges Jahr %d.", f.Year)
	}
	w.ids("p.id", f.IDs)
	if f.BodyID != 0 {
		w.add("p.body_id = ?", f.BodyID)
	}
	if f.Reference != "" {
		w.add("p.reference = ?", f.Reference)
	}
	if f.PaperType != "" {
		w.add("p.paper_type = ?", f.PaperType)
	}
	if f.Status != "" {
		w.add("p.status = ?", f.Status)
	}
	if f.OrganizationID != 0 {
		w.add(`p.id IN (SELECT fc.paper_id FROM consultations fc JOIN consultation_organizations fco ON fco.consultation_id = fc.id
			WHERE fco.organization_id = ? AND NOT fc.deleted)`, f.OrganizationID)
	}
	if f.Year != 0 {
		from, until := yearRange(f.Year)
		w.add("p.date >= ? AND p.date < ?", db.tm(from), db.tm(until))
	}
	if f.Text != "" {
		w.add(`p.search LIKE ? ESCAPE '\'`, likePattern(f.Text))
	}
	order := "p.id"
	if f.Newest {
		order = "p.date DESC" + db.dialect.NullsLast + ", p.id DESC"
	}
	var ps, shown []*ratsnetz.Paper
	ps = []*ratsnetz.Paper{}
	t := paperTable
	if !withRefs {
		t = paperTable.light()
	}
	n, err := db.list(ctx, tx, t, v, &w, f.ListOptions, order, func(rows *sql.Rows) error {
		var hidden bool
		p, err := scanPaper(rows, &hidden)
		ps = append(ps, p)
		if !hidden {
			shown = append(shown, p)
		}
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	if !withRefs {
		shown = nil
	}
	if err := db.paperRefs(ctx, tx, vw, shown); err != nil {
		return nil, 0, err
	}
	return ps, n, nil
}

func (db *DB) consultationTable(w viewer) table {
	return table{name: "consultations", alias: "c", cols: []col{
		{name: "paper_id"},
		{name: "meeting_id", expr: visibleRef("c.meeting_id", w.meetingVisible("c.meeting_id"))},
		{name: "agenda_item_id", expr: visibleRef("c.agenda_item_id", w.agendaItemVisible("c.agenda_item_id"))},
		{name: "authoritative"}, {name: "role"}, {name: "status"}, {name: "result"}, {name: "date"}, {name: "position"},
		// The organizations come with the row (one query, not two).
		{name: "organization_ids", expr: "(SELECT " + db.aggregateIDs("co.organization_id", "co.position") +
			" FROM consultation_organizations co WHERE co.consultation_id = c.id)"},
	}}
}

// aggregateIDs is an aggregate of the integer column col as comma-separated
// text in the given order (NULL over no rows).
func (db *DB) aggregateIDs(col, order string) string {
	if db.dialect.AggregateIDs != nil {
		return db.dialect.AggregateIDs(col, order)
	}
	return "group_concat(" + col + ", ',' ORDER BY " + order + ")"
}

// idListScanner reads the text of aggregateIDs into a list of IDs.
type idListScanner struct{ dst *[]int64 }

func (s idListScanner) Scan(src any) error {
	var text string
	switch v := src.(type) {
	case nil:
		return nil
	case string:
		text = v
	case []byte:
		text = string(v)
	default:
		return fmt.Errorf("scan id list: unsupported type %T", src)
	}
	for part := range strings.SplitSeq(text, ",") {
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil {
			return fmt.Errorf("scan id list: %w", err)
		}
		*s.dst = append(*s.dst, id)
	}
	return nil
}

func scanConsultation(rows rowScanner) (*ratsnetz.Consultation, error) {
	c := &ratsnetz.Consultation{}
	var redacted bool
	dest := append(metaDest(&c.Meta), &c.PaperID, &c.MeetingID, &c.AgendaItemID, boolScanner{&c.Authoritative},
		&c.Role, &c.Status, &c.Result, timeScanner{&c.Date}, &c.Position, idListScanner{&c.OrganizationIDs}, boolScanner{&redacted})
	return c, rows.Scan(dest...)
}

// FindConsultationByID returns the consultation with the given ID;
// ENOTFOUND when the viewer may not see its paper.
func (db *DB) FindConsultationByID(ctx context.Context, id int64) (*ratsnetz.Consultation, error) {
	// Rights first: resolving them may need a connection of its own,
	// and holding a read transaction meanwhile can exhaust the pool.
	w := db.viewerOf(ctx)
	tx, end, err := db.reader(ctx)
	if err != nil {
		return nil, err
	}
	defer end()
	var c *ratsnetz.Consultation
	err = db.byID(ctx, tx, db.consultationTable(w), w.consultation("c", true), id, "Beratung nicht gefunden.", func(rows *sql.Rows) (err error) {
		c, err = scanConsultation(rows)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// FindConsultations lists consultations in Beratungsfolge order (by paper,
// then position).
func (db *DB) FindConsultations(ctx context.Context, f ratsnetz.ConsultationFilter) ([]*ratsnetz.Consultation, int, error) {
	return db.findConsultations(ctx, f, nil)
}

// FindConsultationsByPaperIDs returns all consultations of the papers, in
// Beratungsfolge order, with the visibility of FindConsultations.
func (db *DB) FindConsultationsByPaperIDs(ctx context.Context, paperIDs []int64) ([]*ratsnetz.Consultation, error) {
	if len(paperIDs) == 0 {
		return []*ratsnetz.Consultation{}, nil
	}
	cs, _, err := db.findConsultations(ctx, ratsnetz.ConsultationFilter{}, paperIDs)
	return cs, err
}

func (db *DB) findConsultations(ctx context.Context, f ratsnetz.ConsultationFilter, paperIDs []int64) ([]*ratsnetz.Consultation, int, error) {
	// Rights first: resolving them may need a connection of its own,
	// and holding a read transaction meanwhile can exhaust the pool.
	vw := db.viewerOf(ctx)
	tx, end, err := db.reader(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer end()
	t := db.consultationTable(vw)
	v := vw.consultation("c", f.WithDeleted)
	w := db.newWhere()
	if paperIDs != nil {
		w.ids("c.paper_id", paperIDs)
		f.ListOptions = ratsnetz.ListOptions{Limit: -1}
	} else if err := db.listOptions(&w, t, v, f.ListOptions); err != nil {
		return nil, 0, err
	}
	w.ids("c.id", f.IDs)
	if f.BodyID != 0 {
		w.add("EXISTS (SELECT 1 FROM papers fp WHERE fp.id = c.paper_id AND fp.body_id = ?)", f.BodyID)
	}
	if f.PaperID != 0 {
		w.add("c.paper_id = ?", f.PaperID)
	}
	if f.MeetingID != 0 {
		w.add("c.meeting_id = ?", f.MeetingID)
		w.add(vw.consultationByMeeting("c"))
	}
	if f.OrganizationID != 0 {
		w.add("c.id IN (SELECT fco.consultation_id FROM consultation_organizations fco WHERE fco.organization_id = ?)", f.OrganizationID)
	}
	cs := []*ratsnetz.Consultation{}
	n, err := db.list(ctx, tx, t, v, &w, f.ListOptions, "c.paper_id, c.position, c.id", func(rows *sql.Rows) error {
		c, err := scanConsultation(rows)
		cs = append(cs, c)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return cs, n, nil
}
