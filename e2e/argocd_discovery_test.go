package e2e

import (
	"strings"
	"testing"

	"github.com/mxschmitt/playwright-go"

	"ladder/internal/argocd/fakeargocd"
)

// TestArgoCDDiscoveryJourney: an admin registers an Argo CD server (a fake built from
// argoproj/argo-cd's types.go and server/application/application.go), turns discovery on,
// places prod by its destination, sees the annotated applications proposed, creates the one
// missing product in a click and accepts them. A release then runs on the discovered
// applications and is verified through Argo CD, and the YAML export shows them as discovered.
func TestArgoCDDiscoveryJourney(t *testing.T) {
	srv := startServer(t)
	dev, prod := newGitRepo(t, "shop-dev", "2.4.0"), newGitRepo(t, "shop-prod", "2.3.1")
	seedProduct(t, srv)
	argo := fakeargocd.New(t, "argo-token")
	putDiscoveryApps(t, argo, dev, prod)
	page := newPage(t, srv)
	signInAsAdmin(t, page)

	_, err := page.Goto("/settings/argocd-servers")
	must(t, err, "open Argo CD servers")
	form := page.GetByTestId("argocd-form")
	fill(t, form, "Name", "prod-cluster")
	fill(t, form, "URL", argo.URL)
	fill(t, form, "API token", "argo-token")
	submit(t, form, "Add server")
	row := page.GetByTestId("argocd-prod-cluster")
	must(t, row.GetByRole("link", playwright.LocatorGetByRoleOptions{Name: "prod-cluster"}).Click(), "open the server")
	must(t, page.GetByTestId("argocd-discovery").Click(), "open discovery")
	must(t, expect.Locator(page.GetByTestId("discovery-off")).ToBeVisible(), "discovery starts off")

	rules := page.GetByTestId("discovery-rules")
	must(t, rules.GetByLabel("Cluster of prod").Fill("prod-eu"), "prod's cluster")
	must(t, rules.GetByLabel("Namespace of prod").Fill("shop"), "prod's namespace")
	must(t, rules.GetByTestId("rules-save").Click(), "save the rules")
	disc := page.GetByTestId("discovery-form")
	must(t, disc.GetByTestId("discovery-enabled").Check(), "turn discovery on")
	fill(t, disc, "Label selector", "team=shop")
	must(t, disc.GetByTestId("discovery-save").Click(), "save discovery")

	proposals := page.GetByTestId("proposals")
	must(t, expect.Locator(proposals.GetByTestId("proposal-argocd-shop-dev")).ToContainText("new"), "shop-dev proposed")
	must(t, expect.Locator(proposals.GetByTestId("proposal-team-shop-shop-prod")).ToContainText("prod"), "shop-prod placed in prod by its destination")
	must(t, expect.Locator(proposals.GetByTestId("proposal-argocd-billing-prod")).ToContainText("product billing does not exist yet"), "billing waits for its product")
	must(t, expect.Locator(proposals).Not().ToContainText("other-prod"), "the selector leaves other teams out")
	must(t, page.GetByTestId("create-product-billing").Click(), "create product billing in one click")
	must(t, expect.Locator(page.GetByTestId("proposals").GetByTestId("proposal-argocd-billing-prod")).ToContainText("new"), "billing can be accepted now")
	must(t, page.GetByTestId("discovery-accept").Click(), "accept the proposals")
	discovered := page.GetByTestId("discovered")
	must(t, expect.Locator(discovered.GetByTestId("discovered-prod-shop-prod")).ToContainText("from Argo CD prod-cluster"), "shop-prod discovered")
	must(t, expect.Locator(discovered.GetByTestId("discovered-dev-shop-dev")).ToContainText("argocd/shop-dev"), "shop-dev discovered")

	runDiscoveredRelease(t, page, argo, prod)

	resp, err := page.Request().Get("/settings/model/export")
	must(t, err, "export the model")
	body, err := resp.Text()
	must(t, err, "read the export")
	for _, want := range []string{"argocdApp: team-shop/shop-prod", "discoveredFrom: prod-cluster"} {
		if !strings.Contains(body, want) {
			t.Errorf("export lacks %q:\n%s", want, body)
		}
	}
}

