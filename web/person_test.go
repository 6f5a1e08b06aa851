package web

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ratsnetz/ratsnetz"
)

func TestPersonDirectoryOrder(t *testing.T) {
	env := newTestEnv(t)
	_, body := env.get(t, "/personen")
	a, b, c := strings.Index(body, "Dr. Anna Beispiel"), strings.Index(body, "Bernd Muster"), strings.Index(body, "Clara Test")
	if a < 0 || !(a < b && b < c) {
		t.Errorf("not in alphabetical order of family names: %d %d %d", a, b, c)
	}
}

func TestSortKeyGermanOrder(t *testing.T) {
	persons := []*ratsnetz.Person{
		{Name: "Peter Peters", FamilyName: "Peters"},
		{Name: "Ömer Öztürk", FamilyName: "Öztürk"},
		{Name: "Otto Otto", FamilyName: "Otto"},
		{Name: "Anna Zander", FamilyName: "Zander"},
		{Name: "Eva Ärmel", FamilyName: "Ärmel"},
	}
	slices.SortFunc(persons, func(a, b *ratsnetz.Person) int { return strings.Compare(sortKey(a), sortKey(b)) })
	var got []string
	for _, p := range persons {
		got = append(got, p.FamilyName)
	}
	want := []string{"Ärmel", "Otto", "Öztürk", "Peters", "Zander"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	if got := initial(sortKey(persons[0])); got != "A" {
		t.Errorf("initial of Ärmel = %q, want A", got)
	}
}
