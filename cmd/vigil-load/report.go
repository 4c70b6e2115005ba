package main

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// report gathers a run's figures and writes them as Markdown.
type report struct {
	opts         options
	fx           *Fixture
	stamp        string
	load0, load1 string
	fsync        string
	pgVersion    string
	took         time.Duration
	endpoints    map[string]*endpointReport
	memory       []memoryFigures
}

type endpointReport struct {
	name, what      string
	rate            int
	vigilQueries    int64
	baselineCore    int64
	baselineQueries int64
	results         []serverResult
}

type memoryFigures struct {
	server        string
	peakKB, endKB int64
}

func (e *endpointReport) of(server string) *serverResult {
	for i := range e.results {
		if e.results[i].server == server {
			return &e.results[i]
		}
	}
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }

func ratio(a, b float64) string {
	if b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", a/b)
}

func (r *report) markdown() string {
	var s strings.Builder
	o := r.opts
	fmt.Fprintf(&s, "# Vigil load benchmark, %s\n\n", r.stamp)
	closed := "no closed loop (-max-duration 0)"
	if o.maxDuration > 0 {
		closed = fmt.Sprintf("then in a closed loop of %d clients for %s (maximum throughput), in %d turns taken by the two servers one after the other, each going first in one turn and second in the next", o.workers, o.maxDuration, closedRounds)
	}
	fmt.Fprintf(&s, "`make bench` (cmd/vigil-load): %d guests in %d delegations, %d invitations to 4 ceremonies (seeded in %s); "+
		"Vigil and the baseline (bare Echo + pgx, no ORM, no middleware, the same statements per request, one html/template render) "+
		"each run as a child process on the same database; vegeta drives one server at a time, each endpoint first at a fixed rate for %s, "+
		"at most %d requests waiting at once (a server that falls behind gets fewer: see sent/s), %s; "+
		"%d live-board listeners stay connected to the server under load (none in scan-no-boards).\n\n",
		r.fx.Guests, r.fx.Delegations, len(r.fx.Invites), r.fx.SeedDuration.Round(100*time.Millisecond), o.duration, o.inflight, closed, o.boards)
	fmt.Fprintf(&s, "Machine: %d CPUs, %s/%s, %s; PostgreSQL %s, fsync %s. Load average (1, 5, 15 min) at the start %s, at the end %s — "+
		"the machine is shared: read the ratios, not the absolute figures. The whole run took %s.\n\n",
		runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), r.pgVersion, r.fsync, r.load0, r.load1, r.took.Round(time.Second))

	s.WriteString("| endpoint | server | statements/req | fixed rate | sent/s | p50 ms | p99 ms | good/s | errors | max good/s (closed loop) | max p99 ms | peak RSS so far |\n")
	s.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	order := strings.Split(o.endpoints, ",")
	for _, name := range order {
		e := r.endpoints[name]
		if e == nil {
			continue
		}
		for _, srv := range []string{"baseline", "vigil"} {
			res := e.of(srv)
			if res == nil {
				continue
			}
			q := strconv.FormatInt(e.vigilQueries, 10)
			if srv == "baseline" {
				q = fmt.Sprintf("%d (own %d)", e.baselineQueries, e.baselineCore)
			}
			maxTP, maxP99 := "—", "—"
			if res.closed != nil {
				maxTP, maxP99 = fmt.Sprintf("%.0f", res.closed.Throughput), ms(res.closed.P99)
			}
			errs := res.fixed.Errors
			if res.closed != nil {
				errs += res.closed.Errors
			}
			fmt.Fprintf(&s, "| %s | %s | %s | %d/s | %.0f | %s | %s | %.0f | %d | %s | %s | %.0f MB |\n",
				name, srv, q, e.rate, res.fixed.Rate, ms(res.fixed.P50), ms(res.fixed.P99), res.fixed.Throughput, errs, maxTP, maxP99, float64(res.peakKB)/1024)
		}
	}

	s.WriteString("\n**Vigil against the baseline** (Vigil ÷ baseline; latency: lower is better, throughput: higher is better, targets.md asks ≥ 0.70 of the baseline's maximum):\n\n")
	s.WriteString("| endpoint | p50 × | p99 × | max throughput × | Vigil p99 at the fixed rate |\n|---|---:|---:|---:|---:|\n")
	for _, name := range order {
		e := r.endpoints[name]
		if e == nil {
			continue
		}
		v, b := e.of("vigil"), e.of("baseline")
		if v == nil || b == nil {
			continue
		}
		tp := "—"
		if v.closed != nil && b.closed != nil {
			tp = ratio(v.closed.Throughput, b.closed.Throughput)
		}
		fmt.Fprintf(&s, "| %s | %s | %s | %s | %s ms at %d/s |\n", name,
			ratio(float64(v.fixed.P50), float64(b.fixed.P50)), ratio(float64(v.fixed.P99), float64(b.fixed.P99)), tp, ms(v.fixed.P99), e.rate)
	}

	if e := r.endpoints[epScan]; e != nil {
		s.WriteString("\n**Live board during the fixed-rate scans** (listeners on the scanned ceremony's event stream):\n\n")
		s.WriteString("| server | listeners connected | streams broken | updates per listener | last update after the last scan |\n|---|---:|---:|---:|---:|\n")
		for _, srv := range []string{"baseline", "vigil"} {
			if res := e.of(srv); res != nil {
				fmt.Fprintf(&s, "| %s | %d/%d | %d | %.1f | %s ms |\n", srv, res.board.Connected, res.board.Listeners, res.board.Failed, res.board.MeanEvents, ms(res.board.CatchUp))
			}
		}
	}

	s.WriteString("\n**Memory** (each server is its own process: VmHWM is its peak resident set over the whole run, the driver excluded):\n\n")
	s.WriteString("| server | peak RSS (VmHWM) | RSS at the end |\n|---|---:|---:|\n")
	var vigilPeak, basePeak int64
	for _, m := range r.memory {
		fmt.Fprintf(&s, "| %s | %.1f MB | %.1f MB |\n", m.server, float64(m.peakKB)/1024, float64(m.endKB)/1024)
		switch m.server {
		case "vigil":
			vigilPeak = m.peakKB
		case "baseline":
			basePeak = m.peakKB
		}
	}
	fmt.Fprintf(&s, "\nVigil's peak RSS is %s × the baseline's (targets.md: ≤ 60 MB).\n", ratio(float64(vigilPeak), float64(basePeak)))

	var samples []string
	for _, name := range order {
		e := r.endpoints[name]
		if e == nil {
			continue
		}
		for _, res := range e.results {
			for _, f := range []*attackFigures{&res.fixed, res.closed} {
				if f == nil {
					continue
				}
				for _, m := range f.Samples {
					samples = append(samples, fmt.Sprintf("- %s on %s: %s", name, res.server, m))
				}
			}
		}
	}
	if len(samples) > 0 {
		s.WriteString("\nErrors seen (first of each kind):\n\n" + strings.Join(samples, "\n") + "\n")
	}
	s.WriteString("\nNotes: \"statements/req\" is measured on each server with single requests (BEGIN and COMMIT count); the baseline adds trivial " +
		"`SELECT $1` statements to its own (\"own\") to reach Vigil's count. Vigil answers the RSVP submit with 303 to /rsvp/done (the follow-up " +
		"GET is not counted); its e-mail sender is stopped unless -send-mail (there is no SMTP server here; the e-mail job is still queued in " +
		"the answer's transaction). Each scan attack starts with every check-in undone and scans each accepted badge at most once " +
		"(the main ceremony's first, which the boards show, then the other three ceremonies'), so every scan checks a guest in; a closed " +
		"loop that runs out of badges ends early. The endpoints:\n\n")
	for _, name := range order {
		if e := r.endpoints[name]; e != nil {
			fmt.Fprintf(&s, "- %s: %s\n", name, e.what)
		}
	}
	return s.String()
}
