package runner_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"ladder/internal/fault"
	"ladder/internal/release"
	"ladder/internal/runner"
	"ladder/internal/workflow"
)

// define creates a workflow through the model's service.
func (h *harness) define(name string, steps ...workflow.Step) {
	h.t.Helper()
	if _, err := h.workflows.Create(context.Background(), workflow.Input{Name: name, Steps: steps}); err != nil {
		h.t.Fatalf("create workflow %s: %v", name, err)
	}
}

// use makes every target environment of the next release run pre and post (workflow names,
// empty for none) with the given hooks.
func (h *harness) use(pre, post string, hooks release.Hooks, envHooks release.EnvironmentHooks) {
	h.edit = func(s *release.Spec) {
		s.Plan.Hooks = hooks
		for i := range s.Environments[1:] {
			e := &s.Environments[i+1]
			e.Kind, e.Hooks = "production", envHooks
			e.Settings.PreAction = release.Setting{Value: pre, Origin: "test"}
			e.Settings.PostAction = release.Setting{Value: post, Origin: "test"}
		}
	}
}

func script(name, sh string) workflow.Step {
	return workflow.Step{Name: name, Kind: workflow.KindExec, Exec: &workflow.ExecStep{Command: "sh", Args: []string{"-c", sh}}}
}

func approvalStep(name string, required int, groups []string, self bool) workflow.Step {
	return workflow.Step{Name: name, Kind: workflow.KindApproval,
		Approval: &workflow.ApprovalStep{Required: required, Groups: groups, AllowSelfApproval: self}}
}

