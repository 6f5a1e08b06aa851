package main

import (
	"log/slog"
	"runtime/debug"
)

// defaultMemoryLimit is the Go runtime's soft memory limit for `serve` when
// GOMEMLIMIT is not set. The server's live heap is small (the response
// cache is bounded at 64 MB); without a limit the garbage collector lets the
// heap grow to twice the live data before collecting, which after many
// distinct pages put the process above 300 MB. Near the limit the collector
// simply runs more often; it never fails an allocation. SQLite's page caches
// (modernc, outside the Go heap) come on top: 5 × 8 MB.
const defaultMemoryLimit = 128 << 20

// setMemoryLimit applies defaultMemoryLimit unless the operator set
// GOMEMLIMIT (which the runtime has already applied then).
func setMemoryLimit(getenv func(string) string, logger *slog.Logger) {
	if getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(defaultMemoryLimit)
	logger.Debug("soft memory limit", "bytes", defaultMemoryLimit)
}
