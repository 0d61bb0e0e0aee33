package runner_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"ladder/internal/fault"
	"ladder/internal/freeze"
	"ladder/internal/release"
)

// windowHarness is a runner whose clock starts at start and moves when the test says so.
func windowHarness(t *testing.T, start time.Time) (*harness, func(to time.Time)) {
	t.Helper()
	var offset atomic.Int64
	offset.Store(int64(time.Until(start)))
	h := newHarnessAt(t, func() time.Time { return time.Now().Add(time.Duration(offset.Load())) })
	svc := freeze.NewService(h.conn, fault.NewValidator(), time.Now)
	w, err := svc.Create(context.Background(), freeze.Input{Name: "weekend", Schedule: "0 20 * * 5", Duration: "60h",
		TimeZone: "Europe/Berlin", Reason: "weekend freeze"})
	if err != nil {
		t.Fatal(err)
	}
	h.model.mu.Lock()
	h.model.windows = []freeze.Window{w}
	h.model.mu.Unlock()
	return h, func(to time.Time) { offset.Store(int64(time.Until(to))) }
}

// TestFreezeWindowHoldsUntilItEnds: a release reaching an environment inside a freeze window
// waits with the window's end in its zone and its reason as the blocker, and goes on by itself
// once the runner's clock passes the end.
func TestFreezeWindowHoldsUntilItEnds(t *testing.T) {
	saturday := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	h, moveTo := windowHarness(t, saturday)
	h.edit = func(s *release.Spec) { s.Timeout = 7 * 24 * time.Hour } // the clock jumps two days
	dev, prod := newRepo(t, "dev", "2.0.0"), newRepo(t, "prod", "1.0.0")
	rel := h.start("shop", []env{{name: "dev", repo: dev}, {name: "prod", repo: prod, deps: []string{"dev"}}}, release.ActionCommit)
	const blocker = "frozen until Mon 08:00 Europe/Berlin (weekend freeze)"
	h.wait(rel.ID, "the window's blocker", func(r release.Release) bool {
		e, _ := r.Environment("prod")
		return e.Status == release.Pending && e.Blocker == blocker
	})
	time.Sleep(200 * time.Millisecond) // several rechecks inside the window
	if n := prod.commits(); n != 1 {
		t.Errorf("prod got %d commits inside the window, want 1 (none promoted)", n)
	}
	moveTo(time.Date(2026, 1, 12, 6, 59, 0, 0, time.UTC)) // 07:59 in Berlin: still frozen
	time.Sleep(200 * time.Millisecond)
	if got, _ := h.releases.Get(context.Background(), rel.ID); got.Status == release.Succeeded {
		t.Fatalf("release succeeded a minute before the window's end")
	}
	moveTo(time.Date(2026, 1, 12, 7, 0, 1, 0, time.UTC))
	h.wait(rel.ID, "success after the window", status(release.Succeeded))
	if n := prod.commits(); n != 2 {
		t.Errorf("prod got %d commits, want 2 (the promotion)", n)
	}
}

// TestOverrideFreezeWindow: an override lets one release through the window with who and why
// recorded as an event and in the audit log; a manual freeze still holds it, and the
// override cannot be given twice.
func TestOverrideFreezeWindow(t *testing.T) {
	h, _ := windowHarness(t, time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC))
	ctx := context.Background()
	dev, prod := newRepo(t, "dev", "2.0.0"), newRepo(t, "prod", "1.0.0")
	rel := h.start("shop", []env{{name: "dev", repo: dev}, {name: "prod", repo: prod, deps: []string{"dev"}}}, release.ActionCommit)
	h.wait(rel.ID, "the window's blocker", func(r release.Release) bool {
		e, _ := r.Environment("prod")
		return e.Status == release.Pending && e.Blocker != ""
	})
	h.model.setFrozen("prod", "environment frozen: incident")
	if err := h.runner.OverrideFreeze(ctx, rel.ID, "dev", "alice", "hotfix"); err == nil {
		t.Errorf("override of the trigger environment: got no error, want one")
	}
	if err := h.runner.OverrideFreeze(ctx, rel.ID, "prod", "alice", "hotfix for the checkout outage"); err != nil {
		t.Fatalf("override: %v", err)
	}
	h.wait(rel.ID, "the manual freeze to hold despite the override", func(r release.Release) bool {
		e, _ := r.Environment("prod")
		return e.Blocker == "environment frozen: incident" && e.FreezeOverride == "alice: hotfix for the checkout outage"
	})
	if err := h.runner.OverrideFreeze(ctx, rel.ID, "prod", "bob", "again"); err == nil {
		t.Errorf("second override: got no error, want a conflict")
	}
	h.model.setFrozen("prod", "")
	h.wait(rel.ID, "success inside the window after the override", status(release.Succeeded))
	events, err := h.releases.RecentEvents(ctx, rel.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range events {
		found = found || e.Message == "freeze windows of prod overridden by alice: hotfix for the checkout outage"
	}
	if !found {
		t.Errorf("got no event recording the override")
	}
	var n int
	if err := h.conn.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'override-freeze' AND actor = 'alice'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("got %d audit records of the override (%v), want 1", n, err)
	}
}
