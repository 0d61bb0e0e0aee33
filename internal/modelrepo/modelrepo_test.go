package modelrepo_test

import (
	"bytes"
	"context"
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
	"ladder/internal/argowf"
	"ladder/internal/credential"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/flow"
	"ladder/internal/freeze"
	"ladder/internal/gitops"
	"ladder/internal/model"
	"ladder/internal/modelrepo"
	"ladder/internal/notify"
	"ladder/internal/policy"
	"ladder/internal/product"
	"ladder/internal/provider"
	"ladder/internal/secret"
	"ladder/internal/workflow"
)

// world is Ladder's model on a new database, the model repository service and a real bare
// repository with a work tree to commit from.
type world struct {
	t     *testing.T
	conn  interface{ Close() error }
	q     *db.Queries
	model *model.Service
	repo  *modelrepo.Service
	bare  string
	work  string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Open(ctx, filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	box, err := secret.NewBox(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	check, now := fault.NewValidator(), time.Now
	envs, pols := environment.NewService(conn, check, now), policy.NewService(conn, check, now)
	flows := flow.NewService(conn, check, now, envs, pols)
	model.GuardDeletes(envs, flows)
	creds := credential.NewService(conn, box, check, now)
	m := &model.Service{DB: conn, Environments: envs, Policies: pols,
		Applications: application.NewService(conn, check, now), Products: product.NewService(conn, check, now),
		Workflows: workflow.NewService(conn, check, now), Flows: flows,
		Windows: freeze.NewService(conn, check, now),
		Settings: model.Settings{Credentials: creds, Providers: provider.NewService(conn, box, check, now),
			ArgoCD: argocd.NewService(conn, box, check, now), ArgoWorkflows: argowf.NewService(conn, box, check, now),
			Channels: notify.NewService(conn, box, check, now)},
		Secrets: func(k string) string {
			if k == "LADDER_SECRET_ARGOCD_TOKEN" {
				return "argocd-token"
			}
			return ""
		}}
	remote := func(ctx context.Context, name, url string) (gitops.Remote, error) {
		if name != "" {
			return creds.RemoteNamed(ctx, name, url)
		}
		return creds.Remote(ctx, url)
	}
	w := &world{t: t, conn: conn, q: db.New(conn), model: m}
	w.repo = modelrepo.NewService(conn, check, now, m, gitops.NewStore(t.TempDir()), remote, slog.New(slog.NewTextHandler(io.Discard, nil)))
	root := t.TempDir()
	w.bare, w.work = filepath.Join(root, "model.git"), filepath.Join(root, "model")
	w.git(root, "init", "-q", "--bare", "-b", "main", w.bare)
	w.git(root, "clone", "-q", w.bare, w.work)
	w.write("README.md", "Ladder's model\n")
	w.commit("initial")
	if _, err := w.repo.Set(ctx, modelrepo.Input{URL: "file://" + w.bare, Path: "ladder"}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) git(dir string, args ...string) string {
	w.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=admin", "GIT_AUTHOR_EMAIL=admin@example.com",
		"GIT_COMMITTER_NAME=admin", "GIT_COMMITTER_EMAIL=admin@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		w.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func (w *world) write(name, body string) {
	w.t.Helper()
	p := filepath.Join(w.work, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) remove(name string) {
	w.t.Helper()
	if err := os.Remove(filepath.Join(w.work, name)); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) commit(msg string) string {
	w.t.Helper()
	w.git(w.work, "add", "-A")
	w.git(w.work, "commit", "-q", "-m", msg)
	w.git(w.work, "push", "-q", "origin", "HEAD:main")
	return w.git(w.work, "rev-parse", "HEAD")
}

// check polls once and returns the attempt it recorded.
func (w *world) check() *modelrepo.Attempt {
	w.t.Helper()
	a, err := w.repo.Check(context.Background())
	if err != nil {
		w.t.Fatalf("check: %v", err)
	}
	return a
}

func (w *world) export() string {
	w.t.Helper()
	var buf bytes.Buffer
	if err := w.model.Export(context.Background(), &buf); err != nil {
		w.t.Fatal(err)
	}
	return buf.String()
}

const envs = `apiVersion: ladder/v1
kind: Environment
metadata: {name: dev}
spec:
  kind: non-production
  position: 1
---
apiVersion: ladder/v1
kind: Environment
metadata: {name: prod}
spec:
  kind: production
  position: 2
`

const qa = `apiVersion: ladder/v1
kind: Environment
metadata: {name: qa}
spec: {kind: non-production, position: 2}
`

func TestACommitChangesLadderWithinOnePoll(t *testing.T) {
	w := newWorld(t)
	sha := w.git(w.work, "rev-parse", "HEAD")
	if a := w.check(); a == nil || a.Result != modelrepo.Applied || a.Commit != sha {
		t.Fatalf("got %+v, want commit %s applied (with nothing to apply)", a, sha)
	}
	w.write("ladder/environments.yaml", envs)
	sha = w.commit("dev and prod")
	a := w.check()
	if a == nil || a.Result != modelrepo.Applied || a.Commit != sha || len(a.Changes) != 2 {
		t.Fatalf("got %+v, want commit %s applied with 2 changes", a, sha)
	}
	if got := w.export(); got != envs {
		t.Errorf("got model\n%s\nwant the repository's file\n%s", got, envs)
	}
	if a := w.check(); a != nil {
		t.Errorf("got attempt %+v for a commit already applied, want none", a)
	}

	// A second file adds qa between them; a commit that only touches other paths applies the same model.
	w.write("ladder/qa.yaml", qa)
	w.write("README.md", "changed\n")
	w.commit("qa")
	if a := w.check(); a == nil || a.Result != modelrepo.Applied {
		t.Fatalf("got %+v, want applied", a)
	}
	if got := w.export(); !strings.Contains(got, "{name: qa}") {
		t.Errorf("qa was not created:\n%s", got)
	}

	// Removing the file prunes qa.
	w.remove("ladder/qa.yaml")
	w.commit("no qa")
	a = w.check()
	if a == nil || a.Result != modelrepo.Applied || !hasChange(a.Changes, model.KindEnvironment, "qa", model.Delete) {
		t.Fatalf("got %+v, want qa deleted", a)
	}
	if got := w.export(); got != envs {
		t.Errorf("got model\n%s\nwant\n%s", got, envs)
	}
	if n := auditCount(t, w, "apply applied"); n != 4 {
		t.Errorf("got %d audit records of applied commits, want 4", n)
	}
}

func hasChange(changes []model.Change, kind, name, action string) bool {
	for _, c := range changes {
		if c.Kind == kind && c.Name == name && c.Action == action {
			return true
		}
	}
	return false
}

func auditCount(t *testing.T, w *world, action string) int {
	t.Helper()
	rows, err := w.q.ListAuditRecords(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range rows {
		if r.EntityKind == "model-repository" && r.Action == action {
			n++
		}
	}
	return n
}

func TestAnInvalidCommitIsRefusedWholeAndReported(t *testing.T) {
	w := newWorld(t)
	w.write("ladder/environments.yaml", envs)
	w.commit("dev and prod")
	w.check()

	// qa is fine, but the product names a flow that does not exist: nothing of it is applied.
	w.write("ladder/qa.yaml", qa)
	w.write("ladder/products.yaml", "apiVersion: ladder/v1\nkind: Product\nmetadata: {name: shop}\nspec:\n  flows: [{flow: nowhere}]\n")
	sha := w.commit("a product with a missing flow")
	a := w.check()
	if a == nil || a.Result != modelrepo.Refused || a.Commit != sha || len(a.Problems) == 0 {
		t.Fatalf("got %+v, want commit %s refused with problems", a, sha)
	}
	if p := a.Problems[0]; p.File != "products.yaml" || p.Document != 1 || p.Kind != model.KindProduct {
		t.Errorf("got problem %s, want products.yaml document 1 (Product shop)", p)
	}
	if got := w.export(); got != envs {
		t.Errorf("a refused commit changed the model:\n%s", got)
	}
	if n := auditCount(t, w, "apply refused"); n != 1 {
		t.Errorf("got %d audit records of refused commits, want 1", n)
	}
	if again := w.check(); again != nil {
		t.Errorf("the same refused commit was attempted again: %+v", again)
	}

	// Broken YAML is refused too, naming its file.
	w.write("ladder/products.yaml", "apiVersion: ladder/v1\nkind: [\n")
	w.commit("broken")
	if a := w.check(); a == nil || a.Result != modelrepo.Refused || a.Problems[0].File != "products.yaml" {
		t.Fatalf("got %+v, want refused in products.yaml", a)
	}

	// The fix applies the whole commit.
	w.remove("ladder/products.yaml")
	w.commit("no product")
	if a := w.check(); a == nil || a.Result != modelrepo.Applied {
		t.Fatalf("got %+v, want applied", a)
	}
	if got := w.export(); !strings.Contains(got, "{name: qa}") {
		t.Errorf("qa missing after the fix:\n%s", got)
	}
}

func TestExportAfterApplyEqualsTheRepositoryFiles(t *testing.T) {
	// The repository's file is what `ladder export` wrote for a model built elsewhere.
	source := newWorld(t)
	example, err := os.ReadFile("../model/testdata/spec-example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	settings := "---\napiVersion: ladder/v1\nkind: ArgoCDServer\nmetadata: {name: prod}\n" +
		"spec: {url: \"https://argocd.example.com\", tokenRef: {name: argocd, key: token}}\n"
	if _, err := source.model.Apply(context.Background(), strings.NewReader(string(example)+settings), false); err != nil {
		t.Fatal(err)
	}
	file := source.export()

	w := newWorld(t)
	w.write("ladder/model.yaml", file)
	w.commit("the model")
	if a := w.check(); a == nil || a.Result != modelrepo.Applied {
		t.Fatalf("got %+v, want applied", a)
	}
	if got := w.export(); got != file {
		t.Errorf("export after apply differs from the repository's file:\n--- repository\n%s\n--- export\n%s", file, got)
	}
	if strings.Contains(file, "argocd-token") {
		t.Error("the exported file holds a secret value")
	}
}

func TestTheWatcherAppliesANewCommitWithinOneInterval(t *testing.T) {
	w := newWorld(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.repo.Run(ctx, 200*time.Millisecond)
	}()
	t.Cleanup(func() { cancel(); <-done })
	w.write("ladder/environments.yaml", envs)
	sha := w.commit("dev and prod")
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if as, _ := w.repo.Attempts(context.Background(), 1); len(as) == 1 && as[0].Commit == sha {
			if as[0].Result != modelrepo.Applied {
				t.Fatalf("got %+v, want applied", as[0])
			}
			if got := w.export(); got != envs {
				t.Errorf("got model\n%s\nwant\n%s", got, envs)
			}
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the commit was not applied within 5 s with a 200 ms interval")
}

func TestAnUnreadableRepositoryIsReportedOnce(t *testing.T) {
	w := newWorld(t)
	if _, err := w.repo.Set(context.Background(), modelrepo.Input{URL: "file://" + filepath.Join(t.TempDir(), "missing.git")}); err != nil {
		t.Fatal(err)
	}
	if a := w.check(); a == nil || a.Result != modelrepo.Failed || a.Message == "" {
		t.Fatalf("got %+v, want an error reported", a)
	}
	if a := w.check(); a != nil {
		t.Errorf("the same error was recorded again: %+v", a)
	}
}
