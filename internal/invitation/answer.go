package invitation

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
)

// Answering is the path every guest's click takes, and on the day the
// invitations go out many take it at once. It is written in plain SQL on
// the transaction's connection, in as few statements as the guarantees
// allow: the invitation locked (1), its answers and companions read after
// the lock (1), the e-mail queued (the mail package: 2), the ceremonies
// locked and the seats counted when seats are asked for (2), and the
// answers, the invitation and its history written (1). The ceremonies are
// locked last, so that concurrent answers to one ceremony wait on each
// other only for the count, one write and the commit. GORM's statement
// building cost more than the queries themselves here.

// Answer records a response to invitation id. Each accepted ceremony gets
// its seats (the guest and the companions) if its capacity and the guest's
// zone still hold them; otherwise the answer is put on the waitlist. The
// ceremonies are locked for the count, so concurrent answers never
// overbook. A confirmation (or waitlist) e-mail is queued in the same
// transaction.
func (s *Store) Answer(ctx context.Context, id int64, r Response, by Actor) (Outcome, error) {
	return s.AnswerChecked(ctx, id, by, func(*Invitation, Window) (Response, error) { return r, nil })
}

// AnswerChecked is Answer for a response that can only be checked against
// the invitation as it is saved: decide runs inside the transaction, on the
// invitation locked with its answers (Ceremonies) and companions and on
// its edition's Window, and returns the response to record, or an error
// that cancels everything and is returned as it is. The guest's form is
// bound this way, so that recording an answer reads everything once.
func (s *Store) AnswerChecked(ctx context.Context, id int64, by Actor, decide func(*Invitation, Window) (Response, error)) (Outcome, error) {
	// A deadlock is retried: the seat counts of the answer's ceremonies
	// (migration 00015) are written row by row, and two answers, or an
	// answer and an organizer's change of many, can take two of them in
	// opposite orders. PostgreSQL then cancels one transaction, which
	// changed nothing, and its second try finds the other done.
	for try := 1; ; try++ {
		out, err := s.answerOnce(ctx, id, by, decide)
		var pgErr *pgconn.PgError
		if try < 3 && errors.As(err, &pgErr) && pgErr.Code == deadlockDetected {
			continue
		}
		return out, err
	}
}

// deadlockDetected is PostgreSQL's SQLSTATE for a transaction it
// cancelled to end a deadlock.
const deadlockDetected = "40P01"

