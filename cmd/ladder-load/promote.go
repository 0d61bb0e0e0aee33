package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"ladder/internal/gitops"
	"ladder/internal/loadtest"
	"ladder/internal/release"
)

// promoteWorkers is how many promotions the direct baseline runs at once: the runner's
// default number of workers.
const promoteWorkers = 4

// runPromotions runs o.promotions single-environment promotions (dev → prod, action commit)
// spread over o.products products through Ladder, and the same promotions directly with the
// Git engine on a copy of the repositories made before.
func runPromotions(ctx context.Context, o options, t *table) error {
	dir := filepath.Join(o.dir, "promotions")
	products := make([]string, o.products)
	for i := range products {
		products[i] = fmt.Sprintf("product-%d", i)
	}
	data, m, token, err := seedModel(ctx, dir, products, []string{"dev", "prod"}, nil)
	if err != nil {
		return err
	}
	per := (o.promotions + o.products - 1) / o.products
	shas := map[string][]string{}
	for _, p := range products {
		if shas[p], err = addVersions(m.Repos[p]["dev"].Bare, per); err != nil {
			return err
		}
	}
	copyDir := filepath.Join(dir, "direct")
	if out, err := exec.Command("cp", "-a", filepath.Join(dir, "repos"), copyDir).CombinedOutput(); err != nil {
		return fmt.Errorf("copy repositories: %v: %s", err, out)
	}
	cpu0 := cpuTime()
	viaRunner, err := promoteThroughLadder(ctx, o, data, token, products, shas)
	if err != nil {
		return err
	}
	cpu1 := cpuTime()
	direct, err := promoteDirectly(ctx, filepath.Join(dir, "repos"), copyDir, m, products, shas, o.promotions)
	if err != nil {
		return err
	}
	cpu2 := cpuTime()
	rate := func(d time.Duration) float64 { return float64(o.promotions) / d.Seconds() }
	ratio := rate(viaRunner) / rate(direct)
	t.row("promotions", fmt.Sprintf("%d promotions over %d products, through the runner", o.promotions, o.products),
		fmt.Sprintf("%.1f/s (%s)", rate(viaRunner), viaRunner.Round(time.Millisecond)), "", "")
	t.row("promotions", "the same Git work by the Git engine alone", fmt.Sprintf("%.1f/s (%s)", rate(direct), direct.Round(time.Millisecond)), "", "")
	t.row("promotions", "CPU time, runner / direct (with git processes)", fmt.Sprintf("%s / %s",
		(cpu1-cpu0).Round(time.Millisecond), (cpu2-cpu1).Round(time.Millisecond)), "", "")
	t.row("promotions", "runner/direct throughput", fmt.Sprintf("%.0f%%", ratio*100), "≥ 80%", yes(ratio >= 0.8))
	return nil
}

// promotionsOf lists the first n promotions: product and trigger commit, products taking
// turns, each product's commits in order.
func promotionsOf(products []string, shas map[string][]string, n int) [][2]string {
	var out [][2]string
	for k := 0; len(out) < n; k++ {
		for _, p := range products {
			if len(out) < n {
				out = append(out, [2]string{p, shas[p][k]})
			}
		}
	}
	return out
}

// promoteThroughLadder starts every promotion over HTTP and waits until all succeeded.
func promoteThroughLadder(ctx context.Context, o options, data, token string, products []string, shas map[string][]string) (time.Duration, error) {
	base, stop, err := startInProcess(ctx, data)
	if err != nil {
		return 0, err
	}
	defer stop()
	stopProfile, err := profile(o.cpuProfile, "promotions")
	if err != nil {
		return 0, err
	}
	defer stopProfile()
	c := &loadtest.Client{Base: base, Token: token}
	start := time.Now()
	if err := startAll(ctx, c, promotionsOf(products, shas, o.promotions)); err != nil {
		return 0, err
	}
	var bad string
	// Look every 100 ms: reading every release is work of the load tool, not of Ladder.
	ok := pollEvery(100*time.Millisecond, 10*time.Minute, func() bool {
		all, err := loadtest.AllReleases(ctx, data)
		done := 0
		for _, r := range all {
			switch {
			case r.Status == release.Succeeded:
				done++
			case release.Final(r.Status):
				bad = r.ID + " " + r.Status + ": " + r.Error
			}
		}
		return err == nil && (done == o.promotions || bad != "")
	})
	took := time.Since(start)
	if bad != "" || !ok {
		return 0, fmt.Errorf("promotions did not all succeed within 10 min (%s)", bad)
	}
	return took, nil
}

// startAll starts the promotions from promoteWorkers clients at once, as the direct baseline
// has promoteWorkers workers: each client takes whole products and starts their promotions
// in order.
func startAll(ctx context.Context, c *loadtest.Client, prs [][2]string) error {
	var order []string
	byProduct := map[string][]string{}
	for _, pr := range prs {
		if byProduct[pr[0]] == nil {
			order = append(order, pr[0])
		}
		byProduct[pr[0]] = append(byProduct[pr[0]], pr[1])
	}
	return eachProduct(order, func(p string) error {
		for _, sha := range byProduct[p] {
			if _, err := c.StartReleaseAt(ctx, p, loadtest.FlowName, sha); err != nil {
				return err
			}
		}
		return nil
	})
}

