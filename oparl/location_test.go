package oparl_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/postgres/pgtest"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// locationData is testData with the non-public meeting and paper at the
// public locations too: their back-references must not show them.
func locationData() *ratsnetz.Dataset {
	ds := testData()
	ds.Meetings[1].LocationID = 1
	ds.Papers[1].LocationIDs = []int64{1, 2}
	ds.Papers[2].LocationIDs = []int64{2, 2} // named twice: listed once
	return ds
}

// TestLocationBackRefs: Location lists its bodies, organizations, persons,
// meetings and papers (OParl 1.1), only the public ones, in the list and
// standalone.
func TestLocationBackRefs(t *testing.T) {
	e := MustOpenEnv(t, locationData())
	want := map[string]map[string][]string{
		"location/1": {"bodies": {"body/1"}, "organizations": {"organization/1"}, "persons": {"person/1"},
			"meetings": {"meeting/1"}},
		"location/2": {"papers": {"paper/1", "paper/3"}},
	}
	check := func(src string, l map[string]any) {
		t.Helper()
		id := strings.TrimPrefix(l["id"].(string), e.base+"/")
		got := map[string][]string{}
		for _, k := range []string{"bodies", "organizations", "persons", "meetings", "papers"} {
			vs, ok := l[k].([]any)
			if !ok {
				continue
			}
			for _, v := range vs {
				got[k] = append(got[k], strings.TrimPrefix(v.(string), e.base+"/"))
			}
		}
		if diff := cmp.Diff(want[id], got); diff != "" {
			t.Errorf("%s: back-references of %s (-want +got):\n%s", src, id, diff)
		}
	}
	list := e.walk(t, e.base+"/body/1/location")
	if len(list) != 2 {
		t.Fatalf("%d locations", len(list))
	}
	for _, l := range list {
		check("list", l)
		check("standalone", e.getJSON(t, l["id"].(string), http.StatusOK))
	}
}

// TestPostgresAnswersLikeSQLite serves the same data from both databases and
// compares every list page and object byte for byte (after the base URL):
// the batch loaders' SQL means the same on both.
func TestPostgresAnswersLikeSQLite(t *testing.T) {
	ds := locationData()
	lite := MustOpenEnv(t, ds)
	pg := newEnv(t, pgtest.MustOpenMigrated(t), func(db *sqlstore.DB) {
		if err := db.Load(ratsnetz.SystemContext(t.Context()), ds); err != nil {
			t.Fatal(err)
		}
	})
	lists := []string{"organization", "person", "meeting", "paper", "agendaitem", "consultation", "file",
		"location", "legislativeterm", "membership"}
	var paths []string
	for _, l := range lists {
		paths = append(paths, "/body/1/"+l, "/body/1/"+l+"?omit_internal=true")
		for _, it := range lite.walk(t, lite.base+"/body/1/"+l) {
			paths = append(paths, strings.TrimPrefix(it["id"].(string), lite.base))
		}
	}
	for _, p := range paths {
		_, a := lite.get(t, lite.base+p)
		_, b := pg.get(t, pg.base+p)
		a = bytes.ReplaceAll(a, []byte(lite.srv.URL), []byte("BASE"))
		b = bytes.ReplaceAll(b, []byte(pg.srv.URL), []byte("BASE"))
		if !bytes.Equal(a, b) {
			t.Errorf("GET %s differs:\nsqlite:   %s\npostgres: %s", p, a, b)
		}
	}
}

// TestLocationChangeMovesParents: a changed location moves the modified of
// every object that embeds it (body, organization, person, meeting, paper),
// so modified_since clients fetch them again; on SQLite and PostgreSQL.
func TestLocationChangeMovesParents(t *testing.T) {
	for name, open := range map[string]func() *env{
		"sqlite":   func() *env { return MustOpenEnv(t, locationData()) },
		"postgres": func() *env { return newEnv(t, pgtest.MustOpenMigrated(t), func(*sqlstore.DB) {}) },
	} {
		t.Run(name, func(t *testing.T) {
			e := open()
			if name == "postgres" {
				e.load(t, locationData())
			}
			later := t0.Add(48 * time.Hour)
			loc1 := locationData().Locations[0]
			loc1.Modified = later
			loc1.Room = "Großer Saal"
			loc2 := locationData().Locations[1]
			loc2.Modified = later.Add(time.Hour)
			e.load(t, &ratsnetz.Dataset{Locations: []*ratsnetz.Location{loc1, loc2}})
			want := map[string]string{
				"body/1": "location/1", "organization/1": "location/1", "person/1": "location/1",
				"meeting/1": "location/1", "paper/1": "location/2", "paper/3": "location/2",
			}
			for obj, loc := range want {
				o := e.getJSON(t, e.base+"/"+obj, http.StatusOK)
				l := e.getJSON(t, e.base+"/"+loc, http.StatusOK)
				if o["modified"] != l["modified"] {
					t.Errorf("%s modified %v, want %v (its %s changed)", obj, o["modified"], l["modified"], loc)
				}
			}
			// Objects without the locations keep their times.
			if o := e.getJSON(t, e.base+"/organization/2", http.StatusOK); o["modified"] == e.getJSON(t, e.base+"/location/1", http.StatusOK)["modified"] {
				t.Errorf("organization/2 moved without a location")
			}
		})
	}
}
