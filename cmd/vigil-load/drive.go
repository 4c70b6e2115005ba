package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// child is a server the driver started: Vigil or the baseline.
type child struct {
	name  string
	base  string
	stats string
	cmd   *exec.Cmd
	done  chan error
}

// startChild starts this binary again as a server (-serve mode) and
// waits for its addresses. Its log goes to logPath.
func startChild(mode, dbURL, secret, logPath string, extra ...string) (*child, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("vigil-load: own executable: %w", err)
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("vigil-load: log file: %w", err)
	}
	cmd := exec.Command(self, append([]string{"-serve", mode, "-database-url", dbURL}, extra...)...)
	cmd.Env = append(os.Environ(), "VIGIL_SECRET="+secret)
	cmd.Stderr = logf
	cmd.SysProcAttr = childAttr()
	out, err := cmd.StdoutPipe()
	if err != nil {
		logf.Close()
		return nil, fmt.Errorf("vigil-load: %s: %w", mode, err)
	}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("vigil-load: start %s: %w", mode, err)
	}
	c := &child{name: mode, cmd: cmd, done: make(chan error, 1)}
	line := make(chan string, 1)
	go func() {
		r := bufio.NewReader(out)
		s, _ := r.ReadString('\n')
		line <- s
		_, _ = io.Copy(io.Discard, r)
	}()
	go func() { c.done <- cmd.Wait(); logf.Close() }()
	select {
	case s := <-line:
		var info childInfo
		if err := json.Unmarshal([]byte(s), &info); err != nil || info.Addr == "" {
			c.stop()
			return nil, fmt.Errorf("vigil-load: %s did not start (see %s): %q", mode, logPath, s)
		}
		c.base, c.stats = "http://"+info.Addr, "http://"+info.Stats
	case <-time.After(60 * time.Second):
		c.stop()
		return nil, fmt.Errorf("vigil-load: %s did not start within a minute (see %s)", mode, logPath)
	}
	return c, nil
}

