package invitation

import (
	"context"
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
	// RespondedByName is the name of the user RespondedBy ("" for none).
	RespondedByName string
	StaffChannel    string
	RevokedAt       *time.Time
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

// listArgs are a statement's arguments; add numbers their placeholders
// ($1, $2, …), so that one placeholder can be used twice.
type listArgs []any

func (a *listArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// listFrom are the list's tables: the invitations (i) with their guest (g)
// and the guest's delegation (d); listUsers adds the user who recorded the
// answer (u), for the rows.
const (
	listFrom  = "FROM invitations i JOIN guests g ON g.id = i.guest_id LEFT JOIN delegations d ON d.id = g.delegation_id"
	listUsers = " LEFT JOIN users u ON u.id = i.responded_by"
)

// from is the list's FROM and WHERE: the invitations q selects.
func (q ListQuery) from(args *listArgs) string {
	return listFrom + "\n\t\t" + q.where(args)
}

// where is the list's WHERE, over listFrom's tables.
func (q ListQuery) where(args *listArgs) string {
	conds := []string{"i.edition_id = " + args.add(q.EditionID)}
	switch {
	case q.Status == StatusUnanswered:
		conds = append(conds, "i.responded_at IS NULL")
		if q.CeremonyID != 0 {
			conds = append(conds, "EXISTS (SELECT 1 FROM invitation_ceremonies ic WHERE ic.invitation_id = i.id AND ic.ceremony_id = "+args.add(q.CeremonyID)+")")
		}
	case q.Status != "" && q.CeremonyID != 0:
		conds = append(conds, "EXISTS (SELECT 1 FROM invitation_ceremonies ic WHERE ic.invitation_id = i.id AND ic.ceremony_id = "+
			args.add(q.CeremonyID)+" AND ic.status = "+args.add(q.Status)+")")
	case q.Status != "":
		conds = append(conds, "EXISTS (SELECT 1 FROM invitation_ceremonies ic WHERE ic.invitation_id = i.id AND ic.status = "+args.add(q.Status)+")")
	case q.CeremonyID != 0:
		conds = append(conds, "EXISTS (SELECT 1 FROM invitation_ceremonies ic WHERE ic.invitation_id = i.id AND ic.ceremony_id = "+args.add(q.CeremonyID)+")")
	}
	if q.DelegationID != 0 {
		conds = append(conds, "g.delegation_id = "+args.add(q.DelegationID))
	}
	if q.Kind != "" {
		conds = append(conds, "d.kind = "+args.add(q.Kind))
	}
	return "WHERE " + strings.Join(conds, " AND ")
}

// order is the list's order: the guests' delegations in order of
// precedence (guests without one last), VIPs first, then the full name
// (given and family name, as GuestInfo.FullName) in the reader's
// collation, then the invitation — the order the list always had. Its
// first three keys are the groups listPageSQL counts: change them there
// too.
func (q ListQuery) order() string {
	col := attendeeCollation(q.Locale)
	return "g.delegation_id IS NULL, g.precedence, g.vip DESC, btrim(g.given_name || ' ' || g.family_name) COLLATE " + col + ", i.id"
}

// CountListed counts the invitations q selects.
func (s *Store) CountListed(ctx context.Context, q ListQuery) (int, error) {
	var args listArgs
	from := q.from(&args)
	var n int
	err := s.onPgx(ctx, func(db pgxQuerier) error {
		return db.QueryRow(ctx, "SELECT count(*) "+from, args...).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("invitation: count list: %w", err)
	}
	return n, nil
}

// ListHead is what the invitation list shows above its rows, read in one
// statement: the edition's counts, how many invitations the filters keep,
// the ceremonies (the table's columns) and the delegations (the filter's
// choices).
type ListHead struct {
	Counts Counts
	// Shown is how many invitations the query keeps (Counts.Invited when
	// it has no filter).
	Shown       int
	Ceremonies  []CeremonyInfo
	Delegations []DelegationRef
}

// ListHead reads the head of the list of the invitations q selects. It
// reads the ceremonies and delegations in SQL, as the list reads the
// directory's guests: their titles, days, names and kinds are all the
// list shows of them, and the packages that own them would read whole
// rows through GORM in two more round trips. The ceremonies are in the
// order of ceremony.Store.CeremonyList (start, then id), the delegations
// in the order of precedence (as delegation.Store.AllDelegations).
func (s *Store) ListHead(ctx context.Context, q ListQuery) (ListHead, error) {
	var args listArgs
	ed := args.add(q.EditionID)
	shown := "NULL::bigint"
	if q.Filtered() {
		shown = "(SELECT count(*) " + q.from(&args) + ")"
	}
	query := `SELECT
		(SELECT count(*) FROM invitations WHERE edition_id = ` + ed + `),
		(SELECT count(*) FROM invitations WHERE edition_id = ` + ed + ` AND responded_at IS NULL),
		` + shown + `,
		c.ids, c.titles, c.starts, d.ids, d.names, d.kinds
		FROM (SELECT array_agg(id ORDER BY starts_at, id) AS ids, array_agg(title ORDER BY starts_at, id) AS titles,
				array_agg(starts_at ORDER BY starts_at, id) AS starts
			FROM ceremonies WHERE edition_id = ` + ed + `) c,
		(SELECT array_agg(id ORDER BY precedence, id) AS ids, array_agg(name ORDER BY precedence, id) AS names,
				array_agg(kind ORDER BY precedence, id) AS kinds
			FROM delegations) d`
	var (
		h                    ListHead
		filtered             *int
		cIDs, dIDs           []int64
		titles, names, kinds []string
		starts               []time.Time
	)
	err := s.onPgx(ctx, func(db pgxQuerier) error {
		return db.QueryRow(ctx, query, args...).Scan(&h.Counts.Invited, &h.Counts.NotAnswered, &filtered,
			&cIDs, &titles, &starts, &dIDs, &names, &kinds)
	})
	if err != nil {
		return h, fmt.Errorf("invitation: list head: %w", err)
	}
	h.Shown = h.Counts.Invited
	if filtered != nil {
		h.Shown = *filtered
	}
	h.Ceremonies = make([]CeremonyInfo, len(cIDs))
	for i, id := range cIDs {
		h.Ceremonies[i] = CeremonyInfo{ID: id, EditionID: q.EditionID, Title: titles[i], StartsAt: starts[i]}
	}
	h.Delegations = make([]DelegationRef, len(dIDs))
	for i, id := range dIDs {
		h.Delegations[i] = DelegationRef{ID: id, Name: names[i], Kind: kinds[i]}
	}
	return h, nil
}

// listedColumns are a ListedRow's columns over i, g and d; the answers
// come as one text, "ceremony:status" pairs by ceremony (parseAnswers),
// and the name of the user who recorded the answer from users.
const listedColumns = `SELECT i.id, i.guest_id, g.honorific, g.given_name, g.family_name, g.printed_name, g.vip,
		g.delegation_id, COALESCE(d.name, ''), i.companions_allowed,
		(SELECT count(*) FROM invitation_companions c WHERE c.invitation_id = i.id),
		i.responded_at, i.responded_via, i.responded_by, COALESCE(u.name, ''), i.staff_channel, i.revoked_at,
		COALESCE((SELECT string_agg(ic.ceremony_id || ':' || ic.status, ',' ORDER BY ic.ceremony_id)
		          FROM invitation_ceremonies ic WHERE ic.invitation_id = i.id), '')`

// listPageSQL reads a page of the list without sorting the whole list:
// sorting thousands of full names in an ICU collation was most of the
// page's database time. The list's order is first by group — delegation
// or none, precedence, VIP — and only then by name, so the statement
// counts the invitations of each group (span), keeps the groups the page
// [$offset, $end) falls in (pick), and sorts only their rows by name,
// skipping those of the first group's that come before the page. %[1]s is
// the list's WHERE, %[2]s its order; the precedence range lets the guests
// be found along their precedence index.
const listPageSQL = `WITH span AS (
	SELECT nodel, prec, vip, n, (sum(n) OVER (ORDER BY nodel, prec, vip DESC) - n)::bigint AS before
	FROM (SELECT g.delegation_id IS NULL AS nodel, g.precedence AS prec, g.vip, count(*) AS n
		` + listFrom + `
		%[1]s GROUP BY 1, 2, 3) grp
), pick AS (
	SELECT nodel, prec, vip, before FROM span WHERE before < %[3]s AND before + n > %[4]s
)
%[5]s
	` + listFrom + listUsers + `
	%[1]s
	AND g.precedence BETWEEN (SELECT min(prec) FROM pick) AND (SELECT max(prec) FROM pick)
	AND EXISTS (SELECT 1 FROM pick k WHERE k.nodel = (g.delegation_id IS NULL) AND k.prec = g.precedence AND k.vip = g.vip)
	ORDER BY %[2]s
	LIMIT %[6]s OFFSET %[4]s - (SELECT min(before) FROM pick)`

// EachListed calls fn with the invitations q selects in the list's order,
// skipping offset and at most limit of them (limit < 0: all), read
// through one cursor. A page sorts the groups it falls in only (see
// listPageSQL), and the answers and companions are read for the rows
// returned only. fn must not keep the row.
func (s *Store) EachListed(ctx context.Context, q ListQuery, offset, limit int, fn func(*ListedRow) error) error {
	var args listArgs
	where := q.where(&args)
	query := listedColumns + "\n\t" + listFrom + listUsers + "\n\t" + where + "\n\tORDER BY " + q.order()
	if limit >= 0 {
		query = fmt.Sprintf(listPageSQL, where, q.order(), args.add(offset+limit), args.add(offset), listedColumns, args.add(limit))
	}
	err := s.onPgx(ctx, func(db pgxQuerier) error {
		rows, err := db.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var (
			r       ListedRow
			answers string
		)
		// fn does not keep the row, so one map serves every row.
		r.Answers = map[int64]string{}
		for rows.Next() {
			r = ListedRow{Answers: r.Answers}
			clear(r.Answers)
			if err := rows.Scan(&r.ID, &r.GuestID, &r.Honorific, &r.GivenName, &r.FamilyName, &r.PrintedName, &r.VIP,
				&r.DelegationID, &r.Delegation, &r.CompanionsAllowed, &r.Companions,
				&r.RespondedAt, &r.RespondedVia, &r.RespondedBy, &r.RespondedByName, &r.StaffChannel, &r.RevokedAt, &answers); err != nil {
				return fmt.Errorf("scan: %w", err)
			}
			if err := parseAnswers(answers, r.Answers); err != nil {
				return fmt.Errorf("answers of %d: %w", r.ID, err)
			}
			if err := fn(&r); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	if err != nil {
		return fmt.Errorf("invitation: list: %w", err)
	}
	return nil
}

// parseAnswers reads listedColumns' answers ("12:accepted,13:pending")
// into m.
func parseAnswers(s string, m map[int64]string) error {
	for s != "" {
		pair, rest, _ := strings.Cut(s, ",")
		id, status, ok := strings.Cut(pair, ":")
		n, err := strconv.ParseInt(id, 10, 64)
		if !ok || err != nil {
			return fmt.Errorf("bad answer %q", pair)
		}
		m[n] = status
		s = rest
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
