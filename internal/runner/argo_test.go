package runner_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/argowf"
	"ladder/internal/broker"
	"ladder/internal/fault"
	"ladder/internal/gitops"
	"ladder/internal/release"
	"ladder/internal/runner"
	"ladder/internal/secret"
	"ladder/internal/workflow"
)

// argoHarness is a harness whose runner submits argo steps to a fakeArgoServer registered as
// Argo Workflows server "ci" (namespace checks); restart replaces the runner by a new one on
// the same database, as a restarted Ladder.
type argoHarness struct {
	*harness
	conn *sql.DB
	fake *fakeArgoServer
	argo *argowf.Service
	stop func()
}

func newArgoHarness(t *testing.T) *argoHarness {
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
	h := &argoHarness{conn: conn, fake: newFakeArgoServer(t), argo: argowf.NewService(conn, box, check, time.Now)}
	if _, err := h.argo.Create(context.Background(), argowf.Input{Name: "ci", URL: h.fake.URL, Namespace: "checks", Token: "s3cret"}); err != nil {
		t.Fatal(err)
	}
	h.harness = &harness{t: t, releases: release.NewService(conn, broker.New(), time.Now),
		store: gitops.NewStore(filepath.Join(dir, "git")), model: &fakeModel{mode: "queue", limit: 50},
		workflows: workflow.NewService(conn, check, time.Now)}
	h.boot()
	t.Cleanup(func() { h.stop() })
	return h
}

func (h *argoHarness) boot() {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	r := runner.New(h.conn, h.releases, h.store, h.model, log, time.Now, runner.Options{Workers: 2,
		PollInterval: 20 * time.Millisecond, FreezeRecheck: 50 * time.Millisecond, Workflows: h.workflows,
		PublicURL: "https://ladder.example", Deploy: runner.Deploy{Argo: h.argo, ArgoPoll: 50 * time.Millisecond}})
	ctx, cancel := context.WithCancel(context.Background())
	r.StartWorkers(ctx)
	var once sync.Once
	h.runner, h.stop = r, func() { once.Do(func() { cancel(); r.Wait() }) }
}

// restart stops the runner, as a killed Ladder, and starts a new one on the same database.
func (h *argoHarness) restart() {
	h.stop()
	h.boot()
}

func argoSuite() workflow.Step {
	return workflow.Step{Name: "suite", Kind: workflow.KindArgo, Argo: &workflow.ArgoStep{Server: "ci", Template: "e2e-suite",
		Parameters: []workflow.Param{{Name: "TARGET", Value: "{{.ENVIRONMENT}}-cluster"}}}}
}

// launch starts a release from dev to prod whose prod pre-action is the argo step, with post
// as prod's post-action.
func (h *argoHarness) launch(post string) release.Release {
	h.t.Helper()
	h.define("suite", argoSuite())
	h.use("suite", post, release.Hooks{}, release.EnvironmentHooks{})
	dev, prod := newRepo(h.t, "dev", "2.0.0"), newRepo(h.t, "prod", "1.0.0")
	return h.start("shop", []env{{name: "dev", repo: dev}, {name: "prod", repo: prod, deps: []string{"dev"}}}, release.ActionCommit)
}

// startSuite launches the release and waits until its workflow runs on the fake.
func (h *argoHarness) startSuite(post string) (release.Release, string) {
	h.t.Helper()
	rel := h.launch(post)
	h.wait(rel.ID, "the Argo workflow to run", blockerPrefix("prod", "Argo workflow e2e-suite-"))
	return rel, h.fake.only(h.t)
}

