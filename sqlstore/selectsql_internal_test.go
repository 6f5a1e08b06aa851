package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ratsnetz/ratsnetz"
)

// selectColumnsPlain is selectColumns as first written (one fmt.Sprintf per
// column); selectColumns must return exactly its text.
func (t table) selectColumnsPlain(v vis, whereOrder, order string, named bool) string {
	a := t.alias + "."
	var b strings.Builder
	b.WriteString("SELECT ")
	content := v.content
	if content != "" {
		content = a + "vis_ok"
	}
	tomb := v.tomb
	if tomb != "" {
		tomb = a + "vis_tomb"
	}
	var exprs []string
	exprs = append(exprs, a+"id")
	if content != "" {
		exprs = append(exprs, fmt.Sprintf("CASE WHEN %s THEN %sexternal_id ELSE '' END", content, a))
	} else {
		exprs = append(exprs, a+"external_id")
	}
	exprs = append(exprs, a+"created")
	if tomb != "" {
		exprs = append(exprs, fmt.Sprintf("CASE WHEN %s THEN %s ELSE %smodified END", tomb, v.tombModified, a),
			fmt.Sprintf("CASE WHEN %s THEN TRUE ELSE %sdeleted END", tomb, a))
	} else {
		exprs = append(exprs, a+"modified", a+"deleted")
	}
	for _, c := range t.cols {
		e := a + c.name
		if c.expr != "" {
			e = c.expr
		}
		if content == "" || c.zero == "" {
			exprs = append(exprs, e)
		} else {
			exprs = append(exprs, fmt.Sprintf("CASE WHEN %s THEN %s ELSE %s END", content, e, c.zero))
		}
	}
	if content == "" {
		exprs = append(exprs, "FALSE")
	} else {
		exprs = append(exprs, fmt.Sprintf("CASE WHEN %s THEN FALSE ELSE TRUE END", content))
	}
	for i, e := range exprs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(e)
		if named {
			fmt.Fprintf(&b, " AS c%d", i)
		}
	}
	b.WriteString(" FROM (SELECT " + a + "*")
	if v.content != "" {
		b.WriteString(", " + v.content + " AS vis_ok")
	}
	if v.tomb != "" {
		b.WriteString(", " + v.tomb + " AS vis_tomb")
	}
	b.WriteString(" FROM " + t.name + " " + t.alias + whereOrder + ") " + t.alias)
	if order != "" {
		b.WriteString(" ORDER BY " + order)
	}
	return b.String()
}

// TestSelectColumnsText: the text of every table's SELECT, for the public,
// logged-in viewers of each kind of entitlement and the system viewer, with
// and without deleted rows, light and full, named and not, on both
// dialects, equals the plain version's byte for byte.
func TestSelectColumnsText(t *testing.T) {
	for _, name := range []string{"sqlite", "postgres"} {
		db := &DB{dialect: Dialect{Name: name}}
		viewers := map[string]viewer{
			"public": db.viewerOf(context.Background()),
			"system": {v: ratsnetz.Viewer{System: true}},
			"member": {v: ratsnetz.Viewer{AccountID: 1, PersonID: 2}, logged: true,
				r: entitlements{orgs: []int64{10, 11}, conflicts: []int64{300}, papers: []int64{403}, clerkOrgs: []int64{14}}},
			"conflicted": {v: ratsnetz.Viewer{AccountID: 3, PersonID: 4}, logged: true,
				r: entitlements{orgs: []int64{10}, conflicts: []int64{301, 302}}},
			"grant holder": {v: ratsnetz.Viewer{AccountID: 5}, logged: true, r: entitlements{papers: []int64{404, 405}}},
			"office clerk": {v: ratsnetz.Viewer{AccountID: 6, PersonID: 7}, logged: true, r: entitlements{clerkOrgs: []int64{15, 16}}},
		}
		n := 0
		for vn, w := range viewers {
			for _, wd := range []bool{false, true} {
				cases := []struct {
					t table
					v vis
				}{
					{paperTable, w.paper("p", wd)}, {meetingTable, w.meeting("m", wd)},
					{agendaItemTable(w), w.agendaItem("a", wd)}, {fileTable(w), w.file("f", wd)},
					{bodyTable, w.plain("b", wd)}, {termTable, w.plain("t", wd)}, {locationTable, w.plain("l", wd)},
					{orgTable, w.plain("o", wd)}, {personTable, w.plain("p", wd)}, {membershipTable, w.plain("m", wd)},
					{db.consultationTable(w), w.consultation("c", wd)}, {paperTable, vis{}}, {meetingTable, vis{content: "TRUE"}}, {paperTable, vis{tomb: "x", tombModified: "y"}},
				}
				for _, c := range cases {
					for _, tb := range []table{c.t, c.t.light()} {
						for _, named := range []bool{false, true} {
							for _, wo := range [][2]string{{"", ""}, {" WHERE x.id = ? LIMIT 1", ""}, {" ORDER BY x.id LIMIT 50", "x.id"}} {
								got := tb.selectColumns(c.v, wo[0], wo[1], named)
								want := tb.selectColumnsPlain(c.v, wo[0], wo[1], named)
								if got != want {
									t.Fatalf("%s %s %s (deleted %v, named %v):\n got %s\nwant %s", name, vn, tb.name, wd, named, got, want)
								}
								n++
							}
						}
					}
				}
			}
		}
		if n < 400 {
			t.Fatalf("only %d texts compared", n)
		}
	}
}

func BenchmarkSelectColumns(b *testing.B) {
	w := (&DB{dialect: Dialect{Name: "sqlite"}}).viewerOf(context.Background())
	at, v := agendaItemTable(w), w.agendaItem("a", false)
	for b.Loop() {
		_ = at.selectColumns(v, " WHERE a.id IN (SELECT value FROM json_each(?)) ORDER BY a.id LIMIT 1000", "a.id", false)
	}
}

func BenchmarkSelectColumnsPlain(b *testing.B) {
	w := (&DB{dialect: Dialect{Name: "sqlite"}}).viewerOf(context.Background())
	at, v := agendaItemTable(w), w.agendaItem("a", false)
	for b.Loop() {
		_ = at.selectColumnsPlain(v, " WHERE a.id IN (SELECT value FROM json_each(?)) ORDER BY a.id LIMIT 1000", "a.id", false)
	}
}

// TestSharedReadOnlyForThePublicOnSQLite: the page's shared read
// transaction is taken only where a read transaction is used at all
// (SQLite) and only for the public: a logged-in viewer's entitlements are
// read on a connection of their own, which must not wait for the page's.
func TestSharedReadOnlyForThePublicOnSQLite(t *testing.T) {
	member := ratsnetz.NewContextWithViewer(context.Background(), ratsnetz.Viewer{AccountID: 1, PersonID: 2})
	for _, c := range []struct {
		name string
		db   *DB
		ctx  context.Context
	}{
		{"postgres public", &DB{dialect: Dialect{Name: "postgres", NoReadTx: true}}, context.Background()},
		{"sqlite member", &DB{dialect: Dialect{Name: "sqlite"}}, member},
		{"postgres member", &DB{dialect: Dialect{Name: "postgres", NoReadTx: true}}, member},
	} {
		// db.read is nil: beginning a transaction would panic.
		ctx, end, err := c.db.sharedRead(c.ctx)
		if err != nil || ctx != c.ctx {
			t.Errorf("%s: sharedRead changed the context (err %v)", c.name, err)
		}
		end()
	}
}
