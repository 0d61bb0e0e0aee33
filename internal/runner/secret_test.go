package runner_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"ladder/internal/release"
	"ladder/internal/stepsecret"
	"ladder/internal/workflow"
)

// TestWorkflowSecretsReachStepsAndAreMasked: {{secret "name"}} gives an HTTP step's header and
// body and an exec step's environment the sealed value; the step's log, error and outputs show
// *** in its place, and a step naming a secret that does not exist fails saying so.
func TestWorkflowSecretsReachStepsAndAreMasked(t *testing.T) {
	const token, password = "tok-8842-s3cr3t", "pw-5531-s3cr3t"
	var mu sync.Mutex
	var gotAuth, gotBody string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		gotAuth, gotBody = r.Header.Get("Authorization"), string(b)
		mu.Unlock()
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(srv.Close)
	h := newHarness(t)
	ctx := context.Background()
	for name, value := range map[string]string{"api-token": token, "db-pass": password} {
		if _, err := h.secrets.Create(ctx, stepsecret.Input{Name: name, Value: value}); err != nil {
			t.Fatal(err)
		}
	}
	h.define("deploy",
		workflow.Step{Name: "call", Kind: workflow.KindHTTP, HTTP: &workflow.HTTPStep{Method: "POST", URL: srv.URL + "/hook",
			Headers: []workflow.Header{{Name: "Authorization", Value: `Bearer {{secret "api-token"}}`}},
			Body:    `{"version":"{{.VERSION}}","key":"{{secret "api-token"}}"}`}},
		workflow.Step{Name: "migrate", Kind: workflow.KindExec, Exec: &workflow.ExecStep{Command: "sh",
			Args: []string{"-c", `echo "password is $DB_PASSWORD"; echo "LEAK=$DB_PASSWORD" >> "$LADDER_OUTPUT"`},
			Env:  []workflow.Param{{Name: "DB_PASSWORD", Value: `{{secret "db-pass"}}`}}}},
		script("after", `echo "output is $LEAK"`))
	h.use("", "deploy", release.Hooks{}, release.EnvironmentHooks{})
	dev, prod := newRepo(t, "dev", "2.0.0"), newRepo(t, "prod", "1.0.0")
	rel := h.start("shop", []env{{name: "dev", repo: dev}, {name: "prod", repo: prod, deps: []string{"dev"}}}, release.ActionCommit)
	h.wait(rel.ID, "success", status(release.Succeeded))
	mu.Lock()
	if gotAuth != "Bearer "+token || gotBody != `{"version":"2.0.0","key":"`+token+`"}` {
		t.Errorf("the server got Authorization %q and body %q, want the secret in both", gotAuth, gotBody)
	}
	mu.Unlock()
	migrate := h.step(rel.ID, "migrate", release.Succeeded)
	if !strings.Contains(migrate.Log, "password is ***") || strings.Contains(migrate.Log, password) {
		t.Errorf("got log %q, want the password masked", migrate.Log)
	}
	if after := h.step(rel.ID, "after", release.Succeeded); !strings.Contains(after.Log, "output is ***") {
		t.Errorf("got log %q of the next step, want the output masked", after.Log)
	}

	h.define("missing", workflow.Step{Name: "call", Kind: workflow.KindHTTP, HTTP: &workflow.HTTPStep{Method: "GET",
		URL: srv.URL, Headers: []workflow.Header{{Name: "X-Key", Value: `{{secret "nope"}}`}}}})
	h.use("", "missing", release.Hooks{}, release.EnvironmentHooks{})
	rel = h.start("shop", []env{{name: "dev", repo: dev}, {name: "prod", repo: newRepo(t, "prod2", "1.0.0"), deps: []string{"dev"}}}, release.ActionCommit)
	h.wait(rel.ID, "failure", status(release.Failed))
	if s := h.step(rel.ID, "call", release.Failed); !strings.Contains(s.Error, `workflow secret "nope"`) {
		t.Errorf("got error %q, want it to name the missing secret", s.Error)
	}
}
