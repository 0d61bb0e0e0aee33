package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"ladder/internal/app"
	"ladder/internal/loadtest"
)

// startInProcess starts Ladder in this process on a free 127.0.0.1 port; stop ends it.
func startInProcess(ctx context.Context, dataDir string) (base string, stop func() error, err error) {
	ctx, cancel := context.WithCancel(ctx)
	srv, err := app.Start(ctx, app.Config{Listen: "127.0.0.1:0", DataDir: dataDir, AdminPassword: adminPassword,
		PollInterval: "1h", LogLevel: "error", LogFormat: "text"}, io.Discard)
	if err != nil {
		cancel()
		return "", nil, err
	}
	return "http://" + srv.Addr(), func() error { cancel(); return srv.Wait() }, nil
}

// result is what driving one URL measured.
type result struct {
	requests int
	failures int // transport errors and answers other than 200
	rps      float64
	p50, p99 time.Duration
	// cpu is the CPU time this process (Ladder, the bare handler and the load tool's
	// clients) used per request: steadier than rps on a machine that others share.
	cpu time.Duration
}

// credential is the header that signs a request in: a session cookie or an API token.
type credential struct{ header, value string }

// target is a URL driven, how it signs in, the encoding it is asked for (empty: the bytes as
// they are), and whether every request makes Ladder render anew: with fresh set, every
// request carries a query parameter of its own, which Ladder ignores but which makes its page
// cache miss.
type target struct {
	name     string // in the figures of each turn (-turns)
	url      string
	cred     credential
	encoding string
	fresh    bool
}

// turn is how long each target is driven at a time by driveInTurns, and pause how long it
// waits between turns, not measured.
const (
	turn  = time.Second
	pause = 100 * time.Millisecond
)

// freshN numbers the fresh requests, so that no two ask for the same URL.
var freshN atomic.Int64

// driveInTurns drives each of targets for d in all, in turns of a second one after the
// other, and measures each target's requests on their own. Driven one after another for d
// each, the targets would meet different machines: promotions warming up behind the first,
// another guest taking the cores during the second. In turns, each meets the same.
//
// The first two targets (Ladder and the bare handler) swap places every other round, so that
// each follows the last target (the page rendered anew) as often as the other, within one:
// the turn after it meets what that turn left behind, such as the garbage of its renderings.
//
// A first round, not measured, warms up: the connections are opened, and the server's heap
// grows to what serving the pages keeps. Measured, that round's turns had a p99 up to twice
// the others' in busy runs, with 13-21 GC cycles in Ladder's first second against 2-5 later.
//
// With turns set, each turn's figures are written to it, headed by page.
func driveInTurns(ctx context.Context, targets []target, conns int, d time.Duration, page string, turns io.Writer) ([]result, error) {
	tallies := make([]tally, len(targets))
	for i, t := range targets {
		for range conns {
			c, err := newConn(t)
			if err != nil {
				return nil, err
			}
			defer c.close()
			tallies[i].conns = append(tallies[i].conns, c)
		}
	}
	for round, left := -1, d; left > 0; round++ {
		for _, i := range turnOrder(max(round, 0), len(targets)) {
			n0, gc0 := len(tallies[i].all), gcCycles()
			if err := tallies[i].drive(ctx, targets[i], min(turn, left)); err != nil {
				return nil, err
			}
			if turns != nil {
				name := fmt.Sprint("round ", round)
				if round < 0 {
					name = "warm-up"
				}
				l := tallies[i].all[n0:]
				fmt.Fprintf(turns, "turn %s, %s, %s: %d requests, p50 %s, p99 %s, max %s, %d GC cycles\n",
					page, name, targets[i].name, len(l), ms(l.quantile(0.5)), ms(l.quantile(0.99)), ms(l.quantile(1)), gcCycles()-gc0)
			}
			time.Sleep(pause)
		}
		if round < 0 {
			for i := range tallies {
				tallies[i] = tally{conns: tallies[i].conns}
			}
			continue
		}
		left -= turn
	}
	out := make([]result, len(targets))
	for i, t := range targets {
		out[i] = tallies[i].result()
		if out[i].requests == 0 {
			return nil, fmt.Errorf("GET %s: no request succeeded", t.url)
		}
	}
	return out, nil
}

