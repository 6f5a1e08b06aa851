package main

import (
	"log/slog"
	"math"
	"runtime/debug"
	"testing"
)

func TestSetMemoryLimit(t *testing.T) {
	prev := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
	logger := slog.New(slog.DiscardHandler)

	setMemoryLimit(func(string) string { return "1GiB" }, logger)
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("with GOMEMLIMIT set: limit %d, want the runtime's (unchanged)", got)
	}
	setMemoryLimit(func(string) string { return "" }, logger)
	got := debug.SetMemoryLimit(-1)
	if want := memoryLimitFor(availableMemory()); got != want {
		t.Errorf("without GOMEMLIMIT: limit %d, want %d", got, want)
	}
	if got < minMemoryLimit || got > maxMemoryLimit {
		t.Errorf("without GOMEMLIMIT: limit %d MiB outside [256, 1024] MiB", got>>20)
	}
}

func TestMemoryLimitFor(t *testing.T) {
	for _, tc := range []struct {
		total, want int64
	}{
		{0, 512 << 20},         // unknown: the middle
		{512 << 20, 256 << 20}, // small VM: never below 256 MiB
		{2 << 30, 512 << 20},   // a quarter
		{24 << 30, 1 << 30},    // big machine: 1 GiB at most
	} {
		if got := memoryLimitFor(tc.total); got != tc.want {
			t.Errorf("memoryLimitFor(%d MiB) = %d MiB, want %d MiB", tc.total>>20, got>>20, tc.want>>20)
		}
	}
}
