package runner_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"ladder/internal/release"
	"ladder/internal/runner"
)

// TestFreezeBlocksThenReleases: a frozen target waits with the freeze as its blocker and
// continues once the freeze is lifted.
func TestFreezeBlocksThenReleases(t *testing.T) {
	h := newHarness(t)
	blocker := "environment frozen: holiday freeze (until 2026-12-27 09:00 UTC)"
	h.model.setFrozen("prod", blocker)
	dev, prod := newRepo(t, "dev", "2.0.0"), newRepo(t, "prod", "1.0.0")
	rel := h.start("shop", []env{{name: "dev", repo: dev}, {name: "prod", repo: prod, deps: []string{"dev"}}}, release.ActionCommit)
	h.wait(rel.ID, "the freeze blocker", func(r release.Release) bool {
		e, _ := r.Environment("prod")
		return e.Blocker == blocker && e.Status == release.Pending
	})
	if n := prod.commits(); n != 1 {
		t.Errorf("frozen prod got %d commits, want 1 (none promoted)", n)
	}
	h.model.setFrozen("prod", "")
	h.wait(rel.ID, "success after unfreezing", status(release.Succeeded))
}

// TestQueueRunsOneAtATime: in queue mode a second release of the product waits, with a
// blocker naming the release ahead, until the first ends; beyond the queue limit the oldest
// waiting release is terminated.
func TestQueueRunsOneAtATime(t *testing.T) {
	h := newHarness(t)
	h.model.limit = 1
	h.model.setFrozen("prod", "environment frozen: hold")
	dev, prod := newRepo(t, "dev", "2.0.0"), newRepo(t, "prod", "1.0.0")
	envs := []env{{name: "dev", repo: dev}, {name: "prod", repo: prod, deps: []string{"dev"}}}
	first := h.start("shop", envs, release.ActionCommit)
	h.wait(first.ID, "the first release to run", status(release.Running))
	second := h.start("shop", envs, release.ActionCommit)
	h.wait(second.ID, "the queue blocker", func(r release.Release) bool {
		return r.Status == release.Queued && strings.HasPrefix(r.Blocker, "queued behind release #1")
	})
	third := h.start("shop", envs, release.ActionCommit)
	got := h.wait(second.ID, "the queue limit to end the oldest waiting release", status(release.Terminated))
	if !strings.Contains(got.Error, "queue limit") {
		t.Errorf("got error %q, want it to name the queue limit", got.Error)
	}
	h.model.setFrozen("prod", "")
	h.wait(first.ID, "the first release to succeed", status(release.Succeeded))
	h.wait(third.ID, "the third release to succeed after the first", status(release.Succeeded))
	if n := prod.commits(); n != 2 {
		t.Errorf("prod: got %d commits, want 2 (one promotion; the third found the values already there)", n)
	}
}

// TestQueueWaitsBehindTheReleaseAhead: each queued release names the release right ahead of
// it; when one in the middle ends, the one behind it names the next one ahead, and when the
// first ends the queue moves up one at a time to the last.
func TestQueueWaitsBehindTheReleaseAhead(t *testing.T) {
	h := newHarness(t)
	h.model.setFrozen("prod", "environment frozen: hold")
	dev, prod := newRepo(t, "dev", "2.0.0"), newRepo(t, "prod", "1.0.0")
	envs := []env{{name: "dev", repo: dev}, {name: "prod", repo: prod, deps: []string{"dev"}}}
	first := h.start("shop", envs, release.ActionCommit)
	h.wait(first.ID, "the first release to run", status(release.Running))
	var queued []release.Release
	for range 3 {
		queued = append(queued, h.start("shop", envs, release.ActionCommit))
	}
	behind := func(ahead release.Release) func(release.Release) bool {
		want := fmt.Sprintf("queued behind release #%d", ahead.Number)
		return func(r release.Release) bool { return r.Status == release.Queued && r.Blocker == want }
	}
	h.wait(queued[0].ID, "the second behind the first", behind(first))
	h.wait(queued[1].ID, "the third behind the second", behind(queued[0]))
	h.wait(queued[2].ID, "the fourth behind the third", behind(queued[1]))
	if err := h.runner.Terminate(context.Background(), queued[1].ID, "alice"); err != nil {
		t.Fatal(err)
	}
	h.wait(queued[2].ID, "the fourth behind the second once the third ended", behind(queued[0]))
	h.model.setFrozen("prod", "")
	for _, r := range []release.Release{first, queued[0], queued[2]} {
		h.wait(r.ID, "each in turn to succeed", status(release.Succeeded))
	}
}

// TestTerminate ends a waiting release: it ends TERMINATED with who asked, the environment that
// had not started stays PENDING, and it can then be retried to success.
func TestTerminate(t *testing.T) {
	h := newHarness(t)
	h.model.setFrozen("prod", "environment frozen: hold")
	dev, prod := newRepo(t, "dev", "2.0.0"), newRepo(t, "prod", "1.0.0")
	rel := h.start("shop", []env{{name: "dev", repo: dev}, {name: "prod", repo: prod, deps: []string{"dev"}}}, release.ActionCommit)
	h.wait(rel.ID, "the release to run", status(release.Running))
	if err := h.runner.Terminate(context.Background(), rel.ID, "alice"); err != nil {
		t.Fatalf("terminate: %v", err)
	}
	got := h.wait(rel.ID, "termination", status(release.Terminated))
	if e, _ := got.Environment("prod"); e.Status != release.Pending || got.Error != "terminated by alice" {
		t.Errorf("got prod %s and error %q, want PENDING and 'terminated by alice'", e.Status, got.Error)
	}
	if err := h.runner.Terminate(context.Background(), rel.ID, "alice"); err == nil {
		t.Errorf("terminating a terminated release: got no error, want a conflict")
	}
	h.model.setFrozen("prod", "")
	if err := h.runner.Retry(context.Background(), rel.ID, "alice"); err != nil {
		t.Fatalf("retry: %v", err)
	}
	h.wait(rel.ID, "success after retry", status(release.Succeeded))
}

// TestTerminateModeSupersedes: in terminate mode, a newer release that reaches an environment
// where an older release is still active ends the older one, "superseded by #2", and goes on.
func TestTerminateModeSupersedes(t *testing.T) {
	h := newHarness(t)
	h.model.mode = "terminate"
	h.define("gate", approvalStep("sign-off", 1, nil, true))
	h.use("gate", "", release.Hooks{}, release.EnvironmentHooks{})
	dev, prod := newRepo(t, "dev", "2.0.0"), newRepo(t, "prod", "1.0.0")
	envs := []env{{name: "dev", repo: dev}, {name: "prod", repo: prod, deps: []string{"dev"}}}
	first := h.start("shop", envs, release.ActionCommit)
	h.step(first.ID, "sign-off", release.Suspended)
	second := h.start("shop", envs, release.ActionCommit)
	got := h.wait(first.ID, "the older release to be superseded", status(release.Terminated))
	if got.Error != "superseded by #2" {
		t.Errorf("got error %q, want %q", got.Error, "superseded by #2")
	}
	st := h.step(second.ID, "sign-off", release.Suspended)
	if err := h.runner.Decide(context.Background(), runner.Decision{ReleaseID: second.ID, StepRunID: st.ID,
		Environment: st.Environment, User: "tester", Approve: true}); err != nil {
		t.Fatalf("approve: %v", err)
	}
	h.wait(second.ID, "the newer release to succeed", status(release.Succeeded))
	if n := prod.commits(); n != 2 {
		t.Errorf("prod: got %d commits, want 2 (only the newer release promoted)", n)
	}
}
