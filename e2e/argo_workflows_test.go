package e2e

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mxschmitt/playwright-go"
)

// TestArgoWorkflowsJourney: an admin registers an Argo Workflows server from the Settings page,
// tests the connection against a fake Argo Server, and writes a workflow with an argo step.
func TestArgoWorkflowsJourney(t *testing.T) {
	fakeArgo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/workflows/ladder-checks" || r.Header.Get("Authorization") != "Bearer argo-token" {
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"code":7,"message":"forbidden"}`))
			return
		}
		_, _ = w.Write([]byte(`{"metadata":{},"items":[]}`))
	}))
	defer fakeArgo.Close()
	srv := startServer(t)
	page := newPage(t, srv)
	signInAsAdmin(t, page)

	must(t, page.GetByRole("link", named("Settings")).Click(), "open settings")
	must(t, page.GetByRole("link", named("Argo Workflows servers")).Click(), "open Argo Workflows servers")
	must(t, expect.Locator(page.GetByTestId("argowf-empty")).ToBeVisible(), "no servers yet")
	form := page.GetByTestId("argowf-form")
	fill(t, form, "Name", "checks")
	fill(t, form, "Argo Server URL", fakeArgo.URL)
	fill(t, form, "Namespace", "ladder-checks")
	fill(t, form, "Bearer token", "argo-token")
	submit(t, form, "Add server")
	row := page.GetByTestId("argowf-checks")
	must(t, expect.Locator(row).ToContainText("ladder-checks"), "server listed with its namespace")
	must(t, expect.Locator(page.Locator("body")).Not().ToContainText("argo-token"), "the token is not shown")

	must(t, row.GetByRole("link", playwright.LocatorGetByRoleOptions{Name: "checks"}).Click(), "open the server")
	must(t, page.GetByTestId("argowf-test").Click(), "test the connection")
	must(t, expect.Locator(page.GetByTestId("argowf-test-ok")).ToContainText("ladder-checks"), "connection works")

	_, err := page.Goto("/workflows")
	must(t, err, "open workflows")
	must(t, page.GetByTestId("workflow-new").Click(), "new workflow")
	wf := page.GetByTestId("workflow-form")
	must(t, wf.GetByTestId("step-remove-0").Click(), "remove the starter step")
	must(t, wf.GetByTestId("step-add-argo").Click(), "add an argo step")
	step := wf.GetByTestId("step-0")
	fill(t, wf.GetByTestId("field-name"), "Name", "suite")
	fill(t, step, "Name", "integration")
	fill(t, step, "Argo Workflows server", "checks")
	fill(t, step, "WorkflowTemplate", "integration-suite")
	fill(t, step, "Extra parameters", "SUITE=full")
	submit(t, wf, "Create workflow")
	must(t, page.WaitForURL("**/workflows/suite"), "arrive on the workflow page")
	_, err = page.Goto("/workflows")
	must(t, err, "back to workflows")
	must(t, expect.Locator(page.GetByTestId("workflow-suite")).ToContainText("integration · Argo Workflows"), "workflow listed with its argo step")
}
