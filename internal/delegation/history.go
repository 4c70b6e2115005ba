package delegation

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"golang.org/x/text/collate"
)

// HistoryRow is one line of a guest's or delegation's history: what
// happened in which edition.
type HistoryRow struct {
	Year int
	// Text is translated; Link, if set, goes to the record.
	Text string
	Link string
}

// Translate translates a key with its placeholders into the reader's
// language.
type Translate func(key string, kv ...any) string

// HistorySource adds to a guest's history what other domains know
// (invitations and answers, check-ins). The invitation and check-in
// packages implement it; the app registers them with WithHistory.
type HistorySource interface {
	GuestHistory(ctx context.Context, guestID int64, t Translate) ([]HistoryRow, error)
}

// WithHistory adds sources of guest history.
func (h *Handler) WithHistory(sources ...HistorySource) *Handler {
	h.history = append(h.history, sources...)
	return h
}

// WithMovers adds the domains a merge of two guests must update.
func (h *Handler) WithMovers(movers ...GuestMover) *Handler {
	h.movers = append(h.movers, movers...)
	return h
}

// participationLine is a participation with its edition year, delegation and
// head of delegation.
type participationLine struct {
	EditionID    int64
	DelegationID int64
	Delegation   string
	Status       string
	Wreath       bool
	HeadGuestID  *int64
}

// participationHistory returns the participations of a delegation (or the
// ones a guest headed), newest edition first.
func (s *Store) participationHistory(ctx context.Context, column string, id int64) ([]participationLine, error) {
	if column != "delegation_id" && column != "head_guest_id" {
		return nil, fmt.Errorf("delegation: history by %q", column)
	}
	var out []participationLine
	err := s.db.WithContext(ctx).Table("participations p").
		Select("p.edition_id, p.delegation_id, d.name AS delegation, p.status, p.wreath, p.head_guest_id").
		Joins("JOIN delegations d ON d.id = p.delegation_id").
		Where("p."+column+" = ?", id).Order("p.edition_id DESC").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("delegation: history: %w", err)
	}
	return out, nil
}

// historyRows turns participations into history lines.
func (h *Handler) historyRows(ctx context.Context, t Translate, lines []participationLine, key string) ([]HistoryRow, error) {
	var out []HistoryRow
	for _, l := range lines {
		e, err := h.editions.EditionByID(ctx, l.EditionID)
		if err != nil {
			return nil, err
		}
		out = append(out, HistoryRow{
			Year: e.Year,
			Text: t(key, "Delegation", l.Delegation, "Status", t("participation.status."+l.Status)),
			Link: "/editions/" + strconv.Itoa(e.Year) + "/delegations",
		})
	}
	return out, nil
}

// delegationHistory lists the editions a delegation took part in.
func (h *Handler) delegationHistory(ctx context.Context, t Translate, id int64) ([]HistoryRow, error) {
	lines, err := h.store.participationHistory(ctx, "delegation_id", id)
	if err != nil {
		return nil, err
	}
	return h.historyRows(ctx, t, lines, "delegation.history.participated")
}

// guestHistory is the guest's history across editions: the delegations
// the guest headed, and what the registered sources add, newest first.
func (h *Handler) guestHistory(ctx context.Context, t Translate, id int64) ([]HistoryRow, error) {
	lines, err := h.store.participationHistory(ctx, "head_guest_id", id)
	if err != nil {
		return nil, err
	}
	rows, err := h.historyRows(ctx, t, lines, "guest.history.headed")
	if err != nil {
		return nil, err
	}
	for _, src := range h.history {
		more, err := src.GuestHistory(ctx, id, t)
		if err != nil {
			return nil, err
		}
		rows = append(rows, more...)
	}
	slices.SortStableFunc(rows, func(a, b HistoryRow) int { return b.Year - a.Year })
	return rows, nil
}

// sortOptions sorts options by label in a language's collation.
func sortOptions(opts []option, col *collate.Collator) {
	slices.SortFunc(opts, func(a, b option) int { return col.CompareString(a.Label, b.Label) })
}
