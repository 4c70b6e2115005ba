// Package audit keeps the record of who changed what: every change made in
// the UI or the CLI writes one entry in the same transaction as the change,
// so there is never a change without its entry, nor an entry without its
// change.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"gorm.io/gorm"
)

// Actor is who makes a change: a signed-in user, the CLI or the system.
type Actor struct {
	UserID *int64
	Label  string
	// RequestID ties the entry to the request's log lines.
	RequestID string
}

type actorKey struct{}

// WithActor returns ctx carrying the actor for every entry written under it.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx; "system" when none was set.
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return Actor{Label: "system"}
}

// Change is one field's value before and after.
type Change struct {
	Before any `json:"before"`
	After  any `json:"after"`
}

// Entry is one audit record.
type Entry struct {
	ID          int64 `gorm:"primaryKey"`
	At          time.Time
	ActorUserID *int64
	Actor       string
	Action      string
	EntityType  string
	EntityID    string
	Summary     string
	Changes     []byte `gorm:"type:jsonb"`
	RequestID   string
}

// TableName tells GORM where entries live.
func (Entry) TableName() string { return "audit_entries" }

// Record is what a store says about a change.
type Record struct {
	Action     string // "create", "update", "delete", "login", …
	EntityType string // "user", "commemoration", …
	EntityID   any
	Summary    string
	Changes    map[string]Change
}

// Write stores rec, attributed to the actor in ctx, inside tx: the caller's
// transaction, so the entry commits or rolls back with the change.
func Write(ctx context.Context, tx *gorm.DB, rec Record) error {
	a := ActorFrom(ctx)
	changes := rec.Changes
	if changes == nil {
		changes = map[string]Change{}
	}
	raw, err := json.Marshal(changes)
	if err != nil {
		return fmt.Errorf("audit: encode changes: %w", err)
	}
	e := Entry{
		At:          time.Now().UTC(),
		ActorUserID: a.UserID,
		Actor:       a.Label,
		Action:      rec.Action,
		EntityType:  rec.EntityType,
		EntityID:    fmt.Sprint(rec.EntityID),
		Summary:     rec.Summary,
		Changes:     raw,
		RequestID:   a.RequestID,
	}
	if err := tx.WithContext(ctx).Create(&e).Error; err != nil {
		return fmt.Errorf("audit: write %s %s: %w", rec.EntityType, rec.Action, err)
	}
	return nil
}

// Diff compares two snapshots of the same struct and returns the fields
// that changed, by their `audit:"name"` tag; fields without the tag are not
// compared, and a tag of `audit:"name,secret"` records only that it changed.
// before may be nil for a creation.
func Diff(before, after any) map[string]Change {
	out := map[string]Change{}
	av := reflect.Indirect(reflect.ValueOf(after))
	var bv reflect.Value
	if before != nil {
		bv = reflect.Indirect(reflect.ValueOf(before))
	}
	t := av.Type()
	for i := 0; i < t.NumField(); i++ {
		tag := t.Field(i).Tag.Get("audit")
		if tag == "" || tag == "-" {
			continue
		}
		name, secret := tag, false
		if n := len(tag) - len(",secret"); n > 0 && tag[n:] == ",secret" {
			name, secret = tag[:n], true
		}
		a := av.Field(i).Interface()
		var b any
		if bv.IsValid() {
			b = bv.Field(i).Interface()
		}
		if bv.IsValid() && reflect.DeepEqual(a, b) {
			continue
		}
		if secret {
			out[name] = Change{Before: nil, After: "(changed)"}
			continue
		}
		out[name] = Change{Before: deref(b), After: deref(a)}
	}
	return out
}

func deref(v any) any {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		return rv.Elem().Interface()
	}
	return v
}
