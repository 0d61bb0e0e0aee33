package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"ladder/db"
	"ladder/internal/gitserver"
	"ladder/internal/loadtest"
	"ladder/internal/release"
)

// busyProducts is how many products the background promotions of the busy scenario take
// turns on.
const busyProducts = 10

// runBusy drives the releases list and the dashboard, as pages does, while promotions start
// in the background at -rate per second: the screens people keep open while Ladder works.
// The history is the pages scenario's (-releases releases); the promotions are
// single-environment releases dev → prod of products of their own on real repositories. With
// -git-host file (the default) Ladder reads and pushes them through file://, and the git
// processes that serve them share the cores with Ladder at its priority; with http they are
// served by git http-backend at the lowest CPU priority, as a Git host on another machine
// would take none of Ladder's CPU (but then they are served only with what CPU is left).
func runBusy(ctx context.Context, o options, t *table) error {
	dir := filepath.Join(o.dir, "busy")
	data := filepath.Join(dir, "data")
	start := time.Now()
	// A run leaves its promotions in its database and repositories: the next starts afresh.
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, "repos"), 0o700); err != nil {
		return err
	}
	if err := os.MkdirAll(data, 0o700); err != nil {
		return err
	}
	token, _, err := loadtest.SeedHistory(ctx, data, o.releases)
	if err != nil {
		return err
	}
	products := make([]string, busyProducts)
	for i := range products {
		products[i] = fmt.Sprintf("live-%d", i)
	}
	reposDir := filepath.Join(dir, "repos")
	var host func(string) string
	if o.gitHost == "http" {
		srv, err := gitserver.NewHTTP(reposDir, gitserver.Auth{})
		if err != nil {
			return err
		}
		defer srv.Close()
		if err := srv.LowerPriority(); err != nil {
			return err
		}
		host = srv.URL
	}
	m, err := loadtest.Seed(ctx, data, reposDir, products, []string{"dev", "prod"}, host)
	if err != nil {
		return err
	}
	// Enough versions for every measurement at the rate and a fifth more, and for half a
	// minute of warm-up.
	per := int(o.rate*(5*o.duration.Seconds()*1.2+30))/busyProducts + 1
	shas, _, err := prepareVersions(dir, m, products, per)
	if err != nil {
		return err
	}
	t.row("busy", fmt.Sprintf("store %d releases, %d products on repositories with %d versions each (Git host: %s)", o.releases, busyProducts, per, o.gitHost),
		time.Since(start).Round(time.Millisecond).String(), "", "")
	base, stop, err := startInProcess(ctx, data)
	if err != nil {
		return err
	}
	defer stop()
	cred := credential{"Authorization", "Bearer " + token}
	if o.auth == "session" {
		cookie, err := signIn(ctx, base)
		if err != nil {
			return err
		}
		cred = credential{"Cookie", cookie}
	}
	stored, err := db.Open(ctx, filepath.Join(data, "ladder.db"))
	if err != nil {
		return err
	}
	defer stored.Close()
	q := db.New(stored)
	bg := background{client: &loadtest.Client{Base: base, Token: token}, products: products, shas: shas}
	bgCtx, stopBackground := context.WithCancel(ctx)
	defer stopBackground()
	done := make(chan error, 1)
	go func() { done <- bg.run(bgCtx, o.rate) }()
	warm, err := bg.warmUp(ctx, q, done)
	if err != nil {
		return err
	}
	t.row("busy", "warm-up, not measured: as many promotions succeeded as there are products, which take turns (Ladder's clones made), then "+warmSettle.String(),
		warm.Round(time.Millisecond).String(), "", "")
	succeeded0, err := countSucceeded(ctx, q)
	if err != nil {
		return err
	}
	began := time.Now()
	self0, children0 := loadtest.CPUTimes()
	started0, skipped0 := bg.started.Load(), bg.skipped.Load()
	var list, dash measured
	list, err = measurePage(ctx, o, base, cred, "releases list", "/releases", true)
	if err == nil {
		dash, err = measurePage(ctx, o, base, cred, "dashboard", "/", false)
	}
	stopBackground()
	bgErr := <-done
	took := time.Since(began)
	self, children := loadtest.CPUTimes()
	if err != nil {
		return err
	}
	if bgErr != nil {
		return fmt.Errorf("background promotions: %w", bgErr)
	}
	succeeded, err := countSucceeded(ctx, q)
	if err != nil {
		return err
	}
	finished := succeeded - succeeded0
	t.row("busy", fmt.Sprintf("background promotions asked for %.0f/s: started, succeeded while measured (ticks skipped)", o.rate),
		fmt.Sprintf("%d (%.1f/s), %d (%.1f/s) (%d)", bg.started.Load()-started0, float64(bg.started.Load()-started0)/took.Seconds(),
			finished, float64(finished)/took.Seconds(), bg.skipped.Load()-skipped0), "", "")
	cores := func(d time.Duration) string { return fmt.Sprintf("%.2f", d.Seconds()/took.Seconds()) }
	t.row("busy", "cores used while measured: this process (Ladder, the bare handler, the clients), the git processes serving the repositories",
		cores(self-self0)+", "+cores(children-children0), "", "")
	for _, p := range []struct {
		name string
		m    measured
	}{{"releases list", list}, {"dashboard", dash}} {
		label := p.m.label(o, p.name)
		t.row("busy", label+" ladder rps, p50", fmt.Sprintf("%.0f (%d failed), %s", p.m.ladder.rps, p.m.ladder.failures, ms(p.m.ladder.p50)), "", "")
		t.row("busy", label+" ladder p99", ms(p.m.ladder.p99), "< 25 ms", yes(p.m.ladder.p99 < 25*time.Millisecond))
		t.row("busy", label+" bare rps, p50 / p99", fmt.Sprintf("%.0f, %s / %s", p.m.bare.rps, ms(p.m.bare.p50), ms(p.m.bare.p99)), "", "")
		t.row("busy", label+" ladder/bare", fmt.Sprintf("%.0f%%", p.m.ladder.rps/p.m.bare.rps*100), "", "")
		t.row("busy", label+" CPU time the hypervisor took meanwhile (steal)", p.m.steal, "", "")
	}
	ratio := list.fresh.rps / list.bare.rps
	t.row("busy", "releases list rendered anew every time: rps, p50 / p99", fmt.Sprintf("%.0f (%d failed), %s / %s",
		list.fresh.rps, list.fresh.failures, ms(list.fresh.p50), ms(list.fresh.p99)), "", "")
	t.row("busy", "releases list rendered anew / bare", fmt.Sprintf("%.0f%%", ratio*100), "≥ 15%", yes(ratio >= 0.15))
	return nil
}

