package checkin

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/internal/database"
	"vigil/internal/view"
)

// The live arrivals board: arrived / expected for a ceremony, by zone and
// by delegation, and the VIPs not yet arrived, on a wall screen that
// updates itself.
//
// How an arrival reaches every open board on every server: the scan's
// check-in is announced on channel vigil_checkin after its commit
// (Announcer: {"ceremony_id", "in": [invitations]}), any other change of a
// check-in by a trigger (migrations/00007_checkin.sql, 00014), and each
// server process holds one LISTEN connection while it has boards open. A
// notification marks the ceremony's numbers changed (and counts the
// scans' check-ins in the answers it keeps: board_tally.go); the
// ceremony's hub (boardHub) adds them up once, renders them once per
// language and hands the same event bytes to every open board of that
// ceremony, at most every boardCoalesce while check-ins keep coming. The
// cost of an arrival is thus one sum in memory and one render per
// language, whatever the number of boards.

// Template of the board; the page and the live fragment are one file.
const tmplBoard = "checkin/board"

// boardViews are the live board's templates, checked at start-up.
var boardViews = []string{tmplBoard}

// NotifyChannel is the PostgreSQL channel check-ins are announced on.
const NotifyChannel = "vigil_checkin"

// Timings of the live board.
const (
	// boardHeartbeat keeps proxies and browsers from closing a quiet
	// stream.
	boardHeartbeat = 15 * time.Second
	// boardResync is how often the boards read their numbers without
	// being told of a change (boardHub.resyncEvery): it bounds how long
	// an organizer's change that is announced nowhere (an answer, a
	// zone, a revocation) takes to show on the wall. One read of a
	// ceremony of 5,000 answers is about 6 ms of PostgreSQL's CPU, once
	// per interval per server, whatever the number of boards.
	boardResync = 10 * time.Second
	// boardWriteTimeout bounds one write to a board; a screen that takes
	// longer is gone.
	boardWriteTimeout = 20 * time.Second
	// boardRetry is how soon a browser reconnects after the stream closes.
	boardRetry = 2 * time.Second
	// boardLoadTimeout bounds reading the numbers for one update.
	boardLoadTimeout = 10 * time.Second
	// boardCoalesce is the least time between two reads of one
	// ceremony's numbers while check-ins keep coming: a burst of
	// arrivals costs one read per interval, not one per arrival and
	// board, and the first arrival after a quiet spell goes out at once.
	// Twice a second is plenty for a wall screen, and each read of a
	// large ceremony costs PostgreSQL milliseconds of CPU (it sums every
	// answer) that the gates' scans wait behind: at four reads a second,
	// with 50 boards open, a scan's p99 at 200 scans/s was 5.5-8.5 ms;
	// at two, 3.9-5.5 ms.
	boardCoalesce = 500 * time.Millisecond
	// boardLoadRetry is how soon a failed read is tried again.
	boardLoadRetry = 2 * time.Second
	// boardVIPsShown bounds the VIP names listed; the rest are counted.
	// A wall screen cannot be scrolled: at 1920×1080 about a dozen names
	// fit beside the zones (40 ran far below the screen).
	boardVIPsShown = 12
)

// errBoardClosed: the server is shutting down.
var errBoardClosed = errors.New("checkin: board closed")

// BoardDeps are what the live board needs.
type BoardDeps struct {
	Ceremonies BoardCeremonies
	Arrivals   BoardArrivals
	Guests     BoardGuests
	// Listen opens the dedicated LISTEN connection.
	Listen BoardListen
	View   *view.Renderer
	Log    *slog.Logger
}

// Board serves the live arrivals board and its event stream.
type Board struct {
	BoardDeps
	hub *boardHub
	// tallies are the answers of the ceremonies with boards open
	// (board_tally.go).
	tallies boardTallies
	// servers are the HTTP servers whose shutdown has been hooked.
	servers sync.Map
}

