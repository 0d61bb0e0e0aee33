package model_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/application"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/flow"
	"ladder/internal/freeze"
	"ladder/internal/model"
	"ladder/internal/policy"
	"ladder/internal/product"
	"ladder/internal/user"
	"ladder/internal/workflow"
)

// newModel returns a model service on a new, migrated database.
func newModel(t *testing.T) *model.Service {
	t.Helper()
	conn, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	check, now := fault.NewValidator(), time.Now
	envs, pols := environment.NewService(conn, check, now), policy.NewService(conn, check, now)
	flows := flow.NewService(conn, check, now, envs, pols)
	model.GuardDeletes(envs, flows)
	return &model.Service{DB: conn, Environments: envs, Policies: pols,
		Applications: application.NewService(conn, check, now), Products: product.NewService(conn, check, now),
		Workflows: workflow.NewService(conn, check, now), Flows: flows,
		Windows: freeze.NewService(conn, check, now), Rules: user.NewService(conn, check, now, user.GroupRoles{})}
}

func export(t *testing.T, m *model.Service) string {
	t.Helper()
	var buf bytes.Buffer
	if err := m.Export(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func apply(t *testing.T, m *model.Service, text string, dryRun bool) []model.Change {
	t.Helper()
	changes, err := m.Apply(context.Background(), strings.NewReader(text), dryRun)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return changes
}

func actions(changes []model.Change) map[string]int {
	n := map[string]int{}
	for _, c := range changes {
		n[c.Action]++
	}
	return n
}

func TestTheSpecificationExampleAppliesAndRoundTrips(t *testing.T) {
	example, err := os.ReadFile("testdata/spec-example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := newModel(t)
	if got := actions(apply(t, m, string(example), false)); got[model.Create] != 7 {
		t.Fatalf("got %v, want 7 creates", got)
	}
	first := export(t, m)
	for _, want := range []string{"expectStatus: \"200\"", "timeout: 5m", "position: 2", "tags: [customer-facing]", "queueLimit: 50"} {
		if !strings.Contains(first, want) {
			t.Errorf("export lacks %q:\n%s", want, first)
		}
	}
	if got := actions(apply(t, m, first, false)); got[model.Unchanged] != 7 {
		t.Errorf("applying the export again: got %v, want 7 unchanged", got)
	}
	fresh := newModel(t)
	apply(t, fresh, first, false)
	if second := export(t, fresh); second != first {
		t.Errorf("export after applying the export to an empty database differs:\n--- first\n%s\n--- second\n%s", first, second)
	}
}

func TestDryRunListsChangesAndChangesNothing(t *testing.T) {
	m := newModel(t)
	apply(t, m, "apiVersion: ladder/v1\nkind: Environment\nmetadata: {name: dev}\nspec: {kind: non-production}\n", false)
	before := export(t, m)
	file := `apiVersion: ladder/v1
kind: Environment
metadata: {name: dev}
spec: {kind: non-production, position: 1, description: the first stage}
---
apiVersion: ladder/v1
kind: Environment
metadata: {name: prod}
spec: {kind: production, position: 2}
---
apiVersion: ladder/v1
kind: PromotionFlow
metadata: {name: dev-to-prod}
spec: {triggerEnvironment: dev, steps: [{environment: prod}]}
`
	got := apply(t, m, file, true)
	want := []model.Change{{"Environment", "dev", "update"}, {"Environment", "prod", "create"}, {"PromotionFlow", "dev-to-prod", "create"}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("change %d: got %v, want %v", i, got[i], want[i])
		}
	}
	if after := export(t, m); after != before {
		t.Errorf("a dry run changed the model:\n%s", after)
	}
}

func TestAnInvalidDocumentChangesNothingAndEveryProblemIsReported(t *testing.T) {
	m := newModel(t)
	apply(t, m, "apiVersion: ladder/v1\nkind: Environment\nmetadata: {name: dev}\nspec: {kind: non-production}\n", false)
	before := export(t, m)
	file := `apiVersion: ladder/v1
kind: Environment
metadata: {name: staging}
spec: {kind: non-production}
---
apiVersion: ladder/v1
kind: Environment
metadata: {name: prod}
spec: {kind: live}
---
apiVersion: ladder/v1
kind: PromotionFlow
metadata: {name: dev-to-qa}
spec: {triggerEnvironment: dev, steps: [{environment: qa}]}
---
apiVersion: ladder/v1
kind: Product
metadata: {name: shop}
spec: {colour: blue}
---
apiVersion: ladder/v2
kind: Environment
metadata: {name: old}
spec: {kind: production}
`
	_, err := m.Apply(context.Background(), strings.NewReader(file), false)
	var invalid *model.Invalid
	if !errors.As(err, &invalid) {
		t.Fatalf("got %v, want *model.Invalid", err)
	}
	want := []model.Problem{
		{Document: 2, Kind: "Environment", Name: "prod", Field: "spec.kind", Message: "must be one of: production, non-production"},
		{Document: 3, Kind: "PromotionFlow", Name: "dev-to-qa", Field: "spec.steps.0.environment", Message: `there is no environment called "qa"`},
		{Document: 4, Kind: "Product", Name: "shop", Field: "spec.colour", Message: "unknown field"},
		{Document: 5, Kind: "Environment", Name: "old", Field: "apiVersion", Message: "must be ladder/v1"},
	}
	got := map[int]model.Problem{}
	for _, p := range invalid.Problems {
		got[p.Document] = p
	}
	for _, w := range want {
		if got[w.Document] != w {
			t.Errorf("document %d: got %+v, want %+v", w.Document, got[w.Document], w)
		}
	}
	if after := export(t, m); after != before {
		t.Errorf("an invalid file changed the model:\n%s", after)
	}
}

func TestAnEmptyModelExportsNoDocumentsAndAppliesAsANoOp(t *testing.T) {
	m := newModel(t)
	empty := export(t, m)
	if strings.TrimSpace(empty) != "" {
		t.Fatalf("export of an empty model: got %q, want no documents", empty)
	}
	for _, dryRun := range []bool{true, false} {
		if got := apply(t, m, empty, dryRun); len(got) != 0 {
			t.Errorf("applying the empty export (dry run %v): got changes %v, want none", dryRun, got)
		}
	}
	if again := export(t, m); again != empty {
		t.Errorf("export after applying the empty export: got %q, want %q", again, empty)
	}
}

// TestABindingPolicyRoundTrips: `binding: true` is read from a model file, kept, exported
// again, and switching it off is a change.
func TestABindingPolicyRoundTrips(t *testing.T) {
	m := newModel(t)
	file := `apiVersion: ladder/v1
kind: PromotionPolicy
metadata: {name: prod-gates}
spec:
  priority: 100
  selector: {environments: {kinds: [production]}}
  settings: {action: pull-request}
  binding: true
`
	apply(t, m, file, false)
	got, err := m.Policies.Get(context.Background(), "prod-gates")
	if err != nil {
		t.Fatal(err)
	}
	if !got.Binding {
		t.Fatalf("the applied policy is not binding")
	}
	first := export(t, m)
	if !strings.Contains(first, "binding: true") {
		t.Fatalf("export lacks binding: true:\n%s", first)
	}
	fresh := newModel(t)
	apply(t, fresh, first, false)
	if second := export(t, fresh); second != first {
		t.Errorf("export after applying the export differs:\n--- first\n%s\n--- second\n%s", first, second)
	}
	if got := actions(apply(t, m, strings.Replace(file, "binding: true", "binding: false", 1), true)); got[model.Update] != 1 {
		t.Errorf("switching binding off: got %v, want 1 update", got)
	}
}

// TestEnvironmentHooksRoundTrip: a flow step's hooks, onFail included, apply from YAML, are
// stored, and export as they came.
func TestEnvironmentHooksRoundTrip(t *testing.T) {
	const doc = `apiVersion: ladder/v1
kind: Environment
metadata: {name: dev}
spec: {kind: non-production, position: 1}
---
apiVersion: ladder/v1
kind: Environment
metadata: {name: prod}
spec: {kind: production, position: 2}
---
apiVersion: ladder/v1
kind: PromotionWorkflow
metadata: {name: page}
spec:
  steps:
    - {name: soak, kind: wait, wait: {duration: 1s}}
---
apiVersion: ladder/v1
kind: PromotionFlow
metadata: {name: dev-to-prod}
spec:
  triggerEnvironment: dev
  steps:
    - environment: prod
      dependsOn: [dev]
      hooks: {pre: page, post: page, onFail: page}
`
	m := newModel(t)
	apply(t, m, doc, false)
	f, err := m.Flows.Get(context.Background(), "dev-to-prod")
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := json.Marshal(f.Steps[0].Hooks)
	if want := `{"pre":"page","post":"page","onFail":"page"}`; string(stored) != want {
		t.Errorf("got stored step hooks %s, want %s", stored, want)
	}
	first := export(t, m)
	if !strings.Contains(first, "onFail: page") {
		t.Errorf("export lacks the step's onFail hook:\n%s", first)
	}
	fresh := newModel(t)
	apply(t, fresh, first, false)
	if second := export(t, fresh); second != first {
		t.Errorf("export after applying the export to an empty database differs:\n--- first\n%s\n--- second\n%s", first, second)
	}
}

// TestFreezeWindowsRoundTrip: freeze windows, recurring and fixed, with selectors and a
// product, apply from YAML, export the same way, and apply again unchanged; a bad one is
// reported by document and field.
func TestFreezeWindowsRoundTrip(t *testing.T) {
	file := `apiVersion: ladder/v1
kind: Product
metadata: {name: shop}
spec: {}
---
apiVersion: ladder/v1
kind: FreezeWindow
metadata: {name: weekend}
spec:
  schedule: 0 0 * * 6
  duration: 48h
  timeZone: Europe/Berlin
  environments: {kinds: [production], tags: [eu]}
  reason: weekend freeze
---
apiVersion: ladder/v1
kind: FreezeWindow
metadata: {name: holidays}
spec: {start: "2026-12-24T00:00", end: "2027-01-02T06:00", timeZone: America/New_York, product: shop, reason: holidays}
`
	m := newModel(t)
	if got := actions(apply(t, m, file, false)); got[model.Create] != 3 {
		t.Fatalf("got %v, want 3 creates", got)
	}
	first := export(t, m)
	for _, want := range []string{"kind: FreezeWindow", "schedule: 0 0 * * 6", "duration: 48h", "timeZone: Europe/Berlin",
		"start: 2026-12-24T00:00", "end: 2027-01-02T06:00", "product: shop", "kinds: [production]"} {
		if !strings.Contains(first, want) {
			t.Errorf("export lacks %q:\n%s", want, first)
		}
	}
	if got := actions(apply(t, m, first, false)); got[model.Unchanged] != 3 {
		t.Errorf("applying the export again: got %v, want 3 unchanged", got)
	}
	fresh := newModel(t)
	apply(t, fresh, first, false)
	if second := export(t, fresh); second != first {
		t.Errorf("export after applying the export to an empty database differs:\n--- first\n%s\n--- second\n%s", first, second)
	}
	_, err := m.Apply(context.Background(), strings.NewReader(`apiVersion: ladder/v1
kind: FreezeWindow
metadata: {name: nightly}
spec: {schedule: "0 22 * *", duration: 10h, timeZone: Europe/Berlin, reason: nightly}
`), false)
	var invalid *model.Invalid
	if !errors.As(err, &invalid) || len(invalid.Problems) != 1 || invalid.Problems[0].Field != "spec.schedule" {
		t.Errorf("got %v, want one problem on spec.schedule", err)
	}
}

// TestSoakRoundTrips: a flow step's soak applies from YAML, is stored as written, exports the
// same way and applies again unchanged; an empty soak is no soak.
func TestSoakRoundTrips(t *testing.T) {
	const doc = `apiVersion: ladder/v1
kind: Environment
metadata: {name: dev}
spec: {kind: non-production, position: 1}
---
apiVersion: ladder/v1
kind: Environment
metadata: {name: staging}
spec: {kind: non-production, position: 2}
---
apiVersion: ladder/v1
kind: Environment
metadata: {name: prod}
spec: {kind: production, position: 3}
---
apiVersion: ladder/v1
kind: PromotionFlow
metadata: {name: dev-to-prod}
spec:
  triggerEnvironment: dev
  steps:
    - environment: staging
      soak: {}
    - environment: prod
      soak: {after: 30m, health: true}
`
	m := newModel(t)
	apply(t, m, doc, false)
	f, err := m.Flows.Get(context.Background(), "dev-to-prod")
	if err != nil {
		t.Fatal(err)
	}
	if f.Steps[0].Soak != nil {
		t.Errorf("got staging soak %+v, want none (an empty soak is no soak)", *f.Steps[0].Soak)
	}
	if got, want := f.Steps[1].SoakOf(), (flow.Soak{After: "30m", Health: true}); got != want || got.Length() != 30*time.Minute {
		t.Errorf("got prod soak %+v (%s), want %+v (30m)", got, got.Length(), want)
	}
	first := export(t, m)
	if !strings.Contains(first, "after: 30m") || !strings.Contains(first, "health: true") {
		t.Errorf("export lacks the soak:\n%s", first)
	}
	if got := actions(apply(t, m, first, false)); got[model.Update] != 0 || got[model.Create] != 0 {
		t.Errorf("applying the export again: got %v, want no change", got)
	}
	fresh := newModel(t)
	apply(t, fresh, first, false)
	if second := export(t, fresh); second != first {
		t.Errorf("export after applying the export to an empty database differs:\n--- first\n%s\n--- second\n%s", first, second)
	}
}
