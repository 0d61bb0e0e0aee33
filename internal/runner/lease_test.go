package runner_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/broker"
	"ladder/internal/gitops"
	"ladder/internal/release"
	"ladder/internal/runner"
)

// TestRestartTakesOverLeasesAtOnce: a process killed while it held a job leaves a lease
// behind; the next process on the same database takes the job over at start instead of
// waiting for the lease (an hour here) to run out.
func TestRestartTakesOverLeasesAtOnce(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	conn, err := db.Open(ctx, filepath.Join(dir, "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	rels := release.NewService(conn, broker.New(), time.Now)
	store := gitops.NewStore(filepath.Join(dir, "git"))
	model := &fakeModel{mode: "queue", limit: 50}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	opts := runner.Options{Workers: 2, PollInterval: 20 * time.Millisecond, Lease: time.Hour}

	// The killed process: it created the release and leased its first job, then died.
	dead := &harness{t: t, releases: rels, runner: runner.New(conn, rels, store, model, log, time.Now, opts), store: store, model: model}
	dev, prod := newRepo(t, "dev", "4.0.0"), newRepo(t, "prod", "1.0.0")
	rel := dead.start("shop", []env{{name: "dev", repo: dev}, {name: "prod", repo: prod, deps: []string{"dev"}}}, release.ActionCommit)
	now := time.Now().UTC()
	_, err = db.New(conn).ClaimJob(ctx, db.ClaimJobParams{LeaseOwner: "dead", LeaseUntil: sql.NullTime{Time: now.Add(time.Hour), Valid: true},
		RunAfter: now, LeaseUntil_2: sql.NullTime{Time: now, Valid: true}})
	if err != nil {
		t.Fatalf("lease the first job to the dead process: %v", err)
	}

	// The restarted process.
	next := runner.New(conn, rels, store, model, log, time.Now, opts)
	runCtx, cancel := context.WithCancel(ctx)
	next.StartWorkers(runCtx)
	t.Cleanup(func() { cancel(); next.Wait() })
	h := &harness{t: t, releases: rels, runner: next, store: store, model: model}
	rel = h.wait(rel.ID, "the restarted runner to finish the release", status(release.Succeeded))
	if n := prod.commits(); n != 2 {
		t.Errorf("prod: got %d commits, want 2 (initial + one promotion)", n)
	}
}

// slowGit is the real Git store, slowed down: each promotion first waits delay. It counts the
// promotions it was asked for.
type slowGit struct {
	*gitops.Store
	delay time.Duration
	calls atomic.Int32
}

func (g *slowGit) Promote(ctx context.Context, req gitops.PromoteRequest) (gitops.Result, error) {
	g.calls.Add(1)
	select {
	case <-time.After(g.delay):
	case <-ctx.Done():
		return gitops.Result{}, ctx.Err()
	}
	return g.Store.Promote(ctx, req)
}

// TestLongJobKeepsItsLease: a job that runs four times longer than its lease keeps it, so no
// other worker takes the job over and runs the promotion a second time.
func TestLongJobKeepsItsLease(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	conn, err := db.Open(ctx, filepath.Join(dir, "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	rels := release.NewService(conn, broker.New(), time.Now)
	store := gitops.NewStore(filepath.Join(dir, "git"))
	git := &slowGit{Store: store, delay: 800 * time.Millisecond}
	model := &fakeModel{mode: "queue", limit: 50}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	r := runner.New(conn, rels, git, model, log, time.Now, runner.Options{Workers: 3, PollInterval: 20 * time.Millisecond, Lease: 200 * time.Millisecond})
	runCtx, cancel := context.WithCancel(ctx)
	r.StartWorkers(runCtx)
	t.Cleanup(func() { cancel(); r.Wait() })
	h := &harness{t: t, releases: rels, runner: r, store: store, model: model}
	prod := newRepo(t, "prod", "1.0.0")
	rel := h.start("shop", []env{{name: "dev", repo: newRepo(t, "dev", "5.0.0")}, {name: "prod", repo: prod, deps: []string{"dev"}}}, release.ActionCommit)
	h.wait(rel.ID, "the release to succeed", status(release.Succeeded))
	if n := git.calls.Load(); n != 1 {
		t.Errorf("got %d promotions, want 1", n)
	}
	if n := prod.commits(); n != 2 {
		t.Errorf("prod: got %d commits, want 2 (initial + one promotion)", n)
	}
}
