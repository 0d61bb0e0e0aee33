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
	"ladder/internal/broker"
	"ladder/internal/credential"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/gitops"
	"ladder/internal/pin"
	"ladder/internal/policy"
	"ladder/internal/product"
	"ladder/internal/promotion"
	"ladder/internal/release"
	"ladder/internal/secret"
	"ladder/internal/user"
	"ladder/internal/workflow"
)

// recorder is an engine that keeps the specs it is asked to start and starts nothing.
type recorder struct{ started []release.Spec }

func (r *recorder) Start(_ context.Context, spec release.Spec) (release.Release, error) {
	r.started = append(r.started, spec)
	return release.Release{ID: "r1"}, nil
}
func (r *recorder) Terminate(context.Context, string, string) error { return nil }
func (r *recorder) Retry(context.Context, string, string) error     { return nil }
func (r *recorder) Decide(context.Context, release.Decision) error  { return nil }
func (r *recorder) OverrideFreeze(context.Context, string, string, string, string) error {
	return nil
}

// gatedModel is product shop in dev, staging and prod on real repositories. Policy
// prod-gates (binding) gives production the pre-action approve-prod, the action pull-request
// and the post-action smoke; staging-commit (binding) gives staging the action commit; base
// (not binding) gives every environment the post-action soak.
func gatedModel(t *testing.T) (*promotion.Service, *recorder) {
	t.Helper()
	svc, engine, _ := gatedModelWithPins(t)
	return svc, engine
}

