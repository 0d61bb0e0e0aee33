package runner_test

import (
	"context"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ladder/internal/release"
	"ladder/internal/runner"
	"ladder/internal/workflow"
)

// hungGitServer is a real smart-HTTP Git server (git http-backend) in front of the bare
// repositories under root that stops answering pushes: a push's first request waits until
// goOn is called, then is served as usual. hung is closed when the first push arrives; done
// when the held request has been served.
type hungGitServer struct {
	*httptest.Server
	hung, done chan struct{}
	release    chan struct{}
	once       sync.Once
}

func newHungGitServer(t *testing.T, root string) *hungGitServer {
	t.Helper()
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Fatalf("git --exec-path: %v", err)
	}
	backend := &cgi.Handler{Path: filepath.Join(strings.TrimSpace(string(out)), "git-http-backend"),
		Env: []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"}}
	s := &hungGitServer{hung: make(chan struct{}), done: make(chan struct{}), release: make(chan struct{})}
	held := false
	var mu sync.Mutex
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.RawQuery, "git-receive-pack") || strings.HasSuffix(r.URL.Path, "git-receive-pack") {
			mu.Lock()
			first := !held
			held = true
			mu.Unlock()
			if first {
				close(s.hung)
				<-s.release
				defer close(s.done)
			}
		}
		backend.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { s.goOn(); s.Close() })
	return s
}

// goOn lets the held push go on.
func (s *hungGitServer) goOn() { s.once.Do(func() { close(s.release) }) }

// TestTerminateCancelsAPushInFlight: the Git server stops answering in the middle of a push;
// the release is terminated; the server then goes on. No commit may land, and every row of the
// release must be final and agree with the release's status.
func TestTerminateCancelsAPushInFlight(t *testing.T) {
	h := newHarness(t)
	dev, prod := newRepo(t, "dev", "2.0.0"), newRepo(t, "prod", "1.0.0")
	git(t, prod.bare, "config", "http.receivepack", "true")
	srv := newHungGitServer(t, filepath.Dir(prod.bare))
	h.edit = func(s *release.Spec) {
		s.Environments[1].Applications[0].RepoURL = srv.URL + "/prod.git"
	}
	rel := h.start("shop", []env{{name: "dev", repo: dev}, {name: "prod", repo: prod, deps: []string{"dev"}}}, release.ActionCommit)
	select {
	case <-srv.hung:
	case <-time.After(30 * time.Second):
		t.Fatal("the push never reached the Git server")
	}
	if err := h.runner.Terminate(context.Background(), rel.ID, "alice"); err != nil {
		t.Fatalf("terminate: %v", err)
	}
	h.wait(rel.ID, "termination", status(release.Terminated))
	srv.goOn()
	select {
	case <-srv.done:
	case <-time.After(30 * time.Second):
		t.Fatal("the held push was never served")
	}
	time.Sleep(500 * time.Millisecond) // room for a push that went on to be recorded
	if n := prod.commits(); n != 1 {
		t.Errorf("prod has %d commits, want 1: a push landed for a terminated release", n)
	}
	got, err := h.releases.Get(context.Background(), rel.ID)
	if err != nil {
		t.Fatal(err)
	}
	e, _ := got.Environment("prod")
	app := e.Applications[0]
	if got.Status != release.Terminated || e.Status != release.Terminated || app.Status != release.Terminated || app.CommitSHA != "" {
		t.Errorf("got release %s, prod %s, application %s with commit %q; want all TERMINATED and no commit",
			got.Status, e.Status, app.Status, app.CommitSHA)
	}
}

// TestRetryAfterTerminateAsksOnce: a release terminated while an approval step waits, then
// retried, shows one waiting approval step, not the old attempt's beside the new one.
func TestRetryAfterTerminateAsksOnce(t *testing.T) {
	h := newHarness(t)
	h.define("gate", approvalStep("sign-off", 1, nil, true))
	h.use("gate", "", release.Hooks{}, release.EnvironmentHooks{})
	dev, prod := newRepo(t, "dev", "2.0.0"), newRepo(t, "prod", "1.0.0")
	rel := h.start("shop", []env{{name: "dev", repo: dev}, {name: "prod", repo: prod, deps: []string{"dev"}}}, release.ActionCommit)
	h.step(rel.ID, "sign-off", release.Suspended)
	if err := h.runner.Terminate(context.Background(), rel.ID, "alice"); err != nil {
		t.Fatalf("terminate: %v", err)
	}
	h.wait(rel.ID, "termination", status(release.Terminated))
	if n := h.waitingApprovals(rel.ID); n != 0 {
		t.Errorf("after termination %d approval steps still wait, want 0", n)
	}
	if err := h.runner.Retry(context.Background(), rel.ID, "alice"); err != nil {
		t.Fatalf("retry: %v", err)
	}
	h.wait(rel.ID, "the retried release to wait for approval", status(release.Suspended))
	if n := h.waitingApprovals(rel.ID); n != 1 {
		t.Errorf("after retry %d approval steps wait, want 1", n)
	}
}

