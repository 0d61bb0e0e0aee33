package runner_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"path/filepath"
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
