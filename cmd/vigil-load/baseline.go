package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"

	"vigil/internal/invitation"
)

// The baseline (targets.md): a bare Echo server on pgx, with no ORM and no
// middleware, doing each endpoint's database work in its plainest form and
// one html/template render. It has no sessions: the guest's token and the
// gate travel in the request. To make "the same number of queries" hold,
// each endpoint then sends Pads trivial statements (on its transaction
// where it has one), so that its count of statements per request equals
// the one the driver measured on Vigil; the report gives both counts.

// Pads are the extra statements per request of each endpoint.
type Pads struct {
	RSVPPage, RSVPSubmit, Scan, ScanQuiet, List atomic.Int64
}

func (p *Pads) byName() map[string]*atomic.Int64 {
	return map[string]*atomic.Int64{epRSVPPage: &p.RSVPPage, epRSVPSubmit: &p.RSVPSubmit, epScan: &p.Scan, epScanQuiet: &p.ScanQuiet, epList: &p.List}
}

// Endpoint names, as the report and the pads use them.
const (
	epRSVPPage   = "rsvp-page"
	epRSVPSubmit = "rsvp-submit"
	epScan       = "scan"
	epList       = "list"
	// epScanQuiet is epScan with no board open.
	epScanQuiet = "scan-no-boards"
)

var baselineTmpl = template.Must(template.New("").Parse(`
{{define "rsvp"}}<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Your invitation</title></head><body>
<h1>{{.Honorific}} {{.Given}} {{.Family}}</h1>
<form method="post" action="/rsvp"><input type="hidden" name="t" value="{{.Token}}">
{{range .Ceremonies}}<fieldset><legend>{{.Title}}, {{.StartsAt.Format "2 January 2006, 15:04"}}</legend>
<label><input type="radio" name="answer_{{.ID}}" value="accept"{{if eq .Status "accepted"}} checked{{end}}> I will attend</label>
<label><input type="radio" name="answer_{{.ID}}" value="decline"{{if eq .Status "declined"}} checked{{end}}> I cannot attend</label></fieldset>
{{end}}{{if .Companions}}<label>Companion <input name="companion_1"></label>{{end}}
<button>Send my answer</button></form></body></html>{{end}}
{{define "answered"}}<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Answer recorded</title></head><body><p>Your answer ({{.}}) is recorded.</p></body></html>{{end}}
{{define "scan"}}<div id="desk-result" class="baseline-result"><p>{{.Name}}: {{.Outcome}}</p></div>{{end}}
{{define "list"}}<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Invitations {{.Year}}</title></head><body>
<table><thead><tr><th>Guest</th><th>Delegation</th><th>Answers</th><th>Answered</th></tr></thead><tbody>
{{range .Rows}}<tr><td>{{if .VIP}}★ {{end}}{{.Name}}</td><td>{{.Delegation}}</td><td>{{range .Statuses}}{{.}} {{end}}</td><td>{{with .Responded}}{{.Format "2 Jan 2006"}}{{end}}</td></tr>
{{end}}</tbody></table><p>Page {{.Page}}</p></body></html>{{end}}
{{define "board"}}<div id="board"><p>{{.In}} of {{.Expected}} checked in</p></div>{{end}}
`))

// Baseline is the baseline server.
type Baseline struct {
	echo *echo.Echo
	pool *pgxpool.Pool
	pads *Pads
	hub  *baselineHub
}

// QuietCheckIns makes the sessions of a baseline pool keep Vigil's
// check-in trigger silent (migration 00014), as Vigil's scan keeps it for
// its own: targets.md's baseline scan is the bare UPDATE, and a NOTIFY in
// its transaction would make its commits queue one behind another.
func QuietCheckIns(cfg *pgxpool.Config) {
	cfg.ConnConfig.RuntimeParams["vigil.checkin_announce"] = "after_commit"
}

