package runner_test

import (
	"strings"
	"testing"
	"time"

	"ladder/internal/pin"
	"ladder/internal/release"
)

// TestPinHoldsAutomaticReleases: an automatic release waits at a pinned environment with the
// pin's blocker and promotes nothing there; once unpinned it goes on by itself. A manual
// release started after the pin was set (its starter confirmed the pin) runs through, and the
// roll back release that set a pin is never held by it.
func TestPinHoldsAutomaticReleases(t *testing.T) {
	h := newHarness(t)
	h.model.setPin(pin.Pin{Product: "shop", Environment: "prod", Version: "1.3.1", Reason: "bad cache headers",
		PinnedBy: "ann", CreatedAt: time.Now().Add(-time.Minute)})
	dev, prod := newRepo(t, "dev", "2.0.0"), newRepo(t, "prod", "1.0.0")
	envs := []env{{name: "dev", repo: dev}, {name: "prod", repo: prod, deps: []string{"dev"}}}

	manual := h.start("shop", envs, release.ActionCommit)
	h.wait(manual.ID, "the confirmed manual release to succeed", status(release.Succeeded))

	h.edit = func(s *release.Spec) { s.Initiator = release.AutoInitiator }
	dev.commit("build 2.1.0", strings.ReplaceAll(chart, "1.0.0", "2.1.0"), strings.ReplaceAll(values, "1.0.0", "2.1.0"))
	auto := h.start("shop", envs, release.ActionCommit)
	const blocker = "pinned at 1.3.1 by ann: bad cache headers"
	h.wait(auto.ID, "the pin's blocker", func(r release.Release) bool {
		e, _ := r.Environment("prod")
		return e.Blocker == blocker && e.Status == release.Pending
	})
	commits := prod.commits()
	time.Sleep(200 * time.Millisecond) // several rechecks
	if got, _ := h.releases.Get(t.Context(), auto.ID); got.Status == release.Succeeded || prod.commits() != commits {
		t.Fatalf("pinned prod: got release %s and %d commits, want it waiting with %d", got.Status, prod.commits(), commits)
	}
	h.model.unpin("shop", "prod")
	h.wait(auto.ID, "success after unpinning", status(release.Succeeded))

	h.edit = func(s *release.Spec) { s.Initiator = "ann" }
	rollback := h.start("shop", envs, release.ActionCommit)
	h.model.setPin(pin.Pin{Product: "shop", Environment: "prod", Version: "1.3.1", PinnedBy: "ann", ReleaseID: rollback.ID,
		CreatedAt: time.Now().Add(time.Hour)})
	h.wait(rollback.ID, "the release that set the pin to succeed", status(release.Succeeded))
}
