package e2e

import (
	"context"
	"path/filepath"
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

// TestFailedTriggerJourney: product shop runs flow dev-to-prod, but no policy gives its prod
// step an action. The product and flow pages warn next to the flow and the step; a change
// pushed to dev then starts no release and shows as a failed trigger — reason and a link to
// the flow — on the product page, the dashboard and the releases list.
func TestFailedTriggerJourney(t *testing.T) {
	ctx := context.Background()
	srv := startServer(t, func(c *app.Config) { c.PollInterval = "1s" })
	dev, prod := newGitRepo(t, "shop-dev", "1.0.0"), newGitRepo(t, "shop-prod", "1.0.0")
	envs := seedModel(t, srv, dev, prod)
	conn, err := db.Open(ctx, filepath.Join(srv.DataDir, "ladder.db"))
	must(t, err, "open the database")
	t.Cleanup(func() { conn.Close() })
	check := fault.NewValidator()
	pols := policy.NewService(conn, check, time.Now)
	must(t, pols.Delete(ctx, "commit-everywhere"), "delete the only policy")
	_, err = flow.NewService(conn, check, time.Now, envs, pols).Create(ctx, flow.Input{Name: "dev-to-prod",
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
	_, err = page.Goto("/products/shop")
	must(t, err, "open the product")
	must(t, expect.Locator(page.GetByTestId("flow-0").GetByTestId("flow-warning-prod")).ToContainText("no action"), "the flow entry warns about its prod step")
	_, err = page.Goto("/flows/dev-to-prod")
	must(t, err, "open the flow")
	must(t, expect.Locator(page.GetByTestId("step-0").GetByTestId("flow-warning-prod")).ToContainText("cannot run for shop"), "the step warns")

	waitFor(t, 20*time.Second, "the trigger's baseline", func() bool {
		var n int
		return conn.QueryRow("SELECT COUNT(*) FROM watches WHERE head != ''").Scan(&n) == nil && n > 0
	})
	dev.commitVersion("1.1.0")
	failure := page.GetByTestId("trigger-failure-shop")
	waitFor(t, 30*time.Second, "the failed trigger on the product page", func() bool {
		if _, err := page.Goto("/products/shop"); err != nil {
			return false
		}
		n, _ := failure.Count()
		return n == 1
	})
	must(t, expect.Locator(failure.GetByTestId("trigger-failure-reason")).ToContainText("environment prod: no action"), "the reason")
	must(t, expect.Locator(failure).ToContainText("release 1.1.0"), "the commit's message")
	shoot(t, page, "failed-trigger-product")
	_, err = page.Goto("/")
	must(t, err, "open the dashboard")
	must(t, expect.Locator(page.GetByTestId("trigger-failure-shop")).ToBeVisible(), "the dashboard shows it")
	_, err = page.Goto("/releases")
	must(t, err, "open the releases")
	must(t, expect.Locator(page.GetByTestId("trigger-failure-shop")).ToBeVisible(), "the releases list shows it")
	must(t, expect.Locator(page.GetByTestId("releases-empty")).ToBeVisible(), "and no release started")
	must(t, page.GetByTestId("trigger-failure-fix").Click(), "follow the fix link")
	must(t, page.WaitForURL(srv.URL+"/flows/dev-to-prod", playwright.PageWaitForURLOptions{}), "arrive on the flow")
}
