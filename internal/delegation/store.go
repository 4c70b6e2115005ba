package delegation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

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

// hooks run inside the transaction of a write, after the row is saved.
type hook func(tx *gorm.DB) error

// create inserts row and audits it; after runs in the same transaction.
func create[T any](ctx context.Context, db *gorm.DB, entity string, row *T, id func() int64, summary string, after hook) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(row).Error; err != nil {
			if errors.Is(err, gorm.ErrForeignKeyViolated) {
				return ErrNotFound // what it belongs to is gone
			}
			return writeErr(entity, err)
		}
		if after != nil {
			if err := after(tx); err != nil {
				return err
			}
		}
		return audit.Write(ctx, tx, audit.Record{
			Action: "create", EntityType: entity, EntityID: id(),
			Summary: summary, Changes: audit.Diff(nil, row),
		})
	})
}

// update locks and loads row id, refuses a version other than the one the
// editor saw (ErrStale; -1 skips the check), applies change, saves it with
// the next version, runs after and audits the difference, in one
// transaction. A change that changes nothing saves nothing, so a form sent
// twice changes nothing twice.
func update[T any, P interface {
	*T
	versioned
}](ctx context.Context, db *gorm.DB, entity string, id int64, version int, change func(tx *gorm.DB, row P) error, summary func(P) string, after func(tx *gorm.DB, before, after P) error) (P, error) {
	var saved T
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var before T
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&before, id).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrNotFound
			}
			return fmt.Errorf("delegation: load %s %d: %w", entity, id, err)
		}
		old := P(&before).version()
		if version >= 0 && old != version {
			return ErrStale
		}
		saved = before
		if err := change(tx, &saved); err != nil {
			return err
		}
		changes := audit.Diff(P(&before), P(&saved))
		if len(changes) == 0 {
			return nil
		}
		P(&saved).setVersion(old + 1)
		res := tx.Model(P(&saved)).Select("*").Omit("id", "created_at").Where("version = ?", old).Updates(P(&saved))
		if res.Error != nil {
			return writeErr(entity, res.Error)
		}
		if res.RowsAffected != 1 {
			return ErrStale
		}
		if after != nil {
			if err := after(tx, &before, &saved); err != nil {
				return err
			}
		}
		return audit.Write(ctx, tx, audit.Record{
			Action: "update", EntityType: entity, EntityID: id,
			Summary: summary(&saved), Changes: changes,
		})
	})
	if err != nil {
		return nil, err
	}
	return &saved, nil
}

// remove deletes row id and audits what it held; after runs in the same
// transaction. A row still referred to makes ErrInUse.
func remove[T any](ctx context.Context, db *gorm.DB, entity string, id int64, summary func(*T) string, after hook) (*T, error) {
	var before T
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&before, id).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrNotFound
			}
			return fmt.Errorf("delegation: load %s %d: %w", entity, id, err)
		}
		if err := tx.Delete(&before).Error; err != nil {
			return writeErr(entity, err)
		}
		if after != nil {
			if err := after(tx); err != nil {
				return err
			}
		}
		return audit.Write(ctx, tx, deleteRecord(entity, id, summary(&before), &before))
	})
	if err != nil {
		return nil, err
	}
	return &before, nil
}

// deleteRecord is the audit record of deleting row: every audited field
// with its last value.
func deleteRecord(entity string, id int64, summary string, row any) audit.Record {
	changes := audit.Diff(nil, row)
	for k, c := range changes {
		changes[k] = audit.Change{Before: c.After}
	}
	return audit.Record{Action: "delete", EntityType: entity, EntityID: id, Summary: summary, Changes: changes}
}

// one loads row id, or ErrNotFound.
func one[T any](ctx context.Context, db *gorm.DB, entity string, id int64) (*T, error) {
	var row T
	res := db.WithContext(ctx).Limit(1).Find(&row, id)
	if res.Error != nil {
		return nil, fmt.Errorf("delegation: load %s %d: %w", entity, id, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, ErrNotFound
	}
	return &row, nil
}
