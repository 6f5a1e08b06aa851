package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// Limits of list pages.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

// col is a content column of a table. zero is the SQL literal it is replaced
// with when the viewer may not see the row's content; "" keeps the column
// always (redacted placeholders keep a few).
type col struct {
	name string
	zero string
	// expr, if set, is selected instead of alias.name (it names its own alias).
	expr string
	// heavy columns (long texts, and references whose visibility check
	// makes the query's plan large) are left out (selected as zero) by the
	// shallow finds, whose callers show only names, dates and numbers.
	heavy bool
}

const (
	zStr  = "''"
	zInt  = "0"
	zBool = "FALSE"
	zNull = "NULL"
)

// table describes how an object kind is selected.
type table struct {
	name  string
	alias string
	cols  []col
	// flagged tables have public and depublished_at columns.
	flagged bool
}

// light returns t with its heavy columns selected as their zero value.
func (t table) light() table {
	cols := make([]col, len(t.cols))
	for i, c := range t.cols {
		if c.heavy {
			c = col{name: c.name, expr: c.zero}
		}
		cols[i] = c
	}
	t.cols = cols
	return t
}

// selectSQL returns the query of the rows of t matching whereOrder (the
// WHERE, ORDER BY and LIMIT clauses over the table alias): the meta
// columns, the content columns (hidden outside v.content) and a final
// hidden flag. The page is chosen in an inner query that also evaluates
// v.content once per row; the outer query only shapes the columns.
func (t table) selectSQL(v vis, whereOrder, order string) string {
	return t.selectColumns(v, whereOrder, order, false)
}

// selectColumns is selectSQL; with named, the columns are named c0, c1, ….
// It runs for every query, so it writes the text straight into one buffer
// (no per-column fmt.Sprintf); TestSelectColumnsText holds it to the
// straightforward version.
func (t table) selectColumns(v vis, whereOrder, order string, named bool) string {
	a := t.alias + "."
	content := v.content
	if content != "" {
		content = a + "vis_ok"
	}
	tomb := v.tomb
	if tomb != "" {
		tomb = a + "vis_tomb"
	}
	var b strings.Builder
	b.Grow(256 + len(t.cols)*(48+2*len(content)) + len(v.content) + len(v.tomb) + 2*len(v.tombModified) +
		len(t.name) + len(whereOrder) + len(order))
	n := 0
	next := func() {
		if n > 0 {
			if named {
				b.WriteString(" AS c")
				b.WriteString(strconv.Itoa(n - 1))
			}
			b.WriteString(", ")
		}
		n++
	}
	b.WriteString("SELECT ")
	next()
	b.WriteString(a)
	b.WriteString("id")
	next()
	if content != "" {
		b.WriteString("CASE WHEN " + content + " THEN " + a + "external_id ELSE '' END")
	} else {
		b.WriteString(a)
		b.WriteString("external_id")
	}
	next()
	b.WriteString(a)
	b.WriteString("created")
	if tomb != "" {
		next()
		b.WriteString("CASE WHEN " + tomb + " THEN ")
		b.WriteString(v.tombModified)
		b.WriteString(" ELSE " + a + "modified END")
		next()
		b.WriteString("CASE WHEN " + tomb + " THEN TRUE ELSE " + a + "deleted END")
	} else {
		next()
		b.WriteString(a)
		b.WriteString("modified")
		next()
		b.WriteString(a)
		b.WriteString("deleted")
	}
	for _, c := range t.cols {
		next()
		wrap := content != "" && c.zero != ""
		if wrap {
			b.WriteString("CASE WHEN " + content + " THEN ")
		}
		if c.expr != "" {
			b.WriteString(c.expr)
		} else {
			b.WriteString(a)
			b.WriteString(c.name)
		}
		if wrap {
			b.WriteString(" ELSE ")
			b.WriteString(c.zero)
			b.WriteString(" END")
		}
	}
	next()
	if content == "" {
		b.WriteString("FALSE")
	} else {
		b.WriteString("CASE WHEN " + content + " THEN FALSE ELSE TRUE END")
	}
	if named {
		b.WriteString(" AS c")
		b.WriteString(strconv.Itoa(n - 1))
	}
	b.WriteString(" FROM (SELECT " + a + "*")
	if v.content != "" {
		b.WriteString(", ")
		b.WriteString(v.content)
		b.WriteString(" AS vis_ok")
	}
	if v.tomb != "" {
		b.WriteString(", ")
		b.WriteString(v.tomb)
		b.WriteString(" AS vis_tomb")
	}
	b.WriteString(" FROM ")
	b.WriteString(t.name)
	b.WriteString(" ")
	b.WriteString(t.alias)
	b.WriteString(whereOrder)
	b.WriteString(") ")
	b.WriteString(t.alias)
	if order != "" {
		b.WriteString(" ORDER BY ")
		b.WriteString(order)
	}
	return b.String()
}

