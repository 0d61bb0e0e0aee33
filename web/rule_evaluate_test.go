package web_test

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// evaluate asks the rules' Evaluate page q as admin and returns the status and the page.
func (fx actionFixture) evaluate(t *testing.T, q url.Values) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", fx.srv.URL+"/rules/evaluate?"+q.Encode(), nil)
	req.AddCookie(fx.admin.cookie)
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// evaluated is the Evaluate page's verdict on name taking perm on product in prod: "allowed"
// or "denied". Triggering is asked for the flow dev-to-prod.
func (fx actionFixture) evaluated(t *testing.T, name, perm, product string) string {
	t.Helper()
	q := url.Values{"user": {name}, "permission": {perm}, "product": {product}, "environment": {"prod"}}
	if perm == "trigger" {
		q.Set("flow", "dev-to-prod")
	}
	code, body := fx.evaluate(t, q)
	verdict, ok := textByTestID(body, "rule-verdict")
	if code != http.StatusOK || !ok {
		t.Errorf("Evaluate %v: got %d with no verdict, want 200 and a verdict", q, code)
		return ""
	}
	return strings.Fields(verdict)[0]
}

// TestRuleEvaluatePage: the Evaluate page answers for a user, for a promoter in a group, and
// for nobody in particular, naming the rules that decide; a target no rule selects says so;
// missing choices come back next to their fields with 422; every control has a label.
func TestRuleEvaluatePage(t *testing.T) {
	fx := newScopedFixture(t)
	fx.srv.ssoSession(t, "pat", "deployers")
	tests := []struct {
		name    string
		q       url.Values
		verdict string   // the rule-verdict text's start; "" when none is shown
		who     string   // the rule-who text's start (nobody in particular)
		present []string // data-testids that must be present
		absent  []string
	}{
		{"a user outside the product rule's group", url.Values{"user": {"pat"}, "permission": {"promote"}, "product": {"shop"}, "environment": {"prod"}},
			"denied pat may not promote shop to prod", "", []string{"deciding-rule-payments-promote-shop", "rule-keeps-out-payments-promote-shop"},
			[]string{"deciding-rule-payments-approve-shop", "rule-open-promote"}},
		{"a product no rule selects", url.Values{"user": {"pat"}, "permission": {"promote"}, "product": {"blog"}, "environment": {"prod"}},
			"allowed pat may promote blog to prod", "", []string{"rule-open-promote"}, []string{"deciding-rule-payments-promote-shop"}},
		{"a promoter in the rule's group", url.Values{"group": {"payments"}, "permission": {"promote"}, "product": {"shop"}, "environment": {"dev"}},
			"allowed a promoter in group payments may promote shop to dev", "", []string{"rule-lets-in-payments-promote-shop"}, nil},
		{"triggering asks the promote and the trigger rules", url.Values{"group": {"payments"}, "permission": {"trigger"}, "product": {"shop"},
			"environment": {"prod"}, "flow": {"dev-to-prod"}},
			"denied a promoter in group payments may not trigger flow dev-to-prod of shop to prod", "",
			[]string{"rule-check-promote", "rule-check-trigger", "rule-lets-in-payments-promote-shop", "rule-keeps-out-release-triggers-team-a"}, nil},
		{"the tag rule selects only its flow", url.Values{"group": {"payments"}, "permission": {"trigger"}, "product": {"blog"},
			"environment": {"prod"}, "flow": {"dev-to-prod"}}, "allowed", "", []string{"rule-open-trigger"}, nil},
		{"who may, with nobody in particular", url.Values{"permission": {"retry"}, "product": {"shop"}, "environment": {"prod"}},
			"", "Who may retry shop to prod: promoters in payments who are also in sre, and admins", []string{"deciding-rule-sre-retries-team-a"}, []string{"rule-verdict"}},
		{"admins", url.Values{"user": {"admin"}, "permission": {"approve"}, "product": {"shop"}, "environment": {"prod"}},
			"allowed admin may approve shop in prod", "", []string{"rule-role"}, []string{"rule-check-approve"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := fx.evaluate(t, tt.q)
			if code != http.StatusOK {
				t.Fatalf("got %d, want 200", code)
			}
			if tt.verdict != "" {
				if got, _ := textByTestID(body, "rule-verdict"); !strings.HasPrefix(got, tt.verdict) {
					t.Errorf("verdict: got %q, want it to start %q", got, tt.verdict)
				}
			}
			if tt.who != "" {
				if got, _ := textByTestID(body, "rule-who"); !strings.HasPrefix(got, tt.who) {
					t.Errorf("who: got %q, want it to start %q", got, tt.who)
				}
			}
			for _, id := range tt.present {
				if _, ok := textByTestID(body, id); !ok {
					t.Errorf("no %s on the page", id)
				}
			}
			for _, id := range tt.absent {
				if _, ok := textByTestID(body, id); ok {
					t.Errorf("%s is on the page, want it absent", id)
				}
			}
		})
	}
	t.Run("missing choices", func(t *testing.T) {
		code, body := fx.evaluate(t, url.Values{"permission": {"trigger"}, "user": {"nobody"}})
		if code != http.StatusUnprocessableEntity {
			t.Errorf("got %d, want 422", code)
		}
		for _, field := range []string{"user", "product", "environment", "flow"} {
			if _, ok := textByTestID(body, "error-"+field); !ok {
				t.Errorf("no error next to %s", field)
			}
		}
	})
	t.Run("labels", func(t *testing.T) {
		_, body := fx.evaluate(t, nil)
		for _, field := range []string{"user", "group", "permission", "product", "environment", "flow"} {
			if !strings.Contains(body, `<label for="f-`+field+`">`) || !strings.Contains(body, `id="f-`+field+`"`) {
				t.Errorf("the %s control has no label", field)
			}
		}
	})
	t.Run("admins only", func(t *testing.T) {
		pat := caller{name: "pat", cookie: fx.srv.ssoSession(t, "pat", "deployers")}
		if resp := pat.do(t, "GET", fx.srv.URL+"/rules/evaluate", nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a promoter: got %d, want 403", resp.StatusCode)
		}
	})
}

// textByTestID returns the text inside the first element marked data-testid=id (tags removed,
// entities decoded, spaces collapsed; elements of its own kind must not nest in it), and
// whether there is one.
func textByTestID(body, id string) (string, bool) {
	open := regexp.MustCompile(`<([a-zA-Z0-9]+)[^>]*\sdata-testid="` + regexp.QuoteMeta(id) + `"[^>]*>`)
	loc := open.FindStringSubmatchIndex(body)
	if loc == nil {
		return "", false
	}
	rest := body[loc[1]:]
	if end := strings.Index(rest, "</"+body[loc[2]:loc[3]]+">"); end >= 0 {
		rest = rest[:end]
	}
	text := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(rest, " ")
	return strings.Join(strings.Fields(html.UnescapeString(text)), " "), true
}
