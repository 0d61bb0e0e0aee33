package web_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ladder/internal/app"
)

// TestModelBuiltThroughTheAPIRoundTrips builds a model through the API, exports it, applies
// the export to an empty data directory with the CLI and exports that again: the two files
// must be byte for byte the same.
func TestModelBuiltThroughTheAPIRoundTrips(t *testing.T) {
	fx := newAPIFixture(t)
	fx.vars["{repo}"] = fx.repo
	for _, c := range []struct{ path, body string }{
		{"/api/v1/environments", `{"name": "dev", "kind": "non-production", "tags": ["team=a"], "description": "where changes land"}`},
		{"/api/v1/environments", `{"name": "staging", "kind": "non-production"}`},
		{"/api/v1/environments", `{"name": "prod-us", "kind": "production", "tags": ["customer-facing", "region=us"]}`},
		{"/api/v1/environments", `{"name": "prod-eu", "kind": "production", "tags": ["customer-facing", "region=eu"]}`},
		{"/api/v1/workflows", `{"name": "smoke", "timeout": "5m", "steps": [{"name": "health", "kind": "http",
			"http": {"method": "GET", "url": "https://shop.example/healthz?v={{.VERSION}}", "expectStatus": "200", "retries": 10, "interval": "5s"}}]}`},
		{"/api/v1/workflows", `{"name": "gate", "description": "a person says yes", "steps": [{"name": "approve", "kind": "approval",
			"approval": {"required": 2, "groups": ["sre"]}}, {"name": "soak", "kind": "wait", "wait": {"duration": "10m"}},
			{"name": "notify", "kind": "exec", "exec": {"command": "/bin/echo", "args": ["released", "{{.VERSION}}"]}}]}`},
		{"/api/v1/policies", `{"name": "default-commit", "priority": 0, "settings": {"action": "commit", "postAction": "smoke"}}`},
		{"/api/v1/policies", `{"name": "prod-gate", "priority": 10, "selector": {"environments": {"kinds": ["production"]}, "products": {"tags": ["team-a"]}},
			"settings": {"preAction": "gate", "action": "pull-request"}, "binding": true}`},
		{"/api/v1/flows", `{"name": "dev-to-prod", "version": "v2", "triggerEnvironment": "dev", "steps": [{"environment": "staging"},
			{"environment": "prod-us", "dependsOn": ["staging"], "settings": {"action": "commit"}}, {"environment": "prod-eu", "dependsOn": ["staging"], "hooks": {"pre": "smoke", "onFail": "gate"}, "soak": {"after": "30m", "health": true}}],
			"hooks": {"onFail": "smoke"}, "timeout": 600}`},
		{"/api/v1/products", `{"name": "shop", "tags": ["team-a"], "description": "the web shop",
			"promotionTemplate": {"versionSource": {"file": "Chart.yaml", "jsonPath": "$.appVersion"},
			"promotion": [{"file": "Chart.yaml", "jsonPaths": ["$.appVersion"]}, {"file": "values*.yaml", "jsonPaths": ["$.image.tag", "$['feature-flags'].beta"]}]},
			"flows": [{"flow": "dev-to-prod", "triggerSelectors": [{"key": "branch", "operator": "In", "values": ["main", "release-*"]}]}], "concurrency": "terminate", "queueLimit": 5}`},
		{"/api/v1/products", `{"name": "blog"}`},
		{"/api/v1/applications", `{"name": "shop", "environment": "prod-us", "product": "shop", "repoURL": "{repo}", "path": "staging"}`},
		{"/api/v1/applications", `{"name": "shop", "environment": "dev", "product": "shop", "repoURL": "{repo}", "branch": "main", "path": "dev", "healthURL": "https://dev.shop.example/healthz"}`},
		{"/api/v1/applications", `{"name": "blog", "environment": "dev", "product": "blog", "repoURL": "git@git.example:blog.git"}`},
	} {
		fx.must(t, "POST", c.path, c.body, 201)
	}
	fx.must(t, "POST", "/api/v1/git-credentials", `{"name": "forge", "urlPrefix": "https://git.example/", "kind": "https", "username": "bot", "token": "s3cret-token-value"}`, 201)
	if got := fx.must(t, "GET", "/api/v1/policies/prod-gate", "", 200); !bytes.Contains(got, []byte(`"binding":true`)) {
		t.Errorf("the API answers prod-gate without binding: %s", got)
	}
	if got := fx.must(t, "GET", "/api/v1/flows/dev-to-prod", "", 200); !bytes.Contains(got, []byte(`"soak":{"after":"30m","health":true}`)) {
		t.Errorf("the API answers dev-to-prod without prod-eu's soak: %s", got)
	}
	if got := fx.must(t, "PUT", "/api/v1/flows/dev-to-prod", `{"triggerEnvironment": "dev", "steps": [{"environment": "staging", "soak": {"after": "soon"}}]}`, 422); !bytes.Contains(got, []byte(`"steps.0.soak"`)) {
		t.Errorf("a soak that is not a duration: got %s, want a field error on steps.0.soak", got)
	}
	first := fx.must(t, "GET", "/api/v1/model", "", 200)
	if !bytes.Contains(first, []byte("soak: {after: 30m, health: true}")) && !bytes.Contains(first, []byte("after: 30m")) {
		t.Errorf("the export lacks prod-eu's soak:\n%s", first)
	}
	if !bytes.Contains(first, []byte("binding: true")) {
		t.Errorf("the export lacks prod-gate's binding: true:\n%s", first)
	}
	if bytes.Contains(first, []byte("s3cret")) {
		t.Errorf("the export contains a Git credential's token:\n%s", first)
	}
	if !bytes.Contains(first, []byte("kind: GitCredential\nmetadata: {name: forge}")) || !bytes.Contains(first, []byte("secretRef: {name: forge, key: secret}")) {
		t.Errorf("the export lacks the Git credential forge by reference:\n%s", first)
	}
	if !bytes.Contains(first, []byte("onFail: gate")) {
		t.Errorf("the export lacks the prod-eu step's onFail hook:\n%s", first)
	}
	file := filepath.Join(t.TempDir(), "model.yaml")
	if err := os.WriteFile(file, first, 0o600); err != nil {
		t.Fatal(err)
	}
	secrets := filepath.Join(t.TempDir(), "secrets.yaml")
	if err := os.WriteFile(secrets, []byte("apiVersion: v1\nkind: Secret\nmetadata: {name: forge}\nstringData: {secret: another-token}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(t.TempDir(), "data")
	applied := run(t, "apply", "-f", file, "--secrets", secrets, "--data", empty)
	if n := strings.Count(applied, "create "); n != 15 {
		t.Errorf("apply to an empty directory: got %d creates, want 15:\n%s", n, applied)
	}
	if second := run(t, "export", "--data", empty); second != string(first) {
		t.Errorf("the export of the applied model differs:\n--- API export\n%s\n--- after apply\n%s", first, second)
	}
	again := run(t, "apply", "-f", file, "--data", empty, "--dry-run")
	if strings.Count(again, "unchanged ") != 15 {
		t.Errorf("a dry run of the same file: got\n%s\nwant 15 unchanged", again)
	}
	t.Logf("round trip of %d documents, %d bytes", strings.Count(string(first), "apiVersion:"), len(first))
}

func run(t *testing.T, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	if err := app.Run(context.Background(), append([]string{"ladder"}, args...), func(string) string { return "" }, &out); err != nil {
		t.Fatalf("ladder %s: %v", strings.Join(args, " "), err)
	}
	return out.String()
}

// TestPruneThroughTheAPI deletes, with ?prune=true, the environments a body no longer
// declares; a dry run only lists the deletion, and an environment an application still uses
// refuses the whole body with 422.
func TestPruneThroughTheAPI(t *testing.T) {
	fx := newAPIFixture(t)
	env := func(name string) string {
		return "apiVersion: ladder/v1\nkind: Environment\nmetadata: {name: " + name + "}\nspec: {kind: non-production}\n---\n"
	}
	fx.must(t, "POST", "/api/v1/model", env("dev")+env("qa"), 200)
	dry := fx.must(t, "POST", "/api/v1/model?prune=true&dryRun=true", env("dev"), 200)
	if !bytes.Contains(dry, []byte(`{"kind":"Environment","name":"qa","action":"delete"}`)) {
		t.Errorf("the dry run lacks the deletion of qa: %s", dry)
	}
	if got := fx.must(t, "GET", "/api/v1/model", "", 200); !bytes.Contains(got, []byte("{name: qa}")) {
		t.Fatalf("a dry run deleted qa:\n%s", got)
	}
	fx.must(t, "POST", "/api/v1/model?prune=true", env("dev"), 200)
	if got := fx.must(t, "GET", "/api/v1/model", "", 200); bytes.Contains(got, []byte("{name: qa}")) {
		t.Fatalf("qa is still there after a prune:\n%s", got)
	}
	fx.must(t, "POST", "/api/v1/products", `{"name": "shop"}`, 201)
	fx.must(t, "POST", "/api/v1/applications", `{"name": "shop", "environment": "dev", "product": "shop", "repoURL": "https://git.example/shop.git"}`, 201)
	refused := fx.must(t, "POST", "/api/v1/model?prune=true", env("qa"), 422)
	if !bytes.Contains(refused, []byte("application dev/shop")) {
		t.Errorf("got %s, want the refusal to name application dev/shop", refused)
	}
	if got := fx.must(t, "GET", "/api/v1/model", "", 200); !bytes.Contains(got, []byte("{name: dev}")) || bytes.Contains(got, []byte("{name: qa}")) {
		t.Errorf("a refused prune changed the model:\n%s", got)
	}
}
