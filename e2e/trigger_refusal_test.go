package e2e

import (
	"context"
	"testing"
	"time"

	"ladder/internal/application"
	"ladder/internal/fault"
	"ladder/internal/flow"
	"ladder/internal/policy"
	"ladder/internal/product"
)

// TestTriggerRefusalShowsTheFix: shop runs flow dev-to-prod but has no application in prod.
// Triggering the flow from the dashboard is refused in the dialog with the reason and a link,
// which opens the applications page ready to add shop's application in prod.
func TestTriggerRefusalShowsTheFix(t *testing.T) {
	ctx := context.Background()
	srv := startServer(t)
	dev := newGitRepo(t, "shop-dev", "1.0.0")
	conn, envs := seedProduct(t, srv)
	check := fault.NewValidator()
	_, err := application.NewService(conn, check, time.Now).Create(ctx, application.Input{Name: "shop-dev", Environment: "dev",
		Product: "shop", RepoURL: dev.url(), Branch: "main", Path: "."})
	must(t, err, "create the dev application")
	pols := policy.NewService(conn, check, time.Now)
	_, err = flow.NewService(conn, check, time.Now, envs, pols).Create(ctx, flow.Input{Name: "dev-to-prod",
		TriggerEnvironment: "dev", Steps: []flow.Step{{Environment: "prod", DependsOn: []string{"dev"}}}})
	must(t, err, "create the flow")
	prods := product.NewService(conn, check, time.Now)
	shop, err := prods.Get(ctx, "shop")
	must(t, err, "read shop")
	_, err = prods.Update(ctx, "shop", product.Input{Name: shop.Name, Template: shop.Template, Concurrency: shop.Concurrency,
		QueueLimit: shop.QueueLimit, Flows: []product.FlowRef{{Flow: "dev-to-prod"}}})
	must(t, err, "give shop the flow")

	page := newPageWith(t, srv, desktop)
	signInAsAdmin(t, page)
	_, err = page.Goto("/")
	must(t, err, "open the dashboard")
	must(t, dashButton(page, "shop", "Trigger flow").Click(), "open the trigger dialog")
	dialog := page.GetByTestId("trigger-dialog")
	must(t, dialog.GetByTestId("confirm-trigger").Click(), "trigger the flow")
	refused := dialog.GetByTestId("trigger-refused")
	must(t, expect.Locator(refused).ToContainText("Flow dev-to-prod cannot start for shop."), "the dialog says it was refused")
	must(t, expect.Locator(refused.GetByTestId("trigger-refused-reason")).ToHaveText("Step prod: product shop has no application in environment prod."), "and why")
	must(t, expect.Locator(refused).Not().ToContainText("conflict"), "not a bare conflict")
	shoot(t, page, "trigger-refused")

	checked := newPageWith(t, srv, withoutCSP(desktop))
	signInAsAdmin(t, checked)
	_, err = checked.Goto("/")
	must(t, err, "open the dashboard for axe-core")
	must(t, dashButton(checked, "shop", "Trigger flow").Click(), "open the trigger dialog")
	must(t, checked.GetByTestId("confirm-trigger").Click(), "trigger the flow")
	must(t, expect.Locator(checked.GetByTestId("trigger-refused")).ToBeVisible(), "refused")
	checkAccessibility(t, checked, "refused trigger dialog")

	must(t, refused.GetByTestId("trigger-refused-fix").Click(), "follow the fix")
	must(t, page.WaitForURL("**/applications?product=shop&environment=prod#application-form"), "arrive on the applications")
	form := page.GetByTestId("application-form")
	must(t, expect.Locator(label(form, "Product")).ToHaveValue("shop"), "the form has the product")
	must(t, expect.Locator(label(form, "Environment")).ToHaveValue("prod"), "and the environment")
}
