package audit

import (
	"context"
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The row helpers below are the writes the stores share: each writes one
// row and its entry in one transaction, updates check an optimistic
// version, and every failure comes back as the calling store's own error
// (Rows), so that its handlers keep their messages.

// AnyVersion skips the version check of UpdateRow, for changes that mean
// the same whatever was saved in between (marking a task done).
const AnyVersion = -1

// Rows are a store's errors, for the row helpers to return.
type Rows struct {
	// NotFound is returned for a row that does not exist (or not inside
	// the scope), Stale for a version other than the editor's.
	NotFound, Stale error
	// Fail turns a failed statement on row id of entity into the store's
	// error. verb is "load", "create" (id is 0 then), "update" or
	// "delete".
	Fail func(verb, entity string, id int64, err error) error
}

// Scope narrows where a helper looks for a row (the venue or ceremony it
// belongs to); nil looks everywhere.
type Scope func(*gorm.DB) *gorm.DB

func (s Scope) apply(tx *gorm.DB) *gorm.DB {
	if s == nil {
		return tx
	}
	return s(tx)
}

// CreateRow inserts row and its entry in one transaction; after, if set,
// runs in the same transaction once the row is saved.
func CreateRow[T any](ctx context.Context, db *gorm.DB, r Rows, entity string, row *T, id func() int64, summary string, after func(tx *gorm.DB) error) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(row).Error; err != nil {
			return r.Fail("create", entity, 0, err)
		}
		if after != nil {
			if err := after(tx); err != nil {
				return err
			}
		}
		return Write(ctx, tx, Record{
			Action: "create", EntityType: entity, EntityID: id(),
			Summary: summary, Changes: Diff(nil, row),
		})
	})
}

// Update is one edit of a versioned row, for UpdateRow.
type Update[P any] struct {
	Entity string
	ID     int64
	// Version is the one the editor saw, or AnyVersion.
	Version int
	Scope   Scope
	// GetVersion and SetVersion read and set the row's version.
	GetVersion func(P) int
	SetVersion func(P, int)
	// Change applies the edit to the loaded row.
	Change func(tx *gorm.DB, row P) error
	// Summary is the entry's summary of the saved row.
	Summary func(P) string
	// After, if set, runs in the same transaction once the row is saved.
	After func(tx *gorm.DB, before, after P) error
}

// UpdateRow locks and loads the row, refuses a version other than the one
// the editor saw (r.Stale), applies the change, saves every column with
// the next version, runs After and writes the difference as the entry, in
// one transaction. A change that changes nothing the log records saves
// nothing, so a form sent twice changes nothing twice.
func UpdateRow[T any, P interface{ *T }](ctx context.Context, db *gorm.DB, r Rows, u Update[P]) (P, error) {
	var saved T
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var before T
		if err := u.Scope.apply(tx).Clauses(clause.Locking{Strength: "UPDATE"}).First(&before, u.ID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return r.NotFound
			}
			return r.Fail("load", u.Entity, u.ID, err)
		}
		old := u.GetVersion(&before)
		if u.Version != AnyVersion && old != u.Version {
			return r.Stale
		}
		saved = before
		if err := u.Change(tx, &saved); err != nil {
			return err
		}
		changes := Diff(P(&before), P(&saved))
		if len(changes) == 0 {
			return nil
		}
		u.SetVersion(&saved, old+1)
		res := tx.Model(P(&saved)).Select("*").Omit("id", "created_at").Where("version = ?", old).Updates(P(&saved))
		if res.Error != nil {
			return r.Fail("update", u.Entity, u.ID, res.Error)
		}
		if res.RowsAffected != 1 {
			return r.Stale
		}
		if u.After != nil {
			if err := u.After(tx, &before, &saved); err != nil {
				return err
			}
		}
		return Write(ctx, tx, Record{
			Action: "update", EntityType: u.Entity, EntityID: u.ID,
			Summary: u.Summary(&saved), Changes: changes,
		})
	})
	if err != nil {
		return nil, err
	}
	return &saved, nil
}

// DeleteRow locks and deletes row id of entity inside scope and writes
// what it held as the entry; after, if set, runs in the same transaction.
func DeleteRow[T any](ctx context.Context, db *gorm.DB, r Rows, entity string, id int64, scope Scope, summary func(*T) string, after func(tx *gorm.DB) error) (*T, error) {
	var before T
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := scope.apply(tx).Clauses(clause.Locking{Strength: "UPDATE"}).First(&before, id).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return r.NotFound
			}
			return r.Fail("load", entity, id, err)
		}
		if err := tx.Delete(&before).Error; err != nil {
			return r.Fail("delete", entity, id, err)
		}
		if after != nil {
			if err := after(tx); err != nil {
				return err
			}
		}
		return Write(ctx, tx, DeleteRecord(entity, id, summary(&before), &before))
	})
	if err != nil {
		return nil, err
	}
	return &before, nil
}

// DeleteRecord is the entry of deleting row: every audited field with its
// last value.
func DeleteRecord(entity string, id int64, summary string, row any) Record {
	changes := Diff(nil, row)
	for k, c := range changes {
		changes[k] = Change{Before: c.After}
	}
	return Record{Action: "delete", EntityType: entity, EntityID: id, Summary: summary, Changes: changes}
}

// OneRow loads row id of entity inside scope, or r.NotFound.
func OneRow[T any](ctx context.Context, db *gorm.DB, r Rows, entity string, id int64, scope Scope) (*T, error) {
	var row T
	res := scope.apply(db.WithContext(ctx)).Limit(1).Find(&row, id)
	if res.Error != nil {
		return nil, r.Fail("load", entity, id, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, r.NotFound
	}
	return &row, nil
}