// stop asks the child to stop (SIGTERM) and waits for it.
func (c *child) stop() {
	if c.cmd.Process == nil {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(40 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// memory reads the child's peak and current resident set (VmHWM, VmRSS)
// in kB from /proc.
func (c *child) memory() (peak, now int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		return 0, 0, fmt.Errorf("vigil-load: memory of %s: %w", c.name, err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		v, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmHWM:":
			peak = v
		case "VmRSS:":
			now = v
		}
	}
	return peak, now, nil
}

// queries is how many statements the child has sent to PostgreSQL.
func (c *child) queries() (int64, error) {
	resp, err := http.Get(c.stats + "/queries")
	if err != nil {
		return 0, fmt.Errorf("vigil-load: query count of %s: %w", c.name, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
}

// setPads tells the baseline how many trivial statements to add.
func (c *child) setPads(p map[string]int64) error {
	v := url.Values{}
	for k, n := range p {
		v.Set(k, strconv.FormatInt(n, 10))
	}
	resp, err := http.PostForm(c.stats+"/pads", v)
	if err != nil {
		return fmt.Errorf("vigil-load: set pads: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("vigil-load: set pads: status %d", resp.StatusCode)
	}
	return nil
}

// session is a browser's cookies and CSRF token on one server.
type session struct {
	cookie string
	csrf   string
}

func newJarClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func sessionOf(c *http.Client, base string) session {
	u, _ := url.Parse(base)
	var s session
	var parts []string
	for _, ck := range c.Jar.Cookies(u) {
		parts = append(parts, ck.Name+"="+ck.Value)
		if ck.Name == "vigil_csrf" {
			s.csrf = ck.Value
		}
	}
	s.cookie = strings.Join(parts, "; ")
	return s
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// login signs a staff member in on Vigil.
func login(base, email string) (session, error) {
	c := newJarClient()
	resp, err := c.Get(base + "/login")
	if err != nil {
		return session{}, fmt.Errorf("vigil-load: login page: %w", err)
	}
	drain(resp)
	s := sessionOf(c, base)
	resp, err = c.PostForm(base+"/login", url.Values{"email": {email}, "password": {StaffPassword}, "_csrf": {s.csrf}})
	if err != nil {
		return session{}, fmt.Errorf("vigil-load: login %s: %w", email, err)
	}
	drain(resp)
	if resp.StatusCode != http.StatusSeeOther {
		return session{}, fmt.Errorf("vigil-load: login %s: status %d", email, resp.StatusCode)
	}
	return sessionOf(c, base), nil
}

// openLink opens a guest's personal link on Vigil: the token is swapped
// for a session.
func openLink(base, token string) (session, error) {
	c := newJarClient()
	resp, err := c.Get(base + "/rsvp/" + token)
	if err != nil {
		return session{}, fmt.Errorf("vigil-load: open link: %w", err)
	}
	drain(resp)
	if resp.StatusCode != http.StatusSeeOther {
		return session{}, fmt.Errorf("vigil-load: open link: status %d", resp.StatusCode)
	}
	return sessionOf(c, base), nil
}

// Boards: Listeners open streams of the live board.

// boardListener is one open event stream.
type boardListener struct {
	events    atomic.Int64
	last      atomic.Int64 // UnixNano of the last event
	connected atomic.Bool
	failed    atomic.Bool
}

// boards are the listeners of one server during one phase.
type boards struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	ls     []*boardListener
}

// openBoards connects n listeners to u with header and waits until each
// has its answer's headers (or 15 s have passed).
func openBoards(u string, header http.Header, n int) *boards {
	ctx, cancel := context.WithCancel(context.Background())
	b := &boards{cancel: cancel}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}}
	for range n {
		l := &boardListener{}
		b.ls = append(b.ls, l)
		b.wg.Add(1)
		go func() {
			defer b.wg.Done()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
			if err != nil {
				l.failed.Store(true)
				return
			}
			req.Header = header.Clone()
			req.Header.Set("Accept", "text/event-stream")
			resp, err := client.Do(req)
			if err != nil {
				l.failed.Store(true)
				return
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				l.failed.Store(true)
				return
			}
			l.connected.Store(true)
			sc := bufio.NewScanner(resp.Body)
			sc.Buffer(make([]byte, 64<<10), 4<<20)
			data := false
			for sc.Scan() {
				line := sc.Bytes()
				switch {
				case len(line) == 0:
					if data {
						l.events.Add(1)
						l.last.Store(time.Now().UnixNano())
					}
					data = false
				case bytes.HasPrefix(line, []byte("data:")):
					data = true
				}
			}
			if ctx.Err() == nil {
				// The stream ended while the phase ran.
				l.failed.Store(true)
			}
		}()
	}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		ready := 0
		for _, l := range b.ls {
			if l.connected.Load() || l.failed.Load() {
				ready++
			}
		}
		if ready == n {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	return b
}

// boardFigures is what the listeners saw during a phase.
type boardFigures struct {
	Listeners, Connected, Failed int
	// MeanEvents is the mean number of updates each listener got.
	MeanEvents float64
	// CatchUp is from the last scan's answer to the last listener's last
	// update: how far behind the slowest board was at the end.
	CatchUp time.Duration
}

// settle waits until no listener has had an update for quiet (at most
// limit), then reads the figures relative to end (the last scan's answer).
func (b *boards) settle(end time.Time, quiet, limit time.Duration) boardFigures {
	stop := time.Now().Add(limit)
	for time.Now().Before(stop) {
		latest := int64(0)
		for _, l := range b.ls {
			latest = max(latest, l.last.Load())
		}
		if latest > 0 && time.Since(time.Unix(0, latest)) >= quiet {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	f := boardFigures{Listeners: len(b.ls)}
	var total, latest int64
	for _, l := range b.ls {
		if l.connected.Load() && !l.failed.Load() {
			f.Connected++
		}
		if l.failed.Load() {
			f.Failed++
		}
		total += l.events.Load()
		latest = max(latest, l.last.Load())
	}
	if len(b.ls) > 0 {
		f.MeanEvents = float64(total) / float64(len(b.ls))
	}
	if latest > 0 {
		f.CatchUp = max(time.Unix(0, latest).Sub(end), 0)
	}
	return f
}

func (b *boards) close() {
	b.cancel()
	b.wg.Wait()
}

// Attacks ------------------------------------------------------------------------

// attackFigures are one attack's results.
type attackFigures struct {
	Requests   int
	OK         int
	Errors     int
	P50, P99   time.Duration
	Throughput float64 // good answers per second
	Rate       float64 // requests sent per second
	Samples    []string
	End        time.Time
	// Took is how long the attack sent and waited for answers.
	Took time.Duration
}

// add counts another attack's figures in f, as one attack of the two:
// the throughput over both, and the worse p50 and p99.
func (f *attackFigures) add(g attackFigures) {
	f.Requests += g.Requests
	f.OK += g.OK
	f.Errors += g.Errors
	f.P50, f.P99 = max(f.P50, g.P50), max(f.P99, g.P99)
	f.Took += g.Took
	if f.Took > 0 {
		f.Throughput = float64(f.OK) / f.Took.Seconds()
	}
	if g.End.After(f.End) {
		f.End = g.End
	}
	for _, p := range g.Samples {
		if len(f.Samples) < 5 && !slices.Contains(f.Samples, p) {
			f.Samples = append(f.Samples, p)
		}
	}
}

// attack sends targets at rate per second for du, with at most inflight
// requests waiting for their answers (a server that falls behind gets
// fewer requests than the rate, and the report shows the rate reached,
// rather than the driver piling up thousands of requests on a shared
// machine); rate 0 is a closed loop of inflight workers sending as fast
// as the answers come. A limit above 0 ends the attack after that many
// targets. check says whether an answer is right.
func attack(name string, targets func(k uint64) vegeta.Target, limit uint64, rate int, du time.Duration, inflight int, check func(*vegeta.Result) string) attackFigures {
	var k atomic.Uint64
	tr := func(t *vegeta.Target) error {
		n := k.Add(1) - 1
		if limit > 0 && n >= limit {
			return vegeta.ErrNoTargets
		}
		*t = targets(n)
		return nil
	}
	opts := []func(*vegeta.Attacker){
		vegeta.Redirects(vegeta.NoFollow), vegeta.Timeout(30 * time.Second), vegeta.KeepAlive(true),
		vegeta.Connections(max(inflight, 64)), vegeta.MaxWorkers(uint64(inflight)),
	}
	pace := vegeta.Rate{Freq: rate, Per: time.Second}
	if rate == 0 {
		opts = append(opts, vegeta.Workers(uint64(inflight)))
	}
	a := vegeta.NewAttacker(opts...)
	var m vegeta.Metrics
	var f attackFigures
	seen := map[string]bool{}
	for res := range a.Attack(vegeta.Targeter(tr), pace, du, name) {
		if res.Error == vegeta.ErrNoTargets.Error() {
			continue // past the limit: not a request
		}
		m.Add(res)
		f.Requests++
		problem := res.Error
		if problem == "" {
			problem = check(res)
		}
		if problem != "" {
			f.Errors++
			if !seen[problem] && len(f.Samples) < 5 {
				seen[problem] = true
				f.Samples = append(f.Samples, problem)
			}
		} else {
			f.OK++
		}
		if e := res.End(); e.After(f.End) {
			f.End = e
		}
	}
	m.Close()
	f.P50, f.P99 = m.Latencies.P50, m.Latencies.P99
	f.Took = m.Duration + m.Wait
	if f.Took > 0 {
		f.Throughput = float64(f.OK) / f.Took.Seconds()
	}
	f.Rate = m.Rate
	return f
}

// expect checks an answer's status and that its body holds marker.
func expect(status int, marker string) func(*vegeta.Result) string {
	return func(r *vegeta.Result) string {
		if int(r.Code) != status {
			return fmt.Sprintf("status %d, want %d", r.Code, status)
		}
		if marker != "" && !bytes.Contains(r.Body, []byte(marker)) {
			return fmt.Sprintf("answer lacks %q", marker)
		}
		return ""
	}
}

// expectRows checks an answer's status and that marker (a row's start)
// is in its body n times.
func expectRows(marker string, n int) func(*vegeta.Result) string {
	return func(r *vegeta.Result) string {
		if r.Code != http.StatusOK {
			return fmt.Sprintf("status %d, want 200", r.Code)
		}
		if got := bytes.Count(r.Body, []byte(marker)); got != n {
			return fmt.Sprintf("%d rows, want %d", got, n)
		}
		return ""
	}
}

// expectRedirect checks that an answer is a 303 to location.
func expectRedirect(location string) func(*vegeta.Result) string {
	return func(r *vegeta.Result) string {
		if r.Code != http.StatusSeeOther {
			return fmt.Sprintf("status %d, want 303", r.Code)
		}
		if got := r.Headers.Get("Location"); got != location {
			return fmt.Sprintf("redirect to %q, want %q", got, location)
		}
		return ""
	}
}

// perRequest is how many statements one request of target sends on c:
// the least over a few single requests, so that background work (the job
// queue's polling) does not count. Each is counted as under load, where
// every session has been used before: Vigil keeps the sessions it has read
// in memory, and the first request of a session reads it from PostgreSQL
// (one statement more). So a GET of the same address with the same
// cookie goes first, uncounted. Before any is counted, warmUp requests
// of the same endpoint go, uncounted too: the desk names the staff
// member of each gate and the guests' delegations from memory, which the
// first scans at a gate fill in.
func perRequest(c *child, targets func(k uint64) vegeta.Target, from uint64, check func(*vegeta.Result) string) (int64, error) {
	client := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	const warmUp = 20 // two scans at each of the 10 gates
	for i := range uint64(warmUp) {
		t := targets(from + i)
		req, err := t.Request()
		if err != nil {
			return 0, err
		}
		if resp, err := client.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body) //nolint:errcheck // only what it leaves in memory matters
			resp.Body.Close()
		}
	}
	least := int64(-1)
	for i := range uint64(8) {
		t := targets(from + warmUp + i)
		warm := t
		warm.Method, warm.Body = http.MethodGet, nil
		if wr, err := warm.Request(); err == nil {
			if resp, err := client.Do(wr); err == nil {
				io.Copy(io.Discard, resp.Body) //nolint:errcheck // only the session's loading matters
				resp.Body.Close()
			}
		}
		req, err := t.Request()
		if err != nil {
			return 0, err
		}
		before, err := c.queries()
		if err != nil {
			return 0, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, fmt.Errorf("vigil-load: %s %s: %w", t.Method, t.URL, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if p := check(&vegeta.Result{Code: uint16(resp.StatusCode), Body: body, Headers: resp.Header}); p != "" {
			return 0, fmt.Errorf("vigil-load: %s %s on %s: %s", t.Method, t.URL, c.name, p)
		}
		after, err := c.queries()
		if err != nil {
			return 0, err
		}
		if n := after - before; least < 0 || n < least {
			least = n
		}
	}
	return least, nil
}