// NewBaseline builds the baseline on pool; dbURL opens the LISTEN
// connection of its live board.
func NewBaseline(ctx context.Context, pool *pgxpool.Pool, dbURL string, pads *Pads) (*Baseline, error) {
	if _, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS bench_capacity (ceremony_id bigint PRIMARY KEY, taken int NOT NULL, capacity int NOT NULL)`); err != nil {
		return nil, fmt.Errorf("vigil-load: baseline capacity table: %w", err)
	}
	hub, err := newBaselineHub(dbURL, pool)
	if err != nil {
		return nil, err
	}
	b := &Baseline{echo: echo.New(), pool: pool, pads: pads, hub: hub}
	e := b.echo
	e.HideBanner, e.HidePort = true, true
	e.GET("/rsvp", b.rsvpPage)
	e.POST("/rsvp", b.rsvpSubmit)
	e.POST("/checkin/:ceremony/scan", b.scan)
	// The same scans, padded to Vigil's count with no board open (the
	// driver's scan-no-boards).
	e.POST("/quiet/checkin/:ceremony/scan", b.scan)
	e.GET("/editions/:year/invitations", b.list)
	e.GET("/checkin/:ceremony/board/events", b.boardEvents)
	return b, nil
}

// ServeHTTP serves the baseline's routes.
func (b *Baseline) ServeHTTP(w http.ResponseWriter, r *http.Request) { b.echo.ServeHTTP(w, r) }

// Close ends the board's LISTEN connection and its streams.
func (b *Baseline) Close() { b.hub.close() }

// pad sends n trivial statements through tx (or the pool when tx is nil).
func (b *Baseline) pad(ctx context.Context, tx pgx.Tx, n int64) error {
	for i := range n {
		var err error
		if tx != nil {
			_, err = tx.Exec(ctx, "SELECT $1::bigint", i)
		} else {
			_, err = b.pool.Exec(ctx, "SELECT $1::bigint", i)
		}
		if err != nil {
			return fmt.Errorf("vigil-load: baseline pad: %w", err)
		}
	}
	return nil
}

type baselineCeremony struct {
	ID       int64
	Title    string
	StartsAt time.Time
	Status   string
}

// rsvpPage: the invitation by its token's hash with the guest, its
// ceremonies, the form.
func (b *Baseline) rsvpPage(c echo.Context) error {
	ctx := c.Request().Context()
	tok := c.QueryParam("t")
	d := struct {
		Token, Honorific, Given, Family string
		Companions                      int
		Ceremonies                      []baselineCeremony
	}{Token: tok}
	var id int64
	err := b.pool.QueryRow(ctx, `SELECT i.id, i.companions_allowed, g.honorific, g.given_name, g.family_name
		FROM invitations i JOIN guests g ON g.id = i.guest_id WHERE i.token_hash = $1 AND i.revoked_at IS NULL`,
		invitation.Hash(tok)).Scan(&id, &d.Companions, &d.Honorific, &d.Given, &d.Family)
	if errors.Is(err, pgx.ErrNoRows) {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	if err != nil {
		return err
	}
	rows, err := b.pool.Query(ctx, `SELECT c.id, c.title, c.starts_at, ic.status FROM invitation_ceremonies ic
		JOIN ceremonies c ON c.id = ic.ceremony_id WHERE ic.invitation_id = $1 AND c.status = 'published' ORDER BY c.starts_at`, id)
	if err != nil {
		return err
	}
	d.Ceremonies, err = pgx.CollectRows(rows, pgx.RowToStructByPos[baselineCeremony])
	if err != nil {
		return err
	}
	if err := b.pad(ctx, nil, b.pads.RSVPPage.Load()); err != nil {
		return err
	}
	return render(c, "rsvp", d)
}

// rsvpSubmit: one transaction: the invitation locked by its token's hash,
// its answers updated, the conditional capacity update, a small page.
func (b *Baseline) rsvpSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	accept := c.FormValue("answer") == "accept"
	status, delta := "declined", -1
	if accept {
		status, delta = "accepted", 1
	}
	err := pgx.BeginFunc(ctx, b.pool, func(tx pgx.Tx) error {
		var id int64
		if err := tx.QueryRow(ctx, `SELECT id FROM invitations WHERE token_hash = $1 AND revoked_at IS NULL FOR UPDATE`,
			invitation.Hash(c.FormValue("t"))).Scan(&id); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `UPDATE invitation_ceremonies SET status = $2, updated_at = now()
			WHERE invitation_id = $1 RETURNING ceremony_id`, id, status)
		if err != nil {
			return err
		}
		cers, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO bench_capacity SELECT unnest($1::bigint[]), 0, 1000000
			ON CONFLICT (ceremony_id) DO UPDATE SET taken = bench_capacity.taken + $2
			WHERE bench_capacity.taken + $2 <= bench_capacity.capacity`, cers, delta); err != nil {
			return err
		}
		return b.pad(ctx, tx, b.pads.RSVPSubmit.Load())
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	if err != nil {
		return err
	}
	return render(c, "answered", status)
}

