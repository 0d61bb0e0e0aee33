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
	"time"

	"ladder/db"
	"ladder/internal/gitops"
	"ladder/internal/loadtest"
	"ladder/internal/release"
)

// promoteWorkers is how many promotions the direct baseline runs at once: the runner's
// default number of workers.
const promoteWorkers = 4

// promoteRounds is how many slices the promotions are cut into; the runner and the direct
// baseline take turns slice by slice, so that load from elsewhere on the machine falls on both.
const promoteRounds = 5

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
	shas, copyDir, err := prepareVersions(dir, m, products, per)
	if err != nil {
		return err
	}
	base, stop, err := startInProcess(ctx, data)
	if err != nil {
		return err
	}
	defer stop()
	c := &loadtest.Client{Base: base, Token: token}
	d := direct{store: gitops.NewStore(filepath.Join(copyDir, "store")), orig: filepath.Join(dir, "repos"), copy: copyDir, m: m}
	stopProfile, err := profile(o.cpuProfile, "promotions")
	if err != nil {
		return err
	}
	defer stopProfile()
	var viaRunner, viaGit, cpuRunner, cpuGit time.Duration
	done := 0
	for r := range min(promoteRounds, per) {
		from, to := r*per/min(promoteRounds, per), (r+1)*per/min(promoteRounds, per)
		slice := map[string][]string{}
		for _, p := range products {
			slice[p] = shas[p][from:to]
		}
		done += (to - from) * len(products)
		cpu0 := loadtest.CPUTime()
		took, err := promoteThroughLadder(ctx, c, data, products, slice, done)
		if err != nil {
			return err
		}
		cpu1 := loadtest.CPUTime()
		took2, err := d.promote(ctx, products, slice, from)
		if err != nil {
			return err
		}
		viaRunner, viaGit = viaRunner+took, viaGit+took2
		cpuRunner, cpuGit = cpuRunner+cpu1-cpu0, cpuGit+loadtest.CPUTime()-cpu1
	}
	rate := func(d time.Duration) float64 { return float64(done) / d.Seconds() }
	ratio := rate(viaRunner) / rate(viaGit)
	t.row("promotions", fmt.Sprintf("%d promotions over %d products, through the runner", done, o.products),
		fmt.Sprintf("%.1f/s (%s)", rate(viaRunner), viaRunner.Round(time.Millisecond)), "", "")
	t.row("promotions", "the same Git work by the Git engine alone", fmt.Sprintf("%.1f/s (%s)", rate(viaGit), viaGit.Round(time.Millisecond)), "", "")
	t.row("promotions", "CPU time, runner / direct (with git processes)", fmt.Sprintf("%s / %s",
		cpuRunner.Round(time.Millisecond), cpuGit.Round(time.Millisecond)), "", "")
	t.row("promotions", "runner/direct throughput", fmt.Sprintf("%.0f%%", ratio*100), "≥ 80%", yes(ratio >= 0.8))
	return nil
}

// prepareVersions commits per new versions to every product's dev repository and copies all
// repositories for the direct baseline; it returns the versions' SHAs and the copy's path.
func prepareVersions(dir string, m loadtest.Model, products []string, per int) (map[string][]string, string, error) {
	shas := map[string][]string{}
	for _, p := range products {
		var err error
		if shas[p], err = addVersions(m.Repos[p]["dev"].Bare, per); err != nil {
			return nil, "", err
		}
	}
	copyDir := filepath.Join(dir, "direct")
	if out, err := exec.Command("cp", "-a", filepath.Join(dir, "repos"), copyDir).CombinedOutput(); err != nil {
		return nil, "", fmt.Errorf("copy repositories: %v: %s", err, out)
	}
	return shas, copyDir, nil
}

// promoteThroughLadder starts the promotions in shas over HTTP, promoteWorkers products at a
// time, and waits until done releases in all have succeeded.
func promoteThroughLadder(ctx context.Context, c *loadtest.Client, data string, products []string, shas map[string][]string, done int) (time.Duration, error) {
	start := time.Now()
	err := eachProduct(products, func(p string) error {
		for _, sha := range shas[p] {
			if _, err := c.StartReleaseAt(ctx, p, loadtest.FlowName, sha); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	// Count statuses on one connection every 20 ms: a query of a few hundred microseconds,
	// so the tool's looking costs Ladder next to nothing (reading every release each time
	// cost as much CPU as a tenth of the promotions).
	conn, err := db.Open(ctx, filepath.Join(data, "ladder.db"))
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	q := db.New(conn)
	failed := false
	ok := pollEvery(20*time.Millisecond, 10*time.Minute, func() bool {
		counts, err := q.CountReleasesByStatus(ctx)
		succeeded := 0
		for _, c := range counts {
			switch {
			case c.Status == release.Succeeded:
				succeeded = int(c.Releases)
			case release.Final(c.Status):
				failed = true
			}
		}
		return err == nil && (succeeded == done || failed)
	})
	took := time.Since(start)
	if failed || !ok {
		return 0, fmt.Errorf("promotions did not all succeed within 10 min (%s)", firstFailure(ctx, data))
	}
	return took, nil
}

// firstFailure names a release that ended other than succeeded, and why.
func firstFailure(ctx context.Context, data string) string {
	all, err := loadtest.AllReleases(ctx, data)
	if err != nil {
		return err.Error()
	}
	for _, r := range all {
		if r.Status != release.Succeeded && release.Final(r.Status) {
			return r.ID + " " + r.Status + ": " + r.Error
		}
	}
	return "none failed"
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

// direct does the promotions' Git work — read the values at the trigger commit, then promote
// them — with the Git engine alone, on copies of the repositories.
type direct struct {
	store      *gitops.Store
	orig, copy string
	m          loadtest.Model
}

var promoteTemplate = gitops.Template{VersionSource: gitops.VersionSource{File: "Chart.yaml", JSONPath: "$.appVersion"},
	Entries: []gitops.Entry{{File: "Chart.yaml", JSONPaths: []string{"$.appVersion"}}, {File: "values.yaml", JSONPaths: []string{"$.image.tag"}}}}

// promote runs the promotions in shas, promoteWorkers products at a time; each product's
// numbers continue after its first earlier promotions.
func (d direct) promote(ctx context.Context, products []string, shas map[string][]string, first int) (time.Duration, error) {
	remote := func(r *loadtest.Repo) gitops.Remote {
		return gitops.Remote{URL: strings.Replace(r.URL(), d.orig, d.copy, 1)}
	}
	start := time.Now()
	err := eachProduct(products, func(p string) error {
		src, dst := remote(d.m.Repos[p]["dev"]), remote(d.m.Repos[p]["prod"])
		for i, sha := range shas[p] {
			if err := promoteOnce(ctx, d.store, promoteTemplate, src, dst, p, sha, first+i+1); err != nil {
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
