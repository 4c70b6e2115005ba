package app

import (
	"runtime/debug"
	"testing"
)

// Vigil sets its soft memory limit unless GOMEMLIMIT is set, which wins.
func TestLimitMemory(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })

	if got := LimitMemory(func(string) string { return "" }); got != MemoryLimit || debug.SetMemoryLimit(-1) != MemoryLimit {
		t.Errorf("without GOMEMLIMIT: limit %d, runtime %d, want %d", got, debug.SetMemoryLimit(-1), MemoryLimit)
	}
	debug.SetMemoryLimit(123 << 20) // as the runtime does from GOMEMLIMIT=123MiB
	env := map[string]string{"GOMEMLIMIT": "123MiB"}
	if got := LimitMemory(func(k string) string { return env[k] }); got != 123<<20 {
		t.Errorf("with GOMEMLIMIT: limit %d, want %d", got, 123<<20)
	}
}
