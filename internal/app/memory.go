package app

import (
	"runtime/debug"
)

// MemoryLimit is the soft memory limit Vigil gives the Go runtime when
// GOMEMLIMIT does not set one. Without a limit the collector lets the heap
// grow to twice what is live, and under load that doubled the server's
// resident memory (targets.md: peak RSS ≤ 60 MB). Near the limit the
// collector runs more often instead; the limit is soft, so a heap whose
// live data needs more still gets it. The binary's own pages are ~28 MB
// of the resident set besides: with 40 MiB, make bench peaked at 59.0–
// 61.4 MB; with 32 MiB at 55.9 and 56.3 MB.
const MemoryLimit = 32 << 20

// LimitMemory applies MemoryLimit unless GOMEMLIMIT (read through getenv)
// is set, and returns the limit in force. Servers call it before New:
// start-up parses templates and catalogs, the first peak.
func LimitMemory(getenv func(string) string) int64 {
	if getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1)
	}
	debug.SetMemoryLimit(MemoryLimit)
	return MemoryLimit
}
