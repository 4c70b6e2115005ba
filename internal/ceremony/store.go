package ceremony

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"vigil/internal/audit"
)

// ErrNotFound is returned when a record does not exist.
var ErrNotFound = errors.New("ceremony: not found")

// Store reads and writes commemorations.
type Store struct {
	db *gorm.DB
	// watcher is told when a published ceremony's time or venue changes
	// (see watch.go); nil tells nobody.
	watcher CeremonyWatcher
}

// NewStore returns a store over db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

// Current returns the commemoration Vigil runs (the first one created).
func (s *Store) Current(ctx context.Context) (*Commemoration, error) {
	var c Commemoration
	err := s.db.WithContext(ctx).Order("id").First(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("ceremony: current commemoration: %w", err)
	}
	return &c, nil
}

// ByName returns the commemoration with name (case-insensitive).
func (s *Store) ByName(ctx context.Context, name string) (*Commemoration, error) {
	var c Commemoration
	err := s.db.WithContext(ctx).Where("lower(name) = lower(?)", name).First(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("ceremony: commemoration by name: %w", err)
	}
	return &c, nil
}

// CreateCommemoration adds c.
func (s *Store) CreateCommemoration(ctx context.Context, c *Commemoration) error {
	if _, err := c.Location(); err != nil {
		return err
	}
	c.Version = 1
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(c).Error; err != nil {
			return fmt.Errorf("ceremony: create commemoration: %w", err)
		}
		return audit.Write(ctx, tx, audit.Record{
			Action: "create", EntityType: "commemoration", EntityID: c.ID,
			Summary: "Created commemoration " + c.Name, Changes: audit.Diff(nil, c),
		})
	})
}
