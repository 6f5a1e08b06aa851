package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strings"

	"github.com/ratsnetz/ratsnetz"
)

// The portal's paper and meeting pages read their object and what the page
// shows of its neighbours in ONE statement: the object's row (as its find by
// ID) plus, per neighbour kind, a column holding the neighbours as JSON rows
// (jsonRows). Each of those lists is selected with the table, visibility
// and redaction of the shallow find the page would otherwise call, so the
// result is exactly what the separate finds return (storetest Pages
// compares them for every viewer of the fixture). On PostgreSQL that saves
// four to five round trips per page, and on both databases the fixed cost
// of as many statements. That pays on PostgreSQL (NoReadTx dialects) only
// per statement: PostgreSQL takes ~0.5 s of CPU to plan the paper page's
// statement, once per pooled connection, which in BenchmarkLarge (whose
// server uses several connections) cost more than it saved. So it is off
// unless DB.OneStatementPages is set; by default, and always on SQLite, the
// pages run the separate finds (separatePaperPage).

var _ ratsnetz.PageStore = (*DB)(nil)

// FindPaperPage returns the paper with the given ID and what its page shows
// (see ratsnetz.PaperPage); ENOTFOUND when the viewer may not see it.
func (db *DB) FindPaperPage(ctx context.Context, id int64) (*ratsnetz.PaperPage, error) {
	if !db.OneStatementPages || !db.dialect.NoReadTx {
		return db.separatePaperPage(ctx, id)
	}
	// Rights first: resolving them may need a connection of its own,
	// and holding a read transaction meanwhile can exhaust the pool.
	w := db.viewerOf(ctx)
	tx, end, err := db.reader(ctx)
	if err != nil {
		return nil, err
	}
	defer end()
	pg := &ratsnetz.PaperPage{Consultations: []*ratsnetz.Consultation{}}

	// The consultations as FindConsultations{PaperID} lists them.
	ct := db.consultationTable(w)
	cv := w.consultation("c", false)
	cons := db.jsonRows(ct, cv, " WHERE "+allOf("c.paper_id = p.id", cv.list)+" ORDER BY c.paper_id, c.position, c.id LIMIT 500")
	// The IDs the page would ask for: the consultations' references as
	// the viewer sees them (visibleRef zeroes hidden ones), then each kind
	// with the visibility of its shallow find.
	mt := meetingTable.light()
	mv := w.meeting("m", false)
	meetings := db.jsonRows(mt, mv, " WHERE "+allOf("m.id IN (SELECT "+visibleRef("mc.meeting_id", w.meetingVisible("mc.meeting_id"))+
		" FROM consultations mc WHERE "+allOf("mc.paper_id = p.id", w.consultation("mc", false).list)+")", mv.list)+db.fence())
	at := agendaItemTable(w).light()
	av := w.agendaItem("a", false)
	items := db.jsonRows(at, av, " WHERE "+allOf("a.id IN (SELECT "+visibleRef("ac.agenda_item_id", w.agendaItemVisible("ac.agenda_item_id"))+
		" FROM consultations ac WHERE "+allOf("ac.paper_id = p.id", w.consultation("ac", false).list)+")", av.list)+db.fence())
	ft := fileTable(w).light()
	fv := w.file("f", false)
	files := db.jsonRows(ft, fv, " WHERE "+allOf("f.id IN (SELECT fl.file_id FROM file_links fl WHERE fl.owner_kind = 'paper' AND fl.owner_id = p.id"+
		" AND fl.role IN ('main', 'auxiliary') AND "+w.fileVisible("fl.file_id")+")", fv.list)+db.fence())
	rt := paperTable.light()
	rt.alias = "rp"
	rv := w.paper("rp", false)
	related := db.jsonRows(rt, rv, " WHERE "+allOf("rp.id IN (SELECT pr.ref_id FROM paper_refs pr WHERE pr.paper_id = p.id"+
		" AND pr.kind IN ('related', 'superordinated', 'subordinated') AND "+w.paperVisible("pr.ref_id")+")", rv.list)+db.fence())

	t := paperTable
	t.cols = append(t.cols[:len(t.cols):len(t.cols)],
		col{name: "refs", zero: zNull, expr: db.refsColumn(paperRefsUnion(w, func(c string) string { return c + " = p.id" }), "u.k, u.pos")},
		col{name: "page_consultations", zero: zNull, expr: cons},
		col{name: "page_meetings", zero: zNull, expr: meetings},
		col{name: "page_agenda_items", zero: zNull, expr: items},
		col{name: "page_files", zero: zNull, expr: files},
		col{name: "page_papers", zero: zNull, expr: related},
	)
	err = db.byID(ctx, tx, t, w.paper("p", true), id, "Vorlage nicht gefunden.", func(rows *sql.Rows) (err error) {
		var refs []refRow
		var hidden bool
		pg.Paper, err = scanPaper(rows, &hidden,
			refsScanner{func(k string, r int64) { refs = append(refs, refRow{key: k, ref: r}) }},
			jsonRowsScanner{func(r rowScanner) error {
				c, err := scanConsultation(r)
				pg.Consultations = append(pg.Consultations, c)
				return err
			}},
			jsonRowsScanner{func(r rowScanner) error {
				var hidden bool
				m, err := scanMeeting(r, &hidden)
				pg.Meetings = append(pg.Meetings, m)
				return err
			}},
			jsonRowsScanner{func(r rowScanner) error {
				a, err := scanAgendaItem(r)
				if !a.Redacted { // nothing links to a placeholder
					pg.AgendaItems = append(pg.AgendaItems, a)
				}
				return err
			}},
			jsonRowsScanner{func(r rowScanner) error {
				var hidden bool
				f, err := scanFile(r, &hidden)
				pg.Files = append(pg.Files, f)
				return err
			}},
			jsonRowsScanner{func(r rowScanner) error {
				var hidden bool
				p, err := scanPaper(r, &hidden)
				pg.Papers = append(pg.Papers, p)
				return err
			}},
		)
		for _, r := range refs {
			addPaperRef(pg.Paper, r.key, r.ref)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	// JSON aggregates do not keep the order of their rows.
	slices.SortFunc(pg.Consultations, func(a, b *ratsnetz.Consultation) int {
		return cmp.Or(cmp.Compare(a.PaperID, b.PaperID), cmp.Compare(a.Position, b.Position), cmp.Compare(a.ID, b.ID))
	})
	return pg, nil
}

// FindMeetingPage returns the meeting with the given ID and what its page
// shows (see ratsnetz.MeetingPage); ENOTFOUND when the viewer may not see
// it.
func (db *DB) FindMeetingPage(ctx context.Context, id int64) (*ratsnetz.MeetingPage, error) {
	if !db.OneStatementPages || !db.dialect.NoReadTx {
		return db.separateMeetingPage(ctx, id)
	}
	// Rights first: resolving them may need a connection of its own,
	// and holding a read transaction meanwhile can exhaust the pool.
	w := db.viewerOf(ctx)
	tx, end, err := db.reader(ctx)
	if err != nil {
		return nil, err
	}
	defer end()
	pg := &ratsnetz.MeetingPage{AgendaItems: []*ratsnetz.AgendaItem{}}

	// The agenda as FindAgendaItemsShallow{MeetingID} lists it.
	at := agendaItemTable(w).light()
	av := w.agendaItem("a", false)
	items := db.jsonRows(at, av, " WHERE "+allOf("a.meeting_id = m.id", av.list)+" ORDER BY a.meeting_id, a.position, a.id LIMIT 1000")
	// The papers of the unredacted items, as the viewer sees the items'
	// paper references.
	pt := paperTable.light()
	pv := w.paper("p", false)
	papers := db.jsonRows(pt, pv, " WHERE "+allOf("p.id IN (SELECT "+visibleRef("pa.paper_id", w.paperVisible("pa.paper_id"))+
		" FROM agenda_items pa WHERE "+allOf("pa.meeting_id = m.id", w.agendaItem("pa", false).list, w.agendaItem("pa", false).content)+
		")", pv.list)+db.fence())
	ft := fileTable(w).light()
	fv := w.file("f", false)
	files := db.jsonRows(ft, fv, " WHERE "+allOf("f.id IN (SELECT fl.file_id FROM file_links fl WHERE fl.owner_kind = 'meeting' AND fl.owner_id = m.id"+
		" AND "+w.fileVisible("fl.file_id")+")", fv.list)+db.fence())

	t := meetingTable
	t.cols = append(t.cols[:len(t.cols):len(t.cols)],
		col{name: "refs", zero: zNull, expr: db.refsColumn(meetingRefsUnion(w, func(c string) string { return c + " = m.id" }), "u.k, u.pos")},
		col{name: "page_agenda_items", zero: zNull, expr: items},
		col{name: "page_papers", zero: zNull, expr: papers},
		col{name: "page_files", zero: zNull, expr: files},
	)
	err = db.byID(ctx, tx, t, w.meeting("m", true), id, "Sitzung nicht gefunden.", func(rows *sql.Rows) (err error) {
		var refs []refRow
		var hidden bool
		pg.Meeting, err = scanMeeting(rows, &hidden,
			refsScanner{func(k string, r int64) { refs = append(refs, refRow{key: k, ref: r}) }},
			jsonRowsScanner{func(r rowScanner) error {
				a, err := scanAgendaItem(r)
				pg.AgendaItems = append(pg.AgendaItems, a)
				return err
			}},
			jsonRowsScanner{func(r rowScanner) error {
				var hidden bool
				p, err := scanPaper(r, &hidden)
				pg.Papers = append(pg.Papers, p)
				return err
			}},
			jsonRowsScanner{func(r rowScanner) error {
				var hidden bool
				f, err := scanFile(r, &hidden)
				pg.Files = append(pg.Files, f)
				return err
			}},
		)
		for _, r := range refs {
			addMeetingRef(pg.Meeting, r.key, r.ref)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(pg.AgendaItems, func(a, b *ratsnetz.AgendaItem) int {
		return cmp.Or(cmp.Compare(a.MeetingID, b.MeetingID), cmp.Compare(a.Order, b.Order), cmp.Compare(a.ID, b.ID))
	})
	return pg, nil
}

// fence ends the inner query of a JSON list: neither database then merges
// it into the aggregate around it, so each row's visibility (vis_ok) is
// evaluated once instead of once per content column. It limits nothing and
// leaves the planner's row estimates alone (a real LIMIT made PostgreSQL
// choose scans).
func (db *DB) fence() string {
	if db.dialect.Name == "postgres" {
		return " OFFSET 0"
	}
	return " LIMIT -1"
}

// allOf joins the non-empty predicates with AND (at least one is given).
func allOf(preds ...string) string {
	var out []string
	for _, p := range preds {
		if p != "" {
			out = append(out, "("+p+")")
		}
	}
	return strings.Join(out, " AND ")
}

// sharedRead gives the public's page finds on SQLite one read transaction
// (one snapshot, one BEGIN/ROLLBACK instead of one per find: the pair cost
// ~8 % of the server's CPU per uncached page). Only for the public, whose
// visibility needs no query of its own: a logged-in viewer's entitlements
// are read on another connection (viewerOf), and holding the page's
// connection meanwhile could exhaust the pool. PostgreSQL reads without a
// transaction (Dialect.NoReadTx), so nothing changes there.
func (db *DB) sharedRead(ctx context.Context) (context.Context, func(), error) {
	if db.dialect.NoReadTx || !ratsnetz.ViewerFromContext(ctx).IsPublic() {
		return ctx, func() {}, nil
	}
	if _, ok := ctx.Value(readTxKey{}).(*sql.Tx); ok {
		return ctx, func() {}, nil
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, nil, err
	}
	return context.WithValue(ctx, readTxKey{}, tx), func() { tx.Rollback() }, nil
}

// separatePaperPage is FindPaperPage through the separate finds. SQLite
// uses it: there a statement costs no round trip, and building and decoding
// the JSON lists cost more CPU than the statements they save (measured with
// the large dataset; see .team/perf.md).
func (db *DB) separatePaperPage(ctx context.Context, id int64) (*ratsnetz.PaperPage, error) {
	ctx, end, err := db.sharedRead(ctx)
	if err != nil {
		return nil, err
	}
	defer end()
	p, err := db.FindPaperByID(ctx, id)
	if err != nil {
		return nil, err
	}
	pg := &ratsnetz.PaperPage{Paper: p}
	if pg.Consultations, _, err = db.FindConsultations(ctx, ratsnetz.ConsultationFilter{PaperID: id,
		ListOptions: ratsnetz.ListOptions{Limit: 500}}); err != nil {
		return nil, err
	}
	var meetingIDs, itemIDs []int64
	for _, c := range pg.Consultations {
		if c.MeetingID != 0 {
			meetingIDs = append(meetingIDs, c.MeetingID)
		}
		if c.AgendaItemID != 0 {
			itemIDs = append(itemIDs, c.AgendaItemID)
		}
	}
	byIDs := ratsnetz.ListOptions{Limit: MaxLimit} // as the portal's loaders (batches of 1000)
	if len(meetingIDs) > 0 {
		if pg.Meetings, _, err = db.findMeetings(ctx, ratsnetz.MeetingFilter{IDs: meetingIDs, ListOptions: byIDs}, false); err != nil {
			return nil, err
		}
	}
	if len(itemIDs) > 0 {
		items, _, err := db.findAgendaItems(ctx, ratsnetz.AgendaItemFilter{IDs: itemIDs, ListOptions: byIDs}, nil, false)
		if err != nil {
			return nil, err
		}
		for _, a := range items {
			if !a.Redacted {
				pg.AgendaItems = append(pg.AgendaItems, a)
			}
		}
	}
	fileIDs := p.AuxiliaryFileIDs
	if p.MainFileID != 0 {
		fileIDs = append([]int64{p.MainFileID}, fileIDs...)
	}
	if len(fileIDs) > 0 {
		if pg.Files, _, err = db.findFiles(ctx, ratsnetz.FileFilter{IDs: fileIDs, ListOptions: byIDs}, false); err != nil {
			return nil, err
		}
	}
	if related := slices.Concat(p.RelatedPaperIDs, p.SuperordinatedPaperIDs, p.SubordinatedPaperIDs); len(related) > 0 {
		if pg.Papers, _, err = db.findPapers(ctx, ratsnetz.PaperFilter{IDs: related, ListOptions: byIDs}, false); err != nil {
			return nil, err
		}
	}
	return pg, nil
}

// separateMeetingPage is FindMeetingPage through the separate finds (see
// separatePaperPage).
func (db *DB) separateMeetingPage(ctx context.Context, id int64) (*ratsnetz.MeetingPage, error) {
	ctx, end, err := db.sharedRead(ctx)
	if err != nil {
		return nil, err
	}
	defer end()
	m, err := db.FindMeetingByID(ctx, id)
	if err != nil {
		return nil, err
	}
	pg := &ratsnetz.MeetingPage{Meeting: m}
	if pg.AgendaItems, _, err = db.findAgendaItems(ctx, ratsnetz.AgendaItemFilter{MeetingID: id,
		ListOptions: ratsnetz.ListOptions{Limit: 1000}}, nil, false); err != nil {
		return nil, err
	}
	var paperIDs []int64
	for _, a := range pg.AgendaItems {
		if !a.Redacted && a.PaperID != 0 {
			paperIDs = append(paperIDs, a.PaperID)
		}
	}
	byIDs := ratsnetz.ListOptions{Limit: MaxLimit} // as the portal's loaders (batches of 1000)
	if len(paperIDs) > 0 {
		if pg.Papers, _, err = db.findPapers(ctx, ratsnetz.PaperFilter{IDs: paperIDs, ListOptions: byIDs}, false); err != nil {
			return nil, err
		}
	}
	var fileIDs []int64
	for _, f := range append([]int64{m.InvitationFileID, m.ResultsProtocolFileID, m.VerbatimProtocolFileID}, m.AuxiliaryFileIDs...) {
		if f != 0 {
			fileIDs = append(fileIDs, f)
		}
	}
	if len(fileIDs) > 0 {
		if pg.Files, _, err = db.findFiles(ctx, ratsnetz.FileFilter{IDs: fileIDs, ListOptions: byIDs}, false); err != nil {
			return nil, err
		}
	}
	return pg, nil
}

// WarmPages prepares and plans the public paper and meeting page
// statements on every connection of the PostgreSQL read pool, before
// visitors need them: PostgreSQL plans each statement once per connection
// (the generic plans of the visibility predicates take 10–150 ms, the
// one-statement paper page ~0.3–0.5 s), and without warming the first
// visitors on each connection pay that as latency. It runs one page find
// per kind on as many connections at once as the pool may open, so each
// lands on a connection of its own. It does nothing on SQLite (no
// per-connection plans worth warming) or on an empty database.
func (db *DB) WarmPages(ctx context.Context) error {
	if !db.dialect.NoReadTx {
		return nil
	}
	pub := ratsnetz.NewContextWithViewer(ctx, ratsnetz.Viewer{})
	papers, _, err := db.FindPapers(pub, ratsnetz.PaperFilter{Newest: true, ListOptions: ratsnetz.ListOptions{Limit: 1}})
	if err != nil {
		return err
	}
	meetings, _, err := db.FindMeetings(pub, ratsnetz.MeetingFilter{Descending: true, ListOptions: ratsnetz.ListOptions{Limit: 1}})
	if err != nil {
		return err
	}
	n := db.read.Stats().MaxOpenConnections
	if n <= 0 {
		n = 8
	}
	errs := make(chan error, n)
	for range n {
		go func() {
			var err error
			if len(papers) > 0 {
				_, err = db.FindPaperPage(pub, papers[0].ID)
			}
			if len(meetings) > 0 && err == nil {
				_, err = db.FindMeetingPage(pub, meetings[0].ID)
			}
			errs <- err
		}()
	}
	var first error
	for range n {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}
