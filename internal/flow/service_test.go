package flow_test

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/flow"
	"ladder/internal/policy"
	"ladder/internal/workflow"
)

var fakeNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

type fixture struct {
	flows     *flow.Service
	policies  *policy.Service
	workflows *workflow.Service
	conn      *sql.DB
}

// newFixture opens a fresh database with environments dev, staging, prod-eu, prod-us
// (production) and qa, and a workflow called smoke.
func newFixture(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Open(ctx, filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatalf("open db: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	now := func() time.Time { return fakeNow }
	check := fault.NewValidator()
	envs := environment.NewService(conn, check, now)
	for _, e := range []environment.Input{
		{Name: "dev", Kind: "non-production"}, {Name: "staging", Kind: "non-production"}, {Name: "qa", Kind: "non-production"},
		{Name: "prod-eu", Kind: "production", Tags: []string{"region=eu"}}, {Name: "prod-us", Kind: "production"},
	} {
		if _, err := envs.Create(ctx, e); err != nil {
			t.Fatalf("create environment %s: %v", e.Name, err)
		}
	}
	wfs := workflow.NewService(conn, check, now)
	if _, err := wfs.Create(ctx, workflow.Input{Name: "smoke", Steps: []workflow.Step{
		{Name: "soak", Kind: workflow.KindWait, Wait: &workflow.WaitStep{Duration: "1m"}}}}); err != nil {
		t.Fatalf("create workflow: %v", err)
	}
	pols := policy.NewService(conn, check, now)
	return fixture{flows: flow.NewService(conn, check, now, envs, pols), policies: pols, workflows: wfs, conn: conn}
}

func steps(specs ...string) []flow.Step {
	var out []flow.Step
	for _, s := range specs {
		env, deps, _ := strings.Cut(s, ":")
		st := flow.Step{Environment: env}
		if deps != "" {
			st.DependsOn = strings.Split(deps, ",")
		}
		out = append(out, st)
	}
	return out
}

// TestCreateRejectsInvalidGraphs proves each graph rule reports on its own field, with the
// message saying what is wrong, and that nothing is stored.
func TestCreateRejectsInvalidGraphs(t *testing.T) {
	tests := []struct {
		name    string
		trigger string
		steps   []flow.Step
		edit    func(*flow.Input)
		field   string
		message string
	}{
		{"cycle of two", "dev", steps("staging:dev,prod-eu", "prod-eu:staging"), nil,
			"steps.0.dependsOn", "staging → prod-eu → staging"},
		{"cycle of three through defaults", "dev", steps("qa:dev", "staging:prod-eu", "prod-us", "prod-eu"), nil,
			"steps.1.dependsOn", "staging → prod-eu → prod-us → staging"},
		{"depends on itself", "dev", steps("staging:staging"), nil, "steps.0.dependsOn", "itself"},
		{"unknown environment", "dev", steps("staging", "mars"), nil, "steps.1.environment", `no environment called "mars"`},
		{"unknown trigger", "moon", steps("staging"), nil, "triggerEnvironment", `no environment called "moon"`},
		{"duplicate environment", "dev", steps("staging", "prod-eu", "staging:dev"), nil, "steps.2.environment", "already step 1"},
		{"trigger repeated as a step", "dev", steps("staging", "dev"), nil, "steps.1.environment", "trigger environment"},
		{"depends on an environment outside the flow", "dev", steps("staging", "prod-eu:qa"), nil, "steps.1.dependsOn", "qa is neither"},
		{"no steps", "dev", nil, nil, "steps", "at least one step"},
		{"unknown workflow in step", "dev", steps("staging"), func(in *flow.Input) { in.Steps[0].Settings.PreAction = "nope" },
			"steps.0.preAction", `no workflow called "nope"`},
		{"unknown step hook", "dev", steps("staging"), func(in *flow.Input) { in.Steps[0].Hooks.Post = "nope" },
			"steps.0.postHook", "nope"},
		{"unknown step onFail hook", "dev", steps("staging"), func(in *flow.Input) { in.Steps[0].Hooks.OnFail = "nope" },
			"steps.0.onFailHook", "nope"},
		{"unknown release hook", "dev", steps("staging"), func(in *flow.Input) { in.Hooks.OnFail = "nope" }, "onFail", "nope"},
		{"bad action", "dev", steps("staging"), func(in *flow.Input) { in.Steps[0].Settings.Action = "push" }, "steps.0.action", "one of"},
		{"timeout too long", "dev", steps("staging"), func(in *flow.Input) { in.TimeoutMinutes = 50000 }, "timeout", "between"},
		{"reserved name", "dev", steps("staging"), func(in *flow.Input) { in.Name = "new" }, "name", "reserved"},
		{"soak not a duration", "dev", steps("staging"), func(in *flow.Input) { in.Steps[0].Soak = &flow.Soak{After: "half an hour"} },
			"steps.0.soak", "not a duration"},
		{"soak with health but no time", "dev", steps("staging"), func(in *flow.Input) { in.Steps[0].Soak = &flow.Soak{Health: true} },
			"steps.0.soak", "set a soak time"},
		{"soak longer than a week", "dev", steps("staging"), func(in *flow.Input) { in.Steps[0].Soak = &flow.Soak{After: "169h"} },
			"steps.0.soak", "between 1s and 168h"},
		{"soak as long as the timeout", "dev", steps("staging"), func(in *flow.Input) {
			in.Steps[0].Soak, in.TimeoutMinutes = &flow.Soak{After: "1h"}, 60
		}, "steps.0.soak", "shorter than the flow's timeout (60 minutes)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t)
			in := flow.Input{Name: "main", TriggerEnvironment: tt.trigger, Steps: tt.steps}
			if tt.edit != nil {
				tt.edit(&in)
			}
			_, err := fx.flows.Create(context.Background(), in)
			fe, ok := fault.Fields(err)
			if !ok || !strings.Contains(fe[tt.field], tt.message) {
				t.Fatalf("got %v, want on %q a message containing %q", err, tt.field, tt.message)
			}
			var n int
			if err := fx.conn.QueryRow("SELECT COUNT(*) FROM flows").Scan(&n); err != nil || n != 0 {
				t.Errorf("got %d flows stored (err %v), want 0", n, err)
			}
		})
	}
}

// TestCreateAcceptsGraphs proves valid shapes are stored, with default dependsOn filled in
// (the previous step, the trigger environment for the first) and layered by longest path.
func TestCreateAcceptsGraphs(t *testing.T) {
	tests := []struct {
		name   string
		steps  []flow.Step
		deps   map[string][]string
		layers map[string]int
	}{
		{"default dependsOn is the previous step", steps("staging", "prod-eu"),
			map[string][]string{"staging": {"dev"}, "prod-eu": {"staging"}},
			map[string]int{"dev": 0, "staging": 1, "prod-eu": 2}},
		{"fan-out: two steps depend on one", steps("staging", "prod-eu:staging", "prod-us:staging"),
			map[string][]string{"staging": {"dev"}, "prod-eu": {"staging"}, "prod-us": {"staging"}},
			map[string]int{"dev": 0, "staging": 1, "prod-eu": 2, "prod-us": 2}},
		{"fan-in: one step depends on two", steps("staging", "qa:dev", "prod-eu:staging,qa"),
			map[string][]string{"staging": {"dev"}, "qa": {"dev"}, "prod-eu": {"staging", "qa"}},
			map[string]int{"dev": 0, "staging": 1, "qa": 1, "prod-eu": 2}},
		{"longest path decides the column", steps("staging", "qa", "prod-eu:dev,qa"),
			map[string][]string{"staging": {"dev"}, "qa": {"staging"}, "prod-eu": {"dev", "qa"}},
			map[string]int{"dev": 0, "staging": 1, "qa": 2, "prod-eu": 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t)
			ctx := context.Background()
			if _, err := fx.flows.Create(ctx, flow.Input{Name: "main", TriggerEnvironment: "dev", Steps: tt.steps}); err != nil {
				t.Fatalf("create: %v", err)
			}
			f, err := fx.flows.Get(ctx, "main")
			if err != nil {
				t.Fatalf("get: %v", err)
			}
			got := map[string][]string{}
			for _, s := range f.Steps {
				got[s.Environment] = s.DependsOn
			}
			if !maps.EqualFunc(got, tt.deps, slices.Equal) {
				t.Errorf("got dependsOn %v, want %v", got, tt.deps)
			}
			if layers := f.Layers(); !maps.Equal(layers, tt.layers) {
				t.Errorf("got layers %v, want %v", layers, tt.layers)
			}
			if f.TimeoutMinutes != flow.DefaultTimeoutMinutes {
				t.Errorf("got timeout %d, want %d", f.TimeoutMinutes, flow.DefaultTimeoutMinutes)
			}
		})
	}
}