// NewBoard returns the board. It opens no connection until a board is
// watched.
func NewBoard(d BoardDeps) *Board {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	b := &Board{BoardDeps: d}
	b.hub = newBoardHub(b.listen, b.load, b.event, d.Log)
	b.hub.dropped, b.hub.stale = b.tallies.forget, b.tallies.invalidateAll
	return b
}

// Close ends every open stream and the LISTEN connection; the board
// refuses new streams afterwards. It is called when the HTTP server shuts
// down (browsers then reconnect to another instance).
func (b *Board) Close() { b.hub.close() }

// Subscribers is how many streams are open, for tests and metrics.
func (b *Board) Subscribers() int { return b.hub.count() }

// Page shows GET /checkin/:ceremony/board: the board, with its numbers as
// they are now. Without JavaScript the refresh link reloads it; with it,
// web/static/js/board.js swaps in each update.
func (b *Board) Page(c echo.Context) error {
	id, err := pathID(c, "ceremony")
	if err != nil {
		return err
	}
	d, err := b.load(c.Request().Context(), id)
	if err != nil {
		return notFound(err)
	}
	p := b.View.Page(c, "checkin.board.title", "Ceremony", d.Title)
	p.Zone = d.Location
	p.Data = boardView{boardData: d, PageURL: boardURL(id), EventsURL: boardURL(id) + "/events"}
	return b.View.Render(c, http.StatusOK, tmplBoard, p)
}

func boardURL(id int64) string { return "/checkin/" + strconv.FormatInt(id, 10) + "/board" }

// Events serves GET /checkin/:ceremony/board/events: a server-sent event
// stream with the board's numbers at once and after every check-in, and a
// heartbeat comment every 15 seconds. It ends when the browser goes away or
// the server shuts down. A client that does not ask for a stream
// (Accept: text/event-stream, as EventSource does) gets the numbers as one
// event and the answer ends.
//
// The stream only writes what the ceremony's hub hands it: the hub reads
// and renders the numbers once per change (or burst of changes) for all
// the streams of the ceremony, so an arrival costs the same with one board
// open as with fifty.
func (b *Board) Events(c echo.Context) error {
	id, err := pathID(c, "ceremony")
	if err != nil {
		return err
	}
	req := c.Request()
	ctx := req.Context()
	stream := strings.Contains(req.Header.Get(echo.HeaderAccept), "text/event-stream")
	// A single event needs the numbers now; a stream only needs to know
	// the ceremony exists, as the hub reads the numbers for it.
	var d boardData
	if stream {
		_, err = b.Ceremonies.BoardCeremony(ctx, id)
	} else {
		d, err = b.load(ctx, id)
	}
	if err != nil {
		return notFound(err)
	}
	w := c.Response()
	h := w.Header()
	h.Set(echo.HeaderContentType, "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache, no-transform")
	// nginx and similar proxies otherwise hold the events back.
	h.Set("X-Accel-Buffering", "no")
	s := &boardStream{c: c, rc: http.NewResponseController(w)}

	if !stream {
		ev, err := b.event(c.Echo(), view.Locale(c), d)
		if err != nil {
			return err
		}
		w.WriteHeader(http.StatusOK)
		return s.write(ev)
	}

	sub, err := b.hub.subscribe(id, view.Locale(c), c.Echo())
	if errors.Is(err, errBoardClosed) {
		c.Response().Header().Set("Retry-After", "2")
		return echo.NewHTTPError(http.StatusServiceUnavailable)
	}
	if err != nil {
		return err
	}
	defer b.hub.unsubscribe(sub)
	b.hookShutdown(req)
	// The server's read timeout would cancel the request (and the stream)
	// a minute in; a stream only writes, each write with its own deadline.
	if err := s.rc.SetReadDeadline(time.Time{}); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return fmt.Errorf("checkin: board stream: %w", err)
	}
	w.WriteHeader(http.StatusOK)
	if err := s.write(fmt.Appendf(nil, "retry: %d\n\n", boardRetry.Milliseconds())); err != nil {
		return nil // the browser has gone
	}
	beat := time.NewTicker(boardHeartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-b.hub.closing:
			return nil
		case <-beat.C:
			if err := s.write([]byte(": heartbeat\n\n")); err != nil {
				return nil
			}
		case ev := <-sub.updates:
			if err := s.write(ev); err != nil {
				return nil
			}
		}
	}
}

