package e2e

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mxschmitt/playwright-go"

	"ladder/db"
	"ladder/internal/app"
	"ladder/internal/fault"
	"ladder/internal/flow"
	"ladder/internal/policy"
	"ladder/internal/product"
)

// TestPinJourney: after a bad release reaches prod, the admin rolls prod back to the first
// release and pins it there with a reason. The dashboard cell carries the pin badge; a new
// change in dev starts an automatic release that waits at prod with the pin's blocker and
// commits nothing there; Unpin on the product page lets it go on, and it finishes by itself.
func TestPinJourney(t *testing.T) {
	ctx := context.Background()
	srv := startServer(t, func(c *app.Config) { c.PollInterval = "1s" })
	dev, prod := newGitRepo(t, "shop-dev", "1.1.0"), newGitRepo(t, "shop-prod", "1.0.0")
	envs := seedModel(t, srv, dev, prod)
	conn, err := db.Open(ctx, filepath.Join(srv.DataDir, "ladder.db"))
	must(t, err, "open the database")
	t.Cleanup(func() { conn.Close() })
	check := fault.NewValidator()
	_, err = flow.NewService(conn, check, time.Now, envs, policy.NewService(conn, check, time.Now)).Create(ctx, flow.Input{Name: "dev-to-prod",
		TriggerEnvironment: "dev", Steps: []flow.Step{{Environment: "prod", DependsOn: []string{"dev"}}}})
	must(t, err, "create the flow")
	prods := product.NewService(conn, check, time.Now)
	shop, err := prods.Get(ctx, "shop")
	must(t, err, "read shop")
	_, err = prods.Update(ctx, "shop", product.Input{Name: shop.Name, Template: shop.Template, Concurrency: shop.Concurrency,
		QueueLimit: shop.QueueLimit, Flows: []product.FlowRef{{Flow: "dev-to-prod"}}})
	must(t, err, "give shop the flow")

	page := newPage(t, srv)
	signInAsAdmin(t, page)
	first := promoteFromDashboard(t, page) // 1.1.0 to prod
	waitFor(t, 20*time.Second, "the trigger's baseline", func() bool {
		var n int
		return conn.QueryRow("SELECT COUNT(*) FROM watches WHERE head != ''").Scan(&n) == nil && n > 0
	})
	dev.commitVersion("1.2.0")
	waitFor(t, 30*time.Second, "the automatic release of 1.2.0 to succeed", func() bool {
		return strings.Contains(prod.show("Chart.yaml"), `"1.2.0"`) && newestRelease(t, conn).status == "SUCCEEDED"
	})

	_, err = page.Goto(first)
	must(t, err, "open the first release")
	must(t, page.GetByTestId("rollback").Locator("summary").Click(), "open roll back")
	form := page.GetByTestId("rollback-prod")
	must(t, expect.Locator(form).ToContainText("Pin prod at 1.1.0"), "roll back offers to pin prod at the old version")
	must(t, form.GetByLabel("Pin prod at 1.1.0").Check(), "pin prod")
	must(t, form.GetByLabel("Reason for the pin (optional)").Fill("bad cache headers in 1.2.0"), "say why")
	shoot(t, page, "pin-rollback")
	must(t, form.GetByRole("button", playwright.LocatorGetByRoleOptions{Name: "Roll back prod"}).Click(), "roll back")
	must(t, page.WaitForURL(func(u string) bool { return strings.Contains(u, "/releases/") && u != srv.URL+first }), "arrive on the roll back release")
	must(t, expect.Locator(page.GetByTestId("release-status")).ToContainText("succeeded", playwright.LocatorAssertionsToContainTextOptions{Timeout: playwright.Float(30_000)}), "the roll back is not held by its own pin")

	_, err = page.Goto("/")
	must(t, err, "open the dashboard")
	must(t, expect.Locator(dashCell(page, "prod", "shop").Locator(".pin-badge")).ToContainText("pinned at 1.1.0"), "the prod cell carries the pin")
	must(t, expect.Locator(dashCell(page, "prod", "shop").Locator(".pin-badge")).ToHaveAttribute("title", "pinned at 1.1.0 by admin: bad cache headers in 1.2.0"), "with who and why")
	shoot(t, page, "pin-dashboard")

	commits := strings.Count(runGit(t, prod.bare, "log", "--format=%H", "main"), "\n")
	dev.commitVersion("1.3.0")
	const blocker = "pinned at 1.1.0 by admin: bad cache headers in 1.2.0"
	var auto newRelease
	waitFor(t, 30*time.Second, "the automatic release of 1.3.0", func() bool {
		auto = newestRelease(t, conn)
		return auto.version == "1.3.0"
	})
	_, err = page.Goto("/releases/" + auto.id)
	must(t, err, "open the automatic release")
	must(t, expect.Locator(page.GetByTestId("release-body")).ToContainText(blocker, playwright.LocatorAssertionsToContainTextOptions{Timeout: playwright.Float(20_000)}), "it waits at prod with the pin's blocker")
	shoot(t, page, "pin-release-waiting")
	if got := strings.Count(runGit(t, prod.bare, "log", "--format=%H", "main"), "\n"); got != commits {
		t.Fatalf("pinned prod: got %d commits, want %d (nothing promoted)", got, commits)
	}

	_, err = page.Goto("/products/shop")
	must(t, err, "open the product")
	row := page.GetByTestId("product-pin-prod")
	must(t, expect.Locator(row).ToContainText("bad cache headers in 1.2.0"), "the product lists the pin")
	shoot(t, page, "pin-product")
	must(t, row.GetByTestId("unpin-prod").Click(), "unpin prod")
	must(t, expect.Locator(page.GetByTestId("product-pins")).ToHaveCount(0), "no pins left")

	_, err = page.Goto("/releases/" + auto.id)
	must(t, err, "back to the automatic release")
	must(t, expect.Locator(page.GetByTestId("release-status")).ToContainText("succeeded", playwright.LocatorAssertionsToContainTextOptions{Timeout: playwright.Float(30_000)}), "it finishes by itself")
	if got := prod.show("Chart.yaml"); !strings.Contains(got, `"1.3.0"`) {
		t.Errorf("prod Chart.yaml after unpinning: got %q, want 1.3.0", got)
	}
	_, err = page.Goto("/audit")
	must(t, err, "open the audit log")
	must(t, expect.Locator(page.Locator("main")).ToContainText("unpin"), "unpinning is audited")
}

// newRelease is the newest release as the database holds it.
type newRelease struct{ id, version, status string }

func newestRelease(t *testing.T, conn *sql.DB) newRelease {
	t.Helper()
	var r newRelease
	_ = conn.QueryRow("SELECT id, version, status FROM releases ORDER BY id DESC LIMIT 1").Scan(&r.id, &r.version, &r.status)
	return r
}
