package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestSearchBenchDemo runs `ratsnetz search reindex` and `search bench` on
// the demo municipality: the warm-up line comes first and is left out by
// --cold; every query class prints its line.
func TestSearchBenchDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo municipality")
	}
	ctx := context.Background()
	dir := t.TempDir()
	for _, args := range [][]string{{"demo"}, {"search", "reindex"}} {
		var out bytes.Buffer
		if err := run(ctx, append(args, "--data", dir), noenv, &out, &out); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out.String())
		}
	}
	classes := []string{"ein Wort ", "ein Wort + Filter", "zwei Wörter ", "zwei Wörter + Filter", "Phrase ", "Phrase + Filter",
		"Drucksachennummer ", "Drucksachennummer + Filter"}
	for _, cold := range []bool{false, true} {
		args := []string{"search", "bench", "--n", "3", "--data", dir}
		if cold {
			args = append(args, "--cold")
		}
		var out, errOut bytes.Buffer
		if err := run(ctx, args, noenv, &out, &errOut); err != nil {
			t.Fatalf("%v: %v\n%s%s", args, err, out.String(), errOut.String())
		}
		s := out.String()
		for _, c := range classes {
			if !strings.Contains(s, c) {
				t.Errorf("%v: no line for %q:\n%s", args, c, s)
			}
		}
		if warm := strings.Index(s, "kalt: Wörter, Phrasen"); cold != (warm < 0) || (!cold && warm > strings.Index(s, "ein Wort ")) {
			t.Errorf("%v: warm-up line (at %d) wrong:\n%s", args, warm, s)
		}
		if !strings.Contains(s, "Platte") {
			t.Errorf("%v: no disk reads:\n%s", args, s)
		}
	}
}