// TestReferences proves the users queries: flows using an environment, and a workflow used
// by a flow refusing deletion.
func TestReferences(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	in := flow.Input{Name: "main", TriggerEnvironment: "dev", Steps: steps("staging", "prod-eu"),
		Hooks: flow.ReleaseHooks{OnFail: "smoke"}}
	if _, err := fx.flows.Create(ctx, in); err != nil {
		t.Fatalf("create: %v", err)
	}
	for env, want := range map[string][]string{"dev": {"main"}, "prod-eu": {"main"}, "qa": {}} {
		got, err := fx.flows.UsersOfEnvironment(ctx, env)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("users of %s: got %v (err %v), want %v", env, got, err, want)
		}
	}
	if err := fx.workflows.Delete(ctx, "smoke"); !errors.Is(err, fault.ErrConflict) || !strings.Contains(err.Error(), "flow main") {
		t.Errorf("got %v, want a conflict naming flow main", err)
	}
	in.Hooks.OnFail = ""
	if _, err := fx.flows.Update(ctx, "main", in); err != nil {
		t.Fatalf("update: %v", err)
	}
	if err := fx.workflows.Delete(ctx, "smoke"); err != nil {
		t.Errorf("got %v deleting a workflow no longer used, want nil", err)
	}
	var audits int
	if err := fx.conn.QueryRow("SELECT COUNT(*) FROM audit_log WHERE entity_kind = 'flow'").Scan(&audits); err != nil || audits != 2 {
		t.Errorf("got %d flow audit records (err %v), want 2", audits, err)
	}
}

