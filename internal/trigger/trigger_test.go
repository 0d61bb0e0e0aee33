package trigger_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/application"
	"ladder/internal/argocd"
	"ladder/internal/broker"
	"ladder/internal/credential"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/flow"
	"ladder/internal/gitops"
	"ladder/internal/pin"
	"ladder/internal/policy"
	"ladder/internal/product"
	"ladder/internal/promotion"
	"ladder/internal/provider"
	"ladder/internal/release"
	"ladder/internal/runner"
	"ladder/internal/secret"
	"ladder/internal/trigger"
)

const webhookSecret = "hook-secret"

// world is a whole model on a real SQLite file: dev and staging, product shop with two flows
// (hotfix: commit messages "hotfix:*"; dev-to-staging: anything but "*[skip]*"), applications
// on real bare repositories, and a runner that starts (but does not run) releases.
type world struct {
	t        *testing.T
	conn     *sql.DB
	deps     trigger.Deps
	releases *release.Service
	dev      string // work tree of the dev repository
	log      *slog.Logger
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=dev", "GIT_AUTHOR_EMAIL=dev@example.com",
		"GIT_COMMITTER_NAME=dev", "GIT_COMMITTER_EMAIL=dev@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// newRepo makes a bare repository with the chart under chart/ and a work tree to commit from.
func newRepo(t *testing.T, name string) (bare, work string) {
	root := t.TempDir()
	bare, work = filepath.Join(root, name+".git"), filepath.Join(root, name)
	git(t, root, "init", "-q", "--bare", "-b", "main", bare)
	git(t, root, "clone", "-q", bare, work)
	writeFile(t, work, "chart/Chart.yaml", "apiVersion: v2\nname: shop\nappVersion: \"1.0.0\"\n")
	writeFile(t, work, "README.md", "shop\n")
	commit(t, work, "initial")
	return bare, work
}

func writeFile(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func commit(t *testing.T, work, msg string) string {
	git(t, work, "add", "-A")
	git(t, work, "commit", "-q", "-m", msg)
	git(t, work, "push", "-q", "origin", "HEAD:main")
	return git(t, work, "rev-parse", "HEAD")
}

// fakeModel answers the runner's model questions: no credentials, nothing frozen, queue.
type fakeModel struct{}

func (fakeModel) Credentials(context.Context, string) (gitops.Credentials, error) {
	return gitops.Credentials{}, nil
}
func (fakeModel) Freeze(context.Context, string, string, bool) (string, error) { return "", nil }
func (fakeModel) Pin(context.Context, string, string) (pin.Pin, bool, error) {
	return pin.Pin{}, false, nil
}
func (fakeModel) Concurrency(context.Context, string) (string, int, error) {
	return "queue", 50, nil
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	conn, err := db.Open(ctx, filepath.Join(dir, "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	box, _ := secret.NewBox([]byte("0123456789abcdef0123456789abcdef"))
	check, now := fault.NewValidator(), time.Now
	envs, policies := environment.NewService(conn, check, now), policy.NewService(conn, check, now)
	flows := flow.NewService(conn, check, now, envs, policies)
	products, apps := product.NewService(conn, check, now), application.NewService(conn, check, now)
	creds, providers := credential.NewService(conn, box, check, now), provider.NewService(conn, box, check, now)
	store := gitops.NewStore(filepath.Join(dir, "git"))
	devBare, devWork := newRepo(t, "dev")
	stagingBare, _ := newRepo(t, "staging")
	must(t, func() error {
		_, err := envs.Create(ctx, environment.Input{Name: "dev", Kind: "non-production"})
		return err
	})
	must(t, func() error {
		_, err := envs.Create(ctx, environment.Input{Name: "staging", Kind: "non-production"})
		return err
	})
	must(t, func() error {
		_, err := policies.Create(ctx, policy.Input{Name: "default", Settings: policy.Settings{Action: "commit"}})
		return err
	})
	for _, name := range []string{"hotfix", "dev-to-staging"} {
		must(t, func() error {
			_, err := flows.Create(ctx, flow.Input{Name: name, TriggerEnvironment: "dev", Steps: []flow.Step{{Environment: "staging"}}})
			return err
		})
	}
	must(t, func() error {
		_, err := products.Create(ctx, product.Input{Name: "shop", Concurrency: "queue", QueueLimit: 50,
			Template: product.Template{VersionSource: product.VersionSource{File: "Chart.yaml", JSONPath: "$.appVersion"},
				Promotion: []product.Entry{{File: "Chart.yaml", JSONPaths: []string{"$.appVersion"}}}},
			Flows: []product.FlowRef{
				{Flow: "hotfix", TriggerSelectors: []product.Selector{{Key: "commitMessage", Operator: "In", Values: []string{"hotfix:*"}}}},
				{Flow: "dev-to-staging", TriggerSelectors: []product.Selector{{Key: "commitMessage", Operator: "NotIn", Values: []string{"*[skip]*"}}}},
			}})
		return err
	})
	for env, bare := range map[string]string{"dev": devBare, "staging": stagingBare} {
		must(t, func() error {
			_, err := apps.Create(ctx, application.Input{Name: "shop-" + env, Environment: env, Product: "shop",
				RepoURL: "file://" + bare, Branch: "main", Path: "chart"})
			return err
		})
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rels := release.NewService(conn, broker.New(), now)
	run := runner.New(conn, rels, store, fakeModel{}, log, now, runner.Options{}) // workers not started: releases stay QUEUED
	planner := &promotion.Planner{Products: products, Applications: apps, Flows: flows, Policies: policies,
		Environments: envs, Credentials: creds, Git: store}
	deps := trigger.Deps{Products: products, Flows: flows, Applications: apps, ArgoCD: argocd.NewService(conn, box, check, now),
		Remote: creds.Remote, Git: store, Starter: promotion.NewService(planner, rels, run, nil, nil), Merges: run,
		WebhookSecrets: providers.WebhookSecrets}
	return &world{t: t, conn: conn, deps: deps, releases: rels, dev: devWork, log: log}
}

func must(t *testing.T, fn func() error) {
	t.Helper()
	if err := fn(); err != nil {
		t.Fatal(err)
	}
}

func (w *world) trigger(interval time.Duration) *trigger.Trigger {
	return trigger.New(w.conn, w.deps, interval, w.log, time.Now)
}

func (w *world) list() []release.Release {
	w.t.Helper()
	list, err := w.releases.List(context.Background(), release.Filter{Product: "shop"})
	if err != nil {
		w.t.Fatal(err)
	}
	return list
}

// waitReleases waits until shop has n releases.
func (w *world) waitReleases(n int, within time.Duration) []release.Release {
	w.t.Helper()
	deadline := time.Now().Add(within)
	for {
		list := w.list()
		if len(list) == n {
			return list
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("got %d releases, want %d", len(list), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