// TestArgoStepSubmitsFollowsAndOutputs: one workflow is submitted from the template with every
// parameter and the identifying labels; its log lines reach the step log; Succeeded moves the
// promotion on, and its output parameter reaches the post-action's environment.
func TestArgoStepSubmitsFollowsAndOutputs(t *testing.T) {
	h := newArgoHarness(t)
	out := filepath.Join(t.TempDir(), "report")
	h.define("report", script("note", `printf %s "$report_url" > `+out))
	rel, name := h.startSuite("report")
	h.fake.change(name, func(w *fakeWorkflow) { w.say(name+"-main-1", time.Now(), "running 12 tests", "12 passed") })
	h.wait(rel.ID, "the log lines", func(release.Release) bool {
		return strings.Contains(h.step(rel.ID, "suite", release.Suspended).Log, "12 passed")
	})
	h.fake.change(name, func(w *fakeWorkflow) {
		w.phase, w.outputs = "Succeeded", map[string]string{"report-url": "https://reports.example/42"}
	})
	h.wait(rel.ID, "the release to succeed", status(release.Succeeded))

	submits := h.fake.calls("POST", "/api/v1/workflows/checks/submit")
	if len(submits) != 1 {
		t.Fatalf("got %d submits, want 1", len(submits))
	}
	sub := submits[0]
	opts, _ := sub.Body["submitOptions"].(map[string]any)
	if sub.Body["resourceKind"] != "WorkflowTemplate" || sub.Body["resourceName"] != "e2e-suite" {
		t.Errorf("got resource %v %v, want WorkflowTemplate e2e-suite", sub.Body["resourceKind"], sub.Body["resourceName"])
	}
	if sub.Auth != "Bearer s3cret" {
		t.Errorf("got Authorization %q, want the server's bearer token", sub.Auth)
	}
	var params []string
	for _, p := range opts["parameters"].([]any) {
		params = append(params, p.(string))
	}
	for _, want := range []string{"ENVIRONMENT=prod", "PRODUCT_NAME=shop", "VERSION=2.0.0", "APP_NAME=shop-prod",
		"RELEASE_ID=" + rel.ID, "TARGET=prod-cluster"} {
		if !slices.Contains(params, want) {
			t.Errorf("parameters %v lack %s", params, want)
		}
	}
	wantLabels := "ladder/product=shop,ladder/release=" + rel.ID + ",ladder/environment=prod,ladder/application=shop-prod"
	if opts["labels"] != wantLabels {
		t.Errorf("got labels %v, want %s", opts["labels"], wantLabels)
	}
	log := h.step(rel.ID, "suite", release.Succeeded).Log
	if !strings.Contains(log, "running 12 tests\n12 passed\n") || strings.Count(log, "12 passed") != 1 {
		t.Errorf("step log %q: want each workflow log line once, in order", log)
	}
	if got := readFile(t, out); got != "https://reports.example/42" {
		t.Errorf("the post-action saw report_url %q, want https://reports.example/42", got)
	}
}

// TestArgoStepFailedFailsEnvironment: a Failed workflow fails the environment with its message.
func TestArgoStepFailedFailsEnvironment(t *testing.T) {
	h := newArgoHarness(t)
	rel, name := h.startSuite("")
	h.fake.change(name, func(w *fakeWorkflow) { w.phase, w.message = "Failed", "child 'run-tests' failed" })
	rel = h.wait(rel.ID, "the release to fail", status(release.Failed))
	prod, _ := rel.Environment("prod")
	if prod.Status != release.Failed || !strings.Contains(prod.Error+prod.Applications[0].Error, "child 'run-tests' failed") {
		t.Errorf("got prod %s (%q, app: %q), want FAILED with the workflow's message", prod.Status, prod.Error, prod.Applications[0].Error)
	}
	if n := len(h.fake.calls("PUT", "/terminate")); n != 0 {
		t.Errorf("got %d terminate calls for a workflow that ended, want 0", n)
	}
}

