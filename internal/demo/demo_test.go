package demo_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/application"
	"ladder/internal/demo"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/flow"
	"ladder/internal/policy"
	"ladder/internal/product"
	"ladder/internal/workflow"
)

func services(t *testing.T, dataDir string) demo.Services {
	t.Helper()
	conn, err := db.Open(context.Background(), filepath.Join(dataDir, "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	check, now := fault.NewValidator(), time.Now
	envs := environment.NewService(conn, check, now)
	policies := policy.NewService(conn, check, now)
	return demo.Services{Environments: envs, Policies: policies,
		Products: product.NewService(conn, check, now), Applications: application.NewService(conn, check, now),
		Workflows: workflow.NewService(conn, check, now), Flows: flow.NewService(conn, check, now, envs, policies)}
}

func gitShow(t *testing.T, bare string, what ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", bare, "show"}, what...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git show %v: %v\n%s", what, err, out)
	}
	return string(out)
}

// TestSeedTwiceThenNewVersion: seeding twice (a second start) keeps one of everything, the
// applications point at real repositories, and "New version in dev" commits the next patch
// version to dev only, as demo-ci, leaving comments and environment settings as they were.
func TestSeedTwiceThenNewVersion(t *testing.T) {
	ctx, dir := context.Background(), t.TempDir()
	s := services(t, dir)
	var d *demo.Demo
	for i := range 2 {
		var err error
		if d, err = demo.Seed(ctx, dir, demo.Options{BaseURL: "http://127.0.0.1:9"}, s); err != nil {
			t.Fatalf("seed %d: %v", i+1, err)
		}
	}
	envs, _ := s.Environments.List(ctx)
	apps, _ := s.Applications.List(ctx)
	flows, _ := s.Flows.List(ctx)
	workflows, _ := s.Workflows.List(ctx)
	policies, _ := s.Policies.List(ctx)
	counts := map[string][2]int{"environments": {len(envs), 4}, "applications": {len(apps), 4},
		"flows": {len(flows), 1}, "workflows": {len(workflows), 2}, "policies": {len(policies), 2}}
	for what, c := range counts {
		if c[0] != c[1] {
			t.Errorf("%s: got %d, want %d", what, c[0], c[1])
		}
	}
	prodEU, err := s.Environments.Get(ctx, "prod-eu")
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Policies.Evaluate(ctx, policy.Product{Name: demo.Product}, policy.Environment{Name: prodEU.Name, Kind: prodEU.Kind}, policy.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Settings().PreAction; got != demo.ApprovalWorkflow {
		t.Errorf("prod-eu pre-action: got %q, want %q", got, demo.ApprovalWorkflow)
	}

	c, err := d.NewVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != "1.3.1" {
		t.Errorf("new version: got %q, want 1.3.1", c.Version)
	}
	dev := d.RepoPath("dev")
	if got := gitShow(t, dev, "-s", "--format=%an %s", "main"); strings.TrimSpace(got) != "demo-ci shop: build 1.3.1" {
		t.Errorf("dev head: got %q, want demo-ci's build commit", got)
	}
	values := gitShow(t, dev, "main:values.yaml")
	for _, want := range []string{`tag: "1.3.1" # set by CI in dev, promoted by Ladder`, "replicaCount: 1", "# Values of the shop chart in dev."} {
		if !strings.Contains(values, want) {
			t.Errorf("dev values.yaml: got\n%s\nwant it to contain %q", values, want)
		}
	}
	if got := gitShow(t, dev, "main:Chart.yaml"); !strings.Contains(got, `appVersion: "1.3.1"`) {
		t.Errorf("dev Chart.yaml: got\n%s\nwant appVersion 1.3.1", got)
	}
	if got := gitShow(t, d.RepoPath("staging"), "main:Chart.yaml"); !strings.Contains(got, `appVersion: "1.3.0"`) {
		t.Errorf("staging Chart.yaml: got\n%s\nwant it untouched at 1.3.0", got)
	}
}

// TestSeedFollowsTheListenAddress: started on another address, the demo's HTTP check calls
// the new one.
func TestSeedFollowsTheListenAddress(t *testing.T) {
	ctx, dir := context.Background(), t.TempDir()
	s := services(t, dir)
	for _, base := range []string{"http://127.0.0.1:8080", "http://127.0.0.1:9090"} {
		if _, err := demo.Seed(ctx, dir, demo.Options{BaseURL: base}, s); err != nil {
			t.Fatal(err)
		}
	}
	w, err := s.Workflows.Get(ctx, demo.SmokeWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := w.Steps[0].HTTP.URL, "http://127.0.0.1:9090/demo/healthz"; got != want {
		t.Errorf("check URL: got %q, want %q", got, want)
	}
}