// background starts releases of its products at a steady rate, each at the next version.
type background struct {
	client   *loadtest.Client
	products []string
	shas     map[string][]string
	started  atomic.Int64
	skipped  atomic.Int64 // ticks when every start was still in flight
}

// busyStarts is how many release starts the background has in flight at most; a tick that
// finds them all busy is skipped, so a slow server is not buried under a backlog of requests.
const busyStarts = 8

// run starts one release every 1/rate seconds, the products in turn, until ctx ends or the
// versions run out.
func (b *background) run(ctx context.Context, rate float64) error {
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	slots := make(chan struct{}, busyStarts)
	errs := make(chan error, busyStarts)
	var wg sync.WaitGroup
	defer wg.Wait()
	for i := 0; ; {
		select {
		case <-ctx.Done():
			return nil
		case err := <-errs:
			return err
		case <-tick.C:
		}
		p := b.products[i%len(b.products)]
		n := i / len(b.products)
		if n >= len(b.shas[p]) {
			return nil
		}
		select {
		case slots <- struct{}{}:
		default:
			b.skipped.Add(1)
			continue
		}
		i++
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			if _, err := b.client.StartReleaseAt(ctx, p, loadtest.FlowName, b.shas[p][n]); err != nil {
				if ctx.Err() == nil {
					errs <- err
				}
				return
			}
			b.started.Add(1)
		}()
	}
}

// warmSettle is how long the warm-up goes on after its promotions succeeded.
const warmSettle = 2 * time.Second

// warmUp waits until as many of the background's releases succeeded as it has products (it
// starts them in turn, so as a rule each product was promoted once), then for warmSettle, and
// returns how long that took. A server's first promotion into a repository clones
// it, and a server in use has cloned long ago: the figures are about promotions running, not
// about the first ones (which, measured, made the first turn's p99 five times the others').
// done is the background's end, which before the measurements can only be its failure.
func (b *background) warmUp(ctx context.Context, q *db.Queries, done <-chan error) (time.Duration, error) {
	start := time.Now()
	before, err := countSucceeded(ctx, q)
	if err != nil {
		return 0, err
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for limit := time.After(2 * time.Minute); ; {
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case err := <-done:
			return 0, fmt.Errorf("background promotions ended during the warm-up: %v", err)
		case <-limit:
			return 0, fmt.Errorf("background promotions: fewer than %d succeeded in 2m of warm-up", len(b.products))
		case <-tick.C:
		}
		n, err := countSucceeded(ctx, q)
		if err != nil {
			return 0, err
		}
		if n-before >= len(b.products) {
			break
		}
	}
	select {
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-time.After(warmSettle):
	}
	return time.Since(start), nil
}

// countSucceeded counts the succeeded releases stored.
func countSucceeded(ctx context.Context, q *db.Queries) (int, error) {
	counts, err := q.CountReleasesByStatus(ctx)
	if err != nil {
		return 0, err
	}
	for _, c := range counts {
		if c.Status == release.Succeeded {
			return int(c.Releases), nil
		}
	}
	return 0, nil
}
