package invitation

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The organizers' invitation list in SQL: the filters, the count, the
// order and the page are the database's work, so a page of 100 rows reads
// 100 rows (and their answers), not the edition's 5,000 invitations with
// every guest. It joins the directory's tables (guests, delegations) as
// the attendee list does: the order of precedence is guests.precedence,
// which the directory keeps, and names sort in the reader's ICU
// collation.

// ListQuery selects and orders invitations of an edition for the list.
type ListQuery struct {
	ListFilter
	// DelegationID keeps the guests of one delegation (0: any).
	DelegationID int64
	// Kind keeps guests of delegations of that kind ("": any).
	Kind string
	// Locale is the reader's language: names sort in its collation.
	Locale string
}

// Filtered reports whether q keeps fewer than every invitation.
func (q ListQuery) Filtered() bool {
	return q.CeremonyID != 0 || q.Status != "" || q.DelegationID != 0 || q.Kind != ""
}

// ListedRow is one invitation as the list shows it: the guest, the
// answer to each ceremony invited to, the companions named, the answer.
type ListedRow struct {
	ID           int64
	GuestID      int64
	Honorific    string
	GivenName    string
	FamilyName   string
	PrintedName  string
	VIP          bool
	DelegationID *int64
	Delegation   string
	// CompanionsAllowed is how many the guest may bring; Companions how
	// many the guest named.
	CompanionsAllowed int
	Companions        int
	RespondedAt       *time.Time
	RespondedVia      *string
	RespondedBy       *int64
	StaffChannel      string
	RevokedAt         *time.Time
	// Answers are the status of the answer to each ceremony invited to,
	// by ceremony id.
	Answers map[int64]string
}

// DisplayName is the guest's name as printed (delegation.Guest's
// DisplayName, which this package cannot import): the printed form if
// there is one, else honorific, given and family name.
func (r *ListedRow) DisplayName() string {
	if r.PrintedName != "" {
		return r.PrintedName
	}
	return strings.TrimSpace(r.Honorific + " " + strings.TrimSpace(r.GivenName+" "+r.FamilyName))
}

// from is the list's FROM and WHERE: the invitations q selects with their
// guest (g) and the guest's delegation (d).
func (q ListQuery) from() (string, []any) {
	conds, args := []string{"i.edition_id = ?"}, []any{q.EditionID}
	switch {
	case q.Status == StatusUnanswered:
		conds = append(conds, "i.responded_at IS NULL")
		if q.CeremonyID != 0 {
			conds = append(conds, "EXISTS (SELECT 1 FROM invitation_ceremonies ic WHERE ic.invitation_id = i.id AND ic.ceremony_id = ?)")
			args = append(args, q.CeremonyID)
		}
	case q.Status != "" && q.CeremonyID != 0:
		conds = append(conds, "EXISTS (SELECT 1 FROM invitation_ceremonies ic WHERE ic.invitation_id = i.id AND ic.ceremony_id = ? AND ic.status = ?)")
		args = append(args, q.CeremonyID, q.Status)
	case q.Status != "":
		conds = append(conds, "EXISTS (SELECT 1 FROM invitation_ceremonies ic WHERE ic.invitation_id = i.id AND ic.status = ?)")
		args = append(args, q.Status)
	case q.CeremonyID != 0:
		conds = append(conds, "EXISTS (SELECT 1 FROM invitation_ceremonies ic WHERE ic.invitation_id = i.id AND ic.ceremony_id = ?)")
		args = append(args, q.CeremonyID)
	}
	if q.DelegationID != 0 {
		conds, args = append(conds, "g.delegation_id = ?"), append(args, q.DelegationID)
	}
	if q.Kind != "" {
		conds, args = append(conds, "d.kind = ?"), append(args, q.Kind)
	}
	return `FROM invitations i JOIN guests g ON g.id = i.guest_id LEFT JOIN delegations d ON d.id = g.delegation_id
		WHERE ` + strings.Join(conds, " AND "), args
}

// order is the list's order: the guests' delegations in order of
// precedence (guests without one last), VIPs first, then the full name
// (given and family name, as GuestInfo.FullName) in the reader's
// collation, then the invitation — the order the list always had.
func (q ListQuery) order() string {
	col := attendeeCollation(q.Locale)
	return "g.delegation_id IS NULL, g.precedence, g.vip DESC, btrim(g.given_name || ' ' || g.family_name) COLLATE " + col + ", i.id"
}