// hookShutdown makes the HTTP server that serves req close the board's
// streams when it shuts down: http.Server.Shutdown waits for handlers to
// return, and a stream would otherwise hold it until its timeout.
func (b *Board) hookShutdown(req *http.Request) {
	srv, ok := req.Context().Value(http.ServerContextKey).(*http.Server)
	if !ok {
		return
	}
	if _, loaded := b.servers.LoadOrStore(srv, true); !loaded {
		srv.RegisterOnShutdown(b.Close)
	}
}

// boardStream writes server-sent events to one browser.
type boardStream struct {
	c  echo.Context
	rc *http.ResponseController
}

func (s *boardStream) write(data []byte) error {
	if err := s.rc.SetWriteDeadline(time.Now().Add(boardWriteTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return fmt.Errorf("checkin: board stream: %w", err)
	}
	if _, err := s.c.Response().Write(data); err != nil {
		return fmt.Errorf("checkin: board stream: %w", err)
	}
	if err := s.rc.Flush(); err != nil {
		return fmt.Errorf("checkin: board stream: %w", err)
	}
	return nil
}

// sseEvent frames data as one server-sent event; every line of data gets
// its own data field.
func sseEvent(event string, data []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(data) + len(data)/16 + 32)
	buf.WriteString("event: " + event + "\n")
	for line := range bytes.Lines(data) {
		buf.WriteString("data: ")
		buf.Write(bytes.TrimRight(line, "\r\n"))
		buf.WriteByte('\n')
	}
	buf.WriteByte('\n')
	return buf.Bytes()
}

// event renders the board's live part in language loc as a "board" event,
// ready to write to any stream in that language. It renders into a
// context and request of its own, with no user: the same bytes go to many
// streams, so nothing of one request (its user, its flash message) may
// end up in them, and the render outlives no request.
func (b *Board) event(e *echo.Echo, loc string, d boardData) ([]byte, error) {
	req, err := http.NewRequest(http.MethodGet, boardURL(d.CeremonyID)+"/events", nil)
	if err != nil {
		return nil, fmt.Errorf("checkin: board event: %w", err)
	}
	var out captureWriter
	cc := e.NewContext(req, &out)
	view.SetLocale(cc, loc)
	p := b.View.Page(cc, "")
	p.Zone = d.Location
	p.Data = boardView{boardData: d, Fragment: true}
	if err := b.View.Render(cc, http.StatusOK, tmplBoard, p); err != nil {
		return nil, err
	}
	boardRenders.Add(1)
	return sseEvent("board", out.buf.Bytes()), nil
}

// The numbers ---------------------------------------------------------------------

// boardCount is arrived / expected for the whole ceremony or one group:
// people (guests and companions) and guests (answers).
type boardCount struct {
	// Key identifies the group on the page (zone or delegation id; 0 for
	// none).
	Key    int64
	Label  string
	Colour string
	// None marks the group of guests without a zone or delegation.
	None       bool
	People     int
	PeopleIn   int
	Guests     int
	GuestsIn   int
	precedence int
}

func (n *boardCount) add(g BoardGroup) {
	n.Guests += g.Guests
	n.People += g.People
	n.GuestsIn += g.GuestsIn
	n.PeopleIn += g.PeopleIn
}

// Percent is the share of the expected people who have arrived (at most
// 100).
func (n boardCount) Percent() int {
	if n.People == 0 {
		return 0
	}
	return min(n.PeopleIn*100/n.People, 100)
}

