// Package migrations holds Vigil's schema as goose SQL files, embedded into
// the binary so `vigil migrate` needs nothing beside it.
package migrations

import "embed"

// FS is every migration file, in the form goose reads.
//
//go:embed *.sql
var FS embed.FS
