package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mxschmitt/playwright-go"

	"ladder/db"
	"ladder/internal/fault"
	"ladder/internal/policy"
	"ladder/internal/workflow"
)

// TestApprovalJourney: prod's pre-action is a workflow with an approval step. The admin
// promotes shop to prod; the release waits, showing "waiting for approval: 0 of 1" on prod's
// card with the step and an Approve button. The admin started the release, so the step
// allows self-approval (the refusal of self-approval is proven in the runner's tests). After
// Approve the page — never reloaded — follows the release to SUCCEEDED over its event stream,
// and the step shows who approved it and its log.
func TestApprovalJourney(t *testing.T) {
	srv := startServer(t)
	dev, prod := newGitRepo(t, "shop-dev", "2.4.0"), newGitRepo(t, "shop-prod", "2.3.1")
	seedModel(t, srv, dev, prod)
	seedApproval(t, srv)
	page := newPage(t, srv)
	signInAsAdmin(t, page)

	_, err := page.Goto("/releases")
	must(t, err, "open releases")
	must(t, page.GetByTestId("start-release").Locator("summary").Click(), "open the start form")
	form := page.GetByTestId("promote-form")
	_, err = form.GetByLabel("Product").SelectOption(selectValue("shop"))
	must(t, err, "choose product")
	_, err = form.GetByLabel("From").SelectOption(selectValue("dev"))
	must(t, err, "choose source")
	_, err = form.GetByLabel("To").SelectOption(selectValue("prod"))
	must(t, err, "choose target")
	must(t, form.GetByRole("button", playwright.LocatorGetByRoleOptions{Name: "Promote"}).Click(), "promote")
	must(t, page.WaitForURL("**/releases/*"), "arrive on the release page")
	card := page.GetByTestId("release-env-prod")
	must(t, expect.Locator(page.GetByTestId("blocker-prod")).ToContainText("waiting for approval: 0 of 1"), "the approval is the blocker")
	must(t, expect.Locator(card.GetByTestId("step-sign-off")).ToContainText("suspended"), "the step waits")
	_, err = page.Evaluate("window.__sameDocument = true")
	must(t, err, "mark the document")

	approval := page.GetByTestId("approval-prod")
	must(t, expect.Locator(page.GetByTestId("release-now")).ToContainText("Waiting for 1 approval: prod"), "the header says what the release waits for")
	must(t, approval.GetByLabel("Comment on prod").Fill("looks good"), "write a comment")
	must(t, approval.GetByTestId("approve-sign-off").Click(), "approve")
	must(t, expect.Locator(page.GetByTestId("release-status")).ToContainText("succeeded", playwright.LocatorAssertionsToContainTextOptions{Timeout: playwright.Float(30_000)}), "release succeeded")
	must(t, expect.Locator(card.GetByTestId("decision")).ToContainText("admin approved: looks good"), "the decision is shown")
	must(t, expect.Locator(card.GetByTestId("step-sign-off")).ToContainText("succeeded"), "the step succeeded")
	same, err := page.Evaluate("window.__sameDocument === true")
	must(t, err, "read the mark")
	if same != true {
		t.Errorf("the release page reloaded; want the approval to continue the release live")
	}
	if got := prod.show("values.yaml"); !strings.Contains(got, `tag: "2.4.0"`) {
		t.Errorf("prod values.yaml: got %q, want tag 2.4.0 after the approval", got)
	}
}

// seedApproval adds the sign-off workflow and a policy making it prod's pre-action.
func seedApproval(t *testing.T, srv *server) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Open(ctx, filepath.Join(srv.DataDir, "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	check := fault.NewValidator()
	_, err = workflow.NewService(conn, check, time.Now).Create(ctx, workflow.Input{Name: "sign-off", Steps: []workflow.Step{
		{Name: "sign-off", Kind: workflow.KindApproval, Approval: &workflow.ApprovalStep{Required: 1, AllowSelfApproval: true}}}})
	must(t, err, "create workflow")
	_, err = policy.NewService(conn, check, time.Now).Create(ctx, policy.Input{Name: "prod-sign-off", Priority: 10,
		Selector: policy.Selector{Environments: policy.EnvironmentSelector{Names: []string{"prod"}}},
		Settings: policy.Settings{PreAction: "sign-off"}})
	must(t, err, "create policy")
}
