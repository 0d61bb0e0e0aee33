package loadtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"ladder/db"
	"ladder/internal/application"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/flow"
	"ladder/internal/policy"
	"ladder/internal/product"
)

// FlowName is the flow Seed creates: from the first environment through every other in turn.
const FlowName = "main"

// Model is what Seed created: per product, its repository in each environment.
type Model struct {
	Envs  []string                    // the trigger environment first
	Repos map[string]map[string]*Repo // product → environment → repository
}

// Seed builds the model in the database of dataDir before Ladder first starts: environments
// envs (the first is the trigger; those already there are kept), one product per name with a
// chart template, one application per product and environment on a new bare repository under
// reposDir, a global policy with action commit, and the flow FlowName. Products list no flows, so commits to
// their repositories start nothing by themselves: every release is started on purpose. host,
// when set, gives a repository's address from its directory's name (a Git server serving
// reposDir); without it applications use file:// addresses.
func Seed(ctx context.Context, dataDir, reposDir string, products, envs []string, host func(name string) string) (Model, error) {
	m := Model{Envs: envs, Repos: map[string]map[string]*Repo{}}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return m, err
	}
	conn, err := db.Open(ctx, filepath.Join(dataDir, "ladder.db"))
	if err != nil {
		return m, err
	}
	defer conn.Close()
	check := fault.NewValidator()
	envSvc := environment.NewService(conn, check, time.Now)
	for i, e := range envs {
		kind := "non-production"
		if i == len(envs)-1 {
			kind = "production"
		}
		if _, err := envSvc.Get(ctx, e); err == nil {
			continue // seeded before, with a history
		}
		if _, err := envSvc.Create(ctx, environment.Input{Name: e, Kind: kind}); err != nil {
			return m, fmt.Errorf("environment %s: %w", e, err)
		}
	}
	pols := policy.NewService(conn, check, time.Now)
	if _, err := pols.Create(ctx, policy.Input{Name: "commit-everywhere", Settings: policy.Settings{Action: "commit"}}); err != nil {
		return m, fmt.Errorf("policy: %w", err)
	}
	in := flow.Input{Name: FlowName, TriggerEnvironment: envs[0]}
	for _, e := range envs[1:] {
		in.Steps = append(in.Steps, flow.Step{Environment: e})
	}
	if _, err := flow.NewService(conn, check, time.Now, envSvc, pols).Create(ctx, in); err != nil {
		return m, fmt.Errorf("flow: %w", err)
	}
	prods, apps := product.NewService(conn, check, time.Now), application.NewService(conn, check, time.Now)
	for _, p := range products {
		if err := seedProduct(ctx, prods, apps, reposDir, p, envs, host, m); err != nil {
			return m, err
		}
	}
	return m, nil
}

func seedProduct(ctx context.Context, prods *product.Service, apps *application.Service, reposDir, name string, envs []string,
	host func(string) string, m Model) error {
	tmpl := product.Template{VersionSource: product.VersionSource{File: "Chart.yaml", JSONPath: "$.appVersion"},
		Promotion: []product.Entry{{File: "Chart.yaml", JSONPaths: []string{"$.appVersion"}}, {File: "values.yaml", JSONPaths: []string{"$.image.tag"}}}}
	if _, err := prods.Create(ctx, product.Input{Name: name, Concurrency: "queue", QueueLimit: 1000, Template: tmpl}); err != nil {
		return fmt.Errorf("product %s: %w", name, err)
	}
	m.Repos[name] = map[string]*Repo{}
	for _, e := range envs {
		repo, err := NewRepo(reposDir, name+"-"+e, "0.0.0")
		if err != nil {
			return err
		}
		m.Repos[name][e] = repo
		url := repo.URL()
		if host != nil {
			url = host(filepath.Base(repo.Bare))
		}
		in := application.Input{Name: name + "-" + e, Environment: e, Product: name, RepoURL: url, Branch: "main", Path: "."}
		if _, err := apps.Create(ctx, in); err != nil {
			return fmt.Errorf("application %s-%s: %w", name, e, err)
		}
	}
	return nil
}