// step waits until release id has a step called name in status, and returns it.
func (h *harness) step(id, name, status string) runner.StepRun {
	h.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		steps, err := h.runner.Steps(context.Background(), id)
		if err != nil {
			h.t.Fatal(err)
		}
		for _, s := range steps {
			if s.Name == name && s.Status == status {
				return s
			}
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for step %s to be %s; steps: %+v", name, status, steps)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func blockerPrefix(env, prefix string) func(release.Release) bool {
	return func(r release.Release) bool {
		e, _ := r.Environment(env)
		return strings.HasPrefix(e.Blocker, prefix)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return string(b)
}

// TestApprovalQuorum: two approvals from the allowed group are needed; the initiator and
// people outside the group are refused, nobody decides twice, and the promotion waits with
// "1 of 2" until the second approval.
func TestApprovalQuorum(t *testing.T) {
	h := newHarness(t)
	h.define("gate", approvalStep("sign-off", 2, []string{"sre"}, false))
	h.use("gate", "", release.Hooks{}, release.EnvironmentHooks{})
	dev, prod := newRepo(t, "dev", "2.0.0"), newRepo(t, "prod", "1.0.0")
	rel := h.start("shop", []env{{name: "dev", repo: dev}, {name: "prod", repo: prod, deps: []string{"dev"}}}, release.ActionCommit)
	h.wait(rel.ID, "the approval blocker", blockerPrefix("prod", "waiting for approval: 0 of 2 (groups: sre)"))
	st := h.step(rel.ID, "sign-off", release.Suspended)
	decisions := []struct {
		user   string
		groups []string
		want   error
	}{
		{"tester", []string{"sre"}, fault.ErrForbidden}, // started the release
		{"bob", []string{"dev"}, fault.ErrForbidden},    // not in sre
		{"alice", []string{"sre"}, nil},
		{"alice", []string{"sre"}, fault.ErrConflict}, // already decided
	}
	for _, d := range decisions {
		err := h.runner.Decide(context.Background(), runner.Decision{ReleaseID: rel.ID, StepRunID: st.ID, Environment: st.Environment, User: d.user, Groups: d.groups, Approve: true})
		if !errors.Is(err, d.want) && !(d.want == nil && err == nil) {
			t.Errorf("%s approves: got %v, want %v", d.user, err, d.want)
		}
	}
	h.wait(rel.ID, "one of two approvals", blockerPrefix("prod", "waiting for approval: 1 of 2"))
	if n := prod.commits(); n != 1 {
		t.Errorf("prod got %d commits before the quorum, want 1", n)
	}
	if err := h.runner.Decide(context.Background(), runner.Decision{ReleaseID: rel.ID, StepRunID: st.ID, Environment: st.Environment, User: "carol", Groups: []string{"sre"}, Approve: true}); err != nil {
		t.Fatalf("carol approves: %v", err)
	}
	h.wait(rel.ID, "success after two approvals", status(release.Succeeded))
	if n := prod.commits(); n != 2 {
		t.Errorf("prod got %d commits, want 2", n)
	}
	if got := h.step(rel.ID, "sign-off", release.Succeeded); len(got.Decisions) != 2 {
		t.Errorf("got %d decisions recorded, want 2", len(got.Decisions))
	}
}

// TestApprovalDecisions: the initiator may approve when the step allows self-approval, and one
// rejection fails the environment and the release.
func TestApprovalDecisions(t *testing.T) {
	tests := []struct {
		name    string
		self    bool
		user    string
		approve bool
		want    string // release status
		wantErr string
	}{
		{"self-approval allowed", true, "tester", true, release.Succeeded, ""},
		{"rejection fails", false, "alice", false, release.Failed, "rejected by alice: not today"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.define("gate", approvalStep("sign-off", 1, nil, tt.self))
			h.use("gate", "", release.Hooks{}, release.EnvironmentHooks{})
			dev, prod := newRepo(t, "dev", "2.0.0"), newRepo(t, "prod", "1.0.0")
			rel := h.start("shop", []env{{name: "dev", repo: dev}, {name: "prod", repo: prod, deps: []string{"dev"}}}, release.ActionCommit)
			st := h.step(rel.ID, "sign-off", release.Suspended)
			err := h.runner.Decide(context.Background(), runner.Decision{ReleaseID: rel.ID, StepRunID: st.ID, Environment: st.Environment, User: tt.user, Approve: tt.approve, Comment: "not today"})
			if err != nil {
				t.Fatalf("decide: %v", err)
			}
			got := h.wait(rel.ID, "the end", func(r release.Release) bool { return release.Final(r.Status) })
			e, _ := got.Environment("prod")
			if got.Status != tt.want || !strings.Contains(e.Error, tt.wantErr) {
				t.Errorf("got %s with prod error %q, want %s with %q", got.Status, e.Error, tt.want, tt.wantErr)
			}
		})
	}
}

// TestTerminateKillsRunningExec: terminating a release kills the command a step runs (with
// its process group) within two seconds.
func TestTerminateKillsRunningExec(t *testing.T) {
	h := newHarness(t)
	pidFile := filepath.Join(t.TempDir(), "pid")
	h.define("slow", script("sleep", "echo $$ > "+pidFile+"; sleep 60"))
	h.use("slow", "", release.Hooks{}, release.EnvironmentHooks{})
	dev, prod := newRepo(t, "dev", "2.0.0"), newRepo(t, "prod", "1.0.0")
	rel := h.start("shop", []env{{name: "dev", repo: dev}, {name: "prod", repo: prod, deps: []string{"dev"}}}, release.ActionCommit)
	h.step(rel.ID, "sleep", release.Running)
	pid := waitForPID(t, pidFile)
	start := time.Now()
	if err := h.runner.Terminate(context.Background(), rel.ID, "alice"); err != nil {
		t.Fatalf("terminate: %v", err)
	}
	for processAlive(pid) {
		if time.Since(start) > 5*time.Second {
			t.Fatalf("process %d still runs 5 s after terminate", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if took := time.Since(start); took >= 2*time.Second {
		t.Errorf("the step's process ended %s after terminate, want < 2s", took)
	} else {
		t.Logf("the step's process ended %s after terminate", took.Round(time.Millisecond))
	}
	h.wait(rel.ID, "termination", status(release.Terminated))
	h.step(rel.ID, "sleep", release.Terminated)
}

// TestFlowTimeoutTerminates: a release running longer than its flow's timeout is terminated
// with that reason, and the step it was running is killed.
func TestFlowTimeoutTerminates(t *testing.T) {
	var offset atomic.Int64
	h := newHarnessAt(t, func() time.Time { return time.Now().Add(time.Duration(offset.Load())) })
	pidFile := filepath.Join(t.TempDir(), "pid")
	h.define("slow", script("sleep", "echo $$ > "+pidFile+"; sleep 60"))
	h.use("slow", "", release.Hooks{}, release.EnvironmentHooks{})
	dev, prod := newRepo(t, "dev", "2.0.0"), newRepo(t, "prod", "1.0.0")
	rel := h.start("shop", []env{{name: "dev", repo: dev}, {name: "prod", repo: prod, deps: []string{"dev"}}}, release.ActionCommit)
	h.step(rel.ID, "sleep", release.Running)
	pid := waitForPID(t, pidFile)
	offset.Store(int64(2 * time.Hour)) // the release's timeout is one hour
	h.runner.Wake()
	got := h.wait(rel.ID, "the flow timeout", status(release.Terminated))
	if !strings.Contains(got.Error, "the flow's timeout") {
		t.Errorf("got error %q, want it to name the flow's timeout", got.Error)
	}
	deadline := time.Now().Add(2 * time.Second)
	for processAlive(pid) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if processAlive(pid) {
		t.Errorf("process %d still runs after the timeout terminated the release", pid)
	}
}

func waitForPID(t *testing.T, path string) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var pid int
		if b, err := os.ReadFile(path); err == nil {
			if _, err := fmt.Sscan(string(b), &pid); err == nil && pid > 0 {
				return pid
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("the step wrote no PID to %s", path)
	return 0
}

// TestHTTPAndWaitSteps: an HTTP step retries until the service answers 2xx with the expected
// JSON, showing each failed attempt as the blocker; a wait step then soaks.
func TestHTTPAndWaitSteps(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 2 || r.URL.Query().Get("version") != "2.0.0" {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, `{"status":"ok"}`)
	}))
	t.Cleanup(srv.Close)
	h := newHarness(t)
	h.define("healthy",
		workflow.Step{Name: "health", Kind: workflow.KindHTTP, HTTP: &workflow.HTTPStep{Method: "GET",
			URL: srv.URL + "/healthz?version={{.VERSION}}", JSONPath: "$.status", JSONValue: "ok", Retries: 3, Interval: "1s"}},
		workflow.Step{Name: "soak", Kind: workflow.KindWait, Wait: &workflow.WaitStep{Duration: "1s"}})
	h.use("", "healthy", release.Hooks{}, release.EnvironmentHooks{})
	dev, prod := newRepo(t, "dev", "2.0.0"), newRepo(t, "prod", "1.0.0")
	rel := h.start("shop", []env{{name: "dev", repo: dev}, {name: "prod", repo: prod, deps: []string{"dev"}}}, release.ActionCommit)
	h.wait(rel.ID, "the health check blocker", blockerPrefix("prod", "health check GET "+srv.URL+"/healthz?version=2.0.0 attempt 1 of 4: got 503, want 2xx"))
	h.wait(rel.ID, "the soak blocker", blockerPrefix("prod", "waiting 1s (soak time) until"))
	h.wait(rel.ID, "success", status(release.Succeeded))
	if n := calls.Load(); n != 2 {
		t.Errorf("got %d requests, want 2", n)
	}
}
