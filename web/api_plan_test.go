package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"
)

// TestReleaseDryRunCreatesNothing: POST /api/v1/releases?dryRun=true with the body of a real
// start answers 200 with the plan (settings with their origins, frozen environments, the patch
// each target would get) and creates no release and no commit; the OpenAPI document describes
// both answers.
func TestReleaseDryRunCreatesNothing(t *testing.T) {
	fx := newAPIFixture(t)
	fx.vars["{repo}"] = fx.repo
	for _, step := range []struct{ path, body string }{
		{"/api/v1/environments", `{"name": "dev", "kind": "non-production"}`},
		{"/api/v1/environments", `{"name": "staging", "kind": "production"}`},
		{"/api/v1/policies", `{"name": "default-commit", "settings": {"action": "commit"}}`},
		{"/api/v1/flows", `{"name": "dev-to-staging", "triggerEnvironment": "dev", "steps": [{"environment": "staging", "soak": {"after": "30m", "health": true}}]}`},
		{"/api/v1/products", `{"name": "shop", "promotionTemplate": {"versionSource": {"file": "Chart.yaml", "jsonPath": "$.appVersion"},
			"promotion": [{"file": "Chart.yaml", "jsonPaths": ["$.appVersion"]}]}, "flows": [{"flow": "dev-to-staging"}]}`},
		{"/api/v1/applications", `{"name": "shop", "environment": "dev", "product": "shop", "repoURL": "{repo}", "branch": "main", "path": "dev"}`},
		{"/api/v1/applications", `{"name": "shop", "environment": "staging", "product": "shop", "repoURL": "{repo}", "branch": "main", "path": "staging"}`},
	} {
		fx.must(t, "POST", step.path, step.body, 201)
	}
	bare := strings.TrimPrefix(fx.repo, "file://")
	before := revParse(t, bare)

	got, body := fx.call(t, "POST", "/api/v1/releases?dryRun=true", "promoter", `{"product": "shop", "flow": "dev-to-staging"}`)
	if got != 200 {
		t.Fatalf("dry run: got %d %s, want 200", got, body)
	}
	var plan struct {
		DryRun       bool
		Version      string
		Environments []struct {
			Name     string
			Trigger  bool
			Frozen   bool
			Settings struct {
				Action struct{ Value, Origin string }
			}
			Steps []string

			Applications []struct{ Name, Branch, Patch, Error string }
		}
	}
	if err := json.Unmarshal(body, &plan); err != nil {
		t.Fatal(err)
	}
	if !plan.DryRun || plan.Version != "1.2.0" || len(plan.Environments) != 2 || !plan.Environments[0].Trigger {
		t.Fatalf("got %s, want a dry run of 1.2.0 through dev and staging", body)
	}
	if !strings.Contains(string(body), `"soak":{"after":"30m","health":true}`) || strings.Count(string(body), `"soak"`) != 1 {
		t.Errorf("got %s, want staging's soak (after 30m, health) and no other", body)
	}
	st := plan.Environments[1]
	wantPatch := "+appVersion: 1.2.0\n"
	if st.Name != "staging" || st.Settings.Action.Value != "commit" || st.Settings.Action.Origin != "default-commit" ||
		st.Frozen || len(st.Applications) != 1 || !strings.Contains(st.Applications[0].Patch, wantPatch) ||
		!strings.Contains(st.Applications[0].Patch, "--- a/staging/Chart.yaml") || st.Applications[0].Error != "" {
		t.Errorf("staging: got %+v, want commit from default-commit and a patch of staging/Chart.yaml", st)
	}
	if after := revParse(t, bare); after != before {
		t.Errorf("the dry run moved main from %s to %s", before, after)
	}
	var list struct{ Releases []struct{ ID string } }
	if err := json.Unmarshal(fx.must(t, "GET", "/api/v1/releases", "", 200), &list); err != nil || len(list.Releases) != 0 {
		t.Errorf("after a dry run: %d releases (%v), want none", len(list.Releases), err)
	}

	// A frozen target is reported, not waited on.
	req, _ := http.NewRequest("POST", fx.srv.URL+"/environments/staging/freeze", strings.NewReader(url.Values{"reason": {"audit week"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(fx.srv.adminSession(t))
	if r, err := noRedirects.Do(req); err != nil || r.StatusCode >= 400 {
		t.Fatalf("freeze staging: %v %v", err, r)
	} else {
		r.Body.Close()
	}
	_, body = fx.call(t, "POST", "/api/v1/releases?dryRun=true", "promoter", `{"product": "shop", "flow": "dev-to-staging"}`)
	if !strings.Contains(string(body), `"frozen":true,"blocker":"environment frozen: audit week"`) {
		t.Errorf("frozen staging: got %s, want it frozen with the freeze as blocker", body)
	}
	if got, body := fx.call(t, "POST", "/api/v1/releases?dryRun=maybe", "promoter", `{"product": "shop", "flow": "dev-to-staging"}`); got != 422 {
		t.Errorf("dryRun=maybe: got %d %s, want 422", got, body)
	}

	var doc struct {
		Paths map[string]map[string]struct {
			Responses map[string]any
		}
	}
	if err := json.Unmarshal(fx.must(t, "GET", "/api/v1/openapi.json", "", 200), &doc); err != nil {
		t.Fatal(err)
	}
	if r := doc.Paths["/releases"]["post"].Responses; r["200"] == nil || r["201"] == nil {
		t.Errorf("OpenAPI answers of POST /releases: got %v, want 201 and the dry run's 200", r)
	}
}

func revParse(t *testing.T, bare string) string {
	t.Helper()
	out, err := exec.Command("git", "-C", bare, "rev-parse", "main").CombinedOutput()
	if err != nil {
		t.Fatalf("git rev-parse: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out))
}
