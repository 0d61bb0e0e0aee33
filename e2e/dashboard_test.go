package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/mxschmitt/playwright-go"

	"ladder/internal/environment"
)

// TestDashboardJourney: the dashboard lists environments in order with production tinted and
// frozen badged; a promotion from it succeeds and the dashboard then shows the version that
// release wrote. A newer version is promoted, then rolled back: the roll back commits the
// first release's values again. The release list filters by product and status and shows each
// environment's status, and the product's metrics page counts the production deployments.
func TestDashboardJourney(t *testing.T) {
	srv := startServer(t)
	dev, prod := newGitRepo(t, "shop-dev", "1.1.0"), newGitRepo(t, "shop-prod", "1.0.0")
	envs := seedModel(t, srv, dev, prod)
	// Frozen before anything is shown: this write goes around the server (its own database
	// handle), and pages the server rendered before it may be served for up to 5 s.
	_, err := envs.Freeze(context.Background(), "dev", environment.FreezeInput{Reason: "demo"})
	must(t, err, "freeze dev")
	page := newPage(t, srv)
	signInAsAdmin(t, page)

	_, err = page.Goto("/")
	must(t, err, "open the dashboard")
	must(t, expect.Locator(page.GetByTestId("column-prod")).ToHaveClass("env-head production"), "production is tinted")
	must(t, expect.Locator(page.GetByTestId("frozen-dev")).ToContainText("frozen"), "dev carries the frozen badge")
	first := promoteFromDashboard(t, page)
	_, err = envs.Unfreeze(context.Background(), "dev")
	must(t, err, "unfreeze dev")
	_, err = page.Goto("/")
	must(t, err, "back to the dashboard")
	must(t, expect.Locator(dashVersion(page, "prod", "shop")).ToHaveText("1.1.0"), "prod shows the promoted version")
	must(t, expect.Locator(dashCell(page, "prod", "shop")).ToContainText("succeeded"), "and its latest release status")
	must(t, expect.Locator(dashCell(page, "prod", "shop").Locator("time")).ToHaveAttribute("title", regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$`)),
		"when the version arrived, in UTC on hover")

	dev.commitVersion("1.2.0")
	_, err = page.Goto("/")
	must(t, err, "back to the dashboard")
	must(t, expect.Locator(dashPromote(page, "prod", "shop")).ToHaveCount(0), "dev and prod hold the same version: nothing to promote")
	must(t, dashButton(page, "shop", "Check Git now").Click(), "check Git now")
	must(t, expect.Locator(dashVersion(page, "dev", "shop")).ToHaveText("1.2.0"), "dev's new version is read")
	promoteFromDashboard(t, page) // a reload after "Check Git now" shows the version it read
	if got := prod.show("Chart.yaml"); !strings.Contains(got, `"1.2.0"`) {
		t.Fatalf("prod Chart.yaml: got %q, want 1.2.0 promoted", got)
	}
	_, err = page.Goto(first)
	must(t, err, "open the first release")
	must(t, page.GetByTestId("rollback").Locator("summary").Click(), "open roll back")
	must(t, page.GetByTestId("rollback-prod").GetByRole("button", playwright.LocatorGetByRoleOptions{Name: "Roll back prod"}).Click(), "roll back")
	must(t, page.WaitForURL(func(u string) bool { return strings.Contains(u, "/releases/") && u != srv.URL+first }), "arrive on the roll back release")
	must(t, expect.Locator(page.GetByTestId("release-status")).ToContainText("succeeded", playwright.LocatorAssertionsToContainTextOptions{Timeout: playwright.Float(30_000)}), "roll back succeeded")
	must(t, expect.Locator(page.GetByTestId("release-body")).ToContainText("roll back to release #1"), "it says what it rolls back to")
	if got := prod.show("values.yaml"); !strings.Contains(got, `tag: "1.1.0" # set by CI`) {
		t.Errorf("prod values.yaml after roll back: got %q, want the first release's tag 1.1.0", got)
	}
	must(t, expect.Locator(page.GetByTestId("graph-node-prod")).ToContainText("succeeded"), "the release graph shows prod's status")

	_, err = page.Goto("/releases?product=shop&status=SUCCEEDED")
	must(t, err, "filter the releases")
	must(t, expect.Locator(page.GetByTestId("release-list").Locator("tbody tr")).ToHaveCount(3), "three succeeded releases")
	prodIcon := page.GetByTestId("release-list").Locator(".env-icons li", playwright.LocatorLocatorOptions{HasText: "prod"}).First()
	must(t, expect.Locator(prodIcon).ToHaveAttribute("data-st", "succeeded"), "per-environment status icons")
	must(t, expect.Locator(prodIcon).ToHaveText("prod succeeded"), "the status in words for screen readers")
	shoot(t, page, "releases-list")
	_, err = page.Goto("/releases?status=FAILED")
	must(t, err, "filter for failures")
	must(t, expect.Locator(page.GetByTestId("releases-empty")).ToContainText("No release matches"), "empty state for filters")

	_, err = page.Goto("/products/shop")
	must(t, err, "open the product")
	must(t, page.GetByTestId("product-metrics").Click(), "open its metrics")
	must(t, expect.Locator(page.GetByTestId("figure-frequency")).ToContainText("(3 in all)"), "three production deployments")
	must(t, expect.Locator(page.GetByTestId("figure-failure-rate")).ToContainText("0% (0 of 3)"), "no failures")
}

// promoteFromDashboard promotes shop to prod through the dashboard's dialog, waits for
// success and returns the release's path.
func promoteFromDashboard(t *testing.T, page playwright.Page) string {
	t.Helper()
	_, err := page.Goto("/")
	must(t, err, "open the dashboard")
	return promoteShown(t, page)
}

// promoteShown promotes shop to prod from the dashboard page as it is now shown.
func promoteShown(t *testing.T, page playwright.Page) string {
	t.Helper()
	must(t, dashPromote(page, "prod", "shop").Click(), "open the promote dialog")
	must(t, expect.Locator(page.GetByTestId("promote-dialog").GetByTestId("diff-shop-prod")).ToBeVisible(), "the preview is shown")
	must(t, page.GetByTestId("confirm-promote").Click(), "confirm")
	must(t, page.WaitForURL("**/releases/*"), "arrive on the release page")
	must(t, expect.Locator(page.GetByTestId("release-status")).ToContainText("succeeded", playwright.LocatorAssertionsToContainTextOptions{Timeout: playwright.Float(30_000)}), "release succeeded")
	return strings.TrimPrefix(page.URL(), strings.SplitN(page.URL(), "/releases/", 2)[0])
}
