package runner_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/argocd"
	"ladder/internal/broker"
	"ladder/internal/fault"
	"ladder/internal/gitops"
	"ladder/internal/release"
	"ladder/internal/runner"
	"ladder/internal/secret"
)

// fakeClock is a runner clock that stands still until the test moves it.
type fakeClock struct{ at atomic.Int64 }

func newFakeClock(t time.Time) *fakeClock {
	c := &fakeClock{}
	c.at.Store(t.UnixNano())
	return c
}

func (c *fakeClock) now() time.Time      { return time.Unix(0, c.at.Load()).UTC() }
func (c *fakeClock) set(t time.Time)     { c.at.Store(t.UnixNano()) }
func (c *fakeClock) add(d time.Duration) { c.at.Add(int64(d)) }
func soakIn(env string, d time.Duration, health bool) func(*release.Spec) {
	return func(s *release.Spec) {
		for i := range s.Environments {
			if s.Environments[i].Name == env {
				s.Environments[i].Soak = release.Soak{After: d, Health: health}
			}
		}
	}
}

// envIs waits for environment name to have status and a blocker containing blocker.
func envIs(name, status, blocker string) func(release.Release) bool {
	return func(r release.Release) bool {
		e, _ := r.Environment(name)
		return e.Status == status && strings.Contains(e.Blocker, blocker)
	}
}

func stagingDone(t *testing.T, r release.Release) time.Time {
	t.Helper()
	e, _ := r.Environment("staging")
	if e.Status != release.Succeeded || e.FinishedAt == nil {
		t.Fatalf("staging is %s, want SUCCEEDED with a finish time", e.Status)
	}
	return *e.FinishedAt
}

// TestSoakHoldsUntilUpstreamRanLongEnough: prod, soaking 30 minutes after staging, waits with
// a countdown measured from staging's success, promotes nothing before the time is up, and
// starts by itself once it is.
func TestSoakHoldsUntilUpstreamRanLongEnough(t *testing.T) {
	clock := newFakeClock(time.Date(2026, 3, 2, 13, 30, 0, 0, time.UTC))
	h := newHarnessAt(t, clock.now)
	h.edit = soakIn("prod", 30*time.Minute, false)
	dev, staging, prod := newRepo(t, "dev", "2.0.0"), newRepo(t, "staging", "1.0.0"), newRepo(t, "prod", "1.0.0")
	rel := h.start("shop", []env{{name: "dev", repo: dev}, {name: "staging", repo: staging, deps: []string{"dev"}},
		{name: "prod", repo: prod, deps: []string{"staging"}}}, release.ActionCommit)
	rel = h.wait(rel.ID, "the soak's blocker", envIs("prod", release.Pending, "soaking:"))
	since := stagingDone(t, rel)
	until := since.Add(30 * time.Minute).UTC().Format("15:04 UTC")
	e, _ := rel.Environment("prod")
	if want := "soaking: staging has run 2.0.0 for 0m of 30m (until " + until + ")"; e.Blocker != want {
		t.Errorf("got blocker %q, want %q", e.Blocker, want)
	}
	clock.set(since.Add(12*time.Minute + 30*time.Second))
	h.wait(rel.ID, "the countdown at 12 minutes", envIs("prod", release.Pending,
		"soaking: staging has run 2.0.0 for 12m of 30m (until "+until+")"))
	clock.set(since.Add(30*time.Minute - time.Second))
	h.wait(rel.ID, "the countdown at 29 minutes", envIs("prod", release.Pending, "for 29m of 30m"))
	time.Sleep(200 * time.Millisecond) // several passes a second before the end
	if got, _ := h.releases.Get(context.Background(), rel.ID); got.Status == release.Succeeded {
		t.Fatal("release succeeded a second before the soak's end")
	}
	if n := prod.commits(); n != 1 {
		t.Errorf("prod got %d commits during the soak, want 1 (none promoted)", n)
	}
	clock.set(since.Add(30 * time.Minute))
	rel = h.wait(rel.ID, "success after the soak", status(release.Succeeded))
	if p, _ := rel.Environment("prod"); p.StartedAt == nil || p.StartedAt.Before(since.Add(30*time.Minute)) {
		t.Errorf("prod started at %v, want at or after %v", p.StartedAt, since.Add(30*time.Minute))
	}
	if n := prod.commits(); n != 2 {
		t.Errorf("prod got %d commits, want 2 (the promotion)", n)
	}
}

