package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"ladder/internal/app"
	"ladder/web"
)

// apiFixture is a server with one API token per role.
type apiFixture struct {
	srv    *testServer
	tokens map[string]string // role → token
	repo   string
	vars   map[string]string // values later cases use, e.g. {release}
}

func newAPIFixture(t *testing.T) *apiFixture {
	t.Helper()
	repos := t.TempDir() // before the server, so removed after it stops (bareRepoIn)
	fx := &apiFixture{srv: startTestServer(t), tokens: map[string]string{}, vars: map[string]string{}}
	for _, role := range []string{"viewer", "promoter", "admin"} {
		var out bytes.Buffer
		err := app.Run(context.Background(), []string{"ladder", "token", "create", "--name", role, "--role", role, "--data", fx.srv.DataDir},
			func(string) string { return "" }, &out)
		if err != nil {
			t.Fatal(err)
		}
		fx.tokens[role] = strings.TrimSpace(out.String())
	}
	fx.repo = bareRepoIn(t, repos, map[string]string{
		"dev/Chart.yaml": "name: shop\nappVersion: 1.2.0\n", "staging/Chart.yaml": "name: shop\nappVersion: 1.0.0\n"})
	return fx
}

// call sends body to path as role ("" for no token) and returns the status and body.
func (fx *apiFixture) call(t *testing.T, method, path, role, body string) (int, []byte) {
	t.Helper()
	for k, v := range fx.vars {
		path, body = strings.ReplaceAll(path, k, v), strings.ReplaceAll(body, k, v)
	}
	req, err := http.NewRequest(method, fx.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+fx.tokens[role])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// must calls and fails the test unless the answer has status want.
func (fx *apiFixture) must(t *testing.T, method, path, body string, want int) []byte {
	t.Helper()
	got, b := fx.call(t, method, path, "admin", body)
	if got != want {
		t.Fatalf("%s %s: got %d (%s), want %d", method, path, got, b, want)
	}
	return b
}

// bad is one request a route must refuse: status 400, 404 or 422 (with field errors).
type bad struct {
	path, body string
	want       int
}

// apiCase exercises one API route: its success, its refusals of bad input, of callers
// without a token (401) and of callers whose role is too low (403).
type apiCase struct {
	route, path, body string
	role              string // the least role that may call it: "public", viewer, promoter or admin
	want              int
	bad               []bad // nil only where the route reads no input at all (a plain list)
	setup             func(t *testing.T, fx *apiFixture)
	check             func(t *testing.T, fx *apiFixture, body []byte)
}

func apiCases() []apiCase {
	malformed := func(path string) bad { return bad{path, `{"name": `, 400} }
	missing := func(path string) bad { return bad{path, "", 404} }
	return []apiCase{
		{route: "GET /api/v1/openapi.json", path: "/api/v1/openapi.json", role: "public", want: 200, bad: []bad{}},

		{route: "POST /api/v1/environments", path: "/api/v1/environments", role: "admin", want: 201,
			body: `{"name": "dev", "kind": "non-production", "tags": ["team=a"]}`,
			bad: []bad{malformed("/api/v1/environments"), {"/api/v1/environments", `{"name": "Dev!", "kind": "test"}`, 422},
				{"/api/v1/environments", `{"name": "qa", "kind": "non-production", "description": "gpj.\u202eexe"}`, 422},
				{"/api/v1/environments", `{"name": "qa", "kind": "non-production", "description": "a\u0000b"}`, 422},
				{"/api/v1/environments", `{"name": "qa", "kind": "non-production", "tags": ["` + strings.Repeat("a", 129) + `"]}`, 422}},
			setup: func(t *testing.T, fx *apiFixture) {
				fx.must(t, "POST", "/api/v1/environments", `{"name": "staging", "kind": "production"}`, 201)
			}},
		{route: "GET /api/v1/environments", path: "/api/v1/environments", role: "viewer", want: 200},
		{route: "GET /api/v1/environments/{name}", path: "/api/v1/environments/dev", role: "viewer", want: 200,
			bad: []bad{missing("/api/v1/environments/nope")}},
		{route: "PUT /api/v1/environments/{name}", path: "/api/v1/environments/dev", role: "admin", want: 200,
			body: `{"kind": "non-production", "description": "where changes land first"}`,
			bad:  []bad{malformed("/api/v1/environments/dev"), {"/api/v1/environments/dev", `{"kind": "test"}`, 422}, {"/api/v1/environments/nope", `{"kind": "production"}`, 404}}},
		{route: "DELETE /api/v1/environments/{name}", path: "/api/v1/environments/scratch", role: "admin", want: 204,
			bad: []bad{missing("/api/v1/environments/nope")},
			setup: func(t *testing.T, fx *apiFixture) {
				fx.must(t, "POST", "/api/v1/environments", `{"name": "scratch", "kind": "production"}`, 201)
			}},

		{route: "POST /api/v1/freeze-windows", path: "/api/v1/freeze-windows", role: "admin", want: 201,
			body: `{"name": "weekend", "schedule": "0 0 * * 6", "duration": "48h", "timeZone": "Europe/Berlin",
				"environments": {"names": ["prod-eu"]}, "reason": "weekend freeze"}`,
			bad: []bad{malformed("/api/v1/freeze-windows"),
				{"/api/v1/freeze-windows", `{"name": "w", "schedule": "0 0 * *", "duration": "48h", "timeZone": "Europe/Berlin", "reason": "x"}`, 422},
				{"/api/v1/freeze-windows", `{"name": "w", "start": "2026-12-24T00:00", "end": "2026-12-27T00:00", "timeZone": "Mars/Olympus", "reason": "x"}`, 422}},
			check: func(t *testing.T, fx *apiFixture, body []byte) {
				var w struct {
					Name, Duration string
					Next           *struct{ Start, End time.Time }
				}
				if err := json.Unmarshal(body, &w); err != nil || w.Duration != "48h" || w.Next == nil || w.Next.End.Sub(w.Next.Start) < 47*time.Hour {
					t.Fatalf("got %s (%v), want the window with its next occurrence", body, err)
				}
			}},
		{route: "GET /api/v1/freeze-windows", path: "/api/v1/freeze-windows", role: "viewer", want: 200},
		{route: "GET /api/v1/freeze-windows/{name}", path: "/api/v1/freeze-windows/weekend", role: "viewer", want: 200,
			bad: []bad{missing("/api/v1/freeze-windows/nope")}},
		{route: "PUT /api/v1/freeze-windows/{name}", path: "/api/v1/freeze-windows/weekend", role: "admin", want: 200,
			body: `{"schedule": "0 20 * * 5", "duration": "60h", "timeZone": "Europe/Berlin", "environments": {"names": ["prod-eu"]}, "reason": "weekend freeze"}`,
			bad: []bad{malformed("/api/v1/freeze-windows/weekend"), {"/api/v1/freeze-windows/weekend", `{"schedule": "0 20 * * 5", "duration": "1s", "timeZone": "UTC", "reason": "x"}`, 422},
				{"/api/v1/freeze-windows/nope", `{"schedule": "0 20 * * 5", "duration": "1h", "timeZone": "UTC", "reason": "x"}`, 404}}},
		{route: "DELETE /api/v1/freeze-windows/{name}", path: "/api/v1/freeze-windows/weekend", role: "admin", want: 204,
			bad: []bad{missing("/api/v1/freeze-windows/nope")}},

		{route: "POST /api/v1/workflows", path: "/api/v1/workflows", role: "admin", want: 201,
			body: `{"name": "soak", "timeout": "5m", "steps": [{"name": "wait", "kind": "wait", "wait": {"duration": "1s"}}]}`,
			bad:  []bad{malformed("/api/v1/workflows"), {"/api/v1/workflows", `{"name": "w", "timeout": "forever", "steps": []}`, 422}}},
		{route: "GET /api/v1/workflows", path: "/api/v1/workflows", role: "viewer", want: 200},
		{route: "GET /api/v1/workflows/{name}", path: "/api/v1/workflows/soak", role: "viewer", want: 200,
			bad: []bad{missing("/api/v1/workflows/nope")}},
		{route: "PUT /api/v1/workflows/{name}", path: "/api/v1/workflows/soak", role: "admin", want: 200,
			body: `{"timeout": "10m", "steps": [{"name": "wait", "kind": "wait", "wait": {"duration": "2s"}}]}`,
			bad:  []bad{malformed("/api/v1/workflows/soak"), {"/api/v1/workflows/soak", `{"steps": [{"name": "x", "kind": "teleport"}]}`, 422}}},
		{route: "DELETE /api/v1/workflows/{name}", path: "/api/v1/workflows/soak", role: "admin", want: 204,
			bad: []bad{missing("/api/v1/workflows/nope")}},

		{route: "POST /api/v1/policies", path: "/api/v1/policies", role: "admin", want: 201,
			body: `{"name": "default-commit", "priority": 0, "settings": {"action": "commit"}}`,
			bad:  []bad{malformed("/api/v1/policies"), {"/api/v1/policies", `{"name": "p", "settings": {"action": "push"}}`, 422}}},
		{route: "GET /api/v1/policies", path: "/api/v1/policies", role: "viewer", want: 200},
		{route: "GET /api/v1/policies/{name}", path: "/api/v1/policies/default-commit", role: "viewer", want: 200,
			bad: []bad{missing("/api/v1/policies/nope")}},
		{route: "PUT /api/v1/policies/{name}", path: "/api/v1/policies/default-commit", role: "admin", want: 200,
			body: `{"priority": 1, "selector": {"environments": {"kinds": ["production"]}}, "settings": {"action": "commit"}}`,
			bad:  []bad{malformed("/api/v1/policies/default-commit"), {"/api/v1/policies/default-commit", `{"settings": {"preAction": "missing"}}`, 422}}},
		{route: "DELETE /api/v1/policies/{name}", path: "/api/v1/policies/scratch", role: "admin", want: 204,
			bad: []bad{missing("/api/v1/policies/nope")},
			setup: func(t *testing.T, fx *apiFixture) {
				fx.must(t, "POST", "/api/v1/policies", `{"name": "scratch", "settings": {"action": "none"}}`, 201)
			}},

		{route: "POST /api/v1/flows", path: "/api/v1/flows", role: "admin", want: 201,
			body: `{"name": "dev-to-staging", "triggerEnvironment": "dev", "steps": [{"environment": "staging"}]}`,
			bad:  []bad{malformed("/api/v1/flows"), {"/api/v1/flows", `{"name": "f", "triggerEnvironment": "nowhere", "steps": []}`, 422}}},
		{route: "GET /api/v1/flows", path: "/api/v1/flows", role: "viewer", want: 200},
		{route: "GET /api/v1/flows/{name}", path: "/api/v1/flows/dev-to-staging", role: "viewer", want: 200,
			bad: []bad{missing("/api/v1/flows/nope")}},
		{route: "PUT /api/v1/flows/{name}", path: "/api/v1/flows/dev-to-staging", role: "admin", want: 200,
			body: `{"description": "the usual way", "triggerEnvironment": "dev", "steps": [{"environment": "staging", "dependsOn": ["dev"]}], "timeout": 60}`,
			bad:  []bad{malformed("/api/v1/flows/dev-to-staging"), {"/api/v1/flows/dev-to-staging", `{"triggerEnvironment": "dev", "steps": [{"environment": "dev"}]}`, 422}}},
		{route: "DELETE /api/v1/flows/{name}", path: "/api/v1/flows/scratch", role: "admin", want: 204,
			bad: []bad{missing("/api/v1/flows/nope")},
			setup: func(t *testing.T, fx *apiFixture) {
				fx.must(t, "POST", "/api/v1/flows", `{"name": "scratch", "triggerEnvironment": "dev", "steps": [{"environment": "staging"}]}`, 201)
			}},

		{route: "POST /api/v1/products", path: "/api/v1/products", role: "admin", want: 201,
			body: `{"name": "shop", "tags": ["team-a"], "promotionTemplate": {"versionSource": {"file": "Chart.yaml", "jsonPath": "$.appVersion"},
				"promotion": [{"file": "Chart.yaml", "jsonPaths": ["$.appVersion"]}]}, "flows": [{"flow": "dev-to-staging", "triggerSelectors": []}]}`,
			bad: []bad{malformed("/api/v1/products"), {"/api/v1/products", `{"name": "p", "flows": [{"flow": "nope"}]}`, 422}}},
		{route: "GET /api/v1/products", path: "/api/v1/products", role: "viewer", want: 200},
		{route: "GET /api/v1/products/{name}", path: "/api/v1/products/shop", role: "viewer", want: 200,
			bad: []bad{missing("/api/v1/products/nope")}},
		{route: "PUT /api/v1/products/{name}", path: "/api/v1/products/shop", role: "admin", want: 200,
			body: `{"tags": ["team-a"], "promotionTemplate": {"versionSource": {"file": "Chart.yaml", "jsonPath": "$.appVersion"},
				"promotion": [{"file": "Chart.yaml", "jsonPaths": ["$.appVersion"]}]}, "flows": [{"flow": "dev-to-staging", "triggerSelectors": []}], "queueLimit": 10}`,
			bad: []bad{malformed("/api/v1/products/shop"), {"/api/v1/products/shop", `{"concurrency": "chaos"}`, 422}}},
		{route: "DELETE /api/v1/products/{name}", path: "/api/v1/products/scratch", role: "admin", want: 204,
			bad: []bad{missing("/api/v1/products/nope")},
			setup: func(t *testing.T, fx *apiFixture) {
				fx.must(t, "POST", "/api/v1/products", `{"name": "scratch"}`, 201)
			}},

		{route: "POST /api/v1/applications", path: "/api/v1/applications", role: "admin", want: 201,
			body: `{"name": "shop", "environment": "dev", "product": "shop", "repoURL": "{repo}", "branch": "main", "path": "dev"}`,
			bad:  []bad{malformed("/api/v1/applications"), {"/api/v1/applications", `{"name": "shop", "environment": "dev", "product": "shop", "repoURL": "ftp://x"}`, 422}},
			setup: func(t *testing.T, fx *apiFixture) {
				fx.vars["{repo}"] = fx.repo
				fx.must(t, "POST", "/api/v1/applications", `{"name": "shop", "environment": "staging", "product": "shop", "repoURL": "{repo}", "branch": "main", "path": "staging"}`, 201)
			}},
		{route: "GET /api/v1/applications", path: "/api/v1/applications", role: "viewer", want: 200},
		{route: "GET /api/v1/applications/{env}/{name}", path: "/api/v1/applications/dev/shop", role: "viewer", want: 200,
			bad: []bad{missing("/api/v1/applications/dev/nope")}},
		{route: "PUT /api/v1/applications/{env}/{name}", path: "/api/v1/applications/dev/shop", role: "admin", want: 200,
			body: `{"product": "shop", "repoURL": "{repo}", "branch": "main", "path": "dev"}`,
			bad:  []bad{malformed("/api/v1/applications/dev/shop"), {"/api/v1/applications/dev/shop", `{"product": "shop", "repoURL": "{repo}", "path": "../etc"}`, 422}}},
		{route: "DELETE /api/v1/applications/{env}/{name}", path: "/api/v1/applications/dev/scratch", role: "admin", want: 204,
			bad: []bad{missing("/api/v1/applications/dev/nope")},
			setup: func(t *testing.T, fx *apiFixture) {
				fx.must(t, "POST", "/api/v1/applications", `{"name": "scratch", "environment": "dev", "product": "shop", "repoURL": "{repo}"}`, 201)
			}},

		{route: "POST /api/v1/git-credentials", path: "/api/v1/git-credentials", role: "admin", want: 201,
			body:  `{"name": "forge", "urlPrefix": "https://git.example/", "kind": "https", "username": "bot", "token": "s3cret-token-value"}`,
			bad:   []bad{malformed("/api/v1/git-credentials"), {"/api/v1/git-credentials", `{"name": "c", "urlPrefix": "https://x/", "kind": "telnet"}`, 422}},
			check: noSecret},
		{route: "GET /api/v1/git-credentials", path: "/api/v1/git-credentials", role: "viewer", want: 200, check: noSecret},
		{route: "GET /api/v1/git-credentials/{name}", path: "/api/v1/git-credentials/forge", role: "viewer", want: 200,
			bad: []bad{missing("/api/v1/git-credentials/nope")}, check: noSecret},
		{route: "PUT /api/v1/git-credentials/{name}", path: "/api/v1/git-credentials/forge", role: "admin", want: 200,
			body:  `{"urlPrefix": "https://git.example/team/", "kind": "https", "username": "bot"}`,
			bad:   []bad{malformed("/api/v1/git-credentials/forge"), {"/api/v1/git-credentials/forge", `{"urlPrefix": "", "kind": "https"}`, 422}},
			check: noSecret},
		{route: "DELETE /api/v1/git-credentials/{name}", path: "/api/v1/git-credentials/forge", role: "admin", want: 204,
			bad: []bad{missing("/api/v1/git-credentials/nope")}},

		{route: "POST /api/v1/workflow-secrets", path: "/api/v1/workflow-secrets", role: "admin", want: 201,
			body:  `{"name": "hook-token", "description": "chat webhook", "value": "s3cret-token-value"}`,
			bad:   []bad{malformed("/api/v1/workflow-secrets"), {"/api/v1/workflow-secrets", `{"name": "no value"}`, 422}},
			check: noSecret},
		{route: "GET /api/v1/workflow-secrets", path: "/api/v1/workflow-secrets", role: "admin", want: 200, check: noSecret},
		{route: "GET /api/v1/workflow-secrets/{name}", path: "/api/v1/workflow-secrets/hook-token", role: "admin", want: 200,
			bad: []bad{missing("/api/v1/workflow-secrets/nope")}, check: noSecret},
		{route: "PUT /api/v1/workflow-secrets/{name}", path: "/api/v1/workflow-secrets/hook-token", role: "admin", want: 200,
			body:  `{"description": "chat webhook, rotated"}`,
			bad:   []bad{malformed("/api/v1/workflow-secrets/hook-token"), {"/api/v1/workflow-secrets/hook-token", `{"name": "Not A Label"}`, 422}},
			check: noSecret},
		{route: "DELETE /api/v1/workflow-secrets/{name}", path: "/api/v1/workflow-secrets/hook-token", role: "admin", want: 204,
			bad: []bad{missing("/api/v1/workflow-secrets/nope"), {"/api/v1/workflow-secrets/page-token", "", 409}},
			setup: func(t *testing.T, fx *apiFixture) {
				// A secret a workflow uses may not be deleted.
				fx.must(t, "POST", "/api/v1/workflow-secrets", `{"name": "page-token", "value": "s3cret-token-value"}`, 201)
				fx.must(t, "POST", "/api/v1/workflows", `{"name": "page", "timeout": "5m", "steps": [{"name": "call", "kind": "http",
					"http": {"method": "POST", "url": "https://pager.example/", "headers": [{"name": "Authorization", "value": "Bearer {{secret \"page-token\"}}"}]}}]}`, 201)
			},
			check: func(t *testing.T, fx *apiFixture, _ []byte) {
				got, b := fx.call(t, "DELETE", "/api/v1/workflow-secrets/page-token", "admin", "")
				if got != 409 || !bytes.Contains(b, []byte("used by workflow page")) {
					t.Errorf("deleting a secret workflow page uses: got %d %s, want 409 naming the workflow", got, b)
				}
				got, b = fx.call(t, "PUT", "/api/v1/workflow-secrets/page-token", "admin", `{"name": "pager-token"}`)
				if got != 422 || !bytes.Contains(b, []byte(`"name"`)) || !bytes.Contains(b, []byte("used by workflow page, so it keeps its name")) {
					t.Errorf("renaming a secret workflow page uses: got %d %s, want 422 with the error on name", got, b)
				}
			}},

		{route: "POST /api/v1/rules", path: "/api/v1/rules", role: "admin", want: 201,
			body: `{"name": "sre-shop", "group": "sre", "permission": "trigger", "environments": {"kinds": ["production"]},
				"products": {"names": ["shop"], "tags": ["team-a"]}, "flows": {"names": ["dev-to-staging"]}}`,
			bad: []bad{malformed("/api/v1/rules"), {"/api/v1/rules", `{"name": "r", "group": "sre", "permission": "deploy"}`, 422},
				{"/api/v1/rules", `{"name": "r", "group": "sre", "permission": "promote", "products": {"names": ["nope"]}}`, 422},
				{"/api/v1/rules", `{"name": "r", "group": "sre", "permission": "promote", "flows": {"names": ["nope"]}}`, 422}},
			check: func(t *testing.T, fx *apiFixture, body []byte) {
				_, got := fx.call(t, "GET", "/api/v1/rules/sre-shop", "viewer", "")
				var a, b map[string]any
				_ = json.Unmarshal(body, &a)
				_ = json.Unmarshal(got, &b)
				if toJSON(a) != toJSON(b) || !strings.Contains(string(got), `"products":{"names":["shop"],"tags":["team-a"]}`) ||
					!strings.Contains(string(got), `"flows":{"names":["dev-to-staging"]}`) {
					t.Errorf("the rule read back: got %s, want as created %s", got, body)
				}
				if code, _ := fx.call(t, "POST", "/api/v1/rules", "admin", `{"name": "sre-shop", "group": "ops", "permission": "retry"}`); code != 422 {
					t.Errorf("a second rule sre-shop: got %d, want 422", code)
				}
			}},
		{route: "GET /api/v1/rules", path: "/api/v1/rules", role: "viewer", want: 200},
		{route: "GET /api/v1/rules/{name}", path: "/api/v1/rules/sre-shop", role: "viewer", want: 200,
			bad: []bad{missing("/api/v1/rules/nope")}},
		{route: "PUT /api/v1/rules/{name}", path: "/api/v1/rules/sre-shop", role: "admin", want: 200,
			body: `{"group": "sre", "permission": "promote", "products": {"names": ["shop"]}}`,
			bad: []bad{malformed("/api/v1/rules/sre-shop"), {"/api/v1/rules/sre-shop", `{"group": "", "permission": "promote"}`, 422},
				{"/api/v1/rules/nope", `{"group": "sre", "permission": "promote"}`, 404}},
			check: func(t *testing.T, fx *apiFixture, body []byte) {
				if strings.Contains(string(body), `"flows"`) || !strings.Contains(string(body), `"products":{"names":["shop"]}`) {
					t.Errorf("the changed rule: got %s, want only the product name left", body)
				}
			}},
		{route: "GET /api/v1/rule-evaluation", path: "/api/v1/rule-evaluation?group=ops&permission=promote&product=shop&environment=staging",
			role: "admin", want: 200,
			bad: []bad{{"/api/v1/rule-evaluation?permission=promote&environment=staging", "", 422},
				{"/api/v1/rule-evaluation?permission=trigger&product=shop&environment=staging", "", 422}},
			check: func(t *testing.T, fx *apiFixture, body []byte) {
				var v struct {
					Allowed bool
					Checks  []struct {
						Permission string
						Rules      []struct{ Name string }
					}
				}
				if err := json.Unmarshal(body, &v); err != nil || v.Allowed || len(v.Checks) != 1 || len(v.Checks[0].Rules) != 1 ||
					v.Checks[0].Rules[0].Name != "sre-shop" {
					t.Errorf("a promoter in ops promoting shop: got %s, want denied by sre-shop", body)
				}
			}},
		{route: "DELETE /api/v1/rules/{name}", path: "/api/v1/rules/sre-shop", role: "admin", want: 204,
			bad: []bad{missing("/api/v1/rules/nope")}},

		{route: "GET /api/v1/model", path: "/api/v1/model", role: "viewer", want: 200,
			check: func(t *testing.T, fx *apiFixture, body []byte) { fx.vars["{model}"] = string(body) }},
		{route: "POST /api/v1/model", path: "/api/v1/model?dryRun=true", role: "admin", want: 200, body: "{model}",
			bad: []bad{{"/api/v1/model", "", 400}, {"/api/v1/model", "apiVersion: ladder/v1\nkind: Environment\nmetadata: {name: qa}\nspec: {kind: testing}\n", 422}}},
		{route: "PUT /api/v1/model-repository", path: "/api/v1/model-repository", role: "admin", want: 200,
			body: `{"url": "{repo}", "path": "ladder"}`,
			bad: []bad{malformed("/api/v1/model-repository"), {"/api/v1/model-repository", `{"url": ""}`, 422},
				{"/api/v1/model-repository", `{"url": "{repo}", "credential": "nope"}`, 422}},
			setup: func(t *testing.T, fx *apiFixture) { fx.vars["{repo}"] = fx.repo }},
		{route: "GET /api/v1/model-repository", path: "/api/v1/model-repository", role: "viewer", want: 200},
		{route: "POST /api/v1/model-repository/check", path: "/api/v1/model-repository/check", role: "admin", want: 200, bad: []bad{}},
		{route: "GET /api/v1/model-repository/attempts", path: "/api/v1/model-repository/attempts", role: "viewer", want: 200,
			check: func(t *testing.T, fx *apiFixture, body []byte) {
				if !bytes.Contains(body, []byte(`"result":"applied"`)) {
					t.Errorf("got %s, want the repository's head applied (its path holds no model: a no-op)", body)
				}
			}},
		{route: "DELETE /api/v1/model-repository", path: "/api/v1/model-repository", role: "admin", want: 204, bad: []bad{}},

		{route: "POST /api/v1/releases", path: "/api/v1/releases", role: "promoter", want: 201,
			body: `{"product": "shop", "flow": "dev-to-staging"}`,
			bad: []bad{malformed("/api/v1/releases"), {"/api/v1/releases", `{"product": "shop"}`, 422}, {"/api/v1/releases", `{"product": "nope", "from": "dev", "to": "staging"}`, 422},
				{"/api/v1/releases?dryRun=maybe", `{"product": "shop", "flow": "dev-to-staging"}`, 422}},
			setup: func(t *testing.T, fx *apiFixture) {
				// A frozen target keeps the release waiting, so it can be terminated and retried.
				resp := caller{name: "admin", cookie: fx.srv.adminSession(t)}
				req, _ := http.NewRequest("POST", fx.srv.URL+"/environments/staging/freeze", strings.NewReader(url.Values{"reason": {"tests"}}.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.AddCookie(resp.cookie)
				r, err := noRedirects.Do(req)
				if err != nil || r.StatusCode >= 400 {
					t.Fatalf("freeze staging: %v %v", err, r)
				}
				r.Body.Close()
			},
			check: func(t *testing.T, fx *apiFixture, body []byte) {
				var rel struct {
					ID, Product, Status string
					Environments        []struct{ Name, Status, Blocker string }
				}
				if err := json.Unmarshal(body, &rel); err != nil || rel.ID == "" || rel.Product != "shop" || len(rel.Environments) != 2 {
					t.Fatalf("got %s (%v), want a release of shop through dev and staging", body, err)
				}
				fx.vars["{release}"] = rel.ID
			}},
		{route: "GET /api/v1/releases", path: "/api/v1/releases?product=shop&status=", role: "viewer", want: 200,
			bad: []bad{{"/api/v1/releases?status=sleeping", "", 422}, {"/api/v1/releases?limit=lots", "", 422}}},
		{route: "GET /api/v1/releases/{id}", path: "/api/v1/releases/{release}", role: "viewer", want: 200,
			bad: []bad{missing("/api/v1/releases/nope")}},
		{route: "POST /api/v1/releases/{id}/terminate", path: "/api/v1/releases/{release}/terminate", role: "promoter", want: 200,
			bad: []bad{missing("/api/v1/releases/nope/terminate")}},
		{route: "POST /api/v1/releases/{id}/retry", path: "/api/v1/releases/{release}/retry", role: "promoter", want: 200,
			bad:   []bad{missing("/api/v1/releases/nope/retry")},
			setup: func(t *testing.T, fx *apiFixture) { fx.waitForStatus(t, "TERMINATED") }},
		{route: "POST /api/v1/releases/{id}/approve", path: "/api/v1/releases/{gated-a}/approve", role: "promoter", want: 200,
			body: `{"comment": "looks good"}`,
			bad: []bad{malformed("/api/v1/releases/{gated-a}/approve"), missing("/api/v1/releases/nope/approve"),
				{"/api/v1/releases/{gated-a}/approve", `{"environment": "nowhere"}`, 422},
				{"/api/v1/releases/{gated-a}/approve", `{"step": 999999}`, 409},
				{"/api/v1/releases/{release}/approve", "", 409}},
			setup: func(t *testing.T, fx *apiFixture) {
				fx.gatedModel(t)
				fx.gatedRelease(t, "gate-a")
			},
			check: decidedOn("gate-a", true)},
		{route: "POST /api/v1/releases/{id}/reject", path: "/api/v1/releases/{gated-r}/reject", role: "promoter", want: 200,
			body: `{"environment": "gate-dst", "comment": "not today"}`,
			bad: []bad{malformed("/api/v1/releases/{gated-r}/reject"), missing("/api/v1/releases/nope/reject"),
				{"/api/v1/releases/{gated-r}/reject", `{"environment": "gate-src"}`, 409}},
			setup: func(t *testing.T, fx *apiFixture) { fx.gatedRelease(t, "gate-r") },
			check: decidedOn("gate-r", false)},
		{route: "POST /api/v1/releases/{id}/rollback", path: "/api/v1/releases/{gated-a}/rollback", role: "promoter", want: 201,
			body: `{"environment": "gate-dst", "pin": true, "pinReason": "bad cache headers"}`,
			bad: []bad{malformed("/api/v1/releases/{gated-a}/rollback"), {"/api/v1/releases/nope/rollback", `{"environment": "gate-dst"}`, 404},
				{"/api/v1/releases/{gated-a}/rollback", `{"environment": "gate-src"}`, 422},
				{"/api/v1/releases/{gated-a}/rollback", `{"environment": "gate-dst", "pin": true, "pinReason": "` + strings.Repeat("x", 501) + `"}`, 422}},
			setup: func(t *testing.T, fx *apiFixture) {
				// A roll back takes today's policies for its settings.
				fx.must(t, "POST", "/api/v1/policies", `{"name": "gate-none", "selector": {"environments": {"names": ["gate-dst"]}}, "settings": {"action": "none"}}`, 201)
				fx.waitFor(t, "{gated-a}", "SUCCEEDED")
			},
			check: func(t *testing.T, fx *apiFixture, body []byte) {
				var rel struct{ ID, Product, Version string }
				if err := json.Unmarshal(body, &rel); err != nil || rel.Product != "gate-a" {
					t.Fatalf("got %s (%v), want a roll back release of gate-a", body, err)
				}
				fx.vars["{rollback}"] = rel.ID
				fx.waitFor(t, "{rollback}", "SUCCEEDED") // the pin it set does not hold it
				// A person's promotion into the pinned environment must confirm the pin.
				got, b := fx.call(t, "POST", "/api/v1/releases", "promoter", `{"product": "gate-a", "from": "gate-src", "to": "gate-dst"}`)
				if got != 422 || !bytes.Contains(b, []byte(`"confirmPin":"gate-dst is pinned at `+rel.Version+` by token:promoter (bad cache headers): confirm to promote anyway"`)) {
					t.Errorf("promotion into the pinned environment: got %d %s, want 422 on confirmPin naming the pin", got, b)
				}
				got, b = fx.call(t, "POST", "/api/v1/releases", "promoter", `{"product": "gate-a", "from": "gate-src", "to": "gate-dst", "confirmPin": true}`)
				if got != 201 {
					t.Errorf("confirmed promotion: got %d %s, want 201", got, b)
				}
			}},
		{route: "GET /api/v1/pins", path: "/api/v1/pins", role: "viewer", want: 200,
			check: func(t *testing.T, fx *apiFixture, body []byte) {
				var pins []struct{ Product, Environment, Reason, PinnedBy, Release, Blocker string }
				if err := json.Unmarshal(body, &pins); err != nil || len(pins) != 1 || pins[0].Product != "gate-a" || pins[0].Environment != "gate-dst" ||
					pins[0].Reason != "bad cache headers" || pins[0].PinnedBy != "token:promoter" || pins[0].Release != fx.vars["{rollback}"] ||
					!strings.HasPrefix(pins[0].Blocker, "pinned at ") {
					t.Errorf("got %s (%v), want the pin of gate-a in gate-dst set by the roll back", body, err)
				}
			}},
		{route: "DELETE /api/v1/pins/{product}/{env}", path: "/api/v1/pins/gate-a/gate-dst", role: "promoter", want: 204,
			bad: []bad{missing("/api/v1/pins/gate-r/gate-dst"), missing("/api/v1/pins/gate-a/nowhere")},
			check: func(t *testing.T, fx *apiFixture, body []byte) {
				if b := fx.must(t, "GET", "/api/v1/pins", "", 200); string(bytes.TrimSpace(b)) != "[]" {
					t.Errorf("pins after unpinning: got %s, want none", b)
				}
			}},
		// A promoter's token belongs to no group, so no promote rule lets it override: the
		// least caller that may is an admin (the 403 check runs as a promoter).
		{route: "POST /api/v1/releases/{id}/override-freeze", path: "/api/v1/releases/{frozen}/override-freeze", role: "admin", want: 200,
			body: `{"environment": "gate-dst", "reason": "hotfix for the checkout"}`,
			bad: []bad{malformed("/api/v1/releases/{frozen}/override-freeze"),
				{"/api/v1/releases/nope/override-freeze", `{"environment": "gate-dst", "reason": "x"}`, 404},
				{"/api/v1/releases/{frozen}/override-freeze", `{"environment": "gate-dst"}`, 422},
				{"/api/v1/releases/{frozen}/override-freeze", `{"environment": "nowhere", "reason": "x"}`, 422},
				{"/api/v1/releases/{release}/override-freeze", `{"environment": "staging", "reason": "x"}`, 409}},
			setup: func(t *testing.T, fx *apiFixture) { fx.windowedRelease(t) },
			check: func(t *testing.T, fx *apiFixture, body []byte) {
				var rel struct {
					Environments []struct{ Name, FreezeOverride string }
				}
				if err := json.Unmarshal(body, &rel); err != nil || len(rel.Environments) != 2 || rel.Environments[1].FreezeOverride != "token:admin: hotfix for the checkout" {
					t.Fatalf("got %s (%v), want gate-dst overridden by admin with the reason", body, err)
				}
				var last []byte
				for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
					if last = fx.must(t, "GET", "/api/v1/releases/{frozen}", "", 200); bytes.Contains(last, []byte("waiting for approval")) {
						return
					}
				}
				t.Errorf("got %s, want the release past the window, at its approval", last)
			}},
	}
}

// windowedRelease adds product gate-f on the gate flow and a freeze window of that product alone
// holding gate-dst now, starts a release of it, waits until it waits on the window, and names
// it {frozen}.
func (fx *apiFixture) windowedRelease(t *testing.T) {
	t.Helper()
	fx.must(t, "POST", "/api/v1/products", `{"name": "gate-f", "promotionTemplate": {"versionSource": {"file": "Chart.yaml", "jsonPath": "$.appVersion"},
		"promotion": [{"file": "Chart.yaml", "jsonPaths": ["$.appVersion"]}]}, "flows": [{"flow": "gate", "triggerSelectors": []}]}`, 201)
	for env, path := range map[string]string{"gate-src": "dev", "gate-dst": "staging"} {
		fx.must(t, "POST", "/api/v1/applications", `{"name": "gate-f", "environment": "`+env+`", "product": "gate-f",
			"repoURL": "`+fx.repo+`", "branch": "main", "path": "`+path+`"}`, 201)
	}
	now := time.Now().UTC()
	fx.must(t, "POST", "/api/v1/freeze-windows", `{"name": "gate-f-hold", "start": "`+now.Add(-time.Hour).Format("2006-01-02T15:04")+
		`", "end": "`+now.Add(2*time.Hour).Format("2006-01-02T15:04")+`", "timeZone": "UTC", "product": "gate-f",
		"environments": {"names": ["gate-dst"]}, "reason": "release week"}`, 201)
	var rel struct{ ID string }
	if err := json.Unmarshal(fx.must(t, "POST", "/api/v1/releases", `{"product": "gate-f", "flow": "gate"}`, 201), &rel); err != nil {
		t.Fatal(err)
	}
	fx.vars["{frozen}"] = rel.ID
	var last []byte
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		last = fx.must(t, "GET", "/api/v1/releases/"+rel.ID, "", 200)
		if bytes.Contains(last, []byte(`"blocker":"frozen until `)) && bytes.Contains(last, []byte(`(release week)"`)) {
			return
		}
	}
	t.Fatalf("release of gate-f never waited on the window: got %s", last)
}

// gatedModel adds environments, a flow and products of their own whose releases wait at an
// approval step (a pre-action of the target environment) for the approve and reject cases.
func (fx *apiFixture) gatedModel(t *testing.T) {
	t.Helper()
	fx.must(t, "POST", "/api/v1/environments", `{"name": "gate-src", "kind": "non-production"}`, 201)
	fx.must(t, "POST", "/api/v1/environments", `{"name": "gate-dst", "kind": "non-production"}`, 201)
	fx.must(t, "POST", "/api/v1/workflows", `{"name": "gate", "timeout": "5m",
		"steps": [{"name": "sign-off", "kind": "approval", "approval": {"required": 1, "allowSelfApproval": true}}]}`, 201)
	fx.must(t, "POST", "/api/v1/flows", `{"name": "gate", "triggerEnvironment": "gate-src",
		"steps": [{"environment": "gate-dst", "settings": {"preAction": "gate", "action": "none"}}]}`, 201)
	for _, p := range []string{"gate-a", "gate-r"} {
		fx.must(t, "POST", "/api/v1/products", `{"name": "`+p+`", "promotionTemplate": {"versionSource": {"file": "Chart.yaml", "jsonPath": "$.appVersion"},
			"promotion": [{"file": "Chart.yaml", "jsonPaths": ["$.appVersion"]}]}, "flows": [{"flow": "gate", "triggerSelectors": []}]}`, 201)
		for env, path := range map[string]string{"gate-src": "dev", "gate-dst": "staging"} {
			fx.must(t, "POST", "/api/v1/applications", `{"name": "`+p+`", "environment": "`+env+`", "product": "`+p+`",
				"repoURL": "`+fx.repo+`", "branch": "main", "path": "`+path+`"}`, 201)
		}
	}
}

// gatedRelease starts a release of product through the gate flow, waits until it waits for
// approval, and names it {gated-<suffix>} for the case's paths.
func (fx *apiFixture) gatedRelease(t *testing.T, product string) {
	t.Helper()
	var rel struct{ ID string }
	if err := json.Unmarshal(fx.must(t, "POST", "/api/v1/releases", `{"product": "`+product+`", "flow": "gate"}`, 201), &rel); err != nil {
		t.Fatal(err)
	}
	fx.vars["{gated-"+strings.TrimPrefix(product, "gate-")+"}"] = rel.ID
	var last []byte
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		last = fx.must(t, "GET", "/api/v1/releases/"+rel.ID, "", 200)
		if bytes.Contains(last, []byte(`"blocker":"waiting for approval`)) {
			return
		}
	}
	t.Fatalf("release of %s never waited for approval: got %s", product, last)
}

