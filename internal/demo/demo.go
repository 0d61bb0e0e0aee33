// Package demo seeds a complete, runnable example into a fresh Ladder: local Git repositories
// for a sample product across dev → staging → (prod-eu, prod-us), its applications, workflows,
// policies and flow — so a newcomer can commit a new version in dev and watch it reach
// production. Seeding goes through the domain services, like an admin in the browser would.
package demo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"ladder/internal/application"
	"ladder/internal/audit"
	"ladder/internal/environment"
	"ladder/internal/flow"
	"ladder/internal/policy"
	"ladder/internal/product"
	"ladder/internal/workflow"
)

// Product is the demo's sample product.
const Product = "shop"

// Flow is the demo's promotion flow.
const Flow = "dev-to-prod"

// Services are the domain services seeding goes through.
type Services struct {
	Environments *environment.Service
	Products     *product.Service
	Applications *application.Service
	Workflows    *workflow.Service
	Policies     *policy.Service
	Flows        *flow.Service
}

// Demo is a seeded demo: where its repositories live and how to make a change in dev.
type Demo struct {
	dir      string // the repositories' directory, <data>/demo-git
	checkURL string // the URL the demo's HTTP check calls
	poll     time.Duration
	mu       sync.Mutex
}

// Options say where Ladder answers and how often it polls Git.
type Options struct {
	BaseURL      string        // where Ladder itself answers; the HTTP check calls its /demo/healthz
	PollInterval time.Duration // how often Ladder polls Git, shown in the guide
}

// Repo is one environment's demo repository.
type Repo struct {
	Environment string
	Path        string // the bare repository on disk
	URL         string // its file:// URL, as the application uses it
}

// Seed makes sure the demo exists in dataDir and in the model, creating what is missing:
// starting twice neither duplicates nor fails.
func Seed(ctx context.Context, dataDir string, opts Options, s Services) (*Demo, error) {
	abs, err := filepath.Abs(dataDir) // the applications' file:// URLs must not depend on the working directory
	if err != nil {
		return nil, err
	}
	d := &Demo{dir: filepath.Join(abs, "demo-git"), checkURL: opts.BaseURL + "/demo/healthz", poll: opts.PollInterval}
	if err := os.MkdirAll(d.dir, 0o755); err != nil {
		return nil, fmt.Errorf("demo repositories: %w", err)
	}
	for _, e := range environments {
		files := map[string]string{
			"Chart.yaml":                chartYAML(startVersion),
			"values.yaml":               valuesYAML(e.name, e.replicas, e.host, e.region, startVersion),
			"templates/deployment.yaml": deploymentYAML,
		}
		if err := createRepo(ctx, d.RepoPath(e.name), files); err != nil {
			return nil, fmt.Errorf("demo repository for %s: %w", e.name, err)
		}
	}
	ctx = audit.WithActor(ctx, "demo")
	for _, step := range []func(context.Context, Services) error{
		d.seedEnvironments, d.seedWorkflows, d.seedPolicies, d.seedFlow, d.seedProduct, d.seedApplications,
	} {
		if err := step(ctx, s); err != nil {
			return nil, fmt.Errorf("seed demo: %w", err)
		}
	}
	return d, nil
}

// RepoPath is the bare repository of environment env.
func (d *Demo) RepoPath(env string) string { return filepath.Join(d.dir, "shop-"+env+".git") }

// Repos lists the demo's repositories in environment order.
func (d *Demo) Repos() []Repo {
	repos := make([]Repo, 0, len(environments))
	for _, e := range environments {
		p := d.RepoPath(e.name)
		repos = append(repos, Repo{Environment: e.name, Path: p, URL: "file://" + filepath.ToSlash(p)})
	}
	return repos
}

// PollInterval is how often Ladder polls the repositories for changes.
func (d *Demo) PollInterval() time.Duration { return d.poll }