// Progress is the arrived people for a progress bar (at most expected).
func (n boardCount) Progress() int { return min(n.PeopleIn, n.People) }

type boardVIP struct {
	Name       string
	Delegation string
	Zone       string
}

// boardData is a ceremony's numbers at one moment, in no language yet.
type boardData struct {
	CeremonyID  int64
	Title       string
	StartsAt    time.Time
	Location    *time.Location
	At          time.Time
	Total       boardCount
	Zones       []boardCount
	Delegations []boardCount
	VIPs        []boardVIP
	// VIPsMore is how many VIPs not yet arrived are not listed.
	VIPsMore int
}

// Updated is when the numbers were read, to the second, in loc (UTC when
// nil): a screen that stops updating shows it.
func (d boardData) Updated(loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return d.At.In(loc).Format("15:04:05")
}

// boardView is what the template gets.
type boardView struct {
	boardData
	// Fragment: render only the live part, for an event.
	Fragment  bool
	PageURL   string
	EventsURL string
}

// load reads a ceremony's numbers: the ceremony, the answers added up
// (from the tally kept in memory, mostly: board_tally.go), and the names of
// the VIPs it lists (from a cache, mostly).
func (b *Board) load(ctx context.Context, id int64) (boardData, error) {
	ce, err := b.Ceremonies.BoardCeremony(ctx, id)
	if err != nil {
		return boardData{}, err
	}
	groups, vips, err := b.tallies.sums(ctx, id, b.Arrivals)
	if err != nil {
		return boardData{}, err
	}
	ids := make([]int64, 0, len(vips))
	for _, v := range vips {
		ids = append(ids, v.GuestID)
	}
	guests, err := b.Guests.BoardGuests(ctx, ids)
	if err != nil {
		return boardData{}, err
	}
	return tally(ce, groups, vips, guests, time.Now()), nil
}

// tally adds the groups up by zone (in the ceremony's order, with the
// guests without a zone last) and by delegation (in order of precedence,
// the guests without one last), and lists the VIPs expected and not yet
// checked in, named from guests.
func tally(ce BoardCeremony, groups []BoardGroup, waiting []BoardVIPWaiting, guests map[int64]BoardGuest, at time.Time) boardData {
	d := boardData{CeremonyID: ce.ID, Title: ce.Title, StartsAt: ce.StartsAt, Location: ce.Location, At: at}
	zoneNames := map[int64]string{}
	zones := map[int64]*boardCount{}
	for _, z := range ce.Zones {
		zoneNames[z.ID] = z.Name
		zones[z.ID] = &boardCount{Key: z.ID, Label: z.Name, Colour: z.Colour}
	}
	var noZone boardCount
	noZone.None = true
	delegations := map[int64]*boardCount{}
	const last = int(^uint(0) >> 1)
	for _, r := range groups {
		d.Total.add(r)
		// A zone the ceremony no longer uses counts with the guests
		// without one, as it has no row of its own.
		zc := &noZone
		if r.ZoneID != nil && zones[*r.ZoneID] != nil {
			zc = zones[*r.ZoneID]
		}
		zc.add(r)
		var key int64
		if r.DelegationID != nil {
			key = *r.DelegationID
		}
		dc := delegations[key]
		if dc == nil {
			dc = &boardCount{Key: key, Label: r.Delegation, None: key == 0, precedence: r.Precedence}
			if key == 0 {
				dc.precedence = last
			}
			delegations[key] = dc
		}
		dc.add(r)
	}
	type vip struct {
		boardVIP
		precedence int
	}
	vips := make([]vip, 0, len(waiting))
	for _, w := range waiting {
		var key int64
		if w.DelegationID != nil {
			key = *w.DelegationID
		}
		// The VIP is among the groups, read in the same statement; its
		// delegation is named and ordered as the delegation's row is.
		v := vip{boardVIP: boardVIP{Name: guests[w.GuestID].Name}, precedence: last}
		if dc := delegations[key]; dc != nil {
			v.Delegation, v.precedence = dc.Label, dc.precedence
		}
		if w.ZoneID != nil {
			v.Zone = zoneNames[*w.ZoneID]
		}
		vips = append(vips, v)
	}
	for _, z := range ce.Zones {
		d.Zones = append(d.Zones, *zones[z.ID])
	}
	if noZone.Guests > 0 || noZone.GuestsIn > 0 {
		d.Zones = append(d.Zones, noZone)
	}
	for _, dc := range delegations {
		d.Delegations = append(d.Delegations, *dc)
	}
	slices.SortFunc(d.Delegations, func(a, b boardCount) int {
		return cmp.Or(cmp.Compare(a.precedence, b.precedence), strings.Compare(a.Label, b.Label), cmp.Compare(a.Key, b.Key))
	})
	slices.SortFunc(vips, func(a, b vip) int {
		return cmp.Or(cmp.Compare(a.precedence, b.precedence), strings.Compare(a.Name, b.Name))
	})
	for i, v := range vips {
		if i == boardVIPsShown {
			d.VIPsMore = len(vips) - i
			break
		}
		d.VIPs = append(d.VIPs, v.boardVIP)
	}
	return d
}

