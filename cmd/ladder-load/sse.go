package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"ladder/internal/loadtest"
	"ladder/internal/release"
)

// subscribers are the open event streams and the delays they measured.
type subscribers struct {
	mu        sync.Mutex
	epoch     atomic.Int64 // the current publication; 0 before the first
	published []time.Time  // when each publication was sent, by epoch
	delays    latencies
	received  atomic.Int64 // subscribers that got the current publication
	connected atomic.Int64 // subscribers that got their first event
	failed    atomic.Int64 // subscribers whose stream could not be opened
}

// listen reads one stream, noting the delay of the first event after each publication.
func (s *subscribers) listen(ctx context.Context, client *http.Client, url, token string) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		s.failed.Add(1)
		if err == nil {
			resp.Body.Close()
		}
		return
	}
	defer resp.Body.Close()
	r := bufio.NewReaderSize(resp.Body, 4096)
	seen, first, data := int64(0), true, false
	for {
		line, err := r.ReadSlice('\n')
		if err != nil && err != bufio.ErrBufferFull {
			return
		}
		if len(line) > 5 && string(line[:5]) == "data:" {
			data = true
		}
		if len(line) != 1 || !data { // an event ends with an empty line
			continue
		}
		data = false
		now := time.Now()
		if first {
			first = false
			s.connected.Add(1)
		}
		if e := s.epoch.Load(); e > seen {
			seen = e
			s.mu.Lock()
			s.delays = append(s.delays, now.Sub(s.published[e]))
			s.mu.Unlock()
			s.received.Add(1)
		}
	}
}

// runSSE opens o.subscribers event streams on one release waiting at a frozen environment,
// then publishes o.events changes (terminate, retry, …) and measures each delivery.
func runSSE(ctx context.Context, o options, t *table) error {
	limit, err := raiseFileLimit()
	if err != nil {
		return err
	}
	if limit < uint64(o.subscribers)+200 {
		return fmt.Errorf("open-file limit %d is too low for %d subscribers", limit, o.subscribers)
	}
	data, _, token, err := seedModel(ctx, filepath.Join(o.dir, "sse"), []string{"shop"}, []string{"dev", "prod"}, []string{"prod"})
	if err != nil {
		return err
	}
	l, logFile, err := launcher(data)
	if err != nil {
		return err
	}
	defer logFile.Close()
	if o.cpuProfile != "" {
		l.Env = append(l.Env, "LADDER_LOAD_CPUPROFILE="+o.cpuProfile+".sse")
	}
	srv, err := l.Start(ctx)
	if err != nil {
		return err
	}
	defer srv.Stop(10 * time.Second)
	c := &loadtest.Client{Base: srv.Base, Token: token}
	id, err := c.StartRelease(ctx, "shop", loadtest.FlowName)
	if err != nil {
		return err
	}
	if err := waitStatus(ctx, data, id, release.Running); err != nil {
		return err
	}
	time.Sleep(o.idle)
	before, err := rss(srv.Pid())
	if err != nil {
		return err
	}
	s := &subscribers{published: make([]time.Time, o.events+1)}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wait, connectTime := s.connect(ctx, o.subscribers, srv.Base+"/releases/"+id+"/events", token)
	defer func() { cancel(); wait() }() // end the streams before the server stops
	time.Sleep(o.idle)
	after, err := rss(srv.Pid())
	if err != nil {
		return err
	}
	if m, err := goMemory(ctx, srv.Base, token); err == nil {
		t.row("sse", "server Go stacks / heap in use, goroutines", fmt.Sprintf("%.1f MiB / %.1f MiB, %.0f",
			mib(int64(m["go_memstats_stack_inuse_bytes"])), mib(int64(m["go_memstats_heap_inuse_bytes"])), m["go_goroutines"]), "", "")
	}
	events, stopped := publish(ctx, o, s, c, data, id)
	s.report(t, events, stopped, connectTime, before, after)
	return nil
}

// goMemory reads the Go runtime's gauges from the server's /metrics, to tell where its memory
// went.
func goMemory(ctx context.Context, base, token string) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	m := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(name, "#") {
			continue
		}
		if v, err := strconv.ParseFloat(value, 64); err == nil {
			m[name] = v
		}
	}
	return m, sc.Err()
}