// TestEvaluate proves Evaluate resolves every step: policies by environment kind and tags,
// the step's inline override, and errors for a step nothing sets an action for.
func TestEvaluate(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	for _, in := range []policy.Input{
		{Name: "default", Settings: policy.Settings{Action: "commit"}},
		{Name: "prod-pr", Priority: 10, Selector: policy.Selector{Environments: policy.EnvironmentSelector{Kinds: []string{"production"}}},
			Settings: policy.Settings{Action: "pull-request", PostAction: "smoke"}},
		{Name: "eu-only", Priority: 5, Selector: policy.Selector{Products: policy.ProductSelector{Tags: []string{"team-a"}},
			Environments: policy.EnvironmentSelector{Tags: []string{"region=eu"}}}, Settings: policy.Settings{PreAction: "smoke"}},
	} {
		if _, err := fx.policies.Create(ctx, in); err != nil {
			t.Fatalf("create policy %s: %v", in.Name, err)
		}
	}
	in := flow.Input{Name: "main", TriggerEnvironment: "dev", Steps: steps("staging", "prod-eu", "prod-us:staging")}
	in.Steps[2].Settings.Action = "commit"
	if _, err := fx.flows.Create(ctx, in); err != nil {
		t.Fatalf("create: %v", err)
	}
	got, err := fx.flows.Evaluate(ctx, "main", policy.Product{Name: "shop", Tags: []string{"team-a"}})
	if err != nil {
		t.Fatalf("evaluate: %v", err)
	}
	want := map[string][3]policy.Value{
		"staging": {{}, val("commit", "default"), {}},
		"prod-eu": {val("smoke", "eu-only"), val("pull-request", "prod-pr"), val("smoke", "prod-pr")},
		"prod-us": {{}, val("commit", policy.OriginFlowStep), val("smoke", "prod-pr")},
	}
	for _, s := range got {
		if v := [3]policy.Value{s.PreAction, s.Action, s.PostAction}; v != want[s.Environment] {
			t.Errorf("%s: got %+v, want %+v", s.Environment, v, want[s.Environment])
		}
	}
	if len(got) != 3 || !got[1].Production || got[0].Production {
		t.Errorf("got %d steps with production flags %v/%v, want 3 with only prod steps production", len(got), got[0].Production, got[1].Production)
	}
}

func val(value, origin string) policy.Value { return policy.Value{Value: value, Origin: origin} }

// TestDeleteRefusedWhileUsed: a flow that a product lists cannot be deleted; the message names
// the product and the flow stays.
func TestDeleteRefusedWhileUsed(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	if _, err := fx.flows.Create(ctx, flow.Input{Name: "main", TriggerEnvironment: "dev", Steps: steps("staging")}); err != nil {
		t.Fatalf("create: %v", err)
	}
	used := []string{"shop"}
	fx.flows.RefuseDeleteWhileUsed(func(_ context.Context, _ *db.Queries, name string) ([]string, error) {
		if name == "main" {
			return used, nil
		}
		return nil, nil
	})
	if err := fx.flows.Delete(ctx, "main"); !errors.Is(err, fault.ErrConflict) || !strings.Contains(err.Error(), "product shop") {
		t.Fatalf("got %v, want a conflict naming product shop", err)
	}
	if _, err := fx.flows.Get(ctx, "main"); err != nil {
		t.Errorf("the refused flow is gone: %v", err)
	}
	used = nil
	if err := fx.flows.Delete(ctx, "main"); err != nil {
		t.Errorf("got %v deleting a flow no product lists, want nil", err)
	}
}