func (h *harness) waitingApprovals(id string) int {
	h.t.Helper()
	steps, err := h.runner.Steps(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	n := 0
	for _, s := range steps {
		if s.Kind == workflow.KindApproval && s.Status == release.Suspended {
			n++
		}
	}
	return n
}

// TestSupersedeLooksPastReleasesElsewhere: in terminate mode, #1 waits in qa, #2 waits in
// prod, and #3 reaches prod: #2 is superseded although #1, older, is not in prod.
func TestSupersedeLooksPastReleasesElsewhere(t *testing.T) {
	h := newHarness(t)
	h.model.mode = "terminate"
	h.define("gate", approvalStep("sign-off", 1, nil, true))
	h.use("gate", "", release.Hooks{}, release.EnvironmentHooks{})
	dev, qa, prod := newRepo(t, "dev", "2.0.0"), newRepo(t, "qa", "1.0.0"), newRepo(t, "prod", "1.0.0")
	first := h.start("shop", []env{{name: "dev", repo: dev}, {name: "qa", repo: qa, deps: []string{"dev"}},
		{name: "prod", repo: prod, deps: []string{"qa"}}}, release.ActionCommit)
	h.step(first.ID, "sign-off", release.Suspended)
	hotfix := []env{{name: "dev", repo: dev}, {name: "prod", repo: prod, deps: []string{"dev"}}}
	second := h.start("shop", hotfix, release.ActionCommit)
	h.step(second.ID, "sign-off", release.Suspended)
	third := h.start("shop", hotfix, release.ActionCommit)
	h.step(third.ID, "sign-off", release.Suspended)
	got := h.wait(second.ID, "#2 to be superseded by #3", status(release.Terminated))
	if got.Error != "superseded by #3" {
		t.Errorf("#2 ended with %q, want %q", got.Error, "superseded by #3")
	}
	if one, _ := h.releases.Get(context.Background(), first.ID); one.Status != release.Suspended {
		t.Errorf("#1 is %s, want SUSPENDED (it waits in qa, where #3 never goes)", one.Status)
	}
}

// TestRetryResumesAtTheFailedPhase: an approved release whose push fails (the target
// repository is missing) is retried once the repository is back: it goes on from the push, and
// the approval given before is not asked again.
func TestRetryResumesAtTheFailedPhase(t *testing.T) {
	h := newHarness(t)
	h.define("gate", approvalStep("sign-off", 1, nil, true))
	h.use("gate", "", release.Hooks{}, release.EnvironmentHooks{})
	dev, prod := newRepo(t, "dev", "2.0.0"), newRepo(t, "prod", "1.0.0")
	missing := filepath.Join(t.TempDir(), "moved.git")
	edit := h.edit
	h.edit = func(s *release.Spec) {
		edit(s)
		s.Environments[1].Applications[0].RepoURL = "file://" + missing
	}
	rel := h.start("shop", []env{{name: "dev", repo: dev}, {name: "prod", repo: prod, deps: []string{"dev"}}}, release.ActionCommit)
	st := h.step(rel.ID, "sign-off", release.Suspended)
	if err := h.runner.Decide(context.Background(), runner.Decision{ReleaseID: rel.ID, StepRunID: st.ID,
		Environment: st.Environment, User: "tester", Approve: true}); err != nil {
		t.Fatalf("approve: %v", err)
	}
	h.wait(rel.ID, "the push to fail", status(release.Failed))
	git(t, filepath.Dir(missing), "clone", "-q", "--bare", prod.bare, missing)
	if err := h.runner.Retry(context.Background(), rel.ID, "alice"); err != nil {
		t.Fatalf("retry: %v", err)
	}
	got := h.wait(rel.ID, "the retried release to end", func(r release.Release) bool {
		return release.Final(r.Status) || r.Status == release.Suspended
	})
	if got.Status != release.Succeeded {
		t.Errorf("retried release is %s (%s), want SUCCEEDED without asking for approval again", got.Status, envStates(got))
	}
}
