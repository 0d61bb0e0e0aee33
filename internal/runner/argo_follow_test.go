package runner_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ladder/internal/release"
	"ladder/internal/workflow"
)

// launchStep starts a release from dev to prod whose prod pre-action is the argo step s.
func (h *argoHarness) launchStep(s workflow.Step, post string) (release.Release, string) {
	h.t.Helper()
	h.define("suite", s)
	h.use("suite", post, release.Hooks{}, release.EnvironmentHooks{})
	dev, prod := newRepo(h.t, "dev", "2.0.0"), newRepo(h.t, "prod", "1.0.0")
	rel := h.start("shop", []env{{name: "dev", repo: dev}, {name: "prod", repo: prod, deps: []string{"dev"}}}, release.ActionCommit)
	h.wait(rel.ID, "the Argo workflow to run", blockerPrefix("prod", "Argo workflow e2e-suite-"))
	return rel, h.fake.only(h.t)
}

// TestArgoLogsOfParallelPods: the Argo Server merges the lines of all pods by time
// (argoproj/argo-workflows util/logs/workflow-logger.go), so a pod that starts later adds lines
// before lines already copied. Every line reaches the step log exactly once, and later reads
// ask only for lines since the last one (logOptions.sinceTime) instead of the whole log.
func TestArgoLogsOfParallelPods(t *testing.T) {
	t.Parallel()
	h := newArgoHarness(t)
	rel, name := h.startSuite("")
	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
	h.fake.change(name, func(w *fakeWorkflow) {
		w.say(name+"-shard-a", t0, "a1")
		w.say(name+"-shard-a", t0.Add(3*time.Second), "a3")
	})
	h.wait(rel.ID, "the first lines", func(release.Release) bool {
		return strings.Contains(h.step(rel.ID, "suite", release.Suspended).Log, "a3")
	})
	h.fake.change(name, func(w *fakeWorkflow) {
		w.say(name+"-shard-b", t0.Add(2*time.Second), "b2") // the later pod's line sorts before a3
		w.say(name+"-shard-a", t0.Add(4*time.Second), "a4")
	})
	h.wait(rel.ID, "the later lines", func(release.Release) bool {
		return strings.Contains(h.step(rel.ID, "suite", release.Suspended).Log, "a4")
	})
	h.fake.change(name, func(w *fakeWorkflow) { w.phase = "Succeeded" })
	h.wait(rel.ID, "the release to succeed", status(release.Succeeded))
	done := h.step(rel.ID, "suite", release.Succeeded)
	log := done.Log
	for _, line := range []string{"a1", "b2", "a3", "a4"} {
		if n := strings.Count(log, line+"\n"); n != 1 {
			t.Errorf("step log has %q %d times, want once; log:\n%s", line, n, log)
		}
	}
	reads := h.fake.calls("GET", "/"+name+"/log")
	if len(reads) < 2 {
		t.Fatalf("got %d log reads, want several", len(reads))
	}
	if done.Attempt > 1 {
		// The step was cut short (a record that failed on a loaded machine) and started again
		// with an empty log, which copies the workflow's whole log once, by design: the reads
		// since the last line are this test's point only for a step that ran once.
		t.Logf("the step started %d times; not checking the last read's sinceTime", done.Attempt)
		return
	}
	last := h.fake.lastQuery(name + "/log")
	if last.Get("logOptions.sinceTime") == "" || last.Get("logOptions.timestamps") != "true" {
		t.Errorf("got log query %v, want a read since the last line, with timestamps", last)
	}
}

// TestArgoOutputsOfTheWorkflow: output parameters of the same name on several nodes are not
// merged (they would come in node-ID hash order): the step takes the entrypoint node's
// outputs and the workflow's own status.outputs (global parameters,
// argoproj/argo-workflows workflow/controller/operator.go addParamToGlobalScope).
func TestArgoOutputsOfTheWorkflow(t *testing.T) {
	t.Parallel()
	h := newArgoHarness(t)
	out := filepath.Join(t.TempDir(), "report")
	h.define("report", script("note", `printf '%s %s' "$report_url" "$summary" > `+out))
	rel, name := h.startSuite("report")
	h.fake.change(name, func(w *fakeWorkflow) {
		w.phase = "Succeeded"
		w.outputs = map[string]string{"report-url": "https://reports.example/entry"}
		w.global = map[string]string{"summary": "all-green"}
		w.nodes = []fakeNode{
			{id: name + "-1523698813", name: "shard-a", kind: "Pod", phase: "Succeeded", outputs: map[string]string{"report-url": "https://reports.example/a", "summary": "a"}},
			{id: name + "-3978430219", name: "shard-b", kind: "Pod", phase: "Succeeded", outputs: map[string]string{"report-url": "https://reports.example/b"}},
		}
	})
	h.wait(rel.ID, "the release to succeed", status(release.Succeeded))
	if got := readFile(t, out); got != "https://reports.example/entry all-green" {
		t.Errorf("the post-action saw %q, want the entrypoint's report_url and the global summary", got)
	}
}