// eachProduct calls fn for every product from promoteWorkers goroutines and returns the first
// error.
func eachProduct(products []string, fn func(product string) error) error {
	work := make(chan string, len(products))
	for _, p := range products {
		work <- p
	}
	close(work)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for range promoteWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				if err := fn(p); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

// promoteDirectly does each promotion's Git work — read the values at the trigger commit,
// then promote them — with the Git engine alone, promoteWorkers products at a time.
func promoteDirectly(ctx context.Context, orig, copyDir string, m loadtest.Model, products []string, shas map[string][]string, n int) (time.Duration, error) {
	store := gitops.NewStore(filepath.Join(copyDir, "store"))
	tmpl := gitops.Template{VersionSource: gitops.VersionSource{File: "Chart.yaml", JSONPath: "$.appVersion"},
		Entries: []gitops.Entry{{File: "Chart.yaml", JSONPaths: []string{"$.appVersion"}}, {File: "values.yaml", JSONPaths: []string{"$.image.tag"}}}}
	remote := func(r *loadtest.Repo) gitops.Remote {
		return gitops.Remote{URL: strings.Replace(r.URL(), orig, copyDir, 1)}
	}
	byProduct := map[string][]string{}
	for _, pr := range promotionsOf(products, shas, n) {
		byProduct[pr[0]] = append(byProduct[pr[0]], pr[1])
	}
	start := time.Now()
	err := eachProduct(products, func(p string) error {
		src, dst := remote(m.Repos[p]["dev"]), remote(m.Repos[p]["prod"])
		for number, sha := range byProduct[p] {
			if err := promoteOnce(ctx, store, tmpl, src, dst, p, sha, number+1); err != nil {
				return err
			}
		}
		return nil
	})
	return time.Since(start), err
}

// promoteOnce reads the values of src at sha and commits them to dst.
func promoteOnce(ctx context.Context, store *gitops.Store, tmpl gitops.Template, src, dst gitops.Remote, product, sha string, number int) error {
	vals, commit, err := store.ReadSource(ctx, src, "main", ".", sha, tmpl)
	if err != nil {
		return err
	}
	version, err := store.ReadVersion(ctx, src, "main", ".", commit, tmpl.VersionSource)
	if err != nil {
		return err
	}
	res, err := store.Promote(ctx, gitops.PromoteRequest{Values: &vals, SourceCommit: commit, Target: dst, TargetBranch: "main",
		TargetPath: ".", Template: tmpl, Product: product, Version: version, ReleaseNumber: number, SourceEnv: "dev", TargetEnv: "prod",
		Author: gitops.Signature{Name: "Ladder", Email: "ladder@localhost"}})
	if err == nil && res.NoChanges {
		err = fmt.Errorf("%s #%d: no changes; want a commit", product, number)
	}
	return err
}

// addVersions appends n commits, each a new chart version, to branch main of the bare
// repository with one git fast-import, and returns their SHAs oldest first.
func addVersions(bare string, n int) ([]string, error) {
	var in bytes.Buffer
	for i := range n {
		version := fmt.Sprintf("2.0.%d", i+1)
		msg := "release " + version
		fmt.Fprintf(&in, "commit refs/heads/main\ncommitter ci <ci@example.com> %d +0000\ndata %d\n%s\n", time.Now().Unix()+int64(i), len(msg), msg)
		if i == 0 {
			in.WriteString("from refs/heads/main^0\n")
		}
		for name, tmpl := range map[string]string{"Chart.yaml": "apiVersion: v2\nname: app\nappVersion: \"%s\"\n",
			"values.yaml": "image:\n  repository: registry.example/app\n  tag: \"%s\"\nreplicas: 2\n"} {
			body := strings.ReplaceAll(tmpl, "%s", version)
			fmt.Fprintf(&in, "M 100644 inline %s\ndata %d\n%s\n", name, len(body), body)
		}
		in.WriteString("\n")
	}
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir, cmd.Stdin = bare, &in
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("git fast-import: %v: %s", err, out)
	}
	out, err := exec.Command("git", "-C", bare, "rev-list", "--reverse", "--max-count", fmt.Sprint(n), "main").Output()
	if err != nil {
		return nil, fmt.Errorf("git rev-list: %w", err)
	}
	shas := strings.Fields(string(out))
	if len(shas) != n {
		return nil, fmt.Errorf("got %d new commits, want %d", len(shas), n)
	}
	_ = os.Remove(filepath.Join(bare, "gc.log"))
	return shas, nil
}

// cpuTime is the user and system CPU time used so far by this process and its waited-for
// children (the git processes that serve file:// remotes).
func cpuTime() time.Duration {
	var self, children syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	var total time.Duration
	for _, tv := range []syscall.Timeval{self.Utime, self.Stime, children.Utime, children.Stime} {
		total += time.Duration(tv.Nano())
	}
	return total
}
