package runner_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/argocd"
	"ladder/internal/broker"
	"ladder/internal/fault"
	"ladder/internal/gitops"
	"ladder/internal/provider"
	"ladder/internal/release"
	"ladder/internal/runner"
	"ladder/internal/secret"
)

// deployHarness is a harness whose runner reaches Git providers and Argo CD through the real
// services on the harness's database.
type deployHarness struct {
	*harness
	providers *provider.Service
	argo      *argocd.Service
}

func newDeployHarness(t *testing.T, deploy runner.Deploy) *deployHarness {
	t.Helper()
	dir := t.TempDir()
	conn, err := db.Open(context.Background(), filepath.Join(dir, "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	box, err := secret.NewBox([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	check := fault.NewValidator()
	d := &deployHarness{providers: provider.NewService(conn, box, check, time.Now),
		argo: argocd.NewService(conn, box, check, time.Now)}
	deploy.Providers, deploy.ArgoCD = d.providers, d.argo
	d.harness = startHarness(t, conn, filepath.Join(dir, "git"), deploy)
	return d
}

func startHarness(t *testing.T, conn *sql.DB, gitDir string, deploy runner.Deploy) *harness {
	rels := release.NewService(conn, broker.New(), time.Now)
	store := gitops.NewStore(gitDir)
	model := &fakeModel{mode: "queue", limit: 50}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	r := runner.New(conn, rels, store, model, log, time.Now, runner.Options{Workers: 2,
		PollInterval: 20 * time.Millisecond, FreezeRecheck: 50 * time.Millisecond, Deploy: deploy})
	ctx, cancel := context.WithCancel(context.Background())
	r.StartWorkers(ctx)
	t.Cleanup(func() { cancel(); r.Wait() })
	return &harness{t: t, releases: rels, runner: r, store: store, model: model}
}

// startTo starts a release of shop from dev to one target environment, letting link set the
// target application's Argo CD link or health URL.
func (h *harness) startTo(dev, target *repo, action string, link func(*release.Target)) release.Release {
	h.t.Helper()
	ctx := context.Background()
	vals, sha, err := h.store.ReadSource(ctx, gitops.Remote{URL: dev.url()}, "main", ".", "", template)
	if err != nil {
		h.t.Fatalf("read source: %v", err)
	}
	app := release.Target{Environment: "staging", Name: "shop-staging", RepoURL: target.url(), Branch: "main", Path: "."}
	if link != nil {
		link(&app)
	}
	spec := release.Spec{Product: "shop", Flow: "test-flow", Version: "2.0.0", TriggerEnv: "dev", SourceApp: "shop-dev",
		Initiator: "tester", Trigger: release.Commit{SHA: sha, Branch: "main"},
		Plan: release.Plan{Template: template, Values: vals, Source: release.Target{Environment: "dev", Name: "shop-dev",
			RepoURL: dev.url(), Branch: "main", Path: "."}}, Timeout: time.Hour,
		Environments: []release.EnvironmentSpec{{Name: "dev", IsTrigger: true},
			{Name: "staging", DependsOn: []string{"dev"}, Applications: []release.Target{app},
				Settings: release.Settings{Action: release.Setting{Value: action, Origin: "test"}}}}}
	rel, err := h.runner.Start(ctx, spec)
	if err != nil {
		h.t.Fatalf("start release: %v", err)
	}
	return rel
}

// blocker waits until staging's blocker contains want and returns the release then.
func (h *harness) blocker(id, want string) release.Release {
	h.t.Helper()
	return h.wait(id, "staging blocker "+want, func(r release.Release) bool {
		e, _ := r.Environment("staging")
		return strings.Contains(e.Blocker, want)
	})
}

func stagingApp(r release.Release) release.Application {
	e, _ := r.Environment("staging")
	return e.Applications[0]
}

func envFailed(want string) func(release.Release) bool {
	return func(r release.Release) bool {
		e, _ := r.Environment("staging")
		return e.Status == release.Failed && strings.Contains(e.Error, want)
	}
}
