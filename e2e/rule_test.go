package e2e

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/mxschmitt/playwright-go"
	"github.com/oauth2-proxy/mockoidc"

	"ladder/db"
	"ladder/internal/application"
	"ladder/internal/fault"
	"ladder/internal/product"
)

// TestProductScopedRuleJourney: an admin adds a rule on the Users page that only group
// payments may promote shop. Pat, a promoter outside payments, finds no Promote for shop on
// the dashboard and is refused — with the rule named — when opening its promote dialog, while
// blog, which the rule does not select, still promotes. The Evaluate page answers "may pat
// promote shop to prod" with denied and the rule, and blog with allowed and no rule; axe-core
// finds no serious violation on the rule form or the answered Evaluate page. Then the admin
// changes the rule in its form to select blog as well, and the answer for blog is denied.
func TestProductScopedRuleJourney(t *testing.T) {
	srv, provider := startSSOServer(t)
	seedModel(t, srv, newGitRepo(t, "shop-dev", "2.4.0"), newGitRepo(t, "shop-prod", "2.3.1"))
	seedBlog(t, srv, newGitRepo(t, "blog-dev", "1.1.0"), newGitRepo(t, "blog-prod", "1.0.0"))

	bypass := desktop
	bypass.BypassCSP = playwright.Bool(true) // for axe-core
	admin := newPageWith(t, srv, bypass)
	signInAsAdmin(t, admin)
	_, err := admin.Goto("/users")
	must(t, err, "open the users page")
	form := admin.GetByTestId("rule-form")
	field := func(label string) playwright.Locator {
		return form.GetByLabel(label, playwright.LocatorGetByLabelOptions{Exact: playwright.Bool(true)})
	}
	must(t, field("Name").Fill("payments-shop"), "name the rule")
	must(t, field("Group").Fill("payments"), "give the group")
	_, err = field("Permission").SelectOption(playwright.SelectOptionValues{Values: &[]string{"promote"}})
	must(t, err, "choose promote")
	must(t, field("Product names").Fill("shop"), "scope it to shop")
	shoot(t, admin, "rule-new")
	checkAccessibility(t, admin, "/users (new rule)")
	must(t, form.GetByTestId("rule-submit").Click(), "add the rule")
	row := admin.GetByTestId("rule-payments-shop")
	must(t, expect.Locator(row).ToContainText("payments"), "the rule is listed with its group")
	must(t, expect.Locator(row).ToContainText("named shop"), "and its product")

	provider.QueueUser(&mockoidc.MockUser{Subject: "u-pat", PreferredUsername: "pat", Email: "pat@example.com", Groups: []string{"deployers"}})
	pat := newPage(t, srv)
	_, err = pat.Goto("/login")
	must(t, err, "open sign-in")
	must(t, pat.GetByTestId("sso").Click(), "pat signs in with single sign-on")
	must(t, expect.Locator(pat.GetByTestId("role")).ToHaveText("(promoter)"), "pat is a promoter")
	_, err = pat.Goto("/")
	must(t, err, "open the dashboard")
	must(t, expect.Locator(dashPromote(pat, "prod", "blog")).ToBeVisible(), "blog offers a promotion to prod")
	must(t, expect.Locator(dashPromote(pat, "prod", "shop")).ToHaveCount(0), "shop offers none")
	shoot(t, pat, "rule-dashboard")
	resp, err := pat.Goto("/promote?product=shop&from=dev&to=prod")
	must(t, err, "open the promote dialog of shop")
	if resp.Status() != 403 {
		t.Errorf("the promote dialog of shop: got %d, want 403", resp.Status())
	}
	must(t, expect.Locator(pat.GetByTestId("error-page")).ToContainText("pat may not promote shop to prod (rule payments-shop)"), "the refusal names the rule")
	_, err = pat.Goto("/")
	must(t, err, "back to the dashboard")
	must(t, dashPromote(pat, "prod", "blog").Click(), "promote blog")
	dialog := pat.GetByTestId("promote-dialog")
	must(t, expect.Locator(dialog.GetByTestId("diff-blog-prod")).ToBeVisible(), "the blog dialog previews the change")
	must(t, dialog.GetByRole("button", playwright.LocatorGetByRoleOptions{Name: "Promote"}).Click(), "confirm")
	must(t, expect.Locator(pat.GetByTestId("release-status")).ToContainText("succeeded", playwright.LocatorAssertionsToContainTextOptions{Timeout: playwright.Float(30_000)}), "blog reaches prod")

	_, err = admin.Goto("/users")
	must(t, err, "back to the users page")
	must(t, admin.GetByTestId("rules-evaluate-link").Click(), "open the Evaluate page")
	ask := admin.GetByTestId("rule-evaluate-form")
	choose := func(label, value string) {
		_, err := ask.GetByLabel(label, playwright.LocatorGetByLabelOptions{Exact: playwright.Bool(true)}).SelectOption(playwright.SelectOptionValues{Values: &[]string{value}})
		must(t, err, "choose "+value+" as "+label)
	}
	choose("User", "pat")
	choose("Permission", "promote")
	choose("Product", "shop")
	choose("Environment", "prod")
	must(t, ask.GetByTestId("rule-evaluate-submit").Click(), "evaluate")
	verdict := admin.GetByTestId("rule-verdict")
	must(t, expect.Locator(verdict).ToHaveAttribute("data-verdict", "denied"), "pat may not promote shop to prod")
	must(t, expect.Locator(admin.GetByTestId("deciding-rule-payments-shop")).ToContainText("only group payments may promote"), "the page names the rule that decides")
	must(t, expect.Locator(admin.GetByTestId("rule-keeps-out-payments-shop")).ToContainText("pat is not in payments"), "and why it keeps pat out")
	shoot(t, admin, "rule-evaluate-denied")
	checkAccessibility(t, admin, "/rules/evaluate (answered)")
	choose("Product", "blog")
	must(t, ask.GetByTestId("rule-evaluate-submit").Click(), "evaluate blog")
	must(t, expect.Locator(verdict).ToHaveAttribute("data-verdict", "allowed"), "pat may promote blog to prod")
	must(t, expect.Locator(admin.GetByTestId("rule-open-promote")).ToHaveText("No rule narrows this: every promoter may."), "no rule narrows blog")

	// The rule is changed in its own form: it now selects blog too, and the answer follows.
	_, err = admin.Goto("/users")
	must(t, err, "back to the users page")
	must(t, admin.GetByRole("link", playwright.PageGetByRoleOptions{Name: "Edit rule payments-shop"}).Click(), "edit the rule")
	edit := admin.GetByTestId("rule-form")
	products := edit.GetByLabel("Product names", playwright.LocatorGetByLabelOptions{Exact: playwright.Bool(true)})
	must(t, expect.Locator(products).ToHaveValue("shop"), "the form holds the rule's products")
	must(t, products.Fill("shop, blog"), "add blog")
	shoot(t, admin, "rule-edit")
	checkAccessibility(t, admin, "/rules/payments-shop/edit")
	must(t, edit.GetByTestId("rule-submit").Click(), "save the rule")
	must(t, expect.Locator(admin.GetByTestId("rule-payments-shop")).ToContainText("named shop, blog"), "the list shows the change")
	shoot(t, admin, "rule-list")
	small := newPageWith(t, srv, dark(phone))
	signInAsAdmin(t, small)
	_, err = small.Goto("/rules/payments-shop/edit")
	must(t, err, "open the rule's form on a phone")
	must(t, expect.Locator(small.GetByTestId("rule-form")).ToBeVisible(), "the form is there")
	shoot(t, small, "rule-edit-phone-dark")
	_, err = admin.Goto("/rules/evaluate?user=pat&permission=promote&product=blog&environment=prod")
	must(t, err, "ask again for blog")
	must(t, expect.Locator(admin.GetByTestId("rule-verdict")).ToHaveAttribute("data-verdict", "denied"), "pat may no longer promote blog to prod")
}

// seedBlog adds product blog, tagged with nothing, with applications in dev and prod.
func seedBlog(t *testing.T, srv *server, dev, prod *gitRepo) {
	t.Helper()
	ctx, check := context.Background(), fault.NewValidator()
	conn, err := db.Open(ctx, filepath.Join(srv.DataDir, "ladder.db"))
	must(t, err, "open the database")
	t.Cleanup(func() { conn.Close() })
	_, err = product.NewService(conn, check, time.Now).Create(ctx, product.Input{Name: "blog", Concurrency: "queue", QueueLimit: 50,
		Template: product.Template{VersionSource: product.VersionSource{File: "Chart.yaml", JSONPath: "$.appVersion"},
			Promotion: []product.Entry{{File: "Chart.yaml", JSONPaths: []string{"$.appVersion"}}}}})
	must(t, err, "create product blog")
	for env, repo := range map[string]*gitRepo{"dev": dev, "prod": prod} {
		_, err := application.NewService(conn, check, time.Now).Create(ctx, application.Input{Name: "blog-" + env,
			Environment: env, Product: "blog", RepoURL: repo.url(), Branch: "main", Path: "."})
		must(t, err, "create blog in "+env)
	}
}