// The subscribers ------------------------------------------------------------------

// Counters of the hub's work, for tests and metrics: boardComputations
// counts the reads of a ceremony's numbers for its streams, boardRenders
// the events rendered (one per language per read).
var boardComputations, boardRenders atomic.Int64

// boardHub keeps the open streams by ceremony and runs the LISTEN
// connection while there are any.
//
// Each ceremony with a stream open has a room. A change announced for the
// ceremony marks its room changed and, unless one is already at work,
// starts the room's worker: it reads the numbers once, renders them once
// per language among the room's streams and hands the same bytes to every
// stream. While changes keep coming, the worker reads again at most every
// boardCoalesce, so a burst of check-ins costs a few reads, whatever the
// number of boards; the change that came last is always read after it
// came, so every board ends on the final numbers. A ceremony with no
// stream has no room and costs nothing.
type boardHub struct {
	mu      sync.Mutex
	rooms   map[int64]*boardRoom
	total   int
	closed  bool
	closing chan struct{}
	// ctx ends when the hub closes: it bounds the workers' reads.
	ctx    context.Context
	cancel context.CancelFunc
	// listen runs the LISTEN connection until its context ends;
	// stopListen ends the one running, if any.
	listen     func(ctx context.Context)
	stopListen context.CancelFunc
	// load reads a ceremony's numbers; render makes them an event in a
	// language.
	load   func(ctx context.Context, id int64) (boardData, error)
	render func(e *echo.Echo, loc string, d boardData) ([]byte, error)
	log    *slog.Logger
	// interval is the least time between two reads for one ceremony.
	interval time.Duration
	// dropped, when set, is told of a ceremony whose last stream closed;
	// stale, of a resync (everything must be read again).
	dropped func(id int64)
	stale   func()
}

// boardRoom is the streams of one ceremony and the state of its worker.
type boardRoom struct {
	id   int64
	subs map[*boardSub]struct{}
	// changed: a change was announced since the last read began.
	changed bool
	// running: a worker serves the room; gone: the room was dropped (its
	// last stream closed), and its worker must stop.
	running, gone bool
	// last is when the last read began.
	last time.Time
}

// boardSub is one open stream. updates holds at most one event: a stream
// slow to write has its pending event replaced by the newest, so it never
// falls behind, never holds up the others and never holds more than one.
type boardSub struct {
	ceremony int64
	locale   string
	echo     *echo.Echo
	// fresh: the stream has had no numbers yet.
	fresh   bool
	updates chan []byte
}