// turnOrder is the order in which round round drives n targets: the first two swap places
// every other round.
func turnOrder(round, n int) []int {
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	if round%2 == 1 && n > 1 {
		order[0], order[1] = order[1], order[0]
	}
	return order
}

// tally is what a target's turns measured so far, and its connections, kept from turn to
// turn.
type tally struct {
	conns    []*conn
	all      latencies
	failures int
	// late counts the requests that ended after their turn: waited for, not measured.
	late         int
	elapsed, cpu time.Duration
}

// drive drives t from the tally's connections for d, adding what it measures. At the end of the
// turn no connection starts another request, and the requests in flight are waited for but
// not measured, as if the turn had cut them off: cut off, they would go on on the server
// (a page being rendered anew, say) during the next target's turn.
func (y *tally) drive(ctx context.Context, t target, d time.Duration) error {
	u, err := url.Parse(t.url)
	if err != nil {
		return err
	}
	uri := u.RequestURI()
	var mu sync.Mutex
	var wg sync.WaitGroup
	start, cpu0 := time.Now(), loadtest.CPUTime()
	end := start.Add(d)
	for _, c := range y.conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine latencies
			failures, late := 0, 0
			for ctx.Err() == nil && time.Now().Before(end) {
				t0 := time.Now()
				path := uri
				if t.fresh {
					path += fmt.Sprintf("?fresh=%d", freshN.Add(1))
				}
				err := c.get(ctx, path)
				switch {
				case ctx.Err() != nil:
				case time.Now().After(end):
					late++
				case err != nil:
					failures++
				default:
					mine = append(mine, time.Since(t0))
				}
			}
			mu.Lock()
			y.all, y.failures, y.late = append(y.all, mine...), y.failures+failures, y.late+late
			mu.Unlock()
		}()
	}
	wg.Wait()
	y.elapsed += min(time.Since(start), d)
	y.cpu += loadtest.CPUTime() - cpu0
	return ctx.Err()
}

// result is the tally's figures.
func (y *tally) result() result {
	res := result{requests: len(y.all), failures: y.failures, rps: float64(len(y.all)) / y.elapsed.Seconds(),
		p50: y.all.quantile(0.50), p99: y.all.quantile(0.99)}
	if n := res.requests + y.late; n > 0 { // the late requests' work is in the turn's CPU time
		res.cpu = y.cpu / time.Duration(n)
	}
	return res
}

// sent is a page as Ladder sent it: its bytes and the headers that say what they are.
type sent struct {
	body            []byte
	ctype, encoding string // Content-Type, Content-Encoding
}

// capture fetches url once, asking for encoding when it is set, and returns the page as sent.
func capture(ctx context.Context, url string, cred credential, encoding string) (sent, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return sent{}, err
	}
	req.Header.Set(cred.header, cred.value)
	if encoding != "" {
		req.Header.Set("Accept-Encoding", encoding)
	}
	resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		return sent{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %d", url, resp.StatusCode)
	}
	if err == nil && encoding != "" && resp.Header.Get("Content-Encoding") != encoding {
		err = fmt.Errorf("GET %s: asked for %s, got %q", url, encoding, resp.Header.Get("Content-Encoding"))
	}
	return sent{body: body, ctype: resp.Header.Get("Content-Type"), encoding: resp.Header.Get("Content-Encoding")}, err
}

// profile starts a CPU profile into path+"."+name when path is set; the returned function
// stops it.
func profile(path, name string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path + "." + name)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// gcCycles is how many garbage collections this process (Ladder, the bare handler and the
// clients) has finished.
func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