// connect opens n streams on url, at most 100 of them waiting for their first event at a
// time, and returns once all got it (or 5 min passed) with a function that waits for the
// streams to end once ctx is cancelled.
func (s *subscribers) connect(ctx context.Context, n int, url, token string) (func(), time.Duration) {
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: -1}}
	start := time.Now()
	for i := range n {
		waitUntil(func() bool { return int64(i)-s.connected.Load()-s.failed.Load() < 100 }, time.Minute)
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.listen(ctx, client, url, token)
		}()
	}
	// Subscribers that got no first event within 5 min count as not connected.
	waitUntil(func() bool { return s.connected.Load()+s.failed.Load() >= int64(n) }, 5*time.Minute)
	return wg.Wait, time.Since(start)
}

// report adds the sse rows to t. Deliveries that never came count as slower than any target.
func (s *subscribers) report(t *table, events int, stopped error, connectTime time.Duration, before, after int64) {
	n := s.connected.Load()
	perSub := float64(after-before) / float64(max(n, 1))
	missing := int64(events)*n - int64(len(s.delays))
	for range max(missing, 0) {
		s.delays = append(s.delays, time.Hour)
	}
	t.row("sse", "subscribers connected (failed)", fmt.Sprintf("%d (%d) in %s", n, s.failed.Load(), connectTime.Round(time.Millisecond)), "", "")
	t.row("sse", "server RSS before / with subscribers", fmt.Sprintf("%.1f MiB / %.1f MiB", mib(before), mib(after)), "", "")
	t.row("sse", "server memory per subscriber", fmt.Sprintf("%.1f KiB", perSub/1024), "≤ 40 KiB", yes(perSub <= 40*1024))
	t.row("sse", fmt.Sprintf("deliveries (%d events, missing)", events), fmt.Sprintf("%d (%d)", len(s.delays), max(missing, 0)), "", "")
	if stopped != nil {
		t.row("sse", "publishing stopped early", stopped.Error(), "", "")
	}
	t.row("sse", "delivery delay p50", ms(s.delays.quantile(0.5)), "", "")
	p99 := s.delays.quantile(0.99)
	t.row("sse", "delivery delay p99", ms(p99), "< 1 s", yes(p99 < time.Second))
}

// publish changes the release o.events times, alternately terminating and retrying it, and
// waits after each until every subscriber got an event or 90 s passed. It returns how many
// changes it published, and why it stopped early if it did.
func publish(ctx context.Context, o options, s *subscribers, c *loadtest.Client, data, id string) (int, error) {
	n := s.connected.Load()
	for e := 1; e <= o.events; e++ {
		action, next := "/terminate", release.Terminated
		if e%2 == 0 {
			action, next = "/retry", release.Running
		}
		s.received.Store(0)
		s.published[e] = time.Now()
		s.epoch.Store(int64(e))
		if err := c.Post(ctx, "/releases/"+id+action); err != nil {
			return e - 1, err
		}
		waitUntil(func() bool { return s.received.Load() >= n }, 90*time.Second)
		if err := waitStatus(ctx, data, id, next); err != nil {
			return e, err
		}
		time.Sleep(500 * time.Millisecond) // let the streams settle before the next change
	}
	return o.events, nil
}

// waitStatus polls until release id has status want (at most 60 s).
func waitStatus(ctx context.Context, data, id, want string) error {
	var got string
	ok := pollEvery(100*time.Millisecond, time.Minute, func() bool {
		all, err := loadtest.AllReleases(ctx, data)
		for _, r := range all {
			if r.ID == id {
				got = r.Status
			}
		}
		return err == nil && got == want
	})
	if !ok {
		return fmt.Errorf("release %s: got status %s, want %s", id, got, want)
	}
	return nil
}

// waitUntil polls cond every 10 ms until it holds (true) or limit passes (false).
func waitUntil(cond func() bool, limit time.Duration) bool {
	return pollEvery(10*time.Millisecond, limit, cond)
}

// pollEvery polls cond every interval until it holds (true) or limit passes (false).
func pollEvery(interval, limit time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(interval)
	}
	return true
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