// decidedOn checks that the answer is the release of product and that the release goes on
// from the approval step: approved it leaves it (and does not fail), rejected it fails.
func decidedOn(product string, approved bool) func(t *testing.T, fx *apiFixture, body []byte) {
	return func(t *testing.T, fx *apiFixture, body []byte) {
		var rel struct{ ID, Product string }
		if err := json.Unmarshal(body, &rel); err != nil || rel.Product != product {
			t.Fatalf("got %s (%v), want the release of %s", body, err, product)
		}
		var last []byte
		for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			last = fx.must(t, "GET", "/api/v1/releases/"+rel.ID, "", 200)
			failed := bytes.Contains(last, []byte(`"status":"FAILED"`))
			if approved && failed {
				t.Fatalf("approved release %s failed: %s", rel.ID, last)
			}
			if (approved && !bytes.Contains(last, []byte("waiting for approval"))) || (!approved && failed && bytes.Contains(last, []byte("rejected by"))) {
				return
			}
		}
		t.Errorf("release %s of %s: got %s, want it %s", rel.ID, product, last, map[bool]string{true: "past its approval", false: "failed"}[approved])
	}
}

func noSecret(t *testing.T, _ *apiFixture, body []byte) {
	if bytes.Contains(body, []byte("s3cret-token-value")) {
		t.Errorf("the answer shows the credential's secret: %s", body)
	}
}

