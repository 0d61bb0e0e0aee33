package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ladder/internal/flow"
	"ladder/internal/policy"
)

func flowForm(pairs ...string) url.Values {
	v := url.Values{"name": {"main"}, "triggerEnvironment": {"dev"}, "timeout": {"60"},
		"steps.0.environment": {"staging"}, "steps.0.dependsOn": {""},
		"steps.1.environment": {"prod"}, "steps.1.dependsOn": {"staging"}}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Set(pairs[i], pairs[i+1])
	}
	return v
}

// TestCreateFlowRejectsInvalidInput proves invalid flows answer 422 with the message next to
// the field it concerns, and store nothing.
func TestCreateFlowRejectsInvalidInput(t *testing.T) {
	tests := []struct {
		name    string
		form    url.Values
		field   string
		message string
	}{
		{"cycle", flowForm("steps.0.dependsOn", "prod"), "steps.0.dependsOn", "staging → prod → staging"},
		{"unknown environment", flowForm("steps.1.environment", "mars", "steps.1.dependsOn", ""), "steps.1.environment", "mars"},
		{"duplicate environment", flowForm("steps.1.environment", "staging"), "steps.1.environment", "already step 1"},
		{"trigger repeated", flowForm("steps.1.environment", "dev"), "steps.1.environment", "trigger environment"},
		{"unknown workflow", flowForm("steps.1.postAction", "smoke"), "steps.1.postAction", "smoke"},
		{"unknown onFail hook", flowForm("steps.1.onFailHook", "smoke"), "steps.1.onFailHook", "smoke"},
		{"timeout not a number", flowForm("timeout", "a day"), "timeout", "whole number"},
		{"soak not a duration", flowForm("steps.1.soak", "half an hour"), "steps.1.soak", "not a duration"},
		{"soak health without a time", flowForm("steps.1.soakHealth", "true"), "steps.1.soak", "set a soak time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newModelFixture(t)
			status, body := call(t, createFlow(fx.flows, fx.envs, fx.wfs), "POST", "/flows", tt.form, "", true)
			if status != http.StatusUnprocessableEntity {
				t.Fatalf("got status %d, want 422", status)
			}
			if msg, _ := byTestID(body, "error-"+tt.field); !strings.Contains(msg, tt.message) {
				t.Errorf("got %q next to %s, want a message containing %q", msg, tt.field, tt.message)
			}
			if n := fx.count(t, "flows"); n != 0 {
				t.Errorf("got %d flows stored, want 0", n)
			}
		})
	}
}

// TestShowFlowDrawsGraph proves the flow page draws the graph with one node per environment,
// production marked in words, and an edge per dependency.
func TestShowFlowDrawsGraph(t *testing.T) {
	fx := newModelFixture(t)
	status, _ := call(t, createFlow(fx.flows, fx.envs, fx.wfs), "POST", "/flows", flowForm(), "", false)
	if status != http.StatusSeeOther {
		t.Fatalf("create: got status %d, want 303", status)
	}
	status, body := call(t, showFlow(fx.flows, fx.envs, fx.wfs, nil, nil), "GET", "/flows/main", nil, "main", false)
	if status != http.StatusOK {
		t.Fatalf("got status %d, want 200", status)
	}
	if _, ok := byTestID(body, "flow-graph"); !ok || !strings.Contains(body, "<svg") {
		t.Fatalf("got no SVG marked flow-graph, want one")
	}
	nodes := map[string]string{"dev": "trigger · non-production", "staging": "non-production", "prod": "production"}
	for env, kind := range nodes {
		text, ok := byTestID(body, "graph-node-"+env)
		if !ok || !strings.Contains(text, env) || !strings.Contains(text, kind) {
			t.Errorf("node %s: got %q (found %v), want its name and %q", env, text, ok, kind)
		}
	}
	if n := strings.Count(body, `data-testid="graph-node-`); n != len(nodes) {
		t.Errorf("got %d graph nodes, want %d", n, len(nodes))
	}
	for _, edge := range []string{"graph-edge-dev-staging", "graph-edge-staging-prod"} {
		if _, ok := byTestID(body, edge); !ok {
			t.Errorf("got no %s, want one", edge)
		}
	}
}

// TestEvaluateFlow proves Evaluate by product lists every step's resolved settings with
// origins: policy for staging, the step's own override for prod.
func TestEvaluateFlow(t *testing.T) {
	fx := newModelFixture(t)
	ctx := context.Background()
	if _, err := fx.pols.Create(ctx, policy.Input{Name: "default", Settings: policy.Settings{Action: "commit"}}); err != nil {
		t.Fatal(err)
	}
	in := flow.Input{Name: "main", TriggerEnvironment: "dev", Steps: []flow.Step{{Environment: "staging"},
		{Environment: "prod", Settings: policy.Settings{Action: "pull-request"}}}}
	if _, err := fx.flows.Create(ctx, in); err != nil {
		t.Fatal(err)
	}
	status, body := call(t, evaluateFlow(fx.flows, fx.envs, fx.wfs, nil, nil), "GET", "/flows/main/evaluate?product=shop", nil, "main", true)
	if status != http.StatusOK {
		t.Fatalf("got status %d, want 200", status)
	}
	want := map[string]string{"evaluate-staging-action": "commit policy default", "evaluate-prod-action": "pull-request flow step"}
	for id, text := range want {
		if got, _ := byTestID(body, id); got != text {
			t.Errorf("%s: got %q, want %q", id, got, text)
		}
	}
}

// TestFlowFormKeepsSoak: a soak time and its health check posted with a step are stored on
// it, and the edit form shows them again; a step without one has none.
func TestFlowFormKeepsSoak(t *testing.T) {
	fx := newModelFixture(t)
	form := flowForm("steps.1.soak", " 30m ", "steps.1.soakHealth", "true")
	if status, _ := call(t, createFlow(fx.flows, fx.envs, fx.wfs), "POST", "/flows", form, "", false); status != http.StatusSeeOther {
		t.Fatalf("create: got status %d, want 303", status)
	}
	f, err := fx.flows.Get(context.Background(), "main")
	if err != nil {
		t.Fatal(err)
	}
	if f.Steps[0].Soak != nil {
		t.Errorf("got staging soak %+v, want none", *f.Steps[0].Soak)
	}
	if got, want := f.Steps[1].SoakOf(), (flow.Soak{After: "30m", Health: true}); got != want {
		t.Errorf("got prod soak %+v, want %+v", got, want)
	}
	_, body := call(t, showFlow(fx.flows, fx.envs, fx.wfs, nil, nil), "GET", "/flows/main", nil, "main", false)
	if !strings.Contains(body, `name="steps.1.soak"`) || !strings.Contains(body, `value="30m"`) {
		t.Errorf("the edit form does not show prod's soak time 30m")
	}
}