// TestSoakSurvivesRestart: a runner stopped mid-soak and a new one on the same SQLite file
// go on counting from staging's stored success: the new runner shows 20 of 30 minutes, not a
// fresh start, and promotes prod when 30 minutes have passed since staging succeeded.
func TestSoakSurvivesRestart(t *testing.T) {
	clock := newFakeClock(time.Date(2026, 3, 2, 13, 30, 0, 0, time.UTC))
	dir := t.TempDir()
	path := filepath.Join(dir, "ladder.db")
	first := startRunnerOn(t, path, filepath.Join(dir, "git"), clock.now, nil)
	h := &harness{t: t, releases: first.releases, runner: first.runner, store: first.store, model: first.model}
	h.edit = soakIn("prod", 30*time.Minute, false)
	dev, staging, prod := newRepo(t, "dev", "2.0.0"), newRepo(t, "staging", "1.0.0"), newRepo(t, "prod", "1.0.0")
	rel := h.start("shop", []env{{name: "dev", repo: dev}, {name: "staging", repo: staging, deps: []string{"dev"}},
		{name: "prod", repo: prod, deps: []string{"staging"}}}, release.ActionCommit)
	rel = h.wait(rel.ID, "the soak's blocker", envIs("prod", release.Pending, "soaking:"))
	since := stagingDone(t, rel)
	first.stop()

	clock.set(since.Add(20 * time.Minute))
	second := startRunnerOn(t, path, filepath.Join(dir, "git"), clock.now, nil)
	h.releases, h.runner = second.releases, second.runner
	h.wait(rel.ID, "the count to go on after the restart", envIs("prod", release.Pending, "for 20m of 30m"))
	if n := prod.commits(); n != 1 {
		t.Errorf("prod got %d commits before the soak's end, want 1", n)
	}
	clock.set(since.Add(30 * time.Minute))
	rel = h.wait(rel.ID, "success 30 minutes after staging's success", status(release.Succeeded))
	if n := prod.commits(); n != 2 {
		t.Errorf("prod got %d commits, want 2 (the promotion)", n)
	}
}

// TestSoakEndsWhenUpstreamReplaced: when a newer release puts another version into staging
// while prod soaks on the older one, prod fails saying so and the release fails.
func TestSoakEndsWhenUpstreamReplaced(t *testing.T) {
	clock := newFakeClock(time.Date(2026, 3, 2, 13, 30, 0, 0, time.UTC))
	h := newHarnessAt(t, clock.now)
	h.model.mode = "terminate" // a newer release may go on while the older one soaks
	h.edit = soakIn("prod", 30*time.Minute, false)
	dev, staging, prod := newRepo(t, "dev", "2.0.0"), newRepo(t, "staging", "1.0.0"), newRepo(t, "prod", "1.0.0")
	old := h.start("shop", []env{{name: "dev", repo: dev}, {name: "staging", repo: staging, deps: []string{"dev"}},
		{name: "prod", repo: prod, deps: []string{"staging"}}}, release.ActionCommit)
	h.wait(old.ID, "the soak's blocker", envIs("prod", release.Pending, "soaking:"))

	clock.add(10 * time.Minute)
	h.edit = nil
	newer := h.start("shop", []env{{name: "dev", repo: newRepo(t, "dev", "3.0.0")}, {name: "staging", repo: staging, deps: []string{"dev"}}},
		release.ActionCommit)
	h.wait(newer.ID, "3.0.0 in staging", status(release.Succeeded))
	clock.add(time.Minute) // the soak's next look
	got := h.wait(old.ID, "the soak to fail", status(release.Failed))
	e, _ := got.Environment("prod")
	want := "soak ended: staging no longer runs 2.0.0 (release #2 put 3.0.0 there 10m into the 30m soak)"
	if e.Status != release.Failed || e.Error != want {
		t.Errorf("got prod %s with error %q, want FAILED with %q", e.Status, e.Error, want)
	}
	if n := prod.commits(); n != 1 {
		t.Errorf("prod got %d commits, want 1 (none promoted)", n)
	}
}

// runnerOn is a runner started on a database file, as one Ladder process would run it.
type runnerOn struct {
	releases *release.Service
	runner   *runner.Runner
	store    *gitops.Store
	model    *fakeModel
	stop     func()
}

