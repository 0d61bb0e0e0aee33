package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRulesBuiltThroughTheAPIRoundTrip: access rules scoped to environments, products and
// flows, made through the API, export as AccessRule documents after what they name; the export
// applied to an empty data directory with the CLI exports byte for byte the same, and applies
// again unchanged.
func TestRulesBuiltThroughTheAPIRoundTrip(t *testing.T) {
	fx := newAPIFixture(t)
	for _, c := range []struct{ path, body string }{
		{"/api/v1/environments", `{"name": "dev", "kind": "non-production"}`},
		{"/api/v1/environments", `{"name": "prod", "kind": "production"}`},
		{"/api/v1/flows", `{"name": "hotfix", "triggerEnvironment": "dev", "steps": [{"environment": "prod", "dependsOn": ["dev"]}]}`},
		{"/api/v1/products", `{"name": "shop", "tags": ["team-a"], "flows": [{"flow": "hotfix"}]}`},
		{"/api/v1/rules", `{"name": "payments-shop", "group": "payments", "permission": "promote", "products": {"names": ["shop"]}}`},
		{"/api/v1/rules", `{"name": "sre-hotfix-prod", "group": "sre", "permission": "trigger", "environments": {"names": ["prod"], "kinds": ["production"]},
			"products": {"tags": ["team-a"]}, "flows": {"names": ["hotfix"]}}`},
		{"/api/v1/rules", `{"name": "ops-retries", "group": "ops", "permission": "retry"}`},
	} {
		fx.must(t, "POST", c.path, c.body, 201)
	}
	first := fx.must(t, "GET", "/api/v1/model", "", 200)
	for _, want := range []string{"kind: AccessRule\nmetadata: {name: sre-hotfix-prod}", "permission: trigger", "flows:\n    names: [hotfix]"} {
		if !bytes.Contains(first, []byte(want)) {
			t.Errorf("the export lacks %q:\n%s", want, first)
		}
	}
	if bytes.Index(first, []byte("kind: AccessRule")) < bytes.Index(first, []byte("kind: Product")) {
		t.Errorf("rules come before the products they name:\n%s", first)
	}
	file := filepath.Join(t.TempDir(), "model.yaml")
	if err := os.WriteFile(file, first, 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(t.TempDir(), "data")
	applied := run(t, "apply", "-f", file, "--data", empty)
	if n := strings.Count(applied, "create AccessRule"); n != 3 {
		t.Errorf("apply to an empty directory: got %d rules created, want 3:\n%s", n, applied)
	}
	if second := run(t, "export", "--data", empty); second != string(first) {
		t.Errorf("the export of the applied model differs:\n--- API export\n%s\n--- after apply\n%s", first, second)
	}
	if again := run(t, "apply", "-f", file, "--data", empty, "--dry-run"); strings.Count(again, "unchanged AccessRule") != 3 {
		t.Errorf("a dry run of the same file: got\n%s\nwant the 3 rules unchanged", again)
	}
}

// TestRulesInTheOpenAPIDocument: the OpenAPI document describes the rules' routes and the
// rule's fields, with the permissions it may hold.
func TestRulesInTheOpenAPIDocument(t *testing.T) {
	fx := newAPIFixture(t)
	var doc struct {
		Paths      map[string]map[string]any
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Enum []string
					Ref  string `json:"$ref"`
				}
			}
		}
	}
	if err := json.Unmarshal(fx.must(t, "GET", "/api/v1/openapi.json", "", 200), &doc); err != nil {
		t.Fatal(err)
	}
	for path, methods := range map[string][]string{"/rules": {"get", "post"}, "/rules/{name}": {"get", "put", "delete"}, "/rule-evaluation": {"get"}} {
		for _, m := range methods {
			if doc.Paths[path][m] == nil {
				t.Errorf("no %s %s in the document", m, path)
			}
		}
	}
	rule := doc.Components.Schemas["Rule"].Properties
	if got := strings.Join(rule["permission"].Enum, ","); got != "promote,approve,trigger,retry" {
		t.Errorf("the rule's permissions: got %q, want promote,approve,trigger,retry", got)
	}
	for _, field := range []string{"name", "group", "environments", "products", "flows"} {
		if _, ok := rule[field]; !ok {
			t.Errorf("the rule schema lacks %s; it has %v", field, rule)
		}
	}
}

// TestRenamesFollowIntoRules: renaming an environment, a product or a flow renames it in the
// rules that name it, keeping their other names and order, so a rule goes on narrowing what it
// named (a rule left with the old name would select nothing, and narrow nothing).
func TestRenamesFollowIntoRules(t *testing.T) {
	fx := newAPIFixture(t)
	for _, c := range []struct{ path, body string }{
		{"/api/v1/environments", `{"name": "dev", "kind": "non-production"}`},
		{"/api/v1/environments", `{"name": "prod", "kind": "production"}`},
		{"/api/v1/flows", `{"name": "hotfix", "triggerEnvironment": "dev", "steps": [{"environment": "prod", "dependsOn": ["dev"]}]}`},
		{"/api/v1/products", `{"name": "shop", "flows": [{"flow": "hotfix"}]}`},
		{"/api/v1/products", `{"name": "cart", "flows": [{"flow": "hotfix"}]}`},
		{"/api/v1/rules", `{"name": "sre-prod", "group": "sre", "permission": "promote", "environments": {"names": ["prod"]},
			"products": {"names": ["cart", "shop"]}, "flows": {"names": ["hotfix"]}}`},
		{"/api/v1/rules", `{"name": "qa-approves", "group": "qa", "permission": "approve", "environments": {"names": ["prod", "dev"]}}`},
	} {
		fx.must(t, "POST", c.path, c.body, 201)
	}
	fx.must(t, "PUT", "/api/v1/environments/prod", `{"name": "production", "kind": "production"}`, 200)
	fx.must(t, "PUT", "/api/v1/products/shop", `{"name": "store", "flows": [{"flow": "hotfix"}]}`, 200)
	fx.must(t, "PUT", "/api/v1/flows/hotfix", `{"name": "urgent", "triggerEnvironment": "dev", "steps": [{"environment": "production", "dependsOn": ["dev"]}]}`, 200)
	type names struct {
		Names []string `json:"names"`
	}
	for name, want := range map[string]string{
		"sre-prod":    `[production] [cart store] [urgent]`,
		"qa-approves": `[production dev] [] []`,
	} {
		var rule struct{ Environments, Products, Flows names }
		if err := json.Unmarshal(fx.must(t, "GET", "/api/v1/rules/"+name, "", 200), &rule); err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(rule.Environments.Names, rule.Products.Names, rule.Flows.Names); got != want {
			t.Errorf("rule %s names %s after the renames, want %s", name, got, want)
		}
	}
}
