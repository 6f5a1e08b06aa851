package app

import "testing"

func TestParsePageConcurrency(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"", 0, true}, {"auto", 0, true}, {"off", -1, true}, {" OFF ", -1, true}, {"4", 4, true}, {"1", 1, true},
		{"0", 0, false}, {"-2", 0, false}, {"viele", 0, false}, {"4.5", 0, false}, {"100000", 0, false},
	} {
		got, err := ParsePageConcurrency(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParsePageConcurrency(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	if got := pageLimiter("3").Limit(); got != 3 {
		t.Errorf("pageLimiter(3).Limit() = %d", got)
	}
	if got := pageLimiter("off").Limit(); got != -1 {
		t.Errorf("pageLimiter(off).Limit() = %d", got)
	}
}

func TestParsePageStatements(t *testing.T) {
	for in, want := range map[string]bool{"": false, "separate": false, "one": true, " ONE ": true} {
		if got, err := ParsePageStatements(in); err != nil || got != want {
			t.Errorf("ParsePageStatements(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParsePageStatements("eins"); err == nil {
		t.Error("ParsePageStatements(eins) accepted")
	}
}
