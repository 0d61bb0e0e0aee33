package e2e

import (
	"testing"
	"time"

	"github.com/mxschmitt/playwright-go"
)

// TestFreezeWindowJourney: an admin creates a freeze window for prod on Settings → Freeze
// windows, sees it in force on the environments page and the dashboard, promotes shop to prod
// and finds the release waiting with the window's end (in its zone) and reason as the blocker,
// then overrides the window for this release with a reason and watches it succeed.
func TestFreezeWindowJourney(t *testing.T) {
	srv := startServer(t)
	dev, prod := newGitRepo(t, "shop-dev", "2.4.0"), newGitRepo(t, "shop-prod", "2.3.1")
	seedModel(t, srv, dev, prod)
	page := newPage(t, srv)
	signInAsAdmin(t, page)

	berlin, err := time.LoadLocation("Europe/Berlin")
	must(t, err, "load Europe/Berlin")
	now := time.Now().In(berlin)
	start, end := now.Add(-time.Hour).Truncate(time.Minute), now.Add(3*time.Hour).Truncate(time.Minute)

	_, err = page.Goto("/settings")
	must(t, err, "open settings")
	must(t, page.GetByRole("link", named("Freeze windows")).Click(), "open freeze windows")
	must(t, expect.Locator(page.GetByTestId("windows-empty")).ToBeVisible(), "no windows yet")
	must(t, page.GetByTestId("window-new").Click(), "new freeze window")
	form := page.GetByTestId("window-form")
	exact := playwright.LocatorGetByLabelOptions{Exact: playwright.Bool(true)}
	must(t, form.GetByLabel("Name", exact).Fill("release-week"), "name")
	must(t, form.GetByLabel("Reason", exact).Fill("release week"), "reason")
	must(t, form.GetByLabel("Time zone", exact).Fill("Europe/Berlin"), "zone")
	must(t, form.GetByLabel("Start", exact).Fill(start.Format("2006-01-02T15:04")), "start")
	must(t, form.GetByLabel("End", exact).Fill(end.Format("2006-01-02T15:04")), "end")
	must(t, form.GetByLabel("Environment names", exact).Fill("prod"), "environments")
	shoot(t, page, "window-new")
	must(t, page.GetByRole("button", named("Create freeze window")).Click(), "create")
	must(t, page.WaitForURL("**/settings/freeze-windows/release-week"), "arrive on the window's page")
	_, err = page.Goto("/settings/freeze-windows")
	must(t, err, "open the list")
	must(t, expect.Locator(page.GetByTestId("window-release-week").GetByTestId("window-now")).ToContainText("in force until"), "the list says it is in force")
	shoot(t, page, "window-list")

	until := end.Format("Mon 15:04") + " Europe/Berlin"
	_, err = page.Goto("/environments")
	must(t, err, "open environments")
	must(t, expect.Locator(page.GetByTestId("env-prod").GetByTestId("window-current")).ToContainText("release-week until "+until), "prod shows the window and its end")
	must(t, expect.Locator(page.GetByTestId("env-dev").GetByTestId("window-outlook")).ToHaveCount(0), "dev shows none")
	shoot(t, page, "window-environments")

	_, err = page.Goto("/")
	must(t, err, "open the dashboard")
	must(t, expect.Locator(page.GetByTestId("column-prod").GetByTestId("window-current")).ToContainText("release-week until "+until), "the dashboard shows it")
	shoot(t, page, "window-dashboard")
	must(t, dashPromote(page, "prod", "shop").Click(), "open the promote dialog")
	must(t, expect.Locator(page.GetByTestId("promote-dialog").GetByTestId("diff-shop-prod")).ToBeVisible(), "the diff preview is shown")
	must(t, page.GetByTestId("confirm-promote").Click(), "promote")
	must(t, page.WaitForURL("**/releases/*"), "arrive on the release page")
	must(t, expect.Locator(page.GetByTestId("blocker-prod")).ToHaveText("frozen until "+until+" (release week)"), "the window is the blocker")
	shoot(t, page, "window-release-waiting")

	must(t, page.GetByText("Override freeze").Click(), "open Override freeze")
	must(t, page.GetByTestId("override-reason-prod").Fill("hotfix for the checkout outage"), "give a reason")
	shoot(t, page, "window-override")
	must(t, page.GetByTestId("override-submit-prod").Click(), "override")
	must(t, expect.Locator(page.GetByTestId("freeze-override-prod")).ToContainText("admin: hotfix for the checkout outage"), "the override is shown")
	must(t, expect.Locator(page.GetByTestId("release-status")).ToContainText("succeeded", playwright.LocatorAssertionsToContainTextOptions{Timeout: playwright.Float(30_000)}), "release succeeded")
	must(t, expect.Locator(page.GetByTestId("release-events")).ToContainText("freeze windows of prod overridden by admin: hotfix for the checkout outage"), "the override is an event")
	shoot(t, page, "window-release-overridden")
}
