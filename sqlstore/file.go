package sqlstore

import (
	"context"
	"database/sql"

	"github.com/ratsnetz/ratsnetz"
)

// Owner kinds and roles of file_links rows.
const (
	ownerPaper      = "paper"
	ownerMeeting    = "meeting"
	ownerAgendaItem = "agenda_item"

	roleMain             = "main"
	roleAuxiliary        = "auxiliary"
	roleInvitation       = "invitation"
	roleResultsProtocol  = "results_protocol"
	roleVerbatimProtocol = "verbatim_protocol"
	roleResolution       = "resolution"
)

func fileTable(w viewer) table {
	return table{name: "files", alias: "f", flagged: true, cols: []col{
		{name: "body_id", zero: zInt}, {name: "name", zero: zStr}, {name: "file_name", zero: zStr},
		{name: "mime_type", zero: zStr}, {name: "date", zero: zNull}, {name: "size", zero: zInt},
		{name: "sha256", zero: zStr}, {name: "sha512", zero: zStr}, {name: "blob_key", zero: zStr},
		{name: "text", zero: zStr, heavy: true}, {name: "external_service_url", zero: zStr},
		{name: "master_file_id", zero: zInt, expr: visibleRef("f.master_file_id", w.fileVisible("f.master_file_id")), heavy: true},
		{name: "license", zero: zStr}, {name: "public", zero: zBool},
	}}
}

func scanFile(rows rowScanner, hidden *bool, extra ...any) (*ratsnetz.File, error) {
	f := &ratsnetz.File{}
	dest := append(metaDest(&f.Meta), &f.BodyID, &f.Name, &f.FileName, &f.MimeType, timeScanner{&f.Date},
		&f.Size, &f.SHA256, &f.SHA512, &f.BlobKey, &f.Text, &f.ExternalServiceURL, &f.MasterFileID,
		&f.License, boolScanner{&f.Public})
	dest = append(append(dest, extra...), boolScanner{hidden})
	return f, rows.Scan(dest...)
}

// fileRefsUnion selects derivatives and the owners' back-references (o, k,
// r, pos) of the files whose ID column satisfies owner(column); 'derivative'
// is no owner kind. A visible file has only visible owners, so the owners
// need no filter.
func fileRefsUnion(w viewer, owner func(col string) string) string {
	return `SELECT d.file_id AS o, 'derivative' AS k, d.derivative_id AS r, d.position AS pos FROM file_derivatives d
		WHERE ` + owner("d.file_id") + ` AND ` + w.fileVisible("d.derivative_id") + `
		UNION ALL
		SELECT DISTINCT fl.file_id, fl.owner_kind, fl.owner_id, 0 FROM file_links fl
		WHERE ` + owner("fl.file_id")
}

// addFileRef adds one row of fileRefsUnion to f.
func addFileRef(f *ratsnetz.File, key string, ref int64) {
	switch key {
	case "derivative":
		f.DerivativeFileIDs = append(f.DerivativeFileIDs, ref)
	case ownerPaper:
		f.PaperIDs = append(f.PaperIDs, ref)
	case ownerMeeting:
		f.MeetingIDs = append(f.MeetingIDs, ref)
	case ownerAgendaItem:
		f.AgendaItemIDs = append(f.AgendaItemIDs, ref)
	}
}

// fileRefs fills derivatives and the owners' back-references (one query
// for a page).
func (db *DB) fileRefs(ctx context.Context, tx querier, w viewer, fs []*ratsnetz.File) error {
	byID := make(map[int64]*ratsnetz.File, len(fs))
	ids := make([]int64, 0, len(fs))
	for _, f := range fs {
		byID[f.ID] = f
		ids = append(ids, f.ID)
	}
	in := func(col string) string { return col + " IN (%s)" }
	return db.refs(ctx, tx, `SELECT o, k, r FROM (`+fileRefsUnion(w, in)+`) u ORDER BY o, k, pos, r`, ids, func(r refRow) {
		addFileRef(byID[r.owner], r.key, r.ref)
	})
}

// FindFileByID returns the file with the given ID; ENOTFOUND when the viewer
// may not see it or one of its owners. The file and its ID lists come in
// one statement.
func (db *DB) FindFileByID(ctx context.Context, id int64) (*ratsnetz.File, error) {
	// Rights first: resolving them may need a connection of its own,
	// and holding a read transaction meanwhile can exhaust the pool.
	w := db.viewerOf(ctx)
	tx, end, err := db.reader(ctx)
	if err != nil {
		return nil, err
	}
	defer end()
	t := fileTable(w)
	t.cols = append(t.cols, col{name: "refs", zero: zNull,
		expr: db.refsColumn(fileRefsUnion(w, func(c string) string { return c + " = f.id" }), "u.k, u.pos, u.r")})
	var f *ratsnetz.File
	var hidden bool
	err = db.byID(ctx, tx, t, w.file("f", true), id, "Datei nicht gefunden.", func(rows *sql.Rows) (err error) {
		var refs []refRow
		f, err = scanFile(rows, &hidden, refsScanner{func(k string, r int64) { refs = append(refs, refRow{key: k, ref: r}) }})
		for _, r := range refs {
			addFileRef(f, r.key, r.ref)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// FindFiles lists files by ID.
func (db *DB) FindFiles(ctx context.Context, f ratsnetz.FileFilter) ([]*ratsnetz.File, int, error) {
	return db.findFiles(ctx, f, true)
}

// FindFilesShallow is FindFiles without derivatives, owners and master file
// (the references) and without the extracted text, for pages that list
// files by name and size. Same visibility and order.
func (db *DB) FindFilesShallow(ctx context.Context, f ratsnetz.FileFilter) ([]*ratsnetz.File, int, error) {
	return db.findFiles(ctx, f, false)
}

func (db *DB) findFiles(ctx context.Context, f ratsnetz.FileFilter, withRefs bool) ([]*ratsnetz.File, int, error) {
	// Rights first: resolving them may need a connection of its own,
	// and holding a read transaction meanwhile can exhaust the pool.
	vw := db.viewerOf(ctx)
	tx, end, err := db.reader(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer end()
	t := fileTable(vw)
	v := vw.file("f", f.WithDeleted)
	w := db.newWhere()
	if err := db.listOptions(&w, t, v, f.ListOptions); err != nil {
		return nil, 0, err
	}
	w.ids("f.id", f.IDs)
	if f.BodyID != 0 {
		w.add("f.body_id = ?", f.BodyID)
	}
	owner := func(kind string, id int64) {
		if id != 0 {
			w.add("f.id IN (SELECT fl.file_id FROM file_links fl WHERE fl.owner_kind = '"+kind+"' AND fl.owner_id = ?)", id)
		}
	}
	owner(ownerPaper, f.PaperID)
	owner(ownerMeeting, f.MeetingID)
	owner(ownerAgendaItem, f.AgendaItemID)
	var files, shown []*ratsnetz.File
	files = []*ratsnetz.File{}
	if !withRefs {
		t = t.light()
	}
	n, err := db.list(ctx, tx, t, v, &w, f.ListOptions, "f.id", func(rows *sql.Rows) error {
		var hidden bool
		file, err := scanFile(rows, &hidden)
		files = append(files, file)
		if !hidden {
			shown = append(shown, file)
		}
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	if !withRefs {
		return files, n, nil
	}
	if err := db.fileRefs(ctx, tx, vw, shown); err != nil {
		return nil, 0, err
	}
	return files, n, nil
}