func newBoardHub(listen func(ctx context.Context), load func(context.Context, int64) (boardData, error),
	render func(*echo.Echo, string, boardData) ([]byte, error), log *slog.Logger) *boardHub {
	ctx, cancel := context.WithCancel(context.Background())
	return &boardHub{
		rooms: map[int64]*boardRoom{}, closing: make(chan struct{}), ctx: ctx, cancel: cancel,
		listen: listen, load: load, render: render, log: log, interval: boardCoalesce,
	}
}

// subscribe opens a stream for ceremony id in language loc (e renders
// it), with the current numbers due at once; the first stream starts the
// LISTEN connection.
func (h *boardHub) subscribe(id int64, loc string, e *echo.Echo) (*boardSub, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, errBoardClosed
	}
	room := h.rooms[id]
	if room == nil {
		room = &boardRoom{id: id, subs: map[*boardSub]struct{}{}}
		h.rooms[id] = room
	}
	s := &boardSub{ceremony: id, locale: loc, echo: e, fresh: true, updates: make(chan []byte, 1)}
	room.subs[s] = struct{}{}
	h.total++
	h.wake(room)
	if h.stopListen == nil {
		ctx, cancel := context.WithCancel(h.ctx)
		h.stopListen = cancel
		go h.listen(ctx)
		go h.resyncEvery(ctx, boardResync)
	}
	return s, nil
}

// unsubscribe closes a stream; the last one stops the LISTEN connection,
// so a server with no board open holds no connection for it.
func (h *boardHub) unsubscribe(s *boardSub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	room := h.rooms[s.ceremony]
	if room == nil {
		return
	}
	if _, ok := room.subs[s]; !ok {
		return
	}
	delete(room.subs, s)
	h.total--
	if len(room.subs) == 0 {
		delete(h.rooms, s.ceremony)
		room.gone = true
		if h.dropped != nil {
			h.dropped(s.ceremony)
		}
	}
	if h.total == 0 && h.stopListen != nil {
		h.stopListen()
		h.stopListen = nil
	}
}

func (h *boardHub) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.total
}

// notify tells the streams of ceremony id of a change.
func (h *boardHub) notify(id int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if room := h.rooms[id]; room != nil {
		room.changed = true
		h.wake(room)
	}
}

// resync reads every ceremony again: after the LISTEN connection
// (re)connects, changes made while it was down were never announced.
func (h *boardHub) resync() {
	if h.stale != nil {
		h.stale()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, room := range h.rooms {
		room.changed = true
		h.wake(room)
	}
}

// resyncEvery reads every ceremony again every d until ctx ends: a
// change announced nowhere (an organizer's edit of an answer, a zone, an
// invitation) or a check-in whose announcement was lost (Announcer: the
// instance that made it stopped between its commit and the notification)
// reaches the boards within d all the same.
func (h *boardHub) resyncEvery(ctx context.Context, d time.Duration) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			h.resync()
		}
	}
}

// wake starts room's worker unless it runs. h.mu is held.
func (h *boardHub) wake(room *boardRoom) {
	if room.running || h.closed {
		return
	}
	room.running = true
	go h.run(room)
}

// due reports whether room has work: a change to read, or streams that
// have had no numbers yet. h.mu is held.
func (room *boardRoom) due() bool {
	if room.changed {
		return true
	}
	for s := range room.subs {
		if s.fresh {
			return true
		}
	}
	return false
}

