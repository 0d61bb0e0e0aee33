package runner_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"ladder/internal/release"
	"ladder/internal/runner"
	"ladder/internal/workflow"
)

func processAlive(pid int) bool { return syscall.Kill(pid, 0) == nil }

// TestHooksRunInOrder: release hooks, environment hooks and the application's pre- and
// post-actions run once each, in order.
func TestHooksRunInOrder(t *testing.T) {
	h := newHarness(t)
	out := filepath.Join(t.TempDir(), "order")
	for _, name := range []string{"on-start", "env-pre", "pre", "post", "env-post", "on-success"} {
		h.define(name, script("note", "echo "+name+" >> "+out))
	}
	h.use("pre", "post", release.Hooks{OnStart: "on-start", OnSuccess: "on-success"}, release.EnvironmentHooks{Pre: "env-pre", Post: "env-post"})
	dev, prod := newRepo(t, "dev", "2.0.0"), newRepo(t, "prod", "1.0.0")
	rel := h.start("shop", []env{{name: "dev", repo: dev}, {name: "prod", repo: prod, deps: []string{"dev"}}}, release.ActionCommit)
	h.wait(rel.ID, "success", status(release.Succeeded))
	want := "on-start\nenv-pre\npre\npost\nenv-post\non-success\n"
	if got := readFile(t, out); got != want {
		t.Errorf("got hooks run as %q, want %q", got, want)
	}
}

// TestOnFailHookGetsTheError: after a failure and after a termination, the onFail hook gets
// ERROR_MESSAGE and FAILED_ENVIRONMENTS (JSON: name, status, error) and runs before the release ends.
func TestOnFailHookGetsTheError(t *testing.T) {
	tests := []struct {
		name       string
		terminate  bool
		want       string // release status
		wantError  string
		wantStatus string // staging's in FAILED_ENVIRONMENTS
	}{
		{"failure", false, release.Failed, "environment staging failed: staging-app-staging: ", release.Failed},
		{"termination", true, release.Terminated, "terminated by alice", release.Terminated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			out := filepath.Join(t.TempDir(), "failure")
			h.define("page", script("page", `printf '%s\n%s\n' "$ERROR_MESSAGE" "$FAILED_ENVIRONMENTS" > `+out))
			pre := ""
			if tt.terminate {
				pre = "slow"
				h.define("slow", script("sleep", "sleep 60"))
			}
			h.use(pre, "", release.Hooks{OnFail: "page"}, release.EnvironmentHooks{})
			dev, staging := newRepo(t, "dev", "3.0.0"), newRepo(t, "staging", "1.0.0")
			staging.commit("drop the image tag", chart, "image:\n  repository: shop\n") // the promotion fails
			rel := h.start("staging-app", []env{{name: "dev", repo: dev}, {name: "staging", repo: staging, deps: []string{"dev"}}}, release.ActionCommit)
			if tt.terminate {
				h.step(rel.ID, "sleep", release.Running)
				if err := h.runner.Terminate(context.Background(), rel.ID, "alice"); err != nil {
					t.Fatalf("terminate: %v", err)
				}
			}
			got := h.wait(rel.ID, "the end", status(tt.want))
			lines := strings.Split(readFile(t, out), "\n")
			var failed []failedEnv
			if err := json.Unmarshal([]byte(lines[1]), &failed); err != nil {
				t.Fatalf("FAILED_ENVIRONMENTS %q: %v", lines[1], err)
			}
			if !strings.HasPrefix(lines[0], tt.wantError) || len(failed) != 1 || failed[0].Name != "staging" || failed[0].Status != tt.wantStatus {
				t.Errorf("onFail got ERROR_MESSAGE %q and FAILED_ENVIRONMENTS %q, want %q… and staging %s", lines[0], lines[1], tt.wantError, tt.wantStatus)
			}
			if got.Error != lines[0] {
				t.Errorf("got release error %q, want the one the hook saw, %q", got.Error, lines[0])
			}
		})
	}
}

// TestOutputsReachThePostAction: a pre-action's output is a parameter of the post-action,
// which also gets the promotion commit and the environment's kind.
func TestOutputsReachThePostAction(t *testing.T) {
	h := newHarness(t)
	out := filepath.Join(t.TempDir(), "params")
	h.define("check", script("version-check", `echo version_check=ok >> "$LADDER_OUTPUT"`))
	h.define("report", script("report", `echo "$version_check|$COMMIT_SHA|$ENVIRONMENT_KIND|$RELEASE_URL|$APP_NAME|$LADDER_SECRET_KEY" > `+out))
	h.use("check", "report", release.Hooks{}, release.EnvironmentHooks{})
	t.Setenv("LADDER_SECRET_KEY", "must-not-leak")
	dev, prod := newRepo(t, "dev", "2.0.0"), newRepo(t, "prod", "1.0.0")
	rel := h.start("shop", []env{{name: "dev", repo: dev}, {name: "prod", repo: prod, deps: []string{"dev"}}}, release.ActionCommit)
	rel = h.wait(rel.ID, "success", status(release.Succeeded))
	e, _ := rel.Environment("prod")
	want := "ok|" + e.Applications[0].CommitSHA + "|production|https://ladder.example/releases/" + rel.ID + "|shop-prod|\n"
	if got := readFile(t, out); got != want {
		t.Errorf("post-action saw %q, want %q", got, want)
	}
}

// TestFinishedStepsRunOnce: a workflow's job runs again while a later step waits (as it does
// after a restart), but a step recorded as finished is not run again.
func TestFinishedStepsRunOnce(t *testing.T) {
	h := newHarness(t)
	out := filepath.Join(t.TempDir(), "runs")
	h.define("gate", script("count", "echo ran >> "+out), approvalStep("sign-off", 1, nil, true),
		workflow.Step{Name: "soak", Kind: workflow.KindWait, Wait: &workflow.WaitStep{Duration: "1s"}})
	h.use("gate", "", release.Hooks{}, release.EnvironmentHooks{})
	dev, prod := newRepo(t, "dev", "2.0.0"), newRepo(t, "prod", "1.0.0")
	rel := h.start("shop", []env{{name: "dev", repo: dev}, {name: "prod", repo: prod, deps: []string{"dev"}}}, release.ActionCommit)
	st := h.step(rel.ID, "sign-off", release.Suspended)
	if err := h.runner.Decide(context.Background(), runner.Decision{ReleaseID: rel.ID, StepRunID: st.ID, Environment: st.Environment, User: "tester", Approve: true}); err != nil {
		t.Fatalf("approve: %v", err)
	}
	h.wait(rel.ID, "success", status(release.Succeeded))
	if got := readFile(t, out); got != "ran\n" {
		t.Errorf("the first step ran %d times, want once", strings.Count(got, "ran"))
	}
}