// columnCount is the number of columns selectSQL returns.
func (t table) columnCount() int { return 5 + len(t.cols) + 1 }

// jsonRows is a scalar SQL expression: the rows of t under v matched by
// whereOrder (see selectSQL; the same visibility and redaction), as a JSON
// array holding one array of selectSQL's columns per row; NULL or "[]"
// when there are none. Read it with jsonRowsScanner. Pages read several
// lists in one statement this way. The order of the rows is not kept.
func (db *DB) jsonRows(t table, v vis, whereOrder string) string {
	var cols strings.Builder
	for i := range t.columnCount() {
		if i > 0 {
			cols.WriteString(", ")
		}
		fmt.Fprintf(&cols, "x.c%d", i)
	}
	agg := "json_group_array(json_array(" + cols.String() + "))"
	if db.dialect.Name == "postgres" {
		agg = "json_agg(json_build_array(" + cols.String() + "))"
	}
	return "(SELECT " + agg + " FROM (" + t.selectColumns(v, whereOrder, "", true) + ") x)"
}

// rowScanner is a row to scan: *sql.Rows, or a row of jsonRows.
type rowScanner interface {
	Scan(dest ...any) error
}

// jsonRowsScanner reads the text of jsonRows: scan is called for each row.
type jsonRowsScanner struct{ scan func(rowScanner) error }

func (s jsonRowsScanner) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("scan rows: unsupported type %T", src)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var rows []jsonRow
	if err := d.Decode(&rows); err != nil {
		return fmt.Errorf("scan rows: %w", err)
	}
	for _, r := range rows {
		if err := s.scan(r); err != nil {
			return err
		}
	}
	return nil
}

// jsonRow is one row of jsonRows. Scan converts its values as database/sql
// would the column values: JSON numbers to int64, strings, booleans (SQLite
// keeps 0/1, which the bool scanners read), null to nil.
type jsonRow []any

func (r jsonRow) Scan(dest ...any) error {
	if len(dest) != len(r) {
		return fmt.Errorf("scan row: %d columns into %d destinations", len(r), len(dest))
	}
	for i, d := range dest {
		src := r[i]
		if n, ok := src.(json.Number); ok {
			v, err := n.Int64()
			if err != nil {
				return fmt.Errorf("scan row column %d: %w", i, err)
			}
			src = v
		}
		var ok bool
		switch d := d.(type) {
		case sql.Scanner:
			if err := d.Scan(src); err != nil {
				return fmt.Errorf("scan row column %d: %w", i, err)
			}
			ok = true
		case *int64:
			var v int64
			v, ok = src.(int64)
			*d = v
		case *int:
			var v int64
			v, ok = src.(int64)
			*d = int(v)
		case *string:
			*d, ok = src.(string)
		}
		if !ok {
			return fmt.Errorf("scan row column %d: cannot read %T into %T", i, src, d)
		}
	}
	return nil
}

// modifiedExpr is the modification time as the viewer sees it.
func (t table) modifiedExpr(v vis) string {
	a := t.alias + "."
	if v.tomb != "" {
		return fmt.Sprintf("CASE WHEN %s THEN %s ELSE %smodified END", v.tomb, v.tombModified, a)
	}
	return a + "modified"
}

// metaDest returns scan targets for the meta columns.
func metaDest(m *ratsnetz.Meta) []any {
	return []any{&m.ID, &m.ExternalID, timeScanner{&m.Created}, timeScanner{&m.Modified}, boolScanner{&m.Deleted}}
}

// querier runs queries: a read transaction, or the read pool itself where
// the dialect needs no read transaction (see Dialect.NoReadTx).
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// reader returns what a find method runs its queries on and the function
// that ends it (call it, deferred, in every case).
func (db *DB) reader(ctx context.Context) (querier, func(), error) {
	if db.dialect.NoReadTx {
		return db.read, func() {}, nil
	}
	if tx, ok := ctx.Value(readTxKey{}).(*sql.Tx); ok {
		return tx, func() {}, nil
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, nil, err
	}
	return tx, func() { tx.Rollback() }, nil
}

// readTxKey marks a read transaction in a context (sharedRead): reader
// hands it out instead of beginning one per find.
type readTxKey struct{}