func (fx *apiFixture) waitForStatus(t *testing.T, want string) {
	t.Helper()
	fx.waitFor(t, "{release}", want)
}

// waitFor waits until the release named by the variable id has status want.
func (fx *apiFixture) waitFor(t *testing.T, id, want string) {
	t.Helper()
	var rel struct{ Status string }
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		_ = json.Unmarshal(fx.must(t, "GET", "/api/v1/releases/"+id, "", 200), &rel)
		if rel.Status == want {
			return
		}
	}
	t.Fatalf("release %s never reached %s (it is %s)", id, want, rel.Status)
}

var lowerRole = map[string]string{"promoter": "viewer", "admin": "promoter"}

func TestEveryAPIRoute(t *testing.T) {
	fx := newAPIFixture(t)
	for _, c := range apiCases() {
		t.Run(c.route, func(t *testing.T) {
			if c.setup != nil {
				c.setup(t, fx)
			}
			method := strings.Fields(c.route)[0]
			if c.role != "public" {
				if got, b := fx.call(t, method, c.path, "", c.body); got != http.StatusUnauthorized || !isJSONError(b) {
					t.Errorf("without a token: got %d %s, want 401 with a JSON error", got, b)
				}
				if low, ok := lowerRole[c.role]; ok {
					if got, b := fx.call(t, method, c.path, low, c.body); got != http.StatusForbidden || !isJSONError(b) {
						t.Errorf("as %s: got %d %s, want 403 with a JSON error", low, got, b)
					}
				}
			}
			for _, b := range c.bad {
				got, body := fx.call(t, method, b.path, "admin", b.body)
				if got != b.want || !isJSONError(body) {
					t.Errorf("%s %q: got %d %s, want %d with a JSON error", b.path, b.body, got, body, b.want)
				}
				if b.want == 422 && !bytes.Contains(body, []byte(`"fields"`)) && !bytes.Contains(body, []byte(`"problems"`)) {
					t.Errorf("%s %q: got %s, want field errors", b.path, b.body, body)
				}
			}
			role := c.role
			if role == "public" {
				role = ""
			}
			got, body := fx.call(t, method, c.path, role, c.body)
			if got != c.want {
				t.Fatalf("as %s: got %d %s, want %d", c.role, got, body, c.want)
			}
			if c.check != nil {
				c.check(t, fx, body)
			}
		})
	}
}

func isJSONError(b []byte) bool {
	var e struct{ Error string }
	return json.Unmarshal(b, &e) == nil && e.Error != ""
}

func TestEveryAPIRouteHasACase(t *testing.T) {
	cases := map[string]bool{}
	for _, c := range apiCases() {
		cases[c.route] = true
		if c.bad == nil && !strings.HasPrefix(c.route, "GET ") {
			t.Errorf("%s: only a GET route may go without bad input cases", c.route)
		}
	}
	for _, rt := range web.Routes() {
		if !strings.HasPrefix(rt.Pattern, "GET /api/") && !strings.Contains(rt.Pattern, " /api/") {
			continue
		}
		if !cases[rt.Pattern] {
			t.Errorf("%s has no case in apiCases: add its success, bad input, 401 and 403 checks", rt.Pattern)
		}
		delete(cases, rt.Pattern)
	}
	for route := range cases {
		t.Errorf("apiCases tests %s, which is not a route", route)
	}
}
