package invitation_test

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"

	"vigil/internal/auth"
	"vigil/internal/database"
	"vigil/internal/delegation"
	"vigil/internal/invitation"
	"vigil/internal/loadtest"
	"vigil/internal/testdb"
	"vigil/internal/testserver"
)

// The staff's invitation list, a 100-row page, measured against a
// baseline as targets.md defines it: a bare Echo handler on pgx (no ORM,
// no middleware, no session) doing one query for the same page — the
// page's ids in the list's order, then their answers, companions and the
// staff who recorded them along primary keys — and rendering it with a
// small html/template table. Vigil adds the session, the edition, the
// ceremonies' columns, the filters' choices, the counts, and its full
// page. Unlike cmd/vigil-load's baseline, this one is not padded to
// Vigil's number of statements, and it lists the very rows Vigil lists
// (the benchmark checks it), in Vigil's order.
//
//	make bench PKG=./internal/invitation/ TESTFLAGS='-bench InvitationListPage/ratio -benchtime 600x'
//
// The edition is the size cmd/vigil-load seeds: 5,000 invitations to four
// ceremonies across 200 delegations, some answers recorded by staff (so
// the list names them). Eight staff readers page through the list at
// once, each request one of the first 50 pages. "statements" is what one
// Vigil request sends to PostgreSQL, counted on the server's pool.
//
// TestInvitationListRowsEscaped, below, checks the list's hand-written
// rows (organizer_handler.go, writeListBody) with hostile names.

// listLinkRe finds the links to invitations, in the order listed.
var listLinkRe = regexp.MustCompile(`/invitations/\d+"`)

// listBench sizes the seeded edition.
const (
	listBenchYear        = 2097
	listBenchDelegations = 200
	listBenchGuests      = 5000
	listBenchStaff       = 6
	listBenchPages       = 50
	listBenchWorkers     = 8
)