// TestArgoSuspendedWorkflowWaitsForResume: a workflow at a suspend template runs on (phase
// Running) with an active Suspend node (argoproj/argo-workflows workflow/util/util.go
// IsWorkflowSuspended): the step says it waits to be resumed, ResumeArgo resumes it
// (PUT …/resume, pkg/apiclient/workflow/workflow.proto), and the release goes on.
func TestArgoSuspendedWorkflowWaitsForResume(t *testing.T) {
	t.Parallel()
	h := newArgoHarness(t)
	rel, name := h.startSuite("")
	h.fake.change(name, func(w *fakeWorkflow) {
		w.nodes = []fakeNode{{id: name + "-2239453233", name: "approve-rollout", kind: "Suspend", phase: "Running"}}
	})
	rel = h.wait(rel.ID, "the suspended blocker", blockerPrefix("prod", "Argo workflow suspended: "))
	step := h.step(rel.ID, "suite", release.Suspended)
	if !strings.Contains(step.Blocker, "at approve-rollout") {
		t.Errorf("got blocker %q, want it to name the suspend node", step.Blocker)
	}
	if err := h.runner.ResumeArgo(context.Background(), rel.ID, step.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	resumes := h.fake.calls("PUT", "/api/v1/workflows/checks/"+name+"/resume")
	if len(resumes) != 1 || resumes[0].Body["name"] != name || resumes[0].Body["namespace"] != "checks" {
		t.Fatalf("got resume requests %+v, want one naming the workflow and namespace", resumes)
	}
	h.wait(rel.ID, "the step to run on", blockerPrefix("prod", "Argo workflow "+name+" is Running"))
	h.fake.change(name, func(w *fakeWorkflow) { w.phase = "Succeeded" })
	h.wait(rel.ID, "the release to succeed", status(release.Succeeded))
	if err := h.runner.ResumeArgo(context.Background(), rel.ID, step.ID, "alice"); err == nil {
		t.Errorf("resuming a finished workflow: got no error, want not found")
	}
}

// TestArgoClusterWorkflowTemplate: a step set to a ClusterWorkflowTemplate submits with that
// resource kind (argoproj/argo-workflows server/workflow/workflow_server.go SubmitWorkflow).
func TestArgoClusterWorkflowTemplate(t *testing.T) {
	t.Parallel()
	h := newArgoHarness(t)
	s := argoSuite()
	s.Argo.ClusterTemplate = true
	rel, name := h.launchStep(s, "")
	h.fake.change(name, func(w *fakeWorkflow) { w.phase = "Succeeded" })
	h.wait(rel.ID, "the release to succeed", status(release.Succeeded))
	sub := h.fake.calls("POST", "/submit")[0]
	if sub.Body["resourceKind"] != "ClusterWorkflowTemplate" || sub.Body["resourceName"] != "e2e-suite" {
		t.Errorf("got resource %v %v, want ClusterWorkflowTemplate e2e-suite", sub.Body["resourceKind"], sub.Body["resourceName"])
	}
}

// TestArgoStepTimeout: past the step's own timeout the workflow is terminated and the step
// fails, though the workflow's timeout is far away.
func TestArgoStepTimeout(t *testing.T) {
	t.Parallel()
	h := newArgoHarness(t)
	s := argoSuite()
	s.Argo.Timeout = "1s"
	rel, name := h.launchStep(s, "")
	rel = h.wait(rel.ID, "the release to fail", status(release.Failed))
	if n := len(h.fake.calls("PUT", "/api/v1/workflows/checks/"+name+"/terminate")); n != 1 {
		t.Errorf("got %d terminate calls, want 1", n)
	}
	prod, _ := rel.Environment("prod")
	if got := prod.Applications[0].Error; !strings.Contains(got, "the step's timeout") {
		t.Errorf("got application error %q, want the step's timeout", got)
	}
}
