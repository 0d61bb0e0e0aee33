package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"ladder/internal/fault"
	"ladder/internal/policy"
	"ladder/internal/workflow"
)

// bindingFixture is the rule fixture (only group sre promotes to prod) with a binding policy
// prod-gates that gives production the pre-action approve-prod and the action pull-request.
func bindingFixture(t *testing.T) ruleFixture {
	t.Helper()
	fx := newRuleFixture(t)
	ctx, check := context.Background(), fault.NewValidator()
	_, err := workflow.NewService(fx.conn, check, time.Now).Create(ctx, workflow.Input{Name: "approve-prod",
		Steps: []workflow.Step{{Name: "sign-off", Kind: workflow.KindApproval, Approval: &workflow.ApprovalStep{Required: 1}}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = policy.NewService(fx.conn, check, time.Now).Create(ctx, policy.Input{Name: "prod-gates", Priority: 10, Binding: true,
		Selector: policy.Selector{Environments: policy.EnvironmentSelector{Kinds: []string{"production"}}},
		Settings: policy.Settings{PreAction: "approve-prod", Action: "pull-request"}})
	if err != nil {
		t.Fatal(err)
	}
	return fx
}

// postRelease sends body to POST /api/v1/releases as c and returns the status and the
// decoded answer.
func postRelease(t *testing.T, fx ruleFixture, c caller, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", fx.srv.URL+"/api/v1/releases", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(c.cookie)
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("answer %d is not JSON: %s", resp.StatusCode, b)
	}
	return resp.StatusCode, out
}

// TestBindingPolicyHoldsThroughTheAPIAndTheDialog: a promoter allowed into prod cannot remove
// prod-gates' approval or swap its pull request for a commit, by the JSON API or by the
// promote dialog (the documented preAction=-&postAction=- override included); the refusal
// names the setting and the policy and starts nothing. An admin may, with a reason, which is
// recorded.
func TestBindingPolicyHoldsThroughTheAPIAndTheDialog(t *testing.T) {
	fx := bindingFixture(t)
	sam := caller{name: "sam", cookie: fx.srv.ssoSession(t, "sam", "deployers", "sre")}
	admin := caller{name: "admin", cookie: fx.srv.adminSession(t)}

	for _, c := range []struct{ name, body, field, says string }{
		{"remove the approval", `{"product":"shop","from":"dev","to":"prod","preAction":"-","postAction":"-"}`, "preAction", "remove the pre-action approve-prod"},
		{"pull request to commit", `{"product":"shop","from":"dev","to":"prod","action":"commit"}`, "action", "change the action pull-request to commit"},
	} {
		status, body := postRelease(t, fx, sam, c.body)
		fields, _ := body["fields"].(map[string]any)
		msg, _ := fields[c.field].(string)
		if status != http.StatusUnprocessableEntity || !strings.Contains(msg, "locked by policy prod-gates") || !strings.Contains(msg, c.says) {
			t.Errorf("API, %s as sam: got %d %v, want 422 naming prod-gates and %q on %s", c.name, status, body, c.says, c.field)
		}
	}

	form := url.Values{"product": {"shop"}, "from": {"dev"}, "to": {"prod"}, "preAction": {"-"}, "postAction": {"-"}}
	req, _ := http.NewRequest("POST", fx.srv.URL+"/promote", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.AddCookie(sam.cookie)
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(page), "locked by policy prod-gates: promoters may not remove the pre-action approve-prod") {
		t.Errorf("dialog, preAction=-&postAction=- as sam: got %d, want 422 with the lock next to the pre-action:\n%s", resp.StatusCode, page)
	}
	if n := fx.releases(t); n != 0 {
		t.Fatalf("releases after refusals: got %d, want 0", n)
	}

	dialog := getPage(t, sam, fx.srv.URL+"/promote?"+url.Values{"product": {"shop"}, "to": {"prod"}}.Encode())
	for _, want := range []string{`name="preAction" disabled`, "Locked by policy prod-gates: promoters may not remove or replace it."} {
		if !strings.Contains(dialog, want) {
			t.Errorf("the dialog for sam lacks %q", want)
		}
	}

	status, body := postRelease(t, fx, admin, `{"product":"shop","from":"dev","to":"prod","preAction":"-"}`)
	if fields, _ := body["fields"].(map[string]any); status != http.StatusUnprocessableEntity || fields["reason"] == nil {
		t.Errorf("API, admin lifting without a reason: got %d %v, want 422 on reason", status, body)
	}
	status, body = postRelease(t, fx, admin, `{"product":"shop","from":"dev","to":"prod","preAction":"-","reason":"hotfix for incident 42"}`)
	if status != http.StatusCreated {
		t.Fatalf("API, admin lifting with a reason: got %d %v, want 201", status, body)
	}
	if n := count(t, fx.conn, `SELECT COUNT(*) FROM audit_log WHERE entity_kind = 'release' AND detail LIKE '%remove the pre-action approve-prod (binding in policy prod-gates): hotfix for incident 42%'`); n != 1 {
		t.Errorf("audit records of the lifted gate: got %d, want 1", n)
	}
}