// scan: UPDATE … SET checked_in_at = now() WHERE code = $1 AND
// checked_in_at IS NULL RETURNING …, the answer fragment.
func (b *Baseline) scan(c echo.Context) error {
	ctx := c.Request().Context()
	cer, err := strconv.ParseInt(c.Param("ceremony"), 10, 64)
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	gate, err := strconv.ParseInt(c.FormValue("gate"), 10, 64)
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	d := struct{ Name, Outcome string }{Outcome: "checked in"}
	err = b.pool.QueryRow(ctx, `UPDATE invitation_ceremonies ic SET checked_in_at = now(), checked_in_gate_id = $2
		FROM invitations i JOIN guests g ON g.id = i.guest_id
		WHERE i.id = ic.invitation_id AND i.check_in_code = $1 AND ic.ceremony_id = $3 AND ic.checked_in_at IS NULL
		RETURNING g.given_name || ' ' || g.family_name`, c.FormValue("code"), gate, cer).Scan(&d.Name)
	if errors.Is(err, pgx.ErrNoRows) {
		// Scanned before: say when, as a desk does.
		d.Outcome = "already checked in"
		var at *time.Time
		if err := b.pool.QueryRow(ctx, `SELECT ic.checked_in_at FROM invitation_ceremonies ic JOIN invitations i ON i.id = ic.invitation_id
			WHERE i.check_in_code = $1 AND ic.ceremony_id = $2`, c.FormValue("code"), cer).Scan(&at); err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
	} else if err != nil {
		return err
	} else if b.hub.listened(cer) {
		// Its boards hear of the check-in from a NOTIFY after the
		// commit, as Vigil's do (migration 00014: the pool's sessions
		// keep the check-in trigger silent, see QuietCheckIns); with
		// no board open it sends none.
		if _, err := b.pool.Exec(ctx, "SELECT pg_notify('vigil_checkin', $1)", fmt.Sprintf(`{"ceremony_id":%d}`, cer)); err != nil {
			return err
		}
	}
	pads := &b.pads.Scan
	if strings.HasPrefix(c.Path(), "/quiet/") {
		pads = &b.pads.ScanQuiet
	}
	if err := b.pad(ctx, nil, pads.Load()); err != nil {
		return err
	}
	return render(c, "scan", d)
}

type baselineRow struct {
	Name       string
	VIP        bool
	Delegation string
	Statuses   []string
	Responded  *time.Time
}

// list: a 100-row page of the edition's invitations in order of
// precedence, one indexed query.
func (b *Baseline) list(c echo.Context) error {
	ctx := c.Request().Context()
	year, err := strconv.Atoi(c.Param("year"))
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	page, _ := strconv.Atoi(c.QueryParam("page"))
	page = max(page, 1)
	rows, err := b.pool.Query(ctx, `SELECT trim(g.honorific || ' ' || g.given_name || ' ' || g.family_name), g.vip, coalesce(d.name, ''),
			ARRAY(SELECT ic.status FROM invitation_ceremonies ic WHERE ic.invitation_id = i.id ORDER BY ic.ceremony_id), i.responded_at
		FROM invitations i JOIN editions e ON e.id = i.edition_id JOIN guests g ON g.id = i.guest_id LEFT JOIN delegations d ON d.id = g.delegation_id
		WHERE e.year = $1 ORDER BY g.precedence, g.vip DESC, g.family_name, g.id LIMIT 100 OFFSET $2`, year, (page-1)*100)
	if err != nil {
		return err
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[baselineRow])
	if err != nil {
		return err
	}
	if err := b.pad(ctx, nil, b.pads.List.Load()); err != nil {
		return err
	}
	return render(c, "list", map[string]any{"Year": year, "Page": page, "Rows": list})
}

