package app_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"vigil/internal/auth"
	"vigil/internal/loadtest"
	"vigil/internal/testdb"
	"vigil/internal/testserver"
)

// rotation is the load balancer of the rolling-restart test: a reverse
// proxy sending each request to the next instance in rotation, as a
// Kubernetes Service or an nginx upstream does. Taking an instance out of
// rotation, and waiting a moment, before stopping it is the
// orchestrator's part (Kubernetes removes the pod from the endpoints and
// waits out preStop; see deploy/k8s/deployment.yaml); finishing what it
// already received, and starting without any state of its own, is
// Vigil's.
type rotation struct {
	mu       sync.Mutex
	backends []*url.URL
	next     int
}

func (r *rotation) set(urls ...string) {
	var bs []*url.URL
	for _, s := range urls {
		u, err := url.Parse(s)
		if err != nil {
			panic(err)
		}
		bs = append(bs, u)
	}
	r.mu.Lock()
	r.backends = bs
	r.mu.Unlock()
}

func (r *rotation) pick() *url.URL {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.next++
	return r.backends[r.next%len(r.backends)]
}

// A rolling restart of two instances under load: staff keep scanning
// badges and opening the desk through the load balancer while instance A
// is taken out of rotation, stopped as SIGTERM stops it, replaced by a new
// instance, and then the same for B. No request may fail, every scan
// answered "checked in" must be in the database, and no badge is checked
// in twice. Sessions and CSRF tokens made before the restart keep working
// on the new instances (they live in PostgreSQL).
func TestRollingRestartUnderLoad(t *testing.T) {
	db, _ := testdb.New(t)
	a, b := testserver.StartOn(t, db), testserver.StartOn(t, db)

	var cm int64
	if err := db.Gorm.Raw(`INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone)
		VALUES ('Remembrance', '1992-02-26', 2, 26, 'Asia/Baku') RETURNING id`).Scan(&cm).Error; err != nil {
		t.Fatal(err)
	}
	badges := loadtest.SeedBadges(t, db.Gorm, cm, 4000, 4)

	lb := &rotation{}
	lb.set(a.URL, b.URL)
	proxy := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(lb.pick())
		pr.Out.Host = pr.In.Host
	}}
	front := httptest.NewServer(proxy)
	t.Cleanup(front.Close)
	viaLB := &testserver.Server{URL: front.URL}

	type desk struct {
		c    *testserver.Client
		csrf string
		gate string
	}
	var desks []desk
	for i, gate := range badges.Gates {
		u := a.AddUser(t, fmt.Sprintf("gate%d@example.org", i), auth.RoleStaff)
		c := viaLB.NewClient(t)
		c.Login(u.Email)
		desks = append(desks, desk{c: c, csrf: c.CSRF(), gate: strconv.FormatInt(gate, 10)})
	}
	deskPath := "/checkin/" + strconv.FormatInt(badges.CeremonyID, 10)

	var (
		stop             atomic.Bool
		sent, failed     atomic.Int64
		next             atomic.Int64
		mu               sync.Mutex
		failures         []string
		scanned          []string
		wg               sync.WaitGroup
		restartsFinished = make(chan struct{})
	)
	fail := func(format string, args ...any) {
		failed.Add(1)
		mu.Lock()
		if len(failures) < 10 {
			failures = append(failures, fmt.Sprintf(format, args...))
		}
		mu.Unlock()
	}
	for _, d := range desks {
		for range 2 { // two people at each gate's desk
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := 0; !stop.Load(); k++ {
					sent.Add(1)
					if k%5 == 4 {
						// Now and then the desk itself.
						resp, err := d.c.HTTP.Get(front.URL + deskPath + "?gate=" + d.gate)
						if err != nil {
							fail("desk: %v", err)
							continue
						}
						io.Copy(io.Discard, resp.Body) //nolint:errcheck // only the status matters
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							fail("desk: status %d", resp.StatusCode)
						}
						continue
					}
					i := int(next.Add(1)) - 1
					if i >= len(badges.Codes) {
						return
					}
					code := badges.Codes[i]
					form := url.Values{"_csrf": {d.csrf}, "q": {code}, "gate": {d.gate}}
					req, _ := http.NewRequest(http.MethodPost, front.URL+deskPath+"/scan", strings.NewReader(form.Encode()))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.Header.Set("HX-Request", "true")
					resp, err := d.c.HTTP.Do(req)
					if err != nil {
						fail("scan %s: %v", code, err)
						continue
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "checkin-result--success") {
						fail("scan %s: status %d, %.80q", code, resp.StatusCode, body)
						continue
					}
					mu.Lock()
					scanned = append(scanned, code)
					mu.Unlock()
				}
			}()
		}
	}

	// The restart, one instance at a time, while the desks work.
	var downtimes []time.Duration
	go func() {
		defer close(restartsFinished)
		time.Sleep(300 * time.Millisecond)
		current := []*testserver.Server{a, b}
		for i := range current {
			keep := current[1-i]
			lb.set(keep.URL) // out of rotation: new requests go to the other
			// The orchestrator's grace (Kubernetes: preStop, 5 s in
			// deploy/k8s): requests already routed to the instance reach
			// it before it stops. Without it, a request the proxy sends
			// on a kept-alive connection at the moment the stopping
			// server closes that connection as idle is lost in between —
			// the race every load balancer has with a server going away.
			time.Sleep(250 * time.Millisecond)
			began := time.Now()
			if err := current[i].Stop(); err != nil {
				fail("stop instance %d: %v", i, err)
			}
			downtimes = append(downtimes, time.Since(began))
			fresh := testserver.StartOn(t, db) // returns once /healthz answers
			current[i] = fresh
			lb.set(current[0].URL, current[1].URL)
			time.Sleep(300 * time.Millisecond)
		}
	}()
	<-restartsFinished
	stop.Store(true)
	wg.Wait()

	t.Logf("%d requests, %d failed; %d badges checked in; stopping each instance took %v", sent.Load(), failed.Load(), len(scanned), downtimes)
	if failed.Load() > 0 {
		t.Fatalf("%d requests failed during the rolling restart, e.g.:\n%s", failed.Load(), strings.Join(failures, "\n"))
	}
	if len(scanned) < 50 {
		t.Fatalf("only %d scans answered: the load did not run through the restart", len(scanned))
	}
	if lost := loadtest.Lost(t, db.Gorm, nil, scanned); len(lost) > 0 {
		t.Fatalf("%d check-ins answered but not saved, e.g. %s", len(lost), lost[0])
	}
	var twice int64
	if err := db.Gorm.Raw(`SELECT count(*) FROM (SELECT invitation_id FROM invitation_events
		WHERE action = 'checked_in' GROUP BY invitation_id HAVING count(*) > 1) x`).Scan(&twice).Error; err != nil {
		t.Fatal(err)
	}
	if twice > 0 {
		t.Fatalf("%d badges checked in twice", twice)
	}
}