// listBaselinePage is the baseline's table: the columns Vigil shows, with
// no translation, filters or links but the guest's.
var listBaselinePage = template.Must(template.New("list").Parse(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Invitations {{.Year}}</title></head><body>
<table><thead><tr><th>Guest</th><th>Delegation</th><th>Answers</th><th>Companions</th><th>Answered</th></tr></thead><tbody>
{{range .Rows}}<tr><th><a href="/editions/{{$.Year}}/invitations/{{.ID}}">{{.Name}}</a>{{if .VIP}} VIP{{end}}</th><td>{{.Delegation}}</td><td>{{range .Statuses}}{{.}} {{end}}</td><td>{{.Companions}} / {{.Allowed}}</td><td>{{with .Responded}}{{.Format "2 Jan 2006, 15:04"}}{{end}} {{.By}}</td></tr>
{{end}}</tbody></table><p>Page {{.Page}}</p></body></html>`))

type listBaselineRow struct {
	ID         int64
	Name       string
	VIP        bool
	Delegation string
	Statuses   []string
	Companions int
	Allowed    int
	Responded  *time.Time
	By         string
}

// listBaseline starts the bare Echo + pgx server on pool and returns its
// address.
func listBaseline(b *testing.B, pool *pgxpool.Pool) string {
	b.Helper()
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/editions/:year/invitations", func(c echo.Context) error {
		ctx := c.Request().Context()
		year, err := strconv.Atoi(c.Param("year"))
		if err != nil {
			return echo.NewHTTPError(http.StatusNotFound)
		}
		page, _ := strconv.Atoi(c.QueryParam("page"))
		page = max(page, 1)
		// The page's ids first, so that the answers and companions are
		// read for the 100 rows shown only, not for those skipped; in
		// Vigil's order (delegations in order of precedence, VIPs first,
		// then the full name in the reader's collation), so that both
		// show the same rows.
		rows, err := pool.Query(ctx, `SELECT i.id, btrim(g.honorific || ' ' || g.given_name || ' ' || g.family_name), g.vip, coalesce(d.name, ''),
				ARRAY(SELECT ic.status FROM invitation_ceremonies ic WHERE ic.invitation_id = i.id ORDER BY ic.ceremony_id),
				(SELECT count(*) FROM invitation_companions c WHERE c.invitation_id = i.id)::int, i.companions_allowed,
				i.responded_at, coalesce(u.name, '')
			FROM (SELECT i.id, g.delegation_id IS NULL AS nodel, g.precedence, g.vip, btrim(g.given_name || ' ' || g.family_name) AS name
				FROM invitations i JOIN guests g ON g.id = i.guest_id
				WHERE i.edition_id = (SELECT id FROM editions WHERE year = $1)
				ORDER BY g.delegation_id IS NULL, g.precedence, g.vip DESC, btrim(g.given_name || ' ' || g.family_name) COLLATE "en-x-icu", i.id
				LIMIT 100 OFFSET $2) p
			JOIN invitations i ON i.id = p.id JOIN guests g ON g.id = i.guest_id
			LEFT JOIN delegations d ON d.id = g.delegation_id LEFT JOIN users u ON u.id = i.responded_by
			ORDER BY p.nodel, p.precedence, p.vip DESC, p.name COLLATE "en-x-icu", p.id`, year, (page-1)*100)
		if err != nil {
			return err
		}
		list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[listBaselineRow])
		if err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
		c.Response().WriteHeader(http.StatusOK)
		return listBaselinePage.Execute(c.Response(), map[string]any{"Year": year, "Page": page, "Rows": list})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	hs := &http.Server{Handler: e, ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln) //nolint:errcheck // closed at cleanup
	b.Cleanup(func() { hs.Close() })
	return "http://" + ln.Addr().String()
}

// listSeed fills the edition listBenchYear in SQL, as cmd/vigil-load
// does: 200 delegations of 25 guests, every guest invited to the first
// ceremony and shares of them to the three others; about 40% answered,
// a quarter of those by one of the staff users.
func listSeed(b *testing.B, srv *testserver.Server, staff []int64) {
	b.Helper()
	one := func(q string, args ...any) int64 { return srv.InsertID(b, q, args...) }
	cm := one("INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone) VALUES ('Remembrance', '1992-02-26', 2, 26, 'Asia/Baku')")
	ed := one("INSERT INTO editions (commemoration_id, year, status, rsvp_deadline) VALUES (?, ?, 'invitations_open', ?)",
		cm, listBenchYear, time.Date(listBenchYear, 2, 1, 0, 0, 0, 0, time.UTC))
	var cer [4]int64
	for i, title := range []string{"Wreath-laying", "Memorial service", "Reception", "Evening concert"} {
		starts := time.Date(listBenchYear, 2, 26, 5+3*i, 0, 0, 0, time.UTC)
		cer[i] = one(`INSERT INTO ceremonies (edition_id, title, starts_at, ends_at, capacity, status)
			VALUES (?, ?, ?, ?, 1000000, 'published')`, ed, title, starts, starts.Add(time.Hour))
	}
	srv.Exec(b, `INSERT INTO delegations (name, kind, precedence)
		SELECT 'Delegation ' || n, (ARRAY['government','parliament','diplomatic_mission','international_organisation'])[1 + n % 4], n
		FROM generate_series(1, ?) n`, listBenchDelegations)
	perDelegation := listBenchGuests / listBenchDelegations
	srv.Exec(b, `INSERT INTO guests (honorific, given_name, family_name, delegation_id, vip, language)
		SELECT 'H.E.', 'Given ' || n, 'Family ' || (n * 7919 % ?), d.id, n % 17 = 0, 'en'
		FROM generate_series(0, ? - 1) n JOIN delegations d ON d.name = 'Delegation ' || (1 + n / ?)`,
		listBenchGuests, listBenchGuests, perDelegation)
	srv.Exec(b, `INSERT INTO invitations (edition_id, guest_id, token_nonce, token_hash, check_in_code, companions_allowed,
			responded_at, responded_via, responded_by, staff_channel)
		SELECT ?, g.id, decode(md5('n' || g.id), 'hex'), decode(md5('h' || g.id), 'hex'), 'LIST' || g.id, 1 + g.id % 2,
			CASE WHEN g.id % 5 < 2 THEN timestamptz '2097-01-10 09:00Z' + g.id * interval '7 minutes' END,
			CASE WHEN g.id % 5 = 0 AND g.id % 4 = 0 THEN 'staff' WHEN g.id % 5 < 2 THEN 'link' END,
			CASE WHEN g.id % 5 = 0 AND g.id % 4 = 0 THEN (?::bigint[])[1 + g.id % ?] END,
			CASE WHEN g.id % 5 = 0 AND g.id % 4 = 0 THEN (ARRAY['phone','note'])[1 + g.id % 2] ELSE '' END
		FROM guests g`, ed, listArray(staff), len(staff))
	srv.Exec(b, `INSERT INTO invitation_ceremonies (invitation_id, ceremony_id, status)
		SELECT i.id, c.id, CASE WHEN i.responded_at IS NULL THEN 'pending'
			ELSE (ARRAY['accepted','accepted','accepted','declined'])[1 + (i.guest_id + c.n) % 4] END
		FROM invitations i JOIN unnest(?::bigint[]) WITH ORDINALITY AS c(id, n) ON
			c.n = 1 OR (c.n = 2 AND i.guest_id % 5 < 2) OR (c.n = 3 AND i.guest_id % 10 < 3) OR (c.n = 4 AND i.guest_id % 5 = 4)
		WHERE i.edition_id = ?`, listArray(cer[:]), ed)
	srv.Exec(b, `INSERT INTO invitation_companions (invitation_id, position, name)
		SELECT id, 1, 'Companion ' || id FROM invitations WHERE edition_id = ? AND responded_at IS NOT NULL AND guest_id % 3 = 0`, ed)
	srv.Exec(b, "ANALYZE")
}

// listArray is ids as a PostgreSQL array literal: GORM would expand a
// slice into a parenthesised list.
func listArray(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return "{" + strings.Join(s, ",") + "}"
}

// listCounter counts the statements a pool sends (as cmd/vigil-load's
// queryCounter does).
type listCounter struct{ n atomic.Int64 }

// TraceQueryStart counts one statement.
func (q *listCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	q.n.Add(1)
	return ctx
}

// TraceQueryEnd does nothing.
func (q *listCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func BenchmarkInvitationListPage(b *testing.B) {
	_, dbURL := testdb.New(b)
	counter := &listCounter{}
	db, err := database.Open(context.Background(), dbURL, func(c *pgxpool.Config) { c.ConnConfig.Tracer = counter })
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(db.Close)
	srv := testserver.StartWith(b, db, dbURL, nil)
	var staff []int64
	for i := range listBenchStaff {
		staff = append(staff, srv.AddUser(b, fmt.Sprintf("desk%d@example.org", i), auth.RoleStaff).ID)
	}
	listSeed(b, srv, staff)
	srv.AddUser(b, "lists@example.org", auth.RoleStaff)
	reader := srv.NewClient(b)
	reader.Login("lists@example.org")
	// Both sides get the same keep-alive pool: the default keeps two idle
	// connections, which with eight workers would reconnect all the time.
	vigilClient := &http.Client{Jar: reader.HTTP.Jar, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	plain := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	base := listBaseline(b, srv.DB.Pool)

	path := "/editions/" + strconv.Itoa(listBenchYear) + "/invitations?page="
	get := func(c *http.Client, u string) error {
		req, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		return loadtest.Fetch(c, req, func(body []byte) error {
			// The header row and the page's 100.
			if n := bytes.Count(body, []byte("<tr>")); n != 101 {
				return fmt.Errorf("%s: %d rows", u, n-1)
			}
			return nil
		})
	}
	page := func(k int) string { return strconv.Itoa(1 + k%listBenchPages) }
	baselineSend := func(_, _, k int) error { return get(plain, base+path+page(k)) }
	vigilSend := func(_, _, k int) error { return get(vigilClient, srv.URL+path+page(k)) }

	// What one request of each sends to PostgreSQL; the quietest of a
	// few tries, as the server's background work shares the pool.
	statements := func(send func(_, _, k int) error) float64 {
		best := int64(1 << 30)
		for k := range 5 {
			before := counter.n.Load()
			if err := send(0, 0, k); err != nil {
				b.Fatal(err)
			}
			best = min(best, counter.n.Load()-before)
		}
		return float64(best)
	}
	vigilStatements := statements(vigilSend)
	// Both list the same invitations in the same order, and Vigil's
	// page names the staff who recorded answers: the comparison is worth
	// nothing otherwise.
	read := func(c *http.Client, u string) string {
		resp, err := c.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			b.Fatal(err)
		}
		return string(body)
	}
	for _, pg := range []string{"1", "27"} {
		vigilPage, basePage := read(vigilClient, srv.URL+path+pg), read(plain, base+path+pg)
		vigilIDs, baseIDs := listLinkRe.FindAllString(vigilPage, -1), listLinkRe.FindAllString(basePage, -1)
		if len(vigilIDs) != 100 || !slices.Equal(vigilIDs, baseIDs) {
			b.Fatalf("page %s: Vigil lists %d invitations, the baseline %d, not the same", pg, len(vigilIDs), len(baseIDs))
		}
		if !strings.Contains(vigilPage, "recorded by staff: User desk") {
			b.Fatalf("page %s names no staff user", pg)
		}
	}

	b.Run("baseline", func(b *testing.B) {
		lat, rps := loadtest.Closed(b, listBenchWorkers, b.N, baselineSend)
		loadtest.Report(b, lat, rps)
	})
	b.Run("vigil", func(b *testing.B) {
		lat, rps := loadtest.Closed(b, listBenchWorkers, b.N, vigilSend)
		loadtest.Report(b, lat, rps)
		b.ReportMetric(vigilStatements, "statements")
	})
	// Both in turns, so that the shared machine's changing load hits
	// both alike: the ratio targets.md asks for (≥ 0.70).
	b.Run("ratio", func(b *testing.B) {
		base, vigil := loadtest.Alternate(b, 5, listBenchWorkers, b.N, baselineSend, vigilSend)
		b.ReportMetric(base, "baseline-req/s")
		b.ReportMetric(vigil, "vigil-req/s")
		b.ReportMetric(vigil/base, "ratio")
		b.ReportMetric(vigilStatements, "statements")
	})
}

// listText is html/template's own escaping of text, for what the
// hand-written rows must write.
var listText = template.Must(template.New("text").Parse(`{{.}}`))

// TestInvitationListRowsEscaped: the list page's rows and delegation
// choices are written by hand (writeListBody, writeDelegationOptions), so
// every name in them — guest, delegation, the staff member who recorded
// an answer — must come out as html/template writes it, for staff and for
// organizers (who also get a reminder button naming the guest).
func TestInvitationListRowsEscaped(t *testing.T) {
	f := orgSetup(t)
	ctx := context.Background()
	const (
		guestName = `<script>alert("x")</script> O'Brien & Sons +1`
		delName   = `Embassy "A&B" <b>bold</b> 'q'`
		userName  = `<i>Desk</i> & "Co" +`
	)
	esc := func(s string) string {
		var b strings.Builder
		if err := listText.Execute(&b, s); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	ds := delegation.NewStore(f.srv.DB.Gorm)
	del, err := ds.CreateDelegation(ctx, delegation.DelegationInput{Name: delName, Kind: "civil_society"})
	if err != nil {
		t.Fatal(err)
	}
	g, err := ds.CreateGuest(ctx, delegation.GuestInput{GivenName: guestName, FamilyName: "Guest", DelegationID: &del.ID, VIP: true, Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	f.guests["hostile"] = g.ID
	f.invite(t, 1, []int64{f.wreath}, "hostile", "jean", "ilahe")
	// Jean's answer is recorded by a staff member with a hostile name;
	// İlahə's link is revoked.
	f.srv.Exec(t, "UPDATE users SET name = ? WHERE id = ?", userName, f.staffID)
	orgStatus(t, "answer", orgResp(f.answer(t, f.staff, "jean", map[int64]bool{f.wreath: true})), http.StatusSeeOther)
	orgStatus(t, "revoke", orgResp(f.org.Post(f.path("/"+strconv.FormatInt(f.inv(t, "ilahe"), 10)+"/revoke"), nil)), http.StatusSeeOther)

	hostile := strconv.FormatInt(f.inv(t, "hostile"), 10)
	delID := strconv.FormatInt(del.ID, 10)
	for _, who := range []struct {
		name      string
		c         *testserver.Client
		organizer bool
	}{{"staff", f.staff, false}, {"organizer", f.org, true}} {
		_, body := who.c.Get(f.path(""))
		orgWant(t, who.name+" list", body,
			`<th scope="row"><a href="/editions/2027/invitations/`+hostile+`">`+esc(guestName+" Guest")+`</a> <span class="badge badge--warning">VIP</span></th>`,
			`<td><a href="/delegations/`+delID+`">`+esc(delName)+`</a></td>`,
			`<span class="muted small">recorded by staff: `+esc(userName)+` · Phone</span>`,
			`<span class="badge badge--success">Accepted</span>`,
			`<span class="badge badge--neutral">Not answered</span>`,
			`<span class="muted" aria-label="Not invited">—</span>`,
			`<span class="badge badge--disabled">Link revoked</span></th>`+"\n    "+`<td><span class="muted">—</span></td>`,
			`<option value="`+delID+`">`+esc(delName)+`</option>`)
		for _, raw := range []string{"<script>", "<b>", "<i>"} {
			if strings.Contains(body, raw) {
				t.Errorf("%s list: %q unescaped", who.name, raw)
			}
		}
		reminder := `<span class="visually-hidden"> ` + esc(guestName+" Guest") + `</span></button></form>`
		if got := strings.Contains(body, reminder); got != who.organizer {
			t.Errorf("%s list: reminder button naming the guest shown %v, want %v", who.name, got, who.organizer)
		}
		if who.organizer {
			orgWant(t, "reminder form", body, `<form class="inline-form" method="post" action="/editions/2027/invitations/remind"><input type="hidden" name="_csrf" value="`+who.c.CSRF()+`"><input type="hidden" name="id" value="`+hostile+`">`)
		}
		_, body = who.c.Get(f.path("?delegation=" + delID))
		orgWant(t, who.name+" filtered", body, `<option value="`+delID+`" selected>`+esc(delName)+`</option>`, "1 invitation matches the filters")
	}

	// A store without the app's pool reads the list through the pgx
	// connection under GORM's: the same head and rows.
	read := func(s *invitation.Store) string {
		t.Helper()
		q := invitation.ListQuery{ListFilter: invitation.ListFilter{EditionID: f.edition, CeremonyID: f.wreath}, Locale: "en"}
		head, err := s.ListHead(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		out := fmt.Sprintf("%+v %d %d\n", head.Counts, head.Shown, len(head.Delegations))
		for _, c := range head.Ceremonies {
			out += c.Title + " " + c.StartsAt.UTC().String() + "\n"
		}
		err = s.EachListed(ctx, q, 0, 2, func(r *invitation.ListedRow) error {
			out += fmt.Sprintf("%d %s %s %v\n", r.ID, r.DisplayName(), r.RespondedByName, r.Answers)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	withPool, bare := read(f.store), read(invitation.NewStore(f.srv.DB.Gorm, nil, nil, nil))
	if withPool != bare || strings.Count(withPool, "\n") != 6 || !strings.Contains(withPool, userName) {
		t.Errorf("the list read with the pool:\n%s\nand without:\n%s", withPool, bare)
	}
}
