package runner_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"ladder/internal/release"
)

// TestTriggerEnvironmentVerifiesAndRunsPostAction: the trigger environment's application is
// verified (its health URL) and runs the post-action at the trigger commit before the next
// environment starts; its pre-action and action do not run. A failing post-action there fails
// the trigger environment and the release, and the next environment stays PENDING.
func TestTriggerEnvironmentVerifiesAndRunsPostAction(t *testing.T) {
	tests := []struct {
		name     string
		fail     bool
		want     string // release status
		wantDev  string
		wantProd string
	}{
		{"post-action succeeds", false, release.Succeeded, release.Succeeded, release.Succeeded},
		{"post-action fails", true, release.Failed, release.Failed, release.Pending},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			out := filepath.Join(t.TempDir(), "order")
			health := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				appendLine(t, out, "verify dev")
			}))
			t.Cleanup(health.Close)
			exit := ""
			if tt.fail {
				exit = "; exit 3"
			}
			h.define("pre", script("pre", `echo "pre $ENVIRONMENT" >> `+out))
			h.define("post", script("post", `echo "post $ENVIRONMENT $COMMIT_SHA $(echo "$COMMIT_MESSAGE" | head -n 1)" >> `+out+exit))
			dev, prod := newRepo(t, "dev", "2.0.0"), newRepo(t, "prod", "1.0.0")
			h.use("", "", release.Hooks{}, release.EnvironmentHooks{})
			h.edit = func(s *release.Spec) {
				s.Trigger.Message = "bump"
				trigger := &s.Environments[0]
				trigger.Settings = release.Settings{PreAction: release.Setting{Value: "pre", Origin: "test"},
					Action:     release.Setting{Value: release.ActionNone, Origin: "trigger environment"},
					PostAction: release.Setting{Value: "post", Origin: "test"}}
				trigger.Applications = []release.Target{{Environment: "dev", Name: "shop-dev", RepoURL: dev.url(),
					Branch: "main", Path: ".", HealthURL: health.URL}}
				s.Environments[1].Settings.PostAction = release.Setting{Value: "post", Origin: "test"}
			}
			rel := h.start("shop", []env{{name: "dev", repo: dev}, {name: "prod", repo: prod, deps: []string{"dev"}}}, release.ActionCommit)
			rel = h.wait(rel.ID, "the end", status(tt.want))
			devEnv, _ := rel.Environment("dev")
			prodEnv, _ := rel.Environment("prod")
			if devEnv.Status != tt.wantDev || prodEnv.Status != tt.wantProd {
				t.Errorf("got dev %s and prod %s, want %s and %s", devEnv.Status, prodEnv.Status, tt.wantDev, tt.wantProd)
			}
			app := devEnv.Applications[0]
			if app.CommitSHA != rel.Trigger.SHA || app.Status != tt.wantDev {
				t.Errorf("got the trigger application %s at %q, want %s at the trigger commit %q", app.Status, app.CommitSHA, tt.wantDev, rel.Trigger.SHA)
			}
			want := "verify dev\npost dev " + rel.Trigger.SHA + " bump\n"
			if !tt.fail {
				want += "post prod " + prodEnv.Applications[0].CommitSHA + " Promote shop 2.0.0 from dev to prod\n"
			}
			if got := readFile(t, out); got != want {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
			if got := dev.commits(); got != 1 {
				t.Errorf("got %d commits in the trigger environment's repository, want 1 (no promotion there)", got)
			}
		})
	}
}

func appendLine(t *testing.T, path, line string) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Error(err)
		return
	}
	defer f.Close()
	if _, err := f.WriteString(line + "\n"); err != nil {
		t.Error(err)
	}
}