// answerOnce is one try of AnswerChecked.
func (s *Store) answerOnce(ctx context.Context, id int64, by Actor, decide func(*Invitation, Window) (Response, error)) (Outcome, error) {
	out := Outcome{Status: map[int64]string{}}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		conn := tx.Statement.ConnPool
		inv, w, to, err := lockForAnswer(ctx, conn, id)
		if err != nil {
			return err
		}
		if inv.RevokedAt != nil && by.Via == ViaLink {
			return ErrRevoked
		}
		r, err := decide(inv, w)
		if err != nil {
			return err
		}
		if len(r.Companions) > inv.CompanionsAllowed {
			return ErrTooManyCompanions
		}
		answers, companions := inv.Ceremonies, inv.Companions
		if same(inv, answers, companions, r) {
			for _, a := range answers {
				out.Status[a.CeremonyID] = a.Status
			}
			return nil
		}
		out.Changed = true

		var need []int64
		pre := map[int64]string{} // the statuses known before any seat is counted
		for _, a := range answers {
			accept, named := r.Accept[a.CeremonyID]
			switch {
			case named && accept:
				need = append(need, a.CeremonyID)
			case named:
				pre[a.CeremonyID] = StatusDeclined
			default:
				pre[a.CeremonyID] = a.Status
			}
		}
		if !slices.Equal(companionNames(companions), r.Companions) {
			if err := saveCompanions(ctx, conn, id, r.Companions); err != nil {
				return err
			}
		}
		// The e-mail is queued before the seats are counted: from the count
		// to the commit the ceremonies stay locked, and every other answer
		// to them waits; the shorter that is, the more answers a ceremony
		// takes a second. An answer that asks for seats gets a confirmation,
		// or, if one does not fit, the waitlist notice (fixed below).
		template := ""
		if len(need) > 0 || anyDeclined(pre) {
			template = "confirmation"
		}
		var message int64
		if template != "" && s.notify != nil {
			if message, err = s.notify.NotifyGuest(ctx, tx, id, inv.GuestID, to.email, to.language, template); err != nil {
				return err
			}
		}

		// Lock the ceremonies that need seats, then count.
		var limits map[int64]Limits
		var taken seatCount
		if len(need) > 0 {
			if limits, err = s.capacity.Limits(ctx, tx, need, s.guard); err != nil {
				return err
			}
			if taken, err = countSeats(ctx, conn, limits, id); err != nil {
				return err
			}
		}
		before := map[int64]string{}
		waitlisted := false
		now := s.now()
		var changed []CeremonyAnswer
		for i := range answers {
			a := answers[i]
			before[a.CeremonyID] = a.Status
			accept, named := r.Accept[a.CeremonyID]
			switch {
			case !named:
				// Unchanged.
			case !accept:
				a.Status, a.Companions, a.WaitlistedAt = StatusDeclined, 0, nil
			default:
				a.Companions = len(r.Companions)
				if taken.fits(&a, limits[a.CeremonyID]) {
					a.Status, a.WaitlistedAt = StatusAccepted, nil
				} else {
					if a.Status != StatusWaitlisted {
						a.WaitlistedAt = &now
					}
					a.Status = StatusWaitlisted
					waitlisted = true
				}
			}
			out.Status[a.CeremonyID] = a.Status
			if a.Status != answers[i].Status || a.Companions != answers[i].Companions || !sameTime(a.WaitlistedAt, answers[i].WaitlistedAt) {
				changed = append(changed, a)
			}
		}
		if waitlisted && message != 0 {
			if err := s.notify.Retemplate(ctx, tx, message, "waitlisted"); err != nil {
				return err
			}
		}
		detail, err := json.Marshal(map[string]any{
			"before": before, "after": out.Status, "companions": r.Companions, "channel": by.Channel,
			"accessibility_needs": r.AccessibilityNeeds, "dietary_needs": r.DietaryNeeds, "contact_phone": r.ContactPhone,
		})
		if err != nil {
			return fmt.Errorf("invitation: history detail: %w", err)
		}
		return saveResponse(ctx, conn, id, changed, r, by, now, detail)
	})
	return out, err
}

// Window is what a guest's answer is checked against: the edition's
// deadline, status and time zone, and its ceremonies' titles and statuses
// (no venue, zones or programme).
type Window struct {
	Edition    EditionInfo
	Ceremonies []CeremonyInfo
	// Language is the guest's language on file.
	Language string
}

