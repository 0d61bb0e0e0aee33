package runner_test

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/broker"
	"ladder/internal/fault"
	"ladder/internal/freeze"
	"ladder/internal/gitops"
	"ladder/internal/pin"
	"ladder/internal/policy"
	"ladder/internal/release"
	"ladder/internal/runner"
	"ladder/internal/secret"
	"ladder/internal/stepsecret"
	"ladder/internal/workflow"
)

const chart = "apiVersion: v2\nname: shop\n# the version Ladder promotes\nappVersion: \"1.0.0\"\n"
const values = "# shop values\nimage:\n  repository: shop\n  tag: \"1.0.0\" # set by CI\nreplicas: 1\n"

var template = gitops.Template{
	VersionSource: gitops.VersionSource{File: "Chart.yaml", JSONPath: "$.appVersion"},
	Entries: []gitops.Entry{
		{File: "Chart.yaml", JSONPaths: []string{"$.appVersion"}},
		{File: "values.yaml", JSONPaths: []string{"$.image.tag"}},
	},
}

// repo is a real bare repository with a work tree beside it for the test's own commits.
type repo struct {
	t    *testing.T
	bare string
	work string
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=test", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=test", "GIT_COMMITTER_EMAIL=t@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func newRepo(t *testing.T, name, version string) *repo {
	t.Helper()
	root := t.TempDir()
	r := &repo{t: t, bare: filepath.Join(root, name+".git"), work: filepath.Join(root, name)}
	git(t, root, "init", "-q", "--bare", "-b", "main", r.bare)
	git(t, root, "clone", "-q", r.bare, r.work)
	r.commit("initial", strings.ReplaceAll(chart, "1.0.0", version), strings.ReplaceAll(values, "1.0.0", version))
	return r
}

func (r *repo) commit(msg, chartYAML, valuesYAML string) string {
	r.t.Helper()
	for name, body := range map[string]string{"Chart.yaml": chartYAML, "values.yaml": valuesYAML} {
		if err := os.WriteFile(filepath.Join(r.work, name), []byte(body), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
	git(r.t, r.work, "add", "-A")
	git(r.t, r.work, "commit", "-q", "-m", msg)
	git(r.t, r.work, "push", "-q", "origin", "HEAD:main")
	return git(r.t, r.work, "rev-parse", "HEAD")
}

func (r *repo) show(path string) string { return git(r.t, r.bare, "show", "main:"+path) }
func (r *repo) commits() int {
	return strings.Count(git(r.t, r.bare, "log", "--format=%H", "main"), "\n") + 1
}
func (r *repo) url() string { return "file://" + r.bare }

// fakeModel answers the runner's model questions from fields the test sets.
type fakeModel struct {
	mu     sync.Mutex
	frozen map[string]string
	pins   map[string]pin.Pin // by product/environment
	mode   string
	limit  int
	// windows are real freeze windows, read on the clock now (every environment is called
	// by its name only, kind production).
	windows []freeze.Window
	now     func() time.Time
}

func (m *fakeModel) Credentials(context.Context, string) (gitops.Credentials, error) {
	return gitops.Credentials{}, nil
}

func (m *fakeModel) Freeze(_ context.Context, product, env string, windowsOverridden bool) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if b := m.frozen[env]; b != "" || windowsOverridden || m.now == nil {
		return b, nil
	}
	now := m.now()
	if o, ok := freeze.Holding(m.windows, product, policy.Environment{Name: env, Kind: "production"}, now); ok {
		return o.Blocker(now), nil
	}
	return "", nil
}

func (m *fakeModel) Pin(_ context.Context, product, env string) (pin.Pin, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.pins[product+"/"+env]
	return p, ok, nil
}

func (m *fakeModel) setPin(p pin.Pin) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.pins == nil {
		m.pins = map[string]pin.Pin{}
	}
	m.pins[p.Product+"/"+p.Environment] = p
}

func (m *fakeModel) unpin(product, env string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.pins, product+"/"+env)
}

func (m *fakeModel) Concurrency(context.Context, string) (string, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.mode, m.limit, nil
}

func (m *fakeModel) setFrozen(env, blocker string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.frozen == nil {
		m.frozen = map[string]string{}
	}
	m.frozen[env] = blocker
}