// startRunnerOn opens the database at path and starts a runner on it; deploy, when set, gives
// the runner's Deploy options from the open database.
func startRunnerOn(t *testing.T, path, gitDir string, now func() time.Time, deploy func(*sql.DB) runner.Deploy) *runnerOn {
	t.Helper()
	conn, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	var d runner.Deploy
	if deploy != nil {
		d = deploy(conn)
	}
	rels := release.NewService(conn, broker.New(), now)
	store := gitops.NewStore(gitDir)
	model := &fakeModel{mode: "queue", limit: 50}
	r := runner.New(conn, rels, store, model, slog.New(slog.NewTextHandler(io.Discard, nil)), now,
		runner.Options{Workers: 2, PollInterval: 20 * time.Millisecond, FreezeRecheck: 50 * time.Millisecond, Deploy: d})
	ctx, cancel := context.WithCancel(context.Background())
	r.StartWorkers(ctx)
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			r.Wait()
			conn.Close()
		}
	}
	t.Cleanup(stop)
	return &runnerOn{releases: rels, runner: r, store: store, model: model, stop: stop}
}

// TestSoakHealth: with health, the end of the soak asks Argo CD about staging's application:
// Progressing waits with Argo CD's report as the blocker, Healthy lets prod start, Degraded
// fails prod.
func TestSoakHealth(t *testing.T) {
	for _, tc := range []struct {
		name, health, want string
		ok                 bool
	}{
		{name: "progressing then healthy", health: "Progressing",
			want: "soaked 30m; waiting for shop-staging in staging to be Healthy in Argo CD (Argo CD: Synced, Progressing", ok: true},
		{name: "degraded", health: "Degraded",
			want: "soak failed: shop-staging in staging is Degraded in Argo CD after 30m (Argo CD: Synced, Degraded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := newFakeClock(time.Date(2026, 3, 2, 13, 30, 0, 0, time.UTC))
			dir := t.TempDir()
			dev, staging, prod := newRepo(t, "dev", "2.0.0"), newRepo(t, "staging", "1.0.0"), newRepo(t, "prod", "1.0.0")
			argo := newFakeArgoCD(t, staging)
			head := git(t, staging.bare, "rev-parse", "main")
			set(argo, "Synced", head, "Healthy")
			on := startRunnerOn(t, filepath.Join(dir, "ladder.db"), filepath.Join(dir, "git"), clock.now, func(conn *sql.DB) runner.Deploy {
				box, err := secret.NewBox([]byte("0123456789abcdef0123456789abcdef"))
				if err != nil {
					t.Fatal(err)
				}
				servers := argocd.NewService(conn, box, fault.NewValidator(), time.Now)
				if _, err := servers.Create(context.Background(), argocd.Input{Name: "prod-cluster", URL: argo.URL, Token: "argo-token"}); err != nil {
					t.Fatal(err)
				}
				return runner.Deploy{ArgoCD: servers, VerifyRecheck: 20 * time.Millisecond}
			})
			h := &harness{t: t, releases: on.releases, runner: on.runner, store: on.store, model: on.model}
			h.edit = func(s *release.Spec) {
				soakIn("prod", 30*time.Minute, true)(s)
				st := &s.Environments[1] // staging: already at its version, watched by Argo CD
				st.Settings.Action.Value = release.ActionNone
				linkArgoCD(&st.Applications[0])
			}
			rel := h.start("shop", []env{{name: "dev", repo: dev}, {name: "staging", repo: staging, deps: []string{"dev"}},
				{name: "prod", repo: prod, deps: []string{"staging"}}}, release.ActionCommit)
			rel = h.wait(rel.ID, "the soak's blocker", envIs("prod", release.Pending, "soaking:"))
			set(argo, "Synced", head, tc.health)
			clock.set(stagingDone(t, rel).Add(30 * time.Minute))
			if !tc.ok {
				got := h.wait(rel.ID, "prod to fail", status(release.Failed))
				if e, _ := got.Environment("prod"); !strings.HasPrefix(e.Error, tc.want) {
					t.Errorf("got prod error %q, want it to start %q", e.Error, tc.want)
				}
				if n := prod.commits(); n != 1 {
					t.Errorf("prod got %d commits, want 1 (none promoted)", n)
				}
				return
			}
			h.wait(rel.ID, "the health blocker", envIs("prod", release.Pending, tc.want))
			set(argo, "Synced", head, "Healthy")
			clock.add(time.Second) // the next look
			h.wait(rel.ID, "success once staging is Healthy", status(release.Succeeded))
			if n := prod.commits(); n != 2 {
				t.Errorf("prod got %d commits, want 2 (the promotion)", n)
			}
		})
	}
}