// lockForAnswer locks invitation id and reads it with its answers (by
// ceremony) and companions (in order). The answers are read by a second
// statement, after the lock is held: one statement would read them as they
// were when it started, before a concurrent answer it waited for. The
// edition's window and the guest's address come with the lock: they are
// not guarded by it, and a look-up of their own would cost a round trip
// on the busiest path.
func lockForAnswer(ctx context.Context, conn gorm.ConnPool, id int64) (*Invitation, Window, addressee, error) {
	inv := Invitation{ID: id}
	var w Window
	var to addressee
	var tz string
	var ceremonies []byte
	err := conn.QueryRowContext(ctx, `SELECT i.edition_id, i.guest_id, i.revoked_at, i.companions_allowed,
			i.accessibility_needs, i.dietary_needs, i.contact_phone, i.responded_at, i.version,
			g.email, g.language, e.year, e.status, e.rsvp_deadline, cm.time_zone,
			(SELECT coalesce(json_agg(json_build_object('id', c.id, 'title', c.title, 'title_az', c.title_az, 'title_ru', c.title_ru, 'status', c.status) ORDER BY c.starts_at, c.id), '[]')
			 FROM ceremonies c WHERE c.edition_id = i.edition_id)
		FROM invitations i JOIN guests g ON g.id = i.guest_id
		JOIN editions e ON e.id = i.edition_id JOIN commemorations cm ON cm.id = e.commemoration_id
		WHERE i.id = $1 FOR UPDATE OF i`, id).
		Scan(&inv.EditionID, &inv.GuestID, &inv.RevokedAt, &inv.CompanionsAllowed,
			&inv.AccessibilityNeeds, &inv.DietaryNeeds, &inv.ContactPhone, &inv.RespondedAt, &inv.Version,
			&to.email, &to.language, &w.Edition.Year, &w.Edition.Status, &w.Edition.Deadline, &tz, &ceremonies)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, w, to, ErrNotFound
	}
	if err != nil {
		return nil, w, to, fmt.Errorf("invitation: lock: %w", err)
	}
	w.Edition.ID, w.Language = inv.EditionID, to.language
	if w.Edition.Location, err = location(tz); err != nil {
		return nil, w, to, err
	}
	var cs []struct {
		ID      int64  `json:"id"`
		Title   string `json:"title"`
		TitleAZ string `json:"title_az"`
		TitleRU string `json:"title_ru"`
		Status  string `json:"status"`
	}
	if err := json.Unmarshal(ceremonies, &cs); err != nil {
		return nil, w, to, fmt.Errorf("invitation: ceremonies of %d: %w", inv.EditionID, err)
	}
	for _, c := range cs {
		w.Ceremonies = append(w.Ceremonies, CeremonyInfo{ID: c.ID, EditionID: inv.EditionID, Title: c.Title, Status: c.Status,
			Titles: map[string]string{"az": c.TitleAZ, "ru": c.TitleRU}})
	}
	rows, err := conn.QueryContext(ctx, `SELECT 0, ceremony_id, zone_id, status, companions, waitlisted_at, ''
			FROM invitation_ceremonies WHERE invitation_id = $1
		UNION ALL
		SELECT 1, position, NULL, '', 0, NULL, name FROM invitation_companions WHERE invitation_id = $1
		ORDER BY 1, 2`, id)
	if err != nil {
		return nil, w, to, fmt.Errorf("invitation: load answers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, key int64
		var a CeremonyAnswer
		var name string
		if err := rows.Scan(&kind, &key, &a.ZoneID, &a.Status, &a.Companions, &a.WaitlistedAt, &name); err != nil {
			return nil, w, to, fmt.Errorf("invitation: load answers: %w", err)
		}
		if kind == 0 {
			a.InvitationID, a.CeremonyID = id, key
			inv.Ceremonies = append(inv.Ceremonies, a)
		} else {
			inv.Companions = append(inv.Companions, Companion{InvitationID: id, Position: int(key), Name: name})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, w, to, fmt.Errorf("invitation: load answers: %w", err)
	}
	return &inv, w, to, nil
}

// addressee is where a guest's e-mail goes, in which language.
type addressee struct{ email, language string }

// location is the time zone named name, loaded once: time.LoadLocation
// reads and parses the zone file on every call.
func location(name string) (*time.Location, error) {
	if loc, ok := locations.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("invitation: time zone %q: %w", name, err)
	}
	locations.Store(name, loc)
	return loc, nil
}

var locations sync.Map

// seatCount is the seats taken by accepted answers, per ceremony and per
// ceremony and zone, leaving out the invitation being answered.
type seatCount struct {
	ceremony map[int64]int
	zone     map[[2]int64]int
}

