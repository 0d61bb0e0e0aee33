package model_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"ladder/internal/model"
)

// TestAccessRulesRoundTrip: access rules scoped to environments, products (by name and tag)
// and flows apply from YAML after what they name, export the same way, and apply again
// unchanged; a changed rule is updated by name; a rule naming what does not exist is
// reported by document and field, and nothing is applied.
func TestAccessRulesRoundTrip(t *testing.T) {
	file := `apiVersion: ladder/v1
kind: AccessRule
metadata: {name: sre-hotfix-prod}
spec:
  group: sre
  permission: trigger
  environments: {names: [prod], kinds: [production]}
  products: {names: [shop], tags: [team-a]}
  flows: {names: [hotfix]}
---
apiVersion: ladder/v1
kind: AccessRule
metadata: {name: anyone-in-ops-retries}
spec: {group: ops, permission: retry}
---
apiVersion: ladder/v1
kind: Environment
metadata: {name: staging}
spec: {kind: non-production, position: 1}
---
apiVersion: ladder/v1
kind: Environment
metadata: {name: prod}
spec: {kind: production, position: 2}
---
apiVersion: ladder/v1
kind: Product
metadata: {name: shop}
spec: {tags: [team-a]}
---
apiVersion: ladder/v1
kind: PromotionFlow
metadata: {name: hotfix}
spec:
  triggerEnvironment: staging
  steps:
    - {environment: prod, dependsOn: [staging]}
`
	m := newModel(t)
	if got := actions(apply(t, m, file, false)); got[model.Create] != 6 {
		t.Fatalf("got %v, want 6 creates", got)
	}
	r, err := m.Rules.Rule(context.Background(), "sre-hotfix-prod")
	if err != nil {
		t.Fatal(err)
	}
	if r.Group != "sre" || r.Permission != "trigger" || !slices.Equal(r.Environments.Names, []string{"prod"}) ||
		!slices.Equal(r.Products.Names, []string{"shop"}) || !slices.Equal(r.Products.Tags, []string{"team-a"}) ||
		!slices.Equal(r.Flows.Names, []string{"hotfix"}) {
		t.Errorf("stored rule: got %+v", r)
	}
	first := export(t, m)
	for _, want := range []string{"kind: AccessRule", "metadata: {name: sre-hotfix-prod}", "permission: trigger",
		"products:\n    names: [shop]\n    tags: [team-a]", "flows:\n    names: [hotfix]", "environments:\n    names: [prod]\n    kinds: [production]"} {
		if !strings.Contains(first, want) {
			t.Errorf("export lacks %q:\n%s", want, first)
		}
	}
	if strings.Index(first, "kind: AccessRule") < strings.Index(first, "kind: PromotionFlow") {
		t.Errorf("rules are exported before the flows they name:\n%s", first)
	}
	if got := actions(apply(t, m, first, false)); got[model.Unchanged] != 6 {
		t.Errorf("applying the export again: got %v, want 6 unchanged", got)
	}
	fresh := newModel(t)
	apply(t, fresh, first, false)
	if second := export(t, fresh); second != first {
		t.Errorf("export after applying the export to an empty database differs:\n--- first\n%s\n--- second\n%s", first, second)
	}
	changed := strings.Replace(first, "group: ops", "group: platform", 1)
	if got := apply(t, m, changed, false); !slices.Contains(got, model.Change{Kind: "AccessRule", Name: "anyone-in-ops-retries", Action: model.Update}) {
		t.Errorf("a changed group: got %v, want the rule updated", got)
	}
	_, err = m.Apply(context.Background(), strings.NewReader(`apiVersion: ladder/v1
kind: AccessRule
metadata: {name: typo}
spec: {group: sre, permission: promote, products: {names: [shpo]}}
---
apiVersion: ladder/v1
kind: AccessRule
metadata: {name: bad-permission}
spec: {group: sre, permission: deploy}
`), false)
	var invalid *model.Invalid
	if !errors.As(err, &invalid) || len(invalid.Problems) != 2 || invalid.Problems[0].Field != "spec.products.names" ||
		invalid.Problems[1].Field != "spec.permission" {
		t.Errorf("got %v, want problems on spec.products.names and spec.permission", err)
	}
	if _, err := m.Rules.Rule(context.Background(), "typo"); err == nil {
		t.Errorf("a file with problems applied a rule")
	}
}

// TestPruneDeletesARuleTheFileDropped: a prune deletes the rule a file no longer declares and
// keeps the one it does.
func TestPruneDeletesARuleTheFileDropped(t *testing.T) {
	const rules = `apiVersion: ladder/v1
kind: AccessRule
metadata: {name: sre-only}
spec: {group: sre, permission: promote}
---
apiVersion: ladder/v1
kind: AccessRule
metadata: {name: ops-retries}
spec: {group: ops, permission: retry}
`
	m := newModel(t)
	apply(t, m, rules, false)
	kept := strings.SplitN(rules, "---\n", 2)[0]
	changes, err := m.ApplyWith(context.Background(), strings.NewReader(kept), model.Options{Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(changes, model.Change{Kind: "AccessRule", Name: "ops-retries", Action: model.Delete}) {
		t.Errorf("got %v, want ops-retries deleted", changes)
	}
	if _, err := m.Rules.Rule(context.Background(), "ops-retries"); err == nil {
		t.Errorf("the dropped rule is still stored")
	}
	if _, err := m.Rules.Rule(context.Background(), "sre-only"); err != nil {
		t.Errorf("the kept rule: %v", err)
	}
}
