package runner_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"ladder/internal/release"
)

// failedEnv is one entry of FAILED_ENVIRONMENTS.
type failedEnv struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Error  string `json:"error"`
}

// TestEnvironmentOnFailHook: an environment's onFail hook runs when the environment fails and
// when the release is terminated, before the release's onFail hook, with the environment's
// error as ERROR_MESSAGE (the release's when terminated) and FAILED_ENVIRONMENTS as a JSON
// list of {name, status, error}, as the release's hook gets it. A failing onFail hook adds
// its error to the environment's.
func TestEnvironmentOnFailHook(t *testing.T) {
	tests := []struct {
		name      string
		terminate bool
		hookFails bool
		want      string // release status
		wantEnv   failedEnv
		wantMsg   string // prefix of the environment hook's ERROR_MESSAGE
	}{
		{"failure", false, false, release.Failed,
			failedEnv{"staging", release.Failed, "staging-app-staging: "}, "staging-app-staging: "},
		{"termination", true, false, release.Terminated,
			failedEnv{"staging", release.Terminated, ""}, "terminated by alice"},
		{"failing hook", false, true, release.Failed,
			failedEnv{"staging", release.Failed, "staging-app-staging: "}, "staging-app-staging: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			out := filepath.Join(t.TempDir(), "hooks")
			report := `printf '%s|%s|%s\n' "$ENVIRONMENT" "$ERROR_MESSAGE" "$FAILED_ENVIRONMENTS" >> ` + out
			exit := ""
			if tt.hookFails {
				exit = "; exit 4"
			}
			h.define("env-page", script("env-page", report+exit))
			h.define("page", script("page", report))
			pre := ""
			if tt.terminate {
				pre = "slow"
				h.define("slow", script("sleep", "sleep 60"))
			}
			h.use(pre, "", release.Hooks{OnFail: "page"}, release.EnvironmentHooks{OnFail: "env-page"})
			dev, staging := newRepo(t, "dev", "3.0.0"), newRepo(t, "staging", "1.0.0")
			staging.commit("drop the image tag", chart, "image:\n  repository: shop\n") // the promotion fails
			rel := h.start("staging-app", []env{{name: "dev", repo: dev}, {name: "staging", repo: staging, deps: []string{"dev"}}}, release.ActionCommit)
			if tt.terminate {
				h.step(rel.ID, "sleep", release.Running)
				if err := h.runner.Terminate(context.Background(), rel.ID, "alice"); err != nil {
					t.Fatalf("terminate: %v", err)
				}
			}
			rel = h.wait(rel.ID, "the end", status(tt.want))
			lines := strings.Split(strings.TrimSpace(readFile(t, out)), "\n")
			if len(lines) != 2 {
				t.Fatalf("got hook runs %q, want the environment's then the release's", lines)
			}
			envLine := strings.SplitN(lines[0], "|", 3)
			if envLine[0] != "staging" || !strings.HasPrefix(envLine[1], tt.wantMsg) {
				t.Errorf("environment onFail got ENVIRONMENT %q and ERROR_MESSAGE %q, want staging and %q…", envLine[0], envLine[1], tt.wantMsg)
			}
			var got []failedEnv
			if err := json.Unmarshal([]byte(envLine[2]), &got); err != nil {
				t.Fatalf("FAILED_ENVIRONMENTS %q: %v", envLine[2], err)
			}
			if len(got) != 1 || got[0].Name != tt.wantEnv.Name || got[0].Status != tt.wantEnv.Status || !strings.HasPrefix(got[0].Error, tt.wantEnv.Error) {
				t.Errorf("environment onFail got FAILED_ENVIRONMENTS %+v, want [%+v…]", got, tt.wantEnv)
			}
			if !strings.HasPrefix(lines[1], "|") {
				t.Errorf("got %q second, want the release's onFail hook (no ENVIRONMENT)", lines[1])
			}
			e, _ := rel.Environment("staging")
			if e.Status != tt.wantEnv.Status {
				t.Errorf("got staging %s, want %s", e.Status, tt.wantEnv.Status)
			}
			if tt.hookFails != strings.Contains(e.Error, "onFail hook env-page failed: ") {
				t.Errorf("got staging's error %q; want the failing onFail hook in it: %v", e.Error, tt.hookFails)
			}
			if !tt.terminate && !strings.HasPrefix(e.Error, envLine[1]) {
				t.Errorf("got staging's error %q, want it to start with what the hook saw, %q", e.Error, envLine[1])
			}
		})
	}
}
