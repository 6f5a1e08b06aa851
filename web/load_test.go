package web

import (
	"slices"
	"testing"
)

// TestUniqueIDsAndPick: order of first appearance, each ID once, no zero or
// negative IDs, missing objects skipped — for short lists (scanned) and long
// ones (a map).
func TestUniqueIDsAndPick(t *testing.T) {
	for _, n := range []int{3, smallSet, smallSet + 1, 200} {
		var a, b []int64
		m := map[int64]*int64{}
		for i := range n {
			id := int64(i%(n/2+1) + 1) // every ID about twice
			a = append(a, id, 0, -id)
			b = append(b, id*2)
			if id%3 != 0 {
				v := id
				m[id] = &v
			}
		}
		got := uniqueIDs(a, b)
		var want []int64
		seen := map[int64]bool{}
		for _, id := range append(append([]int64{}, a...), b...) {
			if id > 0 && !seen[id] {
				seen[id] = true
				want = append(want, id)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("n=%d: uniqueIDs = %v, want %v", n, got, want)
		}
		var picked []int64
		for _, v := range pick(m, a) {
			picked = append(picked, *v)
		}
		var wantPicked []int64
		for _, id := range want {
			if _, ok := m[id]; ok && slices.Contains(a, id) {
				wantPicked = append(wantPicked, id)
			}
		}
		if !slices.Equal(picked, wantPicked) {
			t.Errorf("n=%d: pick = %v, want %v", n, picked, wantPicked)
		}
	}
}