// harness is a runner on a real SQLite file and a real Git store.
type harness struct {
	t        *testing.T
	conn     *sql.DB
	releases *release.Service
	runner   *runner.Runner
	store    *gitops.Store
	model    *fakeModel
	// workflows is the model's real workflow service, for pre- and post-actions and hooks.
	workflows *workflow.Service
	// secrets are the real workflow secrets steps refer to.
	secrets *stepsecret.Service
	// edit, when set, changes each release spec before start starts it.
	edit func(*release.Spec)
}

func newHarness(t *testing.T) *harness { return newHarnessAt(t, time.Now) }

// newHarnessAt is newHarness on the clock now.
func newHarnessAt(t *testing.T, now func() time.Time) *harness {
	t.Helper()
	dir := t.TempDir()
	conn, err := db.Open(context.Background(), filepath.Join(dir, "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	rels := release.NewService(conn, broker.New(), now)
	store := gitops.NewStore(filepath.Join(dir, "git"))
	model := &fakeModel{mode: "queue", limit: 50, now: now}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	wfs := workflow.NewService(conn, fault.NewValidator(), now)
	box, err := secret.NewBox(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	secrets := stepsecret.NewService(conn, box, fault.NewValidator(), now)
	r := runner.New(conn, rels, store, model, log, now, runner.Options{Workers: 2, PollInterval: 20 * time.Millisecond,
		FreezeRecheck: 50 * time.Millisecond, Workflows: wfs, PublicURL: "https://ladder.example", Secrets: secrets.Value})
	ctx, cancel := context.WithCancel(context.Background())
	r.StartWorkers(ctx)
	t.Cleanup(func() { cancel(); r.Wait() })
	return &harness{t: t, conn: conn, releases: rels, runner: r, store: store, model: model, workflows: wfs, secrets: secrets}
}

// env describes one environment of a test release: its repo and what it depends on.
type env struct {
	name string
	repo *repo
	deps []string
}

// start reads the values from the trigger environment's repo, as release creation does, and
// starts a release through envs (the first is the trigger).
func (h *harness) start(product string, envs []env, action string) release.Release {
	h.t.Helper()
	ctx := context.Background()
	src := envs[0]
	vals, sha, err := h.store.ReadSource(ctx, gitops.Remote{URL: src.repo.url()}, "main", ".", "", template)
	if err != nil {
		h.t.Fatalf("read source: %v", err)
	}
	version, err := h.store.ReadVersion(ctx, gitops.Remote{URL: src.repo.url()}, "main", ".", sha, template.VersionSource)
	if err != nil {
		h.t.Fatalf("read version: %v", err)
	}
	spec := release.Spec{Product: product, Flow: "test-flow", Version: version, TriggerEnv: src.name,
		SourceApp: product + "-" + src.name, Initiator: "tester", Trigger: release.Commit{SHA: sha, Branch: "main"},
		Plan: release.Plan{Template: template, Values: vals}, Timeout: time.Hour}
	for i, e := range envs {
		es := release.EnvironmentSpec{Name: e.name, IsTrigger: i == 0, DependsOn: e.deps,
			Settings: release.Settings{Action: release.Setting{Value: action, Origin: "test"}}}
		if i > 0 {
			es.Applications = []release.Target{{Environment: e.name, Name: product + "-" + e.name, RepoURL: e.repo.url(), Branch: "main", Path: "."}}
		}
		spec.Environments = append(spec.Environments, es)
	}
	if h.edit != nil {
		h.edit(&spec)
	}
	rel, err := h.runner.Start(ctx, spec)
	if err != nil {
		h.t.Fatalf("start release: %v", err)
	}
	return rel
}

// wait polls release id until cond holds, failing after a generous limit.
func (h *harness) wait(id, what string, cond func(release.Release) bool) release.Release {
	h.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		rel, err := h.releases.Get(context.Background(), id)
		if err != nil {
			h.t.Fatal(err)
		}
		if cond(rel) {
			return rel
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s; release is %s (%s), environments: %s", what, rel.Status, rel.Error, envStates(rel))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func status(s string) func(release.Release) bool {
	return func(r release.Release) bool { return r.Status == s }
}

func envStates(r release.Release) string {
	var parts []string
	for _, e := range r.Environments {
		parts = append(parts, e.Name+"="+e.Status+"("+e.Blocker+e.Error+")")
	}
	return strings.Join(parts, " ")
}
