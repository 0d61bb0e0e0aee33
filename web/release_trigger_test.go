package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"ladder/internal/fault"
	"ladder/internal/policy"
	"ladder/internal/workflow"
)

// TestReleasePageShowsTheTriggerEnvironment: the trigger environment's card shows its
// settings (no pre-action and action none, from the trigger environment; the post-action its
// policy decides), its source application at the trigger commit, and the post-action's steps.
func TestReleasePageShowsTheTriggerEnvironment(t *testing.T) {
	fx := newActionFixture(t)
	ctx, check := context.Background(), fault.NewValidator()
	_, err := workflow.NewService(fx.conn, check, time.Now).Create(ctx, workflow.Input{Name: "dev-check", Steps: []workflow.Step{{
		Name: "settle", Kind: workflow.KindWait, Wait: &workflow.WaitStep{Duration: "1s"}}}})
	if err != nil {
		t.Fatalf("create workflow: %v", err)
	}
	_, err = policy.NewService(fx.conn, check, time.Now).Create(ctx, policy.Input{Name: "dev-checks", Priority: 5,
		Selector: policy.Selector{Environments: policy.EnvironmentSelector{Names: []string{"dev"}}},
		Settings: policy.Settings{PostAction: "dev-check"}})
	if err != nil {
		t.Fatalf("create policy: %v", err)
	}
	id, _ := fx.waiting(t)
	fx.until(t, "dev to succeed", func() bool {
		var status string
		_ = fx.conn.QueryRow(`SELECT status FROM release_environments WHERE release_id = ? AND name = 'dev'`, id).Scan(&status)
		return status == "SUCCEEDED"
	})
	page := fx.admin.page(t, fx.srv.URL+"/releases/"+id)
	start := strings.Index(page, `data-testid="release-env-dev"`)
	if start < 0 {
		t.Fatalf("no card for dev:\n%s", page)
	}
	card := page[start:]
	card = card[:strings.Index(card, "</section>")]
	text := strings.Join(strings.Fields(stripTags(card)), " ")
	for _, want := range []string{"dev succeeded trigger", "Pre-action none", "Action none from trigger environment",
		"Post-action dev-check from dev-checks", "shop-dev", "the change is in Git at", "settle", "post-action dev-check"} {
		if !strings.Contains(text, want) {
			t.Errorf("dev's card lacks %q: %s", want, text)
		}
	}
	for _, id := range []string{`data-testid="commit-shop-dev"`, `data-testid="step-settle"`} {
		if !strings.Contains(card, id) {
			t.Errorf("dev's card lacks %s", id)
		}
	}
}

func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
			b.WriteRune(' ')
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}
