package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"ladder/internal/loadtest"
)

// soakViewers and soakBrowsers are how many event streams and page browsers the soak runs.
const (
	soakViewers  = 20
	soakBrowsers = 4
)

// soak is the shared state of one soak run.
type soak struct {
	base, token string
	client      *http.Client
	// gen counts kills and restarts: odd while the server is down. A request that starts and
	// ends in the same even generation ran outside a restart gap.
	gen         atomic.Int64
	mu          sync.Mutex
	acked       []string
	requests    atomic.Int64
	outside5xx  atomic.Int64
	gapFailures atomic.Int64 // errors and 5xx answers during a restart gap
}

// note records the outcome of one request that started in generation g.
func (s *soak) note(g int64, status int, err error) {
	s.requests.Add(1)
	if err == nil && status < 500 {
		return
	}
	if g%2 == 0 && s.gen.Load() == g {
		if err == nil {
			s.outside5xx.Add(1)
			return
		}
		// A transport error outside a gap: the server closed a connection while up.
		s.outside5xx.Add(1)
		return
	}
	s.gapFailures.Add(1)
}

// runSoak runs mixed load for o.soak while killing and restarting the server every
// o.killMin to o.killMax, then checks every release and every target repository.
func runSoak(ctx context.Context, o options, t *table) error {
	products := []string{"shop", "cart", "search"}
	data, m, token, err := seedModel(ctx, filepath.Join(o.dir, "soak"), products, []string{"dev", "staging", "prod"}, nil)
	if err != nil {
		return err
	}
	l, logFile, err := launcher(data)
	if err != nil {
		return err
	}
	defer logFile.Close()
	srv, err := l.Start(ctx)
	if err != nil {
		return err
	}
	s := &soak{base: srv.Base, token: token, client: &http.Client{Timeout: 10 * time.Second}}
	loadCtx, stop := context.WithTimeout(ctx, o.soak)
	defer stop()
	var wg sync.WaitGroup
	for i := range soakBrowsers + soakViewers + 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch {
			case i < soakBrowsers:
				s.browse(loadCtx, uint64(i))
			case i < soakBrowsers+soakViewers:
				s.view(loadCtx)
			default:
				s.release(loadCtx, m, products)
			}
		}()
	}
	kills, err := s.kill(loadCtx, l, &srv, o)
	wg.Wait()
	if err != nil {
		return err
	}
	defer srv.Stop(10 * time.Second)
	if err := loadtest.WaitFinished(ctx, data, 3*time.Minute); err != nil {
		return err
	}
	rep, err := loadtest.Check(ctx, data, m, s.acked)
	if err != nil {
		return err
	}
	t.row("soak", "duration, kills", fmt.Sprintf("%s, %d", o.soak, kills), "10 min, every 30–90 s", "")
	t.row("soak", "requests (failed in restart gaps)", fmt.Sprintf("%d (%d)", s.requests.Load(), s.gapFailures.Load()), "", "")
	t.row("soak", "releases stored / acknowledged / succeeded", fmt.Sprintf("%d / %d / %d", rep.Releases, rep.Acknowledged, rep.Succeeded), "", "")
	t.row("soak", "lost releases", fmt.Sprint(len(rep.Lost)+len(rep.Unfinished)), "0", yes(len(rep.Lost)+len(rep.Unfinished) == 0))
	t.row("soak", fmt.Sprintf("duplicate commits (of %d; missing %d, stray %d)", rep.Commits, len(rep.Missing), len(rep.Stray)),
		fmt.Sprint(len(rep.Duplicates)), "0", yes(len(rep.Duplicates)+len(rep.Missing)+len(rep.Stray) == 0))
	t.row("soak", "5xx or dropped connections outside restart gaps", fmt.Sprint(s.outside5xx.Load()), "0", yes(s.outside5xx.Load() == 0))
	return nil
}

// kill SIGKILLs the server every killMin–killMax until ctx ends and starts it again.
func (s *soak) kill(ctx context.Context, l *loadtest.Launcher, srv **loadtest.Server, o options) (int, error) {
	kills := 0
	for {
		wait := o.killMin + time.Duration(rand.Int64N(int64(o.killMax-o.killMin)+1))
		select {
		case <-ctx.Done():
			return kills, nil
		case <-time.After(wait):
		}
		s.gen.Add(1)
		if err := (*srv).Kill(); err != nil {
			return kills, err
		}
		kills++
		next, err := l.Start(context.Background())
		if err != nil {
			return kills, err
		}
		*srv = next
		s.gen.Add(1)
	}
}

// browse loads the releases list and a recent release page, again and again.
func (s *soak) browse(ctx context.Context, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 3))
	c := &loadtest.Client{Base: s.base, Token: s.token, HTTP: s.client}
	for ctx.Err() == nil {
		path := "/releases"
		s.mu.Lock()
		if n := len(s.acked); n > 0 && rng.IntN(2) == 0 {
			path += "/" + s.acked[rng.IntN(n)]
		}
		s.mu.Unlock()
		g := s.gen.Load()
		status, _, err := c.Get(ctx, path)
		if ctx.Err() != nil {
			return
		}
		s.note(g, status, err)
		time.Sleep(50 * time.Millisecond)
	}
}

// view follows the newest release's event stream, reconnecting whenever it ends.
func (s *soak) view(ctx context.Context) {
	for ctx.Err() == nil {
		s.mu.Lock()
		id := ""
		if n := len(s.acked); n > 0 {
			id = s.acked[n-1]
		}
		s.mu.Unlock()
		if id != "" {
			g := s.gen.Load()
			status, err := s.stream(ctx, id)
			if ctx.Err() != nil {
				return
			}
			s.note(g, status, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// stream reads one event stream for at most 10 s.
func (s *soak) stream(ctx context.Context, id string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/releases/"+id+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	for sc.Scan() {
	}
	if ctx.Err() != nil {
		return resp.StatusCode, nil // read until the viewer's own time limit: a normal end
	}
	return resp.StatusCode, sc.Err()
}

// release commits a new version to a product's dev repository and starts a release of it,
// alternately through the form and through the JSON API.
func (s *soak) release(ctx context.Context, m loadtest.Model, products []string) {
	c := &loadtest.Client{Base: s.base, Token: s.token, HTTP: s.client}
	for i := 0; ctx.Err() == nil; i++ {
		p := products[i%len(products)]
		if err := m.Repos[p]["dev"].CommitVersion(fmt.Sprintf("3.0.%d", i)); err != nil {
			s.note(0, 0, err)
			return
		}
		g := s.gen.Load()
		var id string
		var err error
		if i%2 == 0 {
			id, err = c.StartRelease(ctx, p, loadtest.FlowName)
		} else {
			id, err = s.apiRelease(ctx, p)
		}
		if ctx.Err() != nil {
			return
		}
		s.note(g, 0, err)
		if err == nil {
			s.mu.Lock()
			s.acked = append(s.acked, id)
			s.mu.Unlock()
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// apiRelease starts a release with POST /api/v1/releases.
func (s *soak) apiRelease(ctx context.Context, product string) (string, error) {
	body, _ := json.Marshal(map[string]string{"product": product, "flow": loadtest.FlowName})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.base+"/api/v1/releases", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var rel struct{ ID string }
	if err := json.NewDecoder(resp.Body).Decode(&rel); err != nil || resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("POST /api/v1/releases: got %d (%v), want 201", resp.StatusCode, err)
	}
	return rel.ID, nil
}