// CountListed counts the invitations q selects.
func (s *Store) CountListed(ctx context.Context, q ListQuery) (int, error) {
	from, args := q.from()
	var n int
	if err := s.db.WithContext(ctx).Raw("SELECT count(*) "+from, args...).Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("invitation: count list: %w", err)
	}
	return n, nil
}

// listedColumns are a ListedRow's columns over the page p (its
// invitation ids, in order) joined to i, g and d; the last one is the
// answers as a JSON object (ceremony id → status).
const listedColumns = `SELECT i.id, i.guest_id, g.honorific, g.given_name, g.family_name, g.printed_name, g.vip,
		g.delegation_id, COALESCE(d.name, ''), i.companions_allowed,
		(SELECT count(*) FROM invitation_companions c WHERE c.invitation_id = i.id),
		i.responded_at, i.responded_via, i.responded_by, i.staff_channel, i.revoked_at,
		COALESCE((SELECT json_object_agg(ic.ceremony_id, ic.status) FROM invitation_ceremonies ic
		          WHERE ic.invitation_id = i.id), '{}')`

// EachListed calls fn with the invitations q selects in the list's order,
// skipping offset and at most limit of them (limit < 0: all), read
// through one cursor. The page is chosen on the ids alone, so the answers
// and companions are read for the rows returned only. fn must not keep
// the row.
func (s *Store) EachListed(ctx context.Context, q ListQuery, offset, limit int, fn func(*ListedRow) error) error {
	from, args := q.from()
	page := ""
	if limit >= 0 {
		page = " LIMIT " + strconv.Itoa(limit)
	}
	if offset > 0 {
		page += " OFFSET " + strconv.Itoa(offset)
	}
	query := listedColumns + `
		FROM (SELECT i.id, row_number() OVER (ORDER BY ` + q.order() + `) AS n ` + from + ` ORDER BY n` + page + `) p
		JOIN invitations i ON i.id = p.id JOIN guests g ON g.id = i.guest_id LEFT JOIN delegations d ON d.id = g.delegation_id
		ORDER BY p.n`
	rows, err := s.db.WithContext(ctx).Raw(query, args...).Rows()
	if err != nil {
		return fmt.Errorf("invitation: list: %w", err)
	}
	defer rows.Close()
	var r ListedRow
	var raw []byte
	for rows.Next() {
		r = ListedRow{}
		if err := rows.Scan(&r.ID, &r.GuestID, &r.Honorific, &r.GivenName, &r.FamilyName, &r.PrintedName, &r.VIP,
			&r.DelegationID, &r.Delegation, &r.CompanionsAllowed, &r.Companions,
			&r.RespondedAt, &r.RespondedVia, &r.RespondedBy, &r.StaffChannel, &r.RevokedAt, &raw); err != nil {
			return fmt.Errorf("invitation: list: scan: %w", err)
		}
		if err := json.Unmarshal(raw, &r.Answers); err != nil {
			return fmt.Errorf("invitation: list: answers of %d: %w", r.ID, err)
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("invitation: list: %w", err)
	}
	return nil
}

// DelegationTally counts the answers of the invited guests of one
// delegation (DelegationID nil: the guests without one).
type DelegationTally struct {
	DelegationID *int64
	Name         string
	Kind         string
	// Precedence is the delegation's position in the order of precedence.
	Precedence int
	// Guests are the guests invited to at least one ceremony.
	Guests int
	Tally
}

// DelegationTallies counts an edition's answers per delegation of the
// guests, in one query: what the RSVP board adds up by kind and by
// delegation, without reading every guest.
func (s *Store) DelegationTallies(ctx context.Context, editionID int64) ([]DelegationTally, error) {
	var out []DelegationTally
	err := s.db.WithContext(ctx).Raw(`SELECT g.delegation_id, COALESCE(d.name, '') AS name, COALESCE(d.kind, '') AS kind,
			min(g.precedence) AS precedence, count(DISTINCT i.guest_id) AS guests, `+tallyColumns+`
		FROM invitation_ceremonies ic JOIN invitations i ON i.id = ic.invitation_id
		JOIN guests g ON g.id = i.guest_id LEFT JOIN delegations d ON d.id = g.delegation_id
		WHERE i.edition_id = ? GROUP BY g.delegation_id, d.name, d.kind`, editionID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("invitation: tally delegations: %w", err)
	}
	return out, nil
}
