package e2e

import (
	"testing"
)

// TestEnvironmentJourney: an admin adds an environment, is told next to the field why the first
// name is wrong, fixes it, sees it in the list without a reload, then freezes it.
func TestEnvironmentJourney(t *testing.T) {
	srv := startServer(t)
	page := newPage(t, srv)
	signInAsAdmin(t, page)

	_, err := page.Goto("/environments")
	must(t, err, "open environments")
	must(t, expect.Locator(page.GetByTestId("environments-empty")).ToBeVisible(), "empty state shown")

	must(t, page.GetByLabel("Name").Fill("Staging_EU"), "fill name")
	must(t, page.GetByRole("button", named("Add environment")).Click(), "submit")
	must(t, expect.Locator(page.GetByTestId("error-name")).ToContainText("lowercase letters"), "error next to name")
	must(t, expect.Locator(page.GetByTestId("env-Staging_EU")).ToHaveCount(0), "invalid environment not listed")

	// The page must not have reloaded: the list updates in place, so mark the document.
	_, err = page.Evaluate("window.__sameDocument = true")
	must(t, err, "mark document")

	must(t, page.GetByLabel("Name").Fill("staging-eu"), "fix name")
	_, err = page.GetByLabel("Kind").SelectOption(selectValue("production"))
	must(t, err, "choose kind")
	must(t, page.GetByLabel("Tags").Fill("region=eu, customer-facing"), "fill tags")
	must(t, page.GetByRole("button", named("Add environment")).Click(), "submit again")
	row := page.GetByTestId("env-staging-eu")
	must(t, expect.Locator(row).ToBeVisible(), "environment listed")
	must(t, expect.Locator(row).ToContainText("production"), "kind shown")
	must(t, expect.Locator(page.GetByTestId("error-name")).ToHaveCount(0), "error gone")
	same, err := page.Evaluate("window.__sameDocument === true")
	must(t, err, "read mark")
	if same != true {
		t.Errorf("got a full page reload after adding an environment, want an in-place update")
	}

	must(t, row.Locator("a").First().Click(), "open environment")
	must(t, page.GetByLabel("Reason").Fill("holiday freeze"), "fill reason")
	must(t, page.GetByRole("button", named("Freeze")).Click(), "freeze")
	must(t, expect.Locator(page.GetByTestId("frozen-staging-eu")).ToBeVisible(), "frozen badge on the environment page")

	_, err = page.Goto("/environments")
	must(t, err, "back to the list")
	must(t, expect.Locator(page.GetByTestId("env-staging-eu").GetByTestId("frozen-staging-eu")).ToBeVisible(), "frozen badge in the list")
	must(t, expect.Locator(page.GetByTestId("env-staging-eu")).ToContainText("holiday freeze"), "freeze reason in the list")
}
