package web_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestRuleEditFormChangesTheRule: a rule listed on the users page opens in a form filled with
// what it holds; saving the form changes and renames it; a refused change shows its errors and
// leaves the rule as it was.
func TestRuleEditFormChangesTheRule(t *testing.T) {
	fx := newAPIFixture(t)
	for _, c := range []struct{ path, body string }{
		{"/api/v1/environments", `{"name": "dev", "kind": "non-production"}`},
		{"/api/v1/environments", `{"name": "prod", "kind": "production"}`},
		{"/api/v1/rules", `{"name": "sre-prod", "group": "sre", "permission": "promote", "environments": {"names": ["prod"]}}`},
	} {
		fx.must(t, "POST", c.path, c.body, 201)
	}
	admin := caller{name: "admin", cookie: fx.srv.adminSession(t)}
	if users := admin.page(t, fx.srv.URL+"/users"); !strings.Contains(users, `href="/rules/sre-prod/edit"`) {
		t.Fatalf("the users page does not link the rule's form")
	}
	form := admin.page(t, fx.srv.URL+"/rules/sre-prod/edit")
	for _, want := range []string{`action="/rules/sre-prod"`, `value="sre-prod"`, `value="sre"`, `value="prod"`, `>Save rule<`} {
		if !strings.Contains(form, want) {
			t.Errorf("the rule's form lacks %s", want)
		}
	}
	rule := func(name string) string {
		t.Helper()
		var r struct {
			Group, Permission string
			Environments      struct{ Names, Kinds []string }
		}
		if err := json.Unmarshal(fx.must(t, "GET", "/api/v1/rules/"+name, "", 200), &r); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(r.Group, " ", r.Permission, " ", r.Environments.Names, " ", r.Environments.Kinds)
	}
	changed := url.Values{"name": {"sre-production"}, "group": {"platform"}, "permission": {"approve"}, "names": {"prod, dev"},
		"kinds": {"production"}}
	if got := postForm(t, admin, fx.srv.URL+"/rules/sre-prod", changed); got != 303 {
		t.Fatalf("save the rule: got %d, want 303", got)
	}
	if got, want := rule("sre-production"), "platform approve [prod dev] [production]"; got != want {
		t.Errorf("after saving: got %s, want %s", got, want)
	}
	if got, _ := fx.call(t, "GET", "/api/v1/rules/sre-prod", "admin", ""); got != 404 {
		t.Errorf("the old name: got %d, want 404", got)
	}
	refused := url.Values{"name": {"sre-production"}, "group": {""}, "permission": {"approve"}, "names": {"nowhere"}}
	resp, page := admin.post(t, fx.srv.URL+"/rules/sre-production", "application/x-www-form-urlencoded", refused.Encode(), false)
	if resp.StatusCode != 422 || !strings.Contains(page, `action="/rules/sre-production"`) || !strings.Contains(page, `aria-invalid="true"`) {
		t.Errorf("a rule without a group: got %d, want 422 and the form again with its errors:\n%s", resp.StatusCode, page)
	}
	if got, want := rule("sre-production"), "platform approve [prod dev] [production]"; got != want {
		t.Errorf("after a refused change: got %s, want %s", got, want)
	}
}