// countSeats reads, in one statement, the seats taken in the ceremonies
// of limits that have a limit, from their running counts (ceremony_seats,
// migration 00015: one row a ceremony and zone, where summing the accepted
// answers took a millisecond at 5,000 invitations, with the ceremonies
// locked), less self's own accepted seats. The ceremonies are locked by
// the caller: no other answer takes seats in them until its commit.
func countSeats(ctx context.Context, conn gorm.ConnPool, limits map[int64]Limits, self int64) (seatCount, error) {
	n := seatCount{ceremony: map[int64]int{}, zone: map[[2]int64]int{}}
	var ids []int64
	for id, l := range limits {
		if l.Seats != nil || len(l.Zones) > 0 {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return n, nil
	}
	rows, err := conn.QueryContext(ctx, `SELECT s.ceremony_id, nullif(s.zone_id, 0), s.seats - coalesce(own.seats, 0)
		FROM ceremony_seats s
		LEFT JOIN (SELECT ceremony_id, coalesce(zone_id, 0) AS zone_id, sum(1 + companions) AS seats
		           FROM invitation_ceremonies WHERE invitation_id = $2 AND status = 'accepted'
		           GROUP BY 1, 2) own ON own.ceremony_id = s.ceremony_id AND own.zone_id = s.zone_id
		WHERE s.ceremony_id = ANY($1)`, ids, self)
	if err != nil {
		return n, fmt.Errorf("invitation: count seats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var cer int64
		var zone *int64
		var seats int
		if err := rows.Scan(&cer, &zone, &seats); err != nil {
			return n, fmt.Errorf("invitation: count seats: %w", err)
		}
		n.ceremony[cer] += seats
		if zone != nil {
			n.zone[[2]int64{cer, *zone}] += seats
		}
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("invitation: count seats: %w", err)
	}
	return n, nil
}

// fits reports whether answer a, with its new number of companions, fits
// its ceremony and zone next to the seats already taken.
func (n seatCount) fits(a *CeremonyAnswer, lim Limits) bool {
	if lim.Seats != nil && n.ceremony[a.CeremonyID]+a.Seats() > *lim.Seats {
		return false
	}
	if a.ZoneID != nil {
		if zc, ok := lim.Zones[*a.ZoneID]; ok && n.zone[[2]int64{a.CeremonyID, *a.ZoneID}]+a.Seats() > zc {
			return false
		}
	}
	return true
}

// saveResponse writes, in one statement, the changed answers of
// invitation id, the response on the invitation, and its history entry.
func saveResponse(ctx context.Context, conn gorm.ConnPool, id int64, as []CeremonyAnswer, r Response, by Actor, now time.Time, detail []byte) error {
	ids := make([]int64, len(as))
	statuses := make([]string, len(as))
	companions := make([]int32, len(as))
	waitlisted := make([]*time.Time, len(as))
	for i, a := range as {
		ids[i], statuses[i], companions[i], waitlisted[i] = a.CeremonyID, a.Status, int32(a.Companions), a.WaitlistedAt
	}
	_, err := conn.ExecContext(ctx, `WITH answers AS (
			UPDATE invitation_ceremonies ic
			SET status = v.status, companions = v.companions, waitlisted_at = v.waitlisted_at, updated_at = $5
			FROM unnest($10::bigint[], $11::text[], $12::int[], $13::timestamptz[]) AS v(ceremony_id, status, companions, waitlisted_at)
			WHERE ic.invitation_id = $1 AND ic.ceremony_id = v.ceremony_id),
		response AS (
			UPDATE invitations SET accessibility_needs = $2, dietary_needs = $3, contact_phone = $4,
				responded_at = $5, responded_via = $6, responded_by = $7, staff_channel = $8,
				version = version + 1, updated_at = $5
			WHERE id = $1 RETURNING id)
		INSERT INTO invitation_events (invitation_id, via, user_id, action, detail)
		SELECT id, $6, $7, 'answer', $9::jsonb FROM response`,
		id, r.AccessibilityNeeds, r.DietaryNeeds, r.ContactPhone, now, by.Via, by.UserID, by.Channel, string(detail),
		ids, statuses, companions, waitlisted)
	if err != nil {
		return fmt.Errorf("invitation: save response: %w", err)
	}
	return nil
}

// saveCompanions replaces the companions of invitation id by names.
func saveCompanions(ctx context.Context, conn gorm.ConnPool, id int64, names []string) error {
	if _, err := conn.ExecContext(ctx, `DELETE FROM invitation_companions WHERE invitation_id = $1`, id); err != nil {
		return fmt.Errorf("invitation: clear companions: %w", err)
	}
	if len(names) == 0 {
		return nil
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO invitation_companions (invitation_id, position, name)
		SELECT $1, t.position, t.name FROM unnest($2::text[]) WITH ORDINALITY AS t(name, position)`, id, names); err != nil {
		return fmt.Errorf("invitation: save companions: %w", err)
	}
	return nil
}

// sameTime reports whether two optional times are equal (both nil counts).
func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}
