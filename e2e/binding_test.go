package e2e

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/mxschmitt/playwright-go"
	"github.com/oauth2-proxy/mockoidc"

	"ladder/db"
	"ladder/internal/fault"
	"ladder/internal/policy"
	"ladder/internal/workflow"
)

// TestPromoterSeesBindingGates: prod-gates, a binding policy, gives prod an approval
// pre-action and the pull-request action. A promoter opens Promote for prod from the
// dashboard and finds both settings disabled with "Locked by policy prod-gates", while the
// post-action, which no binding policy sets, can still be chosen.
func TestPromoterSeesBindingGates(t *testing.T) {
	srv, provider := startSSOServer(t)
	dev, prod := newGitRepo(t, "shop-dev", "2.4.0"), newGitRepo(t, "shop-prod", "2.3.1")
	seedModel(t, srv, dev, prod)
	seedBindingGates(t, srv)

	provider.QueueUser(&mockoidc.MockUser{Subject: "u-pat", PreferredUsername: "pat", Email: "pat@example.com", Groups: []string{"deployers"}})
	page := newPage(t, srv)
	_, err := page.Goto("/login")
	must(t, err, "open sign-in")
	must(t, page.GetByTestId("sso").Click(), "sign in with single sign-on")
	must(t, expect.Locator(page.GetByTestId("role")).ToHaveText("(promoter)"), "signed in as a promoter")

	_, err = page.Goto("/")
	must(t, err, "open the dashboard")
	must(t, dashPromote(page, "prod", "shop").Click(), "open the promote dialog")
	dialog := page.GetByTestId("promote-dialog")
	pre := dialog.GetByLabel("Pre-action")
	action := dialog.GetByLabel("Action", playwright.LocatorGetByLabelOptions{Exact: playwright.Bool(true)})
	must(t, expect.Locator(pre).ToBeDisabled(), "the approval pre-action is locked")
	must(t, expect.Locator(pre).ToContainText("sign-off (prod-gates)"), "it shows the policy's approval")
	must(t, expect.Locator(pre).ToHaveAccessibleDescription("Locked by policy prod-gates: promoters may not remove or replace it."), "the note is tied to the control")
	must(t, expect.Locator(action).ToBeDisabled(), "the pull-request action is locked")
	must(t, expect.Locator(action).ToContainText("pull-request (prod-gates)"), "it shows the policy's action")
	must(t, expect.Locator(dialog.GetByTestId("field-action")).ToContainText("Locked by policy prod-gates"), "the action says why")
	must(t, expect.Locator(dialog.GetByLabel("Post-action")).ToBeEnabled(), "a post-action may still be added")
	must(t, expect.Locator(dialog.GetByLabel("Reason for changing a binding setting")).ToHaveCount(0), "a promoter is not offered to lift the gates")
	must(t, expect.Locator(dialog.GetByTestId("diff-shop-prod")).ToBeVisible(), "the preview is shown")
	shoot(t, page, "promote-binding")
}

// seedBindingGates adds the sign-off approval workflow and the binding policy prod-gates that
// makes it prod's pre-action, with the pull-request action.
func seedBindingGates(t *testing.T, srv *server) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Open(ctx, filepath.Join(srv.DataDir, "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	check := fault.NewValidator()
	_, err = workflow.NewService(conn, check, time.Now).Create(ctx, workflow.Input{Name: "sign-off", Steps: []workflow.Step{
		{Name: "sign-off", Kind: workflow.KindApproval, Approval: &workflow.ApprovalStep{Required: 1}}}})
	must(t, err, "create workflow")
	_, err = policy.NewService(conn, check, time.Now).Create(ctx, policy.Input{Name: "prod-gates", Priority: 10, Binding: true,
		Selector: policy.Selector{Environments: policy.EnvironmentSelector{Kinds: []string{"production"}}},
		Settings: policy.Settings{PreAction: "sign-off", Action: "pull-request"}})
	must(t, err, "create policy")
}
