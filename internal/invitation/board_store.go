package invitation

import (
	"context"
	"fmt"
	"time"
)

// Queries of the RSVP board: one per section, whatever the number of
// guests.

// Tally counts answers by status; Seats are the guests and companions of
// the accepted answers.
type Tally struct {
	Invited    int
	Accepted   int
	Seats      int
	Declined   int
	Waitlisted int
	Pending    int
}

// Add adds o to t.
func (t *Tally) Add(o Tally) {
	t.Invited += o.Invited
	t.Accepted += o.Accepted
	t.Seats += o.Seats
	t.Declined += o.Declined
	t.Waitlisted += o.Waitlisted
	t.Pending += o.Pending
}

const tallyColumns = `count(*) AS invited,
	count(*) FILTER (WHERE ic.status = 'accepted') AS accepted,
	coalesce(sum(1 + ic.companions) FILTER (WHERE ic.status = 'accepted'), 0) AS seats,
	count(*) FILTER (WHERE ic.status = 'declined') AS declined,
	count(*) FILTER (WHERE ic.status = 'waitlisted') AS waitlisted,
	count(*) FILTER (WHERE ic.status = 'pending') AS pending`

// CeremonyTallies counts the answers to each ceremony of an edition.
func (s *Store) CeremonyTallies(ctx context.Context, editionID int64) (map[int64]Tally, error) {
	return s.tallies(ctx, editionID, "ic.ceremony_id", "ceremonies")
}

// GuestTallies counts the answers of each invited guest of an edition, so
// the caller can add them up by the guest's delegation and its kind,
// which the directory knows.
func (s *Store) GuestTallies(ctx context.Context, editionID int64) (map[int64]Tally, error) {
	return s.tallies(ctx, editionID, "i.guest_id", "guests")
}

// tallies counts the answers of an edition grouped by the column by (a
// constant of this file, never input), keyed by its value; what names the
// groups in errors.
func (s *Store) tallies(ctx context.Context, editionID int64, by, what string) (map[int64]Tally, error) {
	var rows []struct {
		Key int64
		Tally
	}
	err := s.db.WithContext(ctx).Raw(`SELECT `+by+` AS key, `+tallyColumns+`
		FROM invitation_ceremonies ic JOIN invitations i ON i.id = ic.invitation_id
		WHERE i.edition_id = ? GROUP BY `+by, editionID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("invitation: tally %s: %w", what, err)
	}
	out := make(map[int64]Tally, len(rows))
	for _, r := range rows {
		out[r.Key] = r.Tally
	}
	return out, nil
}

// DayCount is how many guests first answered on a day.
type DayCount struct {
	Day     time.Time
	Answers int
}

// Progress is how answers came in: the day of the first invitation, and
// per day (in the edition's time zone) the guests who answered for the
// first time.
type Progress struct {
	Since   *time.Time
	Invited int
	Days    []DayCount
}

// AnswerProgress reads an edition's answers over time: the first answer of
// each invitation, from its history, counted per day in loc.
func (s *Store) AnswerProgress(ctx context.Context, editionID int64, loc *time.Location) (Progress, error) {
	var p Progress
	var head struct {
		Since   *time.Time
		Invited int
	}
	db := s.db.WithContext(ctx)
	if err := db.Raw(`SELECT min(created_at) AS since, count(*) AS invited FROM invitations WHERE edition_id = ?`, editionID).
		Scan(&head).Error; err != nil {
		return p, fmt.Errorf("invitation: progress: %w", err)
	}
	p.Since, p.Invited = head.Since, head.Invited
	var days []struct {
		Day     string
		Answers int
	}
	err := db.Raw(`SELECT to_char((first AT TIME ZONE ?)::date, 'YYYY-MM-DD') AS day, count(*) AS answers
		FROM (SELECT e.invitation_id, min(e.at) AS first
		      FROM invitation_events e JOIN invitations i ON i.id = e.invitation_id
		      WHERE i.edition_id = ? AND e.action = 'answer' GROUP BY e.invitation_id) f
		GROUP BY 1 ORDER BY 1`, loc.String(), editionID).Scan(&days).Error
	if err != nil {
		return p, fmt.Errorf("invitation: answers per day: %w", err)
	}
	for _, d := range days {
		t, err := time.ParseInLocation("2006-01-02", d.Day, loc)
		if err != nil {
			return p, fmt.Errorf("invitation: answers per day: %w", err)
		}
		p.Days = append(p.Days, DayCount{Day: t, Answers: d.Answers})
	}
	return p, nil
}
