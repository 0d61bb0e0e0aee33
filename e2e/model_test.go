package e2e

import (
	"testing"

	"github.com/mxschmitt/playwright-go"
)

// TestModelJourney: an admin builds a whole promotion model in the browser alone — three
// environments, a product with an application in each pointing at a real Git repository, a
// template previewed against the dev repository, a workflow with an HTTP step, two policies
// and a flow dev → staging → prod drawn as a graph — and is refused a cyclic flow with the
// reason next to the field, the stored flow untouched.
func TestModelJourney(t *testing.T) {
	srv := startServer(t)
	repos := map[string]*gitRepo{
		"dev":     newGitRepo(t, "shop-dev", "2.4.0"),
		"staging": newGitRepo(t, "shop-staging", "2.3.5"),
		"prod":    newGitRepo(t, "shop-prod", "2.3.1"),
	}
	page := newPage(t, srv)
	signInAsAdmin(t, page)
	step := func(name string, fn func(t *testing.T)) {
		if !t.Run(name, fn) {
			t.FailNow() // every step builds on the one before
		}
	}

	step("environments", func(t *testing.T) {
		addEnvironment(t, page, "dev", "non-production")
		addEnvironment(t, page, "staging", "non-production")
		addEnvironment(t, page, "prod", "production")
	})
	step("product", func(t *testing.T) { addProduct(t, page, "shop") })
	step("applications", func(t *testing.T) {
		for _, env := range []string{"dev", "staging", "prod"} {
			addApplication(t, page, env, "shop", repos[env].url())
		}
		_, err := page.Goto("/products/shop")
		must(t, err, "open the product")
		for _, env := range []string{"dev", "staging", "prod"} {
			must(t, expect.Locator(page.GetByTestId("product-apps")).ToContainText(repos[env].url()), "product lists the "+env+" repository")
		}
	})
	step("template and preview", func(t *testing.T) {
		setTemplate(t, page, "shop")
		previewDev(t, page, "shop")
	})
	step("workflow", func(t *testing.T) { addWorkflow(t, page, "smoke", "https://shop.dev.example/healthz") })
	step("policies", func(t *testing.T) {
		addPolicy(t, page, policyInput{name: "commit-everywhere", priority: "0", action: "commit"})
		addPolicy(t, page, policyInput{name: "prod-pull-requests", priority: "10", kind: "production",
			action: "pull-request", postAction: "smoke"})
	})
	step("flow and graph", func(t *testing.T) {
		addFlow(t, page, "dev-to-prod", "dev", "staging", "prod")
		assertGraph(t, page, "dev-to-prod")
		addFlowToProduct(t, page, "shop", "dev-to-prod")
	})
	step("cyclic flow refused", func(t *testing.T) {
		_, err := page.Goto("/flows/dev-to-prod")
		must(t, err, "open the flow")
		form := page.GetByTestId("flow-form")
		deps := form.GetByTestId("field-steps.0.dependsOn")
		must(t, expect.Locator(deps.Locator("input")).ToHaveValue("dev"), "staging depends on dev")
		must(t, deps.GetByLabel("Depends on").Fill("prod"), "make staging depend on prod")
		must(t, form.GetByRole("button", playwright.LocatorGetByRoleOptions{Name: "Save changes"}).Click(), "save the cycle")
		must(t, expect.Locator(deps.GetByTestId("error-steps.0.dependsOn")).ToContainText("cycle"), "cycle error next to depends on")
		must(t, expect.Locator(deps.GetByTestId("error-steps.0.dependsOn")).ToContainText("staging → prod → staging"), "the cycle named")
		must(t, expect.Locator(deps.Locator("input")).ToHaveAttribute("aria-invalid", "true"), "field marked invalid")

		_, err = page.Reload()
		must(t, err, "reload the flow")
		assertGraph(t, page, "dev-to-prod")
		must(t, expect.Locator(page.GetByTestId("graph-edge-prod-staging")).ToHaveCount(0), "no cyclic edge stored")
		must(t, expect.Locator(page.GetByTestId("flow-form").GetByTestId("field-steps.0.dependsOn").Locator("input")).ToHaveValue("dev"), "staging still depends on dev")
	})
}

// assertGraph checks the flow page draws dev → staging → prod: three nodes, two edges.
func assertGraph(t *testing.T, page playwright.Page, flowName string) {
	t.Helper()
	graph := page.GetByTestId("flow-graph")
	must(t, expect.Locator(graph).ToBeVisible(), "graph of "+flowName+" shown")
	for _, env := range []string{"dev", "staging", "prod"} {
		must(t, expect.Locator(graph.GetByTestId("graph-node-"+env)).ToBeVisible(), "node "+env)
	}
	must(t, expect.Locator(graph.GetByTestId("graph-node-dev")).ToContainText("trigger"), "dev is the trigger")
	must(t, expect.Locator(graph.GetByTestId("graph-node-prod")).ToContainText("production"), "prod is production")
	must(t, expect.Locator(graph.GetByTestId("graph-edge-dev-staging")).ToHaveCount(1), "edge dev → staging")
	must(t, expect.Locator(graph.GetByTestId("graph-edge-staging-prod")).ToHaveCount(1), "edge staging → prod")
	must(t, expect.Locator(graph.Locator("path.graph-edge")).ToHaveCount(2), "exactly two edges")
}
