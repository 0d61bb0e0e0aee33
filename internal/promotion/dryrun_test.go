package promotion_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"ladder/db"
	"ladder/internal/application"
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
	"ladder/internal/release"
	"ladder/internal/runner"
	"ladder/internal/secret"
	"ladder/internal/workflow"
)

// shopWorld is product shop on real bare repositories (dev → staging → prod, each laid out
// its own way), the model on a real SQLite file, and the real runner with its workers running.
type shopWorld struct {
	svc   *promotion.Service
	rels  *release.Service
	envs  *environment.Service
	pins  *pin.Service
	flows *flow.Service
	bares map[string]string // environment → bare repository
}

func gitIn(t *testing.T, dir string, args ...string) string {
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

// newBare makes a bare repository holding files on main and returns its path.
func newBare(t *testing.T, name string, files map[string]string) string {
	root := t.TempDir()
	bare, work := filepath.Join(root, name+".git"), filepath.Join(root, name)
	gitIn(t, root, "init", "-q", "--bare", "-b", "main", bare)
	gitIn(t, root, "clone", "-q", bare, work)
	for n, body := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(work, n)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(work, n), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gitIn(t, work, "add", "-A")
	gitIn(t, work, "commit", "-q", "-m", "initial")
	gitIn(t, work, "push", "-q", "origin", "HEAD:main")
	return bare
}

// worldModel answers the runner from the model: no credentials, freezes from the environments.
type worldModel struct{ envs *environment.Service }

func (worldModel) Credentials(context.Context, string) (gitops.Credentials, error) {
	return gitops.Credentials{}, nil
}
func (m worldModel) Freeze(ctx context.Context, _, name string, _ bool) (string, error) {
	e, err := m.envs.Get(ctx, name)
	if err != nil || !e.FrozenAt(time.Now()) {
		return "", err
	}
	return e.Blocker(), nil
}
func (worldModel) Concurrency(context.Context, string) (string, int, error) { return "queue", 50, nil }
func (worldModel) Pin(context.Context, string, string) (pin.Pin, bool, error) {
	return pin.Pin{}, false, nil
}

// errOf drops a result, keeping its error.
func errOf[T any](_ T, err error) error { return err }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func newShopWorld(t *testing.T) shopWorld {
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
	flows, wfs := flow.NewService(conn, check, now, envs, policies), workflow.NewService(conn, check, now)
	products, apps := product.NewService(conn, check, now), application.NewService(conn, check, now)
	creds := credential.NewService(conn, box, check, now)
	w := shopWorld{envs: envs, bares: map[string]string{
		"dev": newBare(t, "dev", map[string]string{"chart/Chart.yaml": "apiVersion: v2\nname: shop\nappVersion: \"2.1.0\"\n",
			"chart/values.yaml": "image:\n  repository: shop\n  tag: \"2.1.0\" # set by CI\nreplicas: 1\n"}),
		"staging": newBare(t, "staging", map[string]string{"chart/Chart.yaml": "apiVersion: v2\nname: shop\nappVersion: \"2.0.0\"\n",
			"chart/values.yaml": "# staging\nimage:\n  repository: shop\n  tag: \"2.0.0\" # promoted\nreplicas: 2\n"}),
		"prod": newBare(t, "prod", map[string]string{"deploy/shop/Chart.yaml": "apiVersion: v2\nname: shop\nappVersion: 1.9.0 # prod\n",
			"deploy/shop/values.yaml": "# production: keep replicas and host\nimage:\n  repository: shop\n\n  tag: '1.9.0'\nreplicas: 6\nhost: shop.example\n",
			"README.md":               "prod\n"}),
	}}
	must(t, errOf(envs.Create(ctx, environment.Input{Name: "dev", Kind: "non-production"})))
	must(t, errOf(envs.Create(ctx, environment.Input{Name: "staging", Kind: "non-production"})))
	must(t, errOf(envs.Create(ctx, environment.Input{Name: "prod", Kind: "production"})))
	must(t, errOf(wfs.Create(ctx, workflow.Input{Name: "smoke", Timeout: "1m", Steps: []workflow.Step{{Name: "check", Kind: "exec", Exec: &workflow.ExecStep{Command: "true"}}}})))
	must(t, errOf(policies.Create(ctx, policy.Input{Name: "default", Settings: policy.Settings{Action: "commit"}})))
	must(t, errOf(policies.Create(ctx, policy.Input{Name: "prod-smoke", Priority: 10,
		Selector: policy.Selector{Environments: policy.EnvironmentSelector{Kinds: []string{"production"}}}, Settings: policy.Settings{PostAction: "smoke"}})))
	must(t, errOf(flows.Create(ctx, flow.Input{Name: "dev-to-prod", TriggerEnvironment: "dev",
		Steps: []flow.Step{{Environment: "staging"}, {Environment: "prod", DependsOn: []string{"staging"}}}})))
	must(t, errOf(products.Create(ctx, product.Input{Name: "shop", Concurrency: "queue", QueueLimit: 50,
		Template: product.Template{VersionSource: product.VersionSource{File: "Chart.yaml", JSONPath: "$.appVersion"},
			Promotion: []product.Entry{{File: "Chart.yaml", JSONPaths: []string{"$.appVersion"}}, {File: "values.yaml", JSONPaths: []string{"$.image.tag"}}}},
		Flows: []product.FlowRef{{Flow: "dev-to-prod"}}})))
	for env, path := range map[string]string{"dev": "chart", "staging": "chart", "prod": "deploy/shop"} {
		must(t, errOf(apps.Create(ctx, application.Input{Name: "shop-" + env, Environment: env, Product: "shop",
			RepoURL: "file://" + w.bares[env], Branch: "main", Path: path})))
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	w.rels = release.NewService(conn, broker.New(), now)
	store := gitops.NewStore(filepath.Join(dir, "git"))
	run := runner.New(conn, w.rels, store, worldModel{envs}, log, now, runner.Options{Workers: 2,
		PollInterval: 20 * time.Millisecond, Workflows: wfs})
	runCtx, stop := context.WithCancel(context.Background())
	run.StartWorkers(runCtx)
	t.Cleanup(func() { stop(); run.Wait() })
	planner := &promotion.Planner{Products: products, Applications: apps, Flows: flows, Policies: policies,
		Environments: envs, Credentials: creds, Git: store, Workflows: wfs}
	w.pins, w.flows = pin.NewService(conn, check, now), flows
	w.svc = promotion.NewService(planner, w.rels, run, nil, w.pins)
	return w
}

// head is the SHA of main in env's bare repository.
func (w shopWorld) head(t *testing.T, env string) string {
	return gitIn(t, w.bares[env], "rev-parse", "main")
}

// TestDryRunDiffIsTheReleasesCommit: a dry run of a flow resolves every environment's settings
// with their origins, names the workflows that would run, writes nothing to Git or to the
// release tables, and its patch for each target is, byte for byte, the patch of the commit the
// real release then makes there.
func TestDryRunDiffIsTheReleasesCommit(t *testing.T) {
	ctx := context.Background()
	w := newShopWorld(t)
	who := promotion.Trigger()
	req := promotion.Request{Product: "shop", Flow: "dev-to-prod"}
	heads := map[string]string{}
	for env := range w.bares {
		heads[env] = w.head(t, env)
	}

	plan, err := w.svc.DryRun(ctx, who, req)
	if err != nil {
		t.Fatal(err)
	}
	for env, before := range heads {
		if got := w.head(t, env); got != before {
			t.Errorf("%s: the dry run moved main from %s to %s", env, before, got)
		}
	}
	if list, err := w.rels.List(ctx, release.Filter{Limit: 10}); err != nil || len(list) != 0 {
		t.Fatalf("the dry run left %d releases (%v), want none", len(list), err)
	}
	if plan.Version != "2.1.0" || plan.Trigger.SHA != heads["dev"] || len(plan.Environments) != 3 {
		t.Fatalf("got version %q at %s over %d environments, want 2.1.0 at dev's head over 3", plan.Version, plan.Trigger.SHA, len(plan.Environments))
	}
	prod := plan.Environments[2]
	if prod.Name != "prod" || prod.Settings.Action != (release.Setting{Value: "commit", Origin: "default"}) ||
		prod.Settings.PostAction != (release.Setting{Value: "smoke", Origin: "prod-smoke"}) || prod.Frozen {
		t.Errorf("prod: got %+v, want commit from default, post-action smoke from prod-smoke, not frozen", prod)
	}
	if got := strings.Join(prod.Steps(), "; "); got != "action: commit; post-action: smoke" {
		t.Errorf("prod runs %q, want the commit and then smoke", got)
	}

	rel, err := w.svc.Start(ctx, who, req)
	if err != nil {
		t.Fatal(err)
	}
	rel = waitFinal(t, w.rels, rel.ID)
	if rel.Status != release.Succeeded {
		t.Fatalf("the release ended %s (%s), want SUCCEEDED", rel.Status, rel.Error)
	}
	for _, pe := range plan.Environments[1:] {
		re, _ := rel.Environment(pe.Name)
		pa, ra := pe.Applications[0], re.Applications[0]
		if pa.Error != "" || pa.NoChanges || pa.Patch == "" {
			t.Fatalf("%s: the dry run says error %q, no changes %v", pe.Name, pa.Error, pa.NoChanges)
		}
		got := commitPatch(t, w.bares[pe.Name], ra.CommitSHA, pa.Base)
		if got != pa.Patch {
			t.Errorf("%s: the release's commit %s differs from the dry run:\ncommit:\n%s\ndry run:\n%s", pe.Name, ra.CommitSHA, got, pa.Patch)
		}
	}

	// Afterwards the targets hold the values, and a frozen environment says so.
	must(t, errOf(w.envs.Freeze(ctx, "prod", environment.FreezeInput{Reason: "holiday"})))
	again, err := w.svc.DryRun(ctx, who, req)
	if err != nil {
		t.Fatal(err)
	}
	if p := again.Environments[2]; !p.Frozen || p.Blocker != "environment frozen: holiday" || !p.Applications[0].NoChanges || p.Applications[0].Patch != "" {
		t.Errorf("prod after the release, frozen: got %+v, want frozen with no changes", p)
	}
	if again.Environments[2].Pin != nil {
		t.Errorf("prod unpinned: the dry run shows the pin %+v", again.Environments[2].Pin)
	}
	// A pin shows where it holds.
	must(t, errOf(w.pins.Set(ctx, pin.Input{Product: "shop", Environment: "prod", Version: "1.3.0", Reason: "bad cache", By: "ann"})))
	pinned, err := w.svc.DryRun(ctx, who, req)
	if err != nil {
		t.Fatal(err)
	}
	if p := pinned.Environments[2].Pin; p == nil || p.Blocker() != "pinned at 1.3.0 by ann: bad cache" {
		t.Errorf("prod pinned: the dry run shows pin %+v, want it pinned at 1.3.0 by ann", p)
	}
}

// commitPatch is go-git's patch of commit sha in the bare repository against its parent,
// which must be base.
func commitPatch(t *testing.T, bare, sha, base string) string {
	t.Helper()
	g, err := gogit.PlainOpen(bare)
	if err != nil {
		t.Fatal(err)
	}
	c, err := g.CommitObject(plumbing.NewHash(sha))
	if err != nil {
		t.Fatal(err)
	}
	parent, err := c.Parent(0)
	if err != nil {
		t.Fatal(err)
	}
	if parent.Hash.String() != base {
		t.Errorf("commit %s has parent %s, want the dry run's base %s", sha, parent.Hash, base)
	}
	p, err := parent.Patch(c)
	if err != nil {
		t.Fatal(err)
	}
	return p.String()
}

func waitFinal(t *testing.T, rels *release.Service, id string) release.Release {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		rel, err := rels.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		switch rel.Status {
		case release.Succeeded, release.Failed, release.Terminated:
			return rel
		}
		if time.Now().After(deadline) {
			t.Fatalf("release %s still %s (%s) after 30 s", id, rel.Status, rel.Blocker)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestSoakIsPlannedAndCopiedToTheRelease: a flow step's soak shows in the dry run of its
// environment and is copied onto the release's environment, which then waits with the
// countdown once staging succeeded.
func TestSoakIsPlannedAndCopiedToTheRelease(t *testing.T) {
	ctx := context.Background()
	w := newShopWorld(t)
	must(t, errOf(w.flows.Update(ctx, "dev-to-prod", flow.Input{Name: "dev-to-prod", TriggerEnvironment: "dev",
		Steps: []flow.Step{{Environment: "staging"}, {Environment: "prod", DependsOn: []string{"staging"},
			Soak: &flow.Soak{After: "30m", Health: true}}}})))
	who, req := promotion.Trigger(), promotion.Request{Product: "shop", Flow: "dev-to-prod"}
	plan, err := w.svc.DryRun(ctx, who, req)
	if err != nil {
		t.Fatal(err)
	}
	want := release.Soak{After: 30 * time.Minute, Health: true}
	if got := plan.Environments[2].Soak; got != want {
		t.Errorf("dry run of prod: got soak %+v, want %+v", got, want)
	}
	if got := plan.Environments[1].Soak; got != (release.Soak{}) {
		t.Errorf("dry run of staging: got soak %+v, want none", got)
	}
	rel, err := w.svc.Start(ctx, who, req)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		rel, err = w.rels.Get(ctx, rel.ID)
		if err != nil {
			t.Fatal(err)
		}
		prod, _ := rel.Environment("prod")
		if prod.Soak != want {
			t.Fatalf("the release's prod: got soak %+v, want %+v", prod.Soak, want)
		}
		if strings.HasPrefix(prod.Blocker, "soaking: staging has run 2.1.0 for 0m of 30m") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("prod never soaked: %s %q", prod.Status, prod.Blocker)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
