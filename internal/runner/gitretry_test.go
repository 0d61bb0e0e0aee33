package runner_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/broker"
	"ladder/internal/fault"
	"ladder/internal/gitops"
	"ladder/internal/gitserver"
	"ladder/internal/release"
	"ladder/internal/runner"
	"ladder/internal/workflow"
)

// newQuickRetryHarness is newHarness with Git retries after 100 ms instead of 20 s.
func newQuickRetryHarness(t *testing.T) *harness {
	t.Helper()
	dir := t.TempDir()
	conn, err := db.Open(context.Background(), filepath.Join(dir, "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	rels := release.NewService(conn, broker.New(), time.Now)
	store := gitops.NewStore(filepath.Join(dir, "git"))
	model := &fakeModel{mode: "queue", limit: 50}
	wfs := workflow.NewService(conn, fault.NewValidator(), time.Now)
	r := runner.New(conn, rels, store, model, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now,
		runner.Options{Workers: 2, PollInterval: 20 * time.Millisecond, Workflows: wfs, GitRetry: 100 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	r.StartWorkers(ctx)
	t.Cleanup(func() { cancel(); r.Wait() })
	return &harness{t: t, releases: rels, runner: r, store: store, model: model, workflows: wfs}
}

// TestGitOutageWaitsThenFinishes: the target's Git server refuses connections after the
// approval; the release waits with a blocker instead of failing, and when the server is back
// it finishes by itself with exactly one commit, without asking for approval again.
func TestGitOutageWaitsThenFinishes(t *testing.T) {
	h := newQuickRetryHarness(t)
	h.define("gate", approvalStep("sign-off", 1, nil, true))
	h.use("gate", "", release.Hooks{}, release.EnvironmentHooks{})
	dev, prod := newRepo(t, "dev", "2.0.0"), newRepo(t, "prod", "1.0.0")
	srv, err := gitserver.NewHTTP(filepath.Dir(prod.bare), gitserver.Auth{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	url := srv.URL("prod.git")
	gate := h.edit
	h.edit = func(s *release.Spec) {
		gate(s)
		s.Environments[1].Applications[0].RepoURL = url
	}
	rel := h.start("shop", []env{{name: "dev", repo: dev}, {name: "prod", repo: prod, deps: []string{"dev"}}}, release.ActionCommit)
	st := h.step(rel.ID, "sign-off", release.Suspended)
	srv.Refuse()
	if err := h.runner.Decide(context.Background(), runner.Decision{ReleaseID: rel.ID, StepRunID: st.ID,
		Environment: st.Environment, User: "tester", Approve: true}); err != nil {
		t.Fatalf("approve: %v", err)
	}
	h.wait(rel.ID, "the unreachable-server blocker", func(r release.Release) bool {
		e, _ := r.Environment("prod")
		return strings.HasPrefix(e.Blocker, "Git server unreachable: "+url+": connection refused; next try in ")
	})
	if err := srv.Resume(); err != nil {
		t.Fatal(err)
	}
	h.wait(rel.ID, "success once the server is back", status(release.Succeeded))
	if n := prod.commits(); n != 2 {
		t.Errorf("prod: %d commits, want 2 (exactly one promotion)", n)
	}
	steps, err := h.runner.Steps(context.Background(), rel.ID)
	if err != nil {
		t.Fatal(err)
	}
	var gates int
	for _, s := range steps {
		if s.Name == "sign-off" {
			gates++
		}
	}
	if gates != 1 {
		t.Errorf("%d sign-off steps, want 1 (the approval is not asked again)", gates)
	}
}