// run is room's worker: it reads, renders and hands out the numbers until
// there is nothing left to do.
func (h *boardHub) run(room *boardRoom) {
	for {
		h.mu.Lock()
		if room.gone || h.closed || !room.due() {
			room.running = false
			h.mu.Unlock()
			return
		}
		if wait := time.Until(room.last.Add(h.interval)); wait > 0 {
			// Read again at most every interval: the changes that
			// come meanwhile are all in the next read.
			h.mu.Unlock()
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-h.closing:
				t.Stop()
			}
			continue
		}
		// A change goes to every stream; otherwise only the new streams
		// need the numbers.
		all := room.changed
		room.changed = false
		room.last = time.Now()
		var targets []*boardSub
		for s := range room.subs {
			if all || s.fresh {
				targets = append(targets, s)
			}
		}
		h.mu.Unlock()

		events, err := h.compute(room.id, targets)
		if err != nil {
			// The screens keep their last numbers meanwhile; the read
			// is tried again a little later (or at the next change).
			if h.ctx.Err() == nil {
				h.log.Warn("live board: read numbers", "ceremony", room.id, "err", err)
			}
			h.mu.Lock()
			room.changed = room.changed || all
			room.last = time.Now().Add(boardLoadRetry - h.interval)
			h.mu.Unlock()
			continue
		}
		h.mu.Lock()
		for _, s := range targets {
			if _, ok := room.subs[s]; !ok {
				continue // closed meanwhile
			}
			s.fresh = false
			s.offer(events[s.locale])
		}
		h.mu.Unlock()
	}
}

// compute reads ceremony id's numbers once and renders them once for each
// language among targets.
func (h *boardHub) compute(id int64, targets []*boardSub) (map[string][]byte, error) {
	ctx, cancel := context.WithTimeout(h.ctx, boardLoadTimeout)
	defer cancel()
	boardComputations.Add(1)
	d, err := h.load(ctx, id)
	if err != nil {
		return nil, err
	}
	events := map[string][]byte{}
	for _, s := range targets {
		if _, done := events[s.locale]; done {
			continue
		}
		ev, err := h.render(s.echo, s.locale, d)
		if err != nil {
			return nil, fmt.Errorf("checkin: render board in %s: %w", s.locale, err)
		}
		events[s.locale] = ev
	}
	return events, nil
}

// offer hands ev to the stream, in place of an event it has not written
// yet. Only the room's worker sends, so after the pending event is taken
// the send cannot block.
func (s *boardSub) offer(ev []byte) {
	select {
	case s.updates <- ev:
		return
	default:
	}
	select {
	case <-s.updates:
	default:
	}
	select {
	case s.updates <- ev:
	default:
	}
}

// close ends every stream, the workers and the LISTEN connection.
func (h *boardHub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	close(h.closing)
	h.cancel()
	if h.stopListen != nil {
		h.stopListen()
		h.stopListen = nil
	}
}

// The LISTEN connection ----------------------------------------------------------

// boardNotice is the payload of a vigil_checkin notification: from the
// Announcer, {"ceremony_id", "in": [invitations checked in]}; from the
// trigger (migration 00007), {"ceremony_id", "invitation_id",
// "checked_in", "companions_checked_in"}.
type boardNotice struct {
	CeremonyID int64   `json:"ceremony_id"`
	In         []int64 `json:"in"`
}

// listen holds the LISTEN connection until ctx ends, reconnecting when it
// drops; after each (re)connection every board reads its numbers again.
func (b *Board) listen(ctx context.Context) {
	database.Listen(ctx, database.Listener{
		Channel: NotifyChannel,
		Connect: b.Listen,
		Up:      b.hub.resync,
		Notify: func(payload string) {
			var msg boardNotice
			if err := json.Unmarshal([]byte(payload), &msg); err != nil || msg.CeremonyID == 0 {
				// Not ours to understand: better every board reads its
				// numbers again than one misses a change.
				b.Log.Warn("live board: unreadable notification", "payload", payload, "err", err)
				b.hub.resync()
				return
			}
			if msg.In != nil {
				// Scans' check-ins: counted in the tally kept.
				b.tallies.checkedIn(msg.CeremonyID, msg.In)
			} else {
				// Anything else: the answers are read again.
				b.tallies.invalidate(msg.CeremonyID)
			}
			b.hub.notify(msg.CeremonyID)
		},
		Down: func(err error, retryIn time.Duration) {
			b.Log.Warn("live board: LISTEN connection lost; reconnecting", "err", err, "in", retryIn)
		},
	})
}
