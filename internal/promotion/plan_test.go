package promotion_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/application"
	"ladder/internal/credential"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/flow"
	"ladder/internal/gitops"
	"ladder/internal/policy"
	"ladder/internal/product"
	"ladder/internal/promotion"
	"ladder/internal/release"
	"ladder/internal/secret"
	"ladder/internal/workflow"
)

// TestTriggerEnvironmentPlan: a flow's release and a single promotion verify the source
// application in the trigger environment (not its other applications) and give it the
// post-action the policies decide there; its pre-action is none and its action none, both
// from the trigger environment, since the change is already in Git there.
func TestTriggerEnvironmentPlan(t *testing.T) {
	ctx := context.Background()
	planner := newPlanner(t)
	flowSpec, err := planner.FlowSpec(ctx, promotion.FlowRequest{Product: "shop", Flow: "dev-to-prod", SourceApp: "shop-dev", Initiator: "tester"})
	if err != nil {
		t.Fatalf("flow spec: %v", err)
	}
	single, err := planner.PromotionSpec(ctx, promotion.PromotionRequest{Product: "shop", From: "dev", To: "prod", SourceApp: "shop-dev", Initiator: "tester"})
	if err != nil {
		t.Fatalf("promotion spec: %v", err)
	}
	for name, spec := range map[string]release.Spec{"flow": flowSpec, "single promotion": single} {
		t.Run(name, func(t *testing.T) {
			e := spec.Environments[0]
			if !e.IsTrigger || e.Name != "dev" || e.Kind != environment.KindNonProduction {
				t.Fatalf("got first environment %s (trigger %v, kind %q), want the trigger environment dev", e.Name, e.IsTrigger, e.Kind)
			}
			want := release.Settings{
				PreAction:  release.Setting{Origin: promotion.OriginTrigger},
				Action:     release.Setting{Value: release.ActionNone, Origin: promotion.OriginTrigger},
				PostAction: release.Setting{Value: "smoke", Origin: "everywhere"},
			}
			if e.Settings != want {
				t.Errorf("got trigger settings %+v, want %+v", e.Settings, want)
			}
			if len(e.Applications) != 1 || e.Applications[0].Name != "shop-dev" || e.Applications[0].HealthURL != "https://dev.example/healthz" {
				t.Errorf("got trigger applications %+v, want only shop-dev with its health URL", e.Applications)
			}
			if got := spec.Environments[1].Settings.PreAction.Value; got != "gate" {
				t.Errorf("got prod's pre-action %q, want gate", got)
			}
		})
	}
}

// newPlanner is a planner over a real model: dev and prod, a global policy (pre-action gate,
// action commit, post-action smoke), the flow dev-to-prod, and product shop with two
// applications in dev and one in prod, on one real repository.
func newPlanner(t *testing.T) *promotion.Planner {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	conn, err := db.Open(ctx, filepath.Join(dir, "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	bare := filepath.Join(dir, "shop.git")
	work := filepath.Join(dir, "shop")
	run(t, dir, "git", "init", "-q", "--bare", "-b", "main", bare)
	run(t, dir, "git", "clone", "-q", bare, work)
	if err := os.WriteFile(filepath.Join(work, "Chart.yaml"), []byte("apiVersion: v2\nname: shop\nappVersion: \"2.0.0\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, work, "git", "add", "-A")
	run(t, work, "git", "commit", "-q", "-m", "initial")
	run(t, work, "git", "push", "-q", "origin", "HEAD:main")

	box, _ := secret.NewBox([]byte("0123456789abcdef0123456789abcdef"))
	check, now := fault.NewValidator(), time.Now
	envs, policies := environment.NewService(conn, check, now), policy.NewService(conn, check, now)
	p := &promotion.Planner{Products: product.NewService(conn, check, now), Applications: application.NewService(conn, check, now),
		Flows: flow.NewService(conn, check, now, envs, policies), Policies: policies, Environments: envs,
		Credentials: credential.NewService(conn, box, check, now), Git: gitops.NewStore(filepath.Join(dir, "git")),
		Workflows: workflow.NewService(conn, check, now)}
	steps := []workflow.Step{{Name: "wait", Kind: workflow.KindWait, Wait: &workflow.WaitStep{Duration: "1s"}}}
	for _, step := range []func() error{
		func() error {
			_, err := envs.Create(ctx, environment.Input{Name: "dev", Kind: "non-production"})
			return err
		},
		func() error {
			_, err := envs.Create(ctx, environment.Input{Name: "prod", Kind: "production"})
			return err
		},
		func() error {
			_, err := p.Workflows.Create(ctx, workflow.Input{Name: "gate", Steps: steps})
			return err
		},
		func() error {
			_, err := p.Workflows.Create(ctx, workflow.Input{Name: "smoke", Steps: steps})
			return err
		},
		func() error {
			_, err := policies.Create(ctx, policy.Input{Name: "everywhere", Settings: policy.Settings{PreAction: "gate", Action: "commit", PostAction: "smoke"}})
			return err
		},
		func() error {
			_, err := p.Flows.Create(ctx, flow.Input{Name: "dev-to-prod", TriggerEnvironment: "dev", Steps: []flow.Step{{Environment: "prod"}}})
			return err
		},
		func() error {
			_, err := p.Products.Create(ctx, product.Input{Name: "shop", Concurrency: "queue", QueueLimit: 50,
				Template: product.Template{VersionSource: product.VersionSource{File: "Chart.yaml", JSONPath: "$.appVersion"},
					Promotion: []product.Entry{{File: "Chart.yaml", JSONPaths: []string{"$.appVersion"}}}},
				Flows: []product.FlowRef{{Flow: "dev-to-prod"}}})
			return err
		},
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []application.Input{
		{Name: "shop-dev", Environment: "dev", HealthURL: "https://dev.example/healthz"},
		{Name: "shop-dev-eu", Environment: "dev"},
		{Name: "shop-prod", Environment: "prod"},
	} {
		a.Product, a.RepoURL, a.Branch, a.Path = "shop", "file://"+bare, "main", "."
		if _, err := p.Applications.Create(ctx, a); err != nil {
			t.Fatalf("create application %s: %v", a.Name, err)
		}
	}
	return p
}

func run(t *testing.T, dir, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=test", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=test", "GIT_COMMITTER_EMAIL=t@example.com")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}