func render(c echo.Context, name string, data any) error {
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	c.Response().WriteHeader(http.StatusOK)
	return baselineTmpl.ExecuteTemplate(c.Response(), name, data)
}

// The baseline's live board: one LISTEN connection on the channel Vigil's
// check-in trigger notifies; each notification for a ceremony is turned
// into one snapshot (one query, one render) that every open stream of that
// ceremony gets. A stream that has not sent its last snapshot yet gets only
// the newest (the same coalescing as Vigil's board).
type baselineHub struct {
	pool   *pgxpool.Pool
	conn   *pgx.Conn
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	subs   map[int64]map[chan []byte]struct{}
	closed chan struct{}
	once   sync.Once
}

func newBaselineHub(dbURL string, pool *pgxpool.Pool) (*baselineHub, error) {
	ctx, cancel := context.WithCancel(context.Background())
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("vigil-load: baseline board: connect: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN vigil_checkin"); err != nil {
		cancel()
		conn.Close(context.Background())
		return nil, fmt.Errorf("vigil-load: baseline board: listen: %w", err)
	}
	h := &baselineHub{pool: pool, conn: conn, cancel: cancel, done: make(chan struct{}), subs: map[int64]map[chan []byte]struct{}{}, closed: make(chan struct{})}
	go h.run(ctx)
	return h, nil
}

func (h *baselineHub) run(ctx context.Context) {
	defer close(h.done)
	for {
		n, err := h.conn.WaitForNotification(ctx)
		if err != nil {
			return
		}
		var p struct {
			CeremonyID int64 `json:"ceremony_id"`
		}
		if err := json.Unmarshal([]byte(n.Payload), &p); err != nil {
			continue
		}
		cer := p.CeremonyID
		if !h.listened(cer) {
			continue
		}
		var d struct{ In, Expected int }
		if err := h.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE checked_in_at IS NOT NULL), count(*) FILTER (WHERE status = 'accepted')
			FROM invitation_ceremonies WHERE ceremony_id = $1`, cer).Scan(&d.In, &d.Expected); err != nil {
			continue
		}
		var buf bytesBuffer
		if err := baselineTmpl.ExecuteTemplate(&buf, "board", d); err != nil {
			continue
		}
		msg := append([]byte("event: board\ndata: "), buf...)
		msg = append(msg, "\n\n"...)
		h.mu.Lock()
		for ch := range h.subs[cer] {
			select {
			case <-ch: // drop the older snapshot
			default:
			}
			ch <- msg
		}
		h.mu.Unlock()
	}
}

// bytesBuffer is the smallest io.Writer over a byte slice.
type bytesBuffer []byte

func (b *bytesBuffer) Write(p []byte) (int, error) { *b = append(*b, p...); return len(p), nil }

// listened reports whether a board of ceremony cer is open.
func (h *baselineHub) listened(cer int64) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs[cer]) > 0
}

func (h *baselineHub) subscribe(cer int64) chan []byte {
	ch := make(chan []byte, 1)
	h.mu.Lock()
	if h.subs[cer] == nil {
		h.subs[cer] = map[chan []byte]struct{}{}
	}
	h.subs[cer][ch] = struct{}{}
	h.mu.Unlock()
	return ch
}

func (h *baselineHub) unsubscribe(cer int64, ch chan []byte) {
	h.mu.Lock()
	delete(h.subs[cer], ch)
	h.mu.Unlock()
}

func (h *baselineHub) close() {
	h.once.Do(func() {
		close(h.closed)
		h.cancel()
		<-h.done
		h.conn.Close(context.Background())
	})
}

// boardEvents: the board's event stream.
func (b *Baseline) boardEvents(c echo.Context) error {
	cer, err := strconv.ParseInt(c.Param("ceremony"), 10, 64)
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	ch := b.hub.subscribe(cer)
	defer b.hub.unsubscribe(cer, ch)
	w := c.Response()
	w.Header().Set(echo.HeaderContentType, "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write([]byte("retry: 2000\n\n")); err != nil {
		return nil
	}
	w.Flush()
	ctx := c.Request().Context()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-b.hub.closed:
			return nil
		case msg := <-ch:
			if _, err := w.Write(msg); err != nil {
				return nil
			}
			w.Flush()
		}
	}
}