// putDiscoveryApps gives Argo CD shop in dev (placed by annotation, synced to dev's head: the
// source of a promotion is verified too), shop in prod in namespace team-shop (placed by
// destination), billing in prod, and another team's application.
func putDiscoveryApps(t *testing.T, argo *fakeargocd.Server, dev, prod *gitRepo) {
	devHead := runGit(t, dev.bare, "rev-parse", "main")
	app := func(ns, name, product, env, repo string, labels string) fakeargocd.Application {
		a := fakeargocd.Application{Metadata: fakeargocd.Metadata{Name: name, Namespace: ns,
			Annotations: map[string]string{"ladder.dev/product": product}, Labels: map[string]string{"team": labels}}}
		if env != "" {
			a.Metadata.Annotations["ladder.dev/environment"] = env
		}
		a.Spec.Source = &fakeargocd.Source{RepoURL: repo, Path: ".", TargetRevision: "main"}
		a.Spec.Destination = fakeargocd.Destination{Name: "prod-eu", Namespace: "shop"}
		a.Status.Resources = []fakeargocd.Resource{{Group: "apps", Version: "v1", Kind: "Deployment", Namespace: "shop", Name: name}}
		a.Compared("Synced", "0000000000000000000000000000000000000000")
		a.Operation("Succeeded", "successfully synced (all tasks run)", "0000000000000000000000000000000000000000")
		a.Healthy()
		return a
	}
	shopDev := app("", "shop-dev", "shop", "dev", dev.url(), "shop")
	shopDev.Compared("Synced", devHead)
	shopDev.Operation("Succeeded", "successfully synced (all tasks run)", devHead)
	argo.Put(shopDev)
	argo.Put(app("team-shop", "shop-prod", "shop", "", prod.url(), "shop"))
	argo.Put(app("", "billing-prod", "billing", "prod", "https://git.example.com/billing.git", "shop"))
	argo.Put(app("", "other-prod", "shop", "prod", "https://git.example.com/other.git", "other"))
}

// runDiscoveredRelease promotes shop to prod from the dashboard; verification waits for Argo
// CD, which then reports the promotion commit synced and healthy.
func runDiscoveredRelease(t *testing.T, page playwright.Page, argo *fakeargocd.Server, prod *gitRepo) {
	t.Helper()
	_, err := page.Goto("/")
	must(t, err, "open the dashboard")
	// Argo CD is read in the background: the cell says so, then shows the answer without a reload.
	must(t, expect.Locator(dashCell(page, "prod", "shop").Locator(".cell-argo")).ToContainText("Synced"), "the cell shows Argo CD's sync status")
	must(t, expect.Locator(dashCell(page, "prod", "shop").Locator(".cell-argo")).ToContainText("Healthy"), "and its health")
	shoot(t, page, "dashboard-argocd")
	must(t, dashPromote(page, "prod", "shop").Click(), "open the promote dialog")
	must(t, page.GetByTestId("confirm-promote").Click(), "promote")
	must(t, page.WaitForURL("**/releases/*"), "arrive on the release page")
	must(t, expect.Locator(page.GetByTestId("blocker-prod")).ToContainText("waiting for Argo CD to sync team-shop/shop-prod",
		playwright.LocatorAssertionsToContainTextOptions{Timeout: playwright.Float(30_000)}), "verification waits for Argo CD")
	head := runGit(t, prod.bare, "rev-parse", "main")
	argo.Update("team-shop/shop-prod", func(a *fakeargocd.Application) {
		a.Compared("Synced", head)
		a.Operation("Succeeded", "successfully synced (all tasks run)", head)
		a.Healthy()
	})
	must(t, expect.Locator(page.GetByTestId("release-status")).ToContainText("succeeded",
		playwright.LocatorAssertionsToContainTextOptions{Timeout: playwright.Float(30_000)}), "release succeeded")
}
