package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"gorm.io/gorm"
)

// Store reads the audit log.
type Store struct {
	db *gorm.DB
}

// NewStore returns a store over db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

// Filter narrows the list of entries; empty fields match everything.
type Filter struct {
	EntityType string
	EntityID   string
	ActorID    int64
	Action     string
}

// Shown is an entry decoded for display.
type Shown struct {
	Entry
	Fields []FieldChange
}

// FieldChange is one changed field, ready to show.
type FieldChange struct {
	Field  string
	Before string
	After  string
}

// List returns one page of entries, newest first, and the total count.
func (s *Store) List(ctx context.Context, f Filter, offset, limit int) ([]Shown, int64, error) {
	q := s.db.WithContext(ctx).Model(&Entry{})
	if f.EntityType != "" {
		q = q.Where("entity_type = ?", f.EntityType)
	}
	if f.EntityID != "" {
		q = q.Where("entity_id = ?", f.EntityID)
	}
	if f.ActorID != 0 {
		q = q.Where("actor_user_id = ?", f.ActorID)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("audit: count: %w", err)
	}
	var rows []Entry
	if err := q.Order("at DESC, id DESC").Offset(offset).Limit(limit).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("audit: list: %w", err)
	}
	out := make([]Shown, 0, len(rows))
	for _, e := range rows {
		sh := Shown{Entry: e}
		var m map[string]Change
		if err := json.Unmarshal(e.Changes, &m); err != nil {
			return nil, 0, fmt.Errorf("audit: decode entry %d: %w", e.ID, err)
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			sh.Fields = append(sh.Fields, FieldChange{Field: k, Before: show(m[k].Before), After: show(m[k].After)})
		}
		out = append(out, sh)
	}
	return out, total, nil
}

// EntityTypes lists the kinds of record that have entries, for the filter.
func (s *Store) EntityTypes(ctx context.Context) ([]string, error) {
	var types []string
	if err := s.db.WithContext(ctx).Model(&Entry{}).Distinct().Order("entity_type").Pluck("entity_type", &types).Error; err != nil {
		return nil, fmt.Errorf("audit: entity types: %w", err)
	}
	return types, nil
}

func show(v any) string {
	if v == nil {
		return ""
	}
	switch x := v.(type) {
	case string:
		return x
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(b)
	}
}
