package main

import (
	"bufio"
	"bytes"
	"log/slog"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// Bounds of serve's soft memory limit when GOMEMLIMIT is not set.
//
// The limit is where the garbage collector starts to collect harder than
// GOGC alone asks for; it never fails an allocation. Below it the heap
// grows to twice the live data as usual, so a small installation stays
// small either way. 128 MiB (the earlier fixed default) was too low for a
// live meeting: 5 000 open event streams plus a ballot burst keep well over
// 100 MB live, and the collector then ran almost continuously (1 190 µs of
// server CPU per ballot at 2 000 voters against 360 µs with 768 MiB). The
// default is therefore derived from the memory the process may use: a
// quarter of it (the rest is left to SQLite's page caches outside the Go
// heap, the OS page cache and other processes), at least 256 MiB and at
// most 1 GiB (issue 7's memory target for 5 000 participants).
const (
	minMemoryLimit = 256 << 20
	maxMemoryLimit = 1 << 30
)

// memoryLimitFor returns the default soft limit for a process that may use
// total bytes (0 = unknown).
func memoryLimitFor(total int64) int64 {
	if total <= 0 {
		return maxMemoryLimit / 2
	}
	return min(max(total/4, minMemoryLimit), maxMemoryLimit)
}

// setMemoryLimit applies memoryLimitFor(available memory) unless the
// operator set GOMEMLIMIT (which the runtime has already applied then).
func setMemoryLimit(getenv func(string) string, logger *slog.Logger) {
	if getenv("GOMEMLIMIT") != "" {
		return
	}
	limit := memoryLimitFor(availableMemory())
	debug.SetMemoryLimit(limit)
	logger.Debug("soft memory limit", "bytes", limit)
}

// availableMemory returns the memory this process may use: the cgroup's
// limit when one is set (containers), else the machine's; 0 if unknown.
func availableMemory() int64 {
	machine := memTotal()
	if b, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if n, err := strconv.ParseInt(string(bytes.TrimSpace(b)), 10, 64); err == nil && n > 0 && (machine == 0 || n < machine) {
			return n
		}
	}
	return machine
}

// memTotal reads MemTotal from /proc/meminfo (Linux); 0 elsewhere.
func memTotal() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
		if err != nil {
			return 0
		}
		return kb << 10
	}
	return 0
}