// where collects predicates with "?" arguments.
type where struct {
	conds []string
	args  []any
	idSet func([]int64) (string, any)
}

func (db *DB) newWhere() where { return where{idSet: db.idSet} }

// idSet returns SQL for the set of ids, for "x IN (<sql>)", and its one
// argument. The SQL text does not depend on the number of IDs, so the
// statement is prepared and planned once.
func (db *DB) idSet(ids []int64) (string, any) {
	if db.dialect.IDSet != nil {
		return db.dialect.IDSet(ids)
	}
	return JSONIDSet(ids)
}

// JSONIDSet is the SQLite ID set: a JSON array read by json_each.
func JSONIDSet(ids []int64) (string, any) {
	b := make([]byte, 0, len(ids)*8+2)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	b = append(b, ']')
	return "SELECT value FROM json_each(?)", string(b)
}

// ArrayIDSet is the PostgreSQL ID set: a bigint array.
func ArrayIDSet(ids []int64) (string, any) {
	return "SELECT unnest(CAST(? AS bigint[]))", ids
}

func (w *where) add(cond string, args ...any) {
	if cond == "" {
		return
	}
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) ids(colName string, ids []int64) {
	if len(ids) == 0 {
		return
	}
	q, arg := w.idSet(ids)
	w.add(colName+" IN ("+q+")", arg)
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

func int64Args(ids []int64) []any {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return args
}

// listOptions validates o and adds its change-tracking predicates.
func (db *DB) listOptions(w *where, t table, v vis, o ratsnetz.ListOptions) error {
	if o.Limit < 0 {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Ungültige Seitengröße %d.", o.Limit)
	}
	if o.Offset < 0 {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Ungültiger Versatz %d.", o.Offset)
	}
	if o.After < -1 {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Ungültige Startkennung %d.", o.After)
	}
	if !o.CreatedSince.IsZero() && !o.CreatedUntil.IsZero() && o.CreatedUntil.Before(o.CreatedSince) {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Der Erstellungszeitraum endet vor seinem Beginn.")
	}
	if !o.ModifiedSince.IsZero() && !o.ModifiedUntil.IsZero() && o.ModifiedUntil.Before(o.ModifiedSince) {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Der Änderungszeitraum endet vor seinem Beginn.")
	}
	a := t.alias + "."
	if !o.CreatedSince.IsZero() {
		w.add(a+"created >= ?", db.tm(o.CreatedSince))
	}
	if !o.CreatedUntil.IsZero() {
		w.add(a+"created <= ?", db.tm(o.CreatedUntil))
	}
	if !o.ModifiedSince.IsZero() {
		w.add(t.modifiedExpr(v)+" >= ?", db.tm(o.ModifiedSince))
	}
	if !o.ModifiedUntil.IsZero() {
		w.add(t.modifiedExpr(v)+" <= ?", db.tm(o.ModifiedUntil))
	}
	return nil
}

func limitOf(o ratsnetz.ListOptions) int {
	switch {
	case o.Limit == 0:
		return DefaultLimit
	case o.Limit > MaxLimit:
		return MaxLimit
	}
	return o.Limit
}

// list runs a list query: the page (keyset by ID when After is set, else
// order + offset) and, when asked, the total. scan reads one row. After = -1
// is keyset paging from the start (the first page of an ID-ordered walk).
// A negative Limit (only set inside this package) means no limit.
func (db *DB) list(ctx context.Context, tx querier, t table, v vis, w *where, o ratsnetz.ListOptions, order string,
	scan func(*sql.Rows) error) (int, error) {
	w.add(v.list)
	total := -1
	if o.WithTotal {
		q := "SELECT COUNT(*) FROM " + t.name + " " + t.alias + w.sql()
		if err := tx.QueryRowContext(ctx, db.rebind(q), w.args...).Scan(&total); err != nil {
			return 0, fmt.Errorf("count %s: %w", t.name, err)
		}
	}
	args := w.args
	var q string
	limit := ""
	if o.Limit >= 0 {
		limit = fmt.Sprintf(" LIMIT %d", limitOf(o))
	}
	if o.After != 0 {
		w.add(t.alias+".id > ?", o.After)
		args = w.args
		q = t.selectSQL(v, w.sql()+" ORDER BY "+t.alias+".id"+limit, t.alias+".id")
	} else {
		if limit != "" && o.Offset > 0 {
			limit += " OFFSET ?"
			args = append(args[:len(args):len(args)], o.Offset)
		}
		q = t.selectSQL(v, w.sql()+" ORDER BY "+order+limit, order)
	}
	rows, err := tx.QueryContext(ctx, db.rebind(q), args...)
	if err != nil {
		return 0, fmt.Errorf("list %s: %w", t.name, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return 0, fmt.Errorf("list %s: %w", t.name, err)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("list %s: %w", t.name, err)
	}
	return total, nil
}

// byID reads one row by ID under v.byID; not found is ENOTFOUND with msg.
func (db *DB) byID(ctx context.Context, tx querier, t table, v vis, id int64, msg string, scan func(*sql.Rows) error) error {
	w := db.newWhere()
	w.add(t.alias+".id = ?", id)
	w.add(v.byID)
	// LIMIT 1 (the ID is unique) keeps the inner query from being merged
	// into the outer one, which would evaluate the visibility predicate
	// once per content column instead of once.
	rows, err := tx.QueryContext(ctx, db.rebind(t.selectSQL(v, w.sql()+" LIMIT 1", "")), w.args...)
	if err != nil {
		return fmt.Errorf("find %s %d: %w", t.name, id, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return fmt.Errorf("find %s %d: %w", t.name, id, err)
		}
		return ratsnetz.Errorf(ratsnetz.ENOTFOUND, "%s", msg)
	}
	if err := scan(rows); err != nil {
		return fmt.Errorf("find %s %d: %w", t.name, id, err)
	}
	return rows.Close()
}

// refRow is one row of an ID list: the owner, which list, the referenced ID.
type refRow struct {
	owner int64
	key   string
	ref   int64
}

// refs runs q (selecting owner, key, ref; with "%s" wherever the owner ID
// list goes) for the owners and calls fn for every row in order. One query
// per page (several lists may share it with UNION ALL): no N+1.
func (db *DB) refs(ctx context.Context, tx querier, q string, owners []int64, fn func(refRow)) error {
	if len(owners) == 0 {
		return nil
	}
	set, arg := db.idSet(owners)
	n := strings.Count(q, "%s")
	sets, args := make([]any, n), make([]any, n)
	for i := range n {
		sets[i], args[i] = set, arg
	}
	q = fmt.Sprintf(q, sets...)
	rows, err := tx.QueryContext(ctx, db.rebind(q), args...)
	if err != nil {
		return fmt.Errorf("load references: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r refRow
		if err := rows.Scan(&r.owner, &r.key, &r.ref); err != nil {
			return fmt.Errorf("load references: %w", err)
		}
		fn(r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load references: %w", err)
	}
	return nil
}

// refsColumn is a column expression that aggregates, for the one owner of
// the outer row, the rows of union (selecting k and r, and pos for the
// order; see refs) into text "k:r,k:r,…" ordered by order. A find by ID
// then reads an object and its ID lists in one statement instead of two.
func (db *DB) refsColumn(union, order string) string {
	return "(SELECT " + db.aggregateIDs("u.k || ':' || u.r", order) + " FROM (" + union + ") u)"
}

// refsScanner reads the text of refsColumn and calls fn for each pair in
// order. NULL (no rows, or a row without visible content) calls nothing.
type refsScanner struct{ fn func(key string, ref int64) }

func (s refsScanner) Scan(src any) error {
	var text string
	switch v := src.(type) {
	case nil:
		return nil
	case string:
		text = v
	case []byte:
		text = string(v)
	default:
		return fmt.Errorf("scan references: unsupported type %T", src)
	}
	for part := range strings.SplitSeq(text, ",") {
		key, num, ok := strings.Cut(part, ":")
		if !ok {
			return fmt.Errorf("scan references: bad pair %q", part)
		}
		id, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			return fmt.Errorf("scan references: %w", err)
		}
		s.fn(key, id)
	}
	return nil
}

// jsonScanner reads a JSON text column into dst; NULL and "" leave it zero.
type jsonScanner struct{ dst any }

func (s jsonScanner) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("scan json: unsupported type %T", src)
	}
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	return json.Unmarshal(b, s.dst)
}

// jsonText encodes v as JSON text; empty lists and nil become "".
func jsonText(v any) (string, error) {
	switch x := v.(type) {
	case []string:
		if len(x) == 0 {
			return "", nil
		}
	case []ratsnetz.TextSection:
		if len(x) == 0 {
			return "", nil
		}
	case *ratsnetz.VoteResult:
		if x == nil {
			return "", nil
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// yearRange is [1 Jan year, 1 Jan year+1) in UTC.
func yearRange(year int) (time.Time, time.Time) {
	return time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC)
}
