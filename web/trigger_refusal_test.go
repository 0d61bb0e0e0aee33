package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestTriggerRefusalSaysWhyAndWhere proves a flow the model keeps from starting answers the
// trigger dialog with the reason and a link to where it is fixed, not a bare "conflict".
func TestTriggerRefusalSaysWhyAndWhere(t *testing.T) {
	s := startModelServer(t)
	seedModel(t, s, "/srv/git/shop.git")
	s.mustPost(t, "/environments", url.Values{"name": {"prod"}, "kind": {"production"}})
	s.mustPost(t, "/flows", url.Values{"name": {"main"}, "triggerEnvironment": {"dev"}, "timeout": {"60"},
		"steps.0.environment": {"prod"}, "steps.0.dependsOn": {""}})
	s.mustPost(t, "/products/shop", url.Values{"name": {"shop"}, "concurrency": {"queue"}, "queueLimit": {"50"},
		"flows.0.flow": {"main"}})
	trigger := url.Values{"product": {"shop"}, "flow": {"main"}}

	tests := []struct {
		name, reason, fixURL, fixLabel string
		before                         func()
	}{
		{"no action", "Step prod: no action", "/flows/main", "Fix step prod of flow main or its policies", func() {}},
		{"no application", "Step prod: product shop has no application in environment prod",
			"/applications?product=shop&amp;environment=prod#application-form", "Add an application of shop in prod", func() {
				s.mustPost(t, "/policies", url.Values{"name": {"default"}, "priority": {"0"}, "action": {"commit"}})
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.before()
			status, body := s.do(t, http.MethodPost, "/trigger", trigger, true)
			if status != http.StatusUnprocessableEntity {
				t.Fatalf("POST /trigger: got %d, want 422\n%s", status, body)
			}
			if got, _ := byTestID(body, "trigger-refused-reason"); !strings.Contains(got, tt.reason) || strings.Contains(got, "conflict") {
				t.Errorf("reason: got %q, want it to contain %q and no bare conflict", got, tt.reason)
			}
			if !strings.Contains(body, `href="`+tt.fixURL+`" data-testid="trigger-refused-fix"`) {
				t.Errorf("no fix link to %s in\n%s", tt.fixURL, body)
			}
			if got, _ := byTestID(body, "trigger-refused-fix"); got != tt.fixLabel {
				t.Errorf("fix link: got %q, want %q", got, tt.fixLabel)
			}
		})
	}
}