// TestArgoTerminateRelease: terminating the release terminates its running workflow within 2 s.
func TestArgoTerminateRelease(t *testing.T) {
	h := newArgoHarness(t)
	rel, name := h.startSuite("")
	asked := time.Now()
	if err := h.runner.Terminate(context.Background(), rel.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	for len(h.fake.calls("PUT", "/api/v1/workflows/checks/"+name+"/terminate")) == 0 {
		if time.Since(asked) > 2*time.Second {
			t.Fatalf("the workflow was not terminated within 2 s of the release's termination")
		}
		time.Sleep(10 * time.Millisecond)
	}
	h.wait(rel.ID, "the release to end terminated", status(release.Terminated))
	time.Sleep(200 * time.Millisecond)
	if n := len(h.fake.calls("PUT", "/terminate")); n != 1 {
		t.Errorf("got %d terminate calls, want 1", n)
	}
}

// TestArgoTimeoutTerminates: when the workflow's timeout passes while the Argo workflow runs,
// the workflow is terminated and the environment fails with the timeout.
func TestArgoTimeoutTerminates(t *testing.T) {
	h := newArgoHarness(t)
	if _, err := h.workflows.Create(context.Background(), workflow.Input{Name: "suite", Timeout: "1s", Steps: []workflow.Step{argoSuite()}}); err != nil {
		t.Fatal(err)
	}
	h.use("suite", "", release.Hooks{}, release.EnvironmentHooks{})
	dev, prod := newRepo(t, "dev", "2.0.0"), newRepo(t, "prod", "1.0.0")
	rel := h.start("shop", []env{{name: "dev", repo: dev}, {name: "prod", repo: prod, deps: []string{"dev"}}}, release.ActionCommit)
	rel = h.wait(rel.ID, "the release to fail", status(release.Failed))
	name := h.fake.only(t)
	if n := len(h.fake.calls("PUT", "/api/v1/workflows/checks/"+name+"/terminate")); n != 1 {
		t.Errorf("got %d terminate calls after the timeout, want 1", n)
	}
	prod2, _ := rel.Environment("prod")
	if got := prod2.Applications[0].Error; !strings.Contains(got, "timed out") {
		t.Errorf("got application error %q, want a timeout", got)
	}
}

// TestArgoRestartReattaches: a Ladder restarted while the workflow runs follows the same
// workflow — the fake saw exactly one submit — and finishes the release when it succeeds.
func TestArgoRestartReattaches(t *testing.T) {
	h := newArgoHarness(t)
	rel, name := h.startSuite("")
	h.restart()
	gets := len(h.fake.calls("GET", "/"+name))
	h.wait(rel.ID, "the new runner to look at the workflow", func(release.Release) bool {
		return len(h.fake.calls("GET", "/"+name)) > gets
	})
	h.fake.change(name, func(w *fakeWorkflow) { w.phase = "Succeeded" })
	h.wait(rel.ID, "the release to succeed", status(release.Succeeded))
	if n := len(h.fake.calls("POST", "/submit")); n != 1 {
		t.Errorf("got %d submits across the restart, want 1", n)
	}
}

// TestArgoUnreachableWaits: a server that cannot be reached leaves the step waiting with a
// blocker naming it, instead of failing it.
func TestArgoUnreachableWaits(t *testing.T) {
	h := newArgoHarness(t)
	h.fake.Close()
	rel := h.launch("")
	rel = h.wait(rel.ID, "the unreachable blocker", blockerPrefix("prod", "Argo Workflows server ci unreachable: "))
	if rel.Status != release.Running && rel.Status != release.Suspended {
		t.Errorf("got release %s, want it still under way", rel.Status)
	}
}

// TestArgoCrashDuringSubmit: Ladder dies after Argo created the workflow but before it heard
// so; the restarted Ladder submits the same name again, gets 409, and follows the workflow
// already there — one workflow in all.
func TestArgoCrashDuringSubmit(t *testing.T) {
	h := newArgoHarness(t)
	h.fake.setHang(true)
	rel := h.launch("")
	h.wait(rel.ID, "the workflow to be created", func(release.Release) bool { return h.fake.submitted() == 1 })
	h.stop()
	h.fake.setHang(false)
	h.boot()
	name := h.fake.only(t)
	h.wait(rel.ID, "the new runner to follow the workflow", blockerPrefix("prod", "Argo workflow "+name+" is Running"))
	h.fake.change(name, func(w *fakeWorkflow) { w.phase = "Succeeded" })
	h.wait(rel.ID, "the release to succeed", status(release.Succeeded))
	if n := h.fake.submitted(); n != 1 {
		t.Errorf("got %d workflows created, want 1", n)
	}
	if n := len(h.fake.calls("POST", "/submit")); n != 2 {
		t.Errorf("got %d submit requests, want 2 (the lost one and the repeated one)", n)
	}
}
