package delegation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"vigil/internal/audit"
)

// Domain errors the handlers turn into messages.
var (
	ErrNotFound   = errors.New("delegation: not found")
	ErrStale      = errors.New("delegation: record was changed by someone else")
	ErrNameTaken  = errors.New("delegation: name already in use")
	ErrEmailTaken = errors.New("delegation: e-mail already used by another guest")
	// ErrInUse means guests or participations still refer to the record.
	ErrInUse = errors.New("delegation: in use")
)

// Store reads and writes delegations, guests and participations.
type Store struct {
	db  *gorm.DB
	now func() time.Time
}

// NewStore returns a store over db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db, now: time.Now} }

// versioned is a model with an optimistic-locking version.
type versioned interface {
	version() int
	setVersion(int)
}

// writeErr turns constraint violations into domain errors.
func writeErr(what string, err error) error {
	switch {
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return dupErr(what)
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return ErrInUse
	}
	return fmt.Errorf("delegation: %s: %w", what, err)
}

func dupErr(what string) error {
	if what == "guest" {
		return ErrEmailTaken
	}
	return ErrNameTaken
}

// auditRows gives the shared row helpers this package's errors.
var auditRows = audit.Rows{NotFound: ErrNotFound, Stale: ErrStale, Fail: failed}

// failed turns a failed statement into the error the handlers know.
func failed(verb, entity string, id int64, err error) error {
	switch {
	case verb == "load":
		return fmt.Errorf("delegation: load %s %d: %w", entity, id, err)
	case verb == "create" && errors.Is(err, gorm.ErrForeignKeyViolated):
		return ErrNotFound // what it belongs to is gone
	}
	return writeErr(entity, err)
}

// hooks run inside the transaction of a write, after the row is saved.
type hook func(tx *gorm.DB) error

// create inserts row and audits it; after runs in the same transaction.
func create[T any](ctx context.Context, db *gorm.DB, entity string, row *T, id func() int64, summary string, after hook) error {
	return audit.CreateRow(ctx, db, auditRows, entity, row, id, summary, after)
}

// update locks and loads row id, refuses a version other than the one the
// editor saw (ErrStale; -1 skips the check), applies change, saves it with
// the next version, runs after and audits the difference, in one
// transaction (audit.UpdateRow). A change that changes nothing saves
// nothing, so a form sent twice changes nothing twice.
func update[T any, P interface {
	*T
	versioned
}](ctx context.Context, db *gorm.DB, entity string, id int64, version int, change func(tx *gorm.DB, row P) error, summary func(P) string, after func(tx *gorm.DB, before, after P) error) (P, error) {
	if version < 0 {
		version = audit.AnyVersion // any negative version skips the check here
	}
	return audit.UpdateRow(ctx, db, auditRows, audit.Update[P]{
		Entity: entity, ID: id, Version: version,
		GetVersion: func(p P) int { return p.version() },
		SetVersion: func(p P, v int) { p.setVersion(v) },
		Change:     change, Summary: summary, After: after,
	})
}

// remove deletes row id and audits what it held; after runs in the same
// transaction. A row still referred to makes ErrInUse.
func remove[T any](ctx context.Context, db *gorm.DB, entity string, id int64, summary func(*T) string, after hook) (*T, error) {
	return audit.DeleteRow(ctx, db, auditRows, entity, id, nil, summary, after)
}

// one loads row id, or ErrNotFound.
func one[T any](ctx context.Context, db *gorm.DB, entity string, id int64) (*T, error) {
	return audit.OneRow[T](ctx, db, auditRows, entity, id, nil)
}
