package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ladder/internal/policy"
	"ladder/internal/workflow"
)

func createSmoke(t *testing.T, fx modelFixture) {
	t.Helper()
	_, err := fx.wfs.Create(context.Background(), workflow.Input{Name: "smoke", Steps: []workflow.Step{
		{Name: "soak", Kind: workflow.KindWait, Wait: &workflow.WaitStep{Duration: "1m"}}}})
	if err != nil {
		t.Fatalf("create workflow: %v", err)
	}
}

// TestCreatePolicyRejectsInvalidInput proves invalid input answers 422 with the error next to
// its field and stores nothing.
func TestCreatePolicyRejectsInvalidInput(t *testing.T) {
	valid := func(pairs ...string) url.Values {
		v := url.Values{"name": {"default"}, "priority": {"0"}, "action": {"commit"}, "postAction": {"smoke"}}
		for i := 0; i+1 < len(pairs); i += 2 {
			v.Set(pairs[i], pairs[i+1])
		}
		return v
	}
	tests := []struct {
		name  string
		form  url.Values
		field string
	}{
		{"bad name", valid("name", "Default Policy"), "name"},
		{"priority not a number", valid("priority", "high"), "priority"},
		{"unknown action", valid("action", "deploy"), "action"},
		{"unknown workflow", valid("preAction", "missing"), "preAction"},
		{"bad environment kind", valid("environmentKinds", "staging"), "environmentKinds"},
		{"bad product tag", valid("productTags", "=x"), "productTags"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newModelFixture(t)
			createSmoke(t, fx)
			status, body := call(t, createPolicy(fx.pols, fx.wfs), "POST", "/policies", tt.form, "", true)
			if status != http.StatusUnprocessableEntity {
				t.Fatalf("got status %d, want 422", status)
			}
			if msg, ok := byTestID(body, "error-"+tt.field); !ok || msg == "" {
				t.Errorf("got no error next to %s, want one", tt.field)
			}
			if n := fx.count(t, "policies"); n != 0 {
				t.Errorf("got %d policies stored, want 0", n)
			}
		})
	}
}

// TestEvaluatePolicies proves Evaluate shows the merged settings with their origins, for a
// product typed in, and reports a missing action.
func TestEvaluatePolicies(t *testing.T) {
	fx := newModelFixture(t)
	createSmoke(t, fx)
	ctx := context.Background()
	for _, in := range []policy.Input{
		{Name: "default", Settings: policy.Settings{Action: "commit", PostAction: "smoke"}},
		{Name: "prod-pr", Priority: 10, Selector: policy.Selector{Environments: policy.EnvironmentSelector{Kinds: []string{"production"}}},
			Settings: policy.Settings{Action: "pull-request"}},
	} {
		if _, err := fx.pols.Create(ctx, in); err != nil {
			t.Fatalf("create policy %s: %v", in.Name, err)
		}
	}
	tests := []struct {
		env, action, actionOrigin, postOrigin string
	}{
		{"prod", "pull-request", "policy prod-pr", "policy default"},
		{"staging", "commit", "policy default", "policy default"},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			target := "/policies/evaluate?product=shop&tags=team-a&environment=" + tt.env
			status, body := call(t, evaluatePolicies(fx.pols, fx.envs, nil), "GET", target, nil, "", true)
			if status != http.StatusOK {
				t.Fatalf("got status %d, want 200", status)
			}
			got := map[string]string{}
			for _, id := range []string{"evaluate-action-value", "evaluate-action-origin", "evaluate-postAction-origin"} {
				got[id], _ = byTestID(body, id)
			}
			want := map[string]string{"evaluate-action-value": tt.action, "evaluate-action-origin": tt.actionOrigin,
				"evaluate-postAction-origin": tt.postOrigin}
			for id := range want {
				if got[id] != want[id] {
					t.Errorf("%s: got %q, want %q", id, got[id], want[id])
				}
			}
		})
	}
	if err := fx.pols.Delete(ctx, "default"); err != nil {
		t.Fatal(err)
	}
	_, body := call(t, evaluatePolicies(fx.pols, fx.envs, nil), "GET", "/policies/evaluate?product=shop&environment=dev", nil, "", true)
	if msg, ok := byTestID(body, "evaluate-error"); !ok || !strings.Contains(msg, "no action") {
		t.Errorf("got error %q, want one saying there is no action", msg)
	}
	status, body := call(t, evaluatePolicies(fx.pols, fx.envs, nil), "GET", "/policies/evaluate?product=shop&environment=mars", nil, "", false)
	if msg, _ := byTestID(body, "error-environment"); status != http.StatusUnprocessableEntity || msg == "" {
		t.Errorf("got %d with environment error %q, want 422 with a message", status, msg)
	}
}

// TestPolicyFormBinding proves the form's "Promoters may not remove these gates" box makes
// the policy binding, the edit form shows it ticked, and unticking it stores it off again.
func TestPolicyFormBinding(t *testing.T) {
	fx := newModelFixture(t)
	createSmoke(t, fx)
	form := url.Values{"name": {"prod-gates"}, "priority": {"10"}, "preAction": {"smoke"}, "action": {"pull-request"}, "binding": {"true"}}
	if status, body := call(t, createPolicy(fx.pols, fx.wfs), "POST", "/policies", form, "", false); status != http.StatusSeeOther {
		t.Fatalf("create: got status %d, want 303:\n%s", status, body)
	}
	p, err := fx.pols.Get(context.Background(), "prod-gates")
	if err != nil || !p.Binding {
		t.Fatalf("got %+v, %v; want a binding policy", p, err)
	}
	_, body := call(t, showPolicy(fx.pols, fx.wfs), "GET", "/policies/prod-gates", nil, "prod-gates", false)
	if !strings.Contains(body, `name="binding" value="true" checked`) {
		t.Errorf("the edit form does not show the box ticked")
	}
	_, body = call(t, listPolicies(fx.pols, nil, nil), "GET", "/policies", nil, "", false)
	if _, ok := byTestID(body, "policy-binding-prod-gates"); !ok {
		t.Errorf("the list does not mark prod-gates binding")
	}
	form.Del("binding")
	if status, _ := call(t, updatePolicy(fx.pols, fx.wfs), "POST", "/policies/prod-gates", form, "prod-gates", false); status != http.StatusSeeOther {
		t.Fatalf("update: got status %d, want 303", status)
	}
	if p, _ := fx.pols.Get(context.Background(), "prod-gates"); p.Binding {
		t.Errorf("unticked box left the policy binding")
	}
}