// gatedModelWithPins is gatedModel with the pin service the promotion service uses.
func gatedModelWithPins(t *testing.T) (*promotion.Service, *recorder, *pin.Service) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Open(ctx, filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	check, now := fault.NewValidator(), time.Now
	envs, pols := environment.NewService(conn, check, now), policy.NewService(conn, check, now)
	for _, e := range []environment.Input{{Name: "dev", Kind: "non-production"}, {Name: "staging", Kind: "non-production"}, {Name: "prod", Kind: "production"}} {
		if _, err := envs.Create(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	wfs := workflow.NewService(conn, check, now)
	for _, w := range []workflow.Input{
		{Name: "approve-prod", Steps: []workflow.Step{{Name: "sign-off", Kind: workflow.KindApproval, Approval: &workflow.ApprovalStep{Required: 1}}}},
		{Name: "smoke", Steps: []workflow.Step{{Name: "soak", Kind: workflow.KindWait, Wait: &workflow.WaitStep{Duration: "1m"}}}},
		{Name: "soak", Steps: []workflow.Step{{Name: "soak", Kind: workflow.KindWait, Wait: &workflow.WaitStep{Duration: "5m"}}}},
	} {
		if _, err := wfs.Create(ctx, w); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []policy.Input{
		{Name: "prod-gates", Priority: 100, Binding: true, Selector: policy.Selector{Environments: policy.EnvironmentSelector{Kinds: []string{"production"}}},
			Settings: policy.Settings{PreAction: "approve-prod", Action: "pull-request", PostAction: "smoke"}},
		{Name: "staging-commit", Priority: 50, Binding: true, Selector: policy.Selector{Environments: policy.EnvironmentSelector{Names: []string{"staging"}}},
			Settings: policy.Settings{Action: "commit"}},
		{Name: "base", Settings: policy.Settings{Action: "commit", PostAction: "soak"}},
	} {
		if _, err := pols.Create(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	prods := product.NewService(conn, check, now)
	if _, err := prods.Create(ctx, product.Input{Name: "shop", Concurrency: "queue", QueueLimit: 50,
		Template: product.Template{Promotion: []product.Entry{{File: "Chart.yaml", JSONPaths: []string{"$.appVersion"}}}}}); err != nil {
		t.Fatal(err)
	}
	apps := application.NewService(conn, check, now)
	for _, env := range []string{"dev", "staging", "prod"} {
		repo := bareRepo(t, "name: shop\nappVersion: 1.0."+map[string]string{"dev": "2", "staging": "1", "prod": "0"}[env]+"\n")
		if _, err := apps.Create(ctx, application.Input{Name: "shop-" + env, Environment: env, Product: "shop", RepoURL: repo, Branch: "main", Path: "."}); err != nil {
			t.Fatal(err)
		}
	}
	box, err := secret.NewBox([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	plan := &promotion.Planner{Products: prods, Applications: apps, Policies: pols, Environments: envs, Workflows: wfs,
		Credentials: credential.NewService(conn, box, check, now), Git: gitops.NewStore(t.TempDir())}
	engine := &recorder{}
	users := user.NewService(conn, check, now, user.GroupRoles{})
	pins := pin.NewService(conn, check, now)
	return promotion.NewService(plan, release.NewService(conn, broker.New(), now), engine, users, pins), engine, pins
}

// bareRepo makes a bare repository with Chart.yaml holding chart and returns its file URL.
func bareRepo(t *testing.T, chart string) string {
	t.Helper()
	dir := t.TempDir()
	work, bare := filepath.Join(dir, "work"), filepath.Join(dir, "deploy.git")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "Chart.yaml"), []byte(chart), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "."}, {"commit", "-q", "-m", "initial"}, {"clone", "-q", "--bare", work, bare}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=t@example.com",
			"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return "file://" + bare
}

// TestBindingGates: with binding policies, a promoter may add checks and tighten a commit to
// a pull request, but may not remove or replace an approval, a workflow or a pull-request
// action; an admin may, with a reason that the release then carries.
func TestBindingGates(t *testing.T) {
	svc, engine := gatedModel(t)
	promoter := promotion.Person(user.User{Name: "pat", GroupRole: user.Promoter})
	admin := promotion.Person(user.User{Name: "ada", GroupRole: user.Admin})
	type want struct {
		field string // the field refused; "" when the promotion starts
		says  []string
		pre   string // the started release's pre-action, action and post-action
		act   string
		post  string
	}
	for _, tc := range []struct {
		name string
		who  promotion.Actor
		req  promotion.Request
		want want
	}{
		{"promoter keeps the gates", promoter, promotion.Request{To: "prod"},
			want{pre: "approve-prod", act: "pull-request", post: "smoke"}},
		{"promoter removes the approval", promoter, promotion.Request{To: "prod", PreAction: "-"},
			want{field: "preAction", says: []string{"locked by policy prod-gates", "remove the pre-action approve-prod"}}},
		{"promoter replaces the approval by a check", promoter, promotion.Request{To: "prod", PreAction: "smoke"},
			want{field: "preAction", says: []string{"prod-gates", "replace the pre-action approve-prod by smoke"}}},
		{"promoter removes the required workflow", promoter, promotion.Request{To: "prod", PostAction: "-"},
			want{field: "postAction", says: []string{"prod-gates", "remove the post-action smoke"}}},
		{"promoter turns pull-request into commit", promoter, promotion.Request{To: "prod", Action: "commit"},
			want{field: "action", says: []string{"prod-gates", "change the action pull-request to commit"}}},
		{"promoter turns pull-request into none", promoter, promotion.Request{To: "prod", Action: "none"},
			want{field: "action", says: []string{"prod-gates", "pull-request to none"}}},
		{"promoter asks for the pull request the policy sets", promoter, promotion.Request{To: "prod", Action: "pull-request"},
			want{pre: "approve-prod", act: "pull-request", post: "smoke"}},
		{"promoter adds a check", promoter, promotion.Request{To: "staging", PreAction: "smoke"},
			want{pre: "smoke", act: "commit", post: "soak"}},
		{"promoter removes a workflow of a policy that is not binding", promoter, promotion.Request{To: "staging", PostAction: "-"},
			want{act: "commit"}},
		{"promoter tightens commit to a pull request", promoter, promotion.Request{To: "staging", Action: "pull-request"},
			want{act: "pull-request", post: "soak"}},
		{"promoter turns a binding commit into none", promoter, promotion.Request{To: "staging", Action: "none"},
			want{field: "action", says: []string{"staging-commit", "change the action commit to none"}}},
		{"admin lifts the approval without a reason", admin, promotion.Request{To: "prod", PreAction: "-"},
			want{field: "reason", says: []string{"remove the pre-action approve-prod", "prod-gates"}}},
		{"admin lifts the approval with a reason", admin, promotion.Request{To: "prod", PreAction: "-", Reason: "hotfix for incident 42"},
			want{act: "pull-request", post: "smoke"}},
		{"admin turns pull-request into commit with a reason", admin, promotion.Request{To: "prod", Action: "commit", Reason: "provider down"},
			want{pre: "approve-prod", act: "commit", post: "smoke"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			engine.started = nil
			tc.req.Product, tc.req.Single, tc.req.From = "shop", true, "dev"
			_, err := svc.Start(context.Background(), tc.who, tc.req)
			if tc.want.field != "" {
				fe, ok := fault.Fields(err)
				if !ok || fe[tc.want.field] == "" {
					t.Fatalf("got %v, want a refusal on %s", err, tc.want.field)
				}
				for _, s := range tc.want.says {
					if !strings.Contains(fe[tc.want.field], s) {
						t.Errorf("refusal %q does not say %q", fe[tc.want.field], s)
					}
				}
				if len(engine.started) != 0 {
					t.Errorf("a refused promotion reached the engine")
				}
				return
			}
			if err != nil {
				t.Fatalf("got %v, want the promotion started", err)
			}
			if len(engine.started) != 1 {
				t.Fatalf("the engine got %d releases, want 1", len(engine.started))
			}
			spec := engine.started[0]
			st := spec.Environments[1].Settings
			if got := [3]string{st.PreAction.Value, st.Action.Value, st.PostAction.Value}; got != [3]string{tc.want.pre, tc.want.act, tc.want.post} {
				t.Errorf("started with %v, want %v", got, [3]string{tc.want.pre, tc.want.act, tc.want.post})
			}
			switch {
			case tc.req.Reason != "" && (!strings.Contains(spec.Reason, tc.req.Reason) || !strings.Contains(spec.Reason, "prod-gates")):
				t.Errorf("release reason %q, want the admin's reason and the policy", spec.Reason)
			case tc.req.Reason == "" && spec.Reason != "":
				t.Errorf("release reason %q, want none: nothing was lifted", spec.Reason)
			}
		})
	}
}

// TestLocksForTheDialog: the dialog learns which settings are locked, by which policy, and
// that only an admin may lift them.
func TestLocksForTheDialog(t *testing.T) {
	svc, _ := gatedModel(t)
	ctx := context.Background()
	promoter := promotion.Person(user.User{Name: "pat", GroupRole: user.Promoter})
	locks, err := svc.Locks(ctx, promoter, "shop", "prod")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range locks {
		got = append(got, l.Field+"="+l.Value+"@"+l.Policy)
		if l.MayLift {
			t.Errorf("a promoter may lift %s", l.Field)
		}
	}
	if strings.Join(got, " ") != "preAction=approve-prod@prod-gates action=pull-request@prod-gates postAction=smoke@prod-gates" {
		t.Errorf("got locks %v", got)
	}
	locks, err = svc.Locks(ctx, promotion.Person(user.User{Name: "ada", GroupRole: user.Admin}), "shop", "staging")
	if err != nil {
		t.Fatal(err)
	}
	if len(locks) != 1 || !locks[0].MayLift || locks[0].Field != "action" || strings.Join(locks[0].Tighten, ",") != "pull-request" {
		t.Errorf("admin's locks in staging: got %+v, want the action, liftable, tightenable to pull-request", locks)
	}
}
