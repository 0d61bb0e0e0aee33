package e2e

import (
	"strconv"
	"testing"

	"github.com/mxschmitt/playwright-go"
)

// label finds the control labelled exactly text inside scope.
func label(scope playwright.Locator, text string) playwright.Locator {
	return scope.GetByLabel(text, playwright.LocatorGetByLabelOptions{Exact: playwright.Bool(true)})
}

// choose selects the option with value v in the control labelled text inside scope.
func choose(t *testing.T, scope playwright.Locator, text, v string) {
	t.Helper()
	_, err := label(scope, text).SelectOption(selectValue(v))
	must(t, err, "choose "+v+" as "+text)
}

// fill types value into the control labelled text inside scope.
func fill(t *testing.T, scope playwright.Locator, text, value string) {
	t.Helper()
	must(t, label(scope, text).Fill(value), "fill "+text)
}

// submit clicks the button named name inside scope.
func submit(t *testing.T, scope playwright.Locator, name string) {
	t.Helper()
	must(t, scope.GetByRole("button", playwright.LocatorGetByRoleOptions{Name: name, Exact: playwright.Bool(true)}).Click(), "click "+name)
}

func addEnvironment(t *testing.T, page playwright.Page, name, kind string) {
	t.Helper()
	_, err := page.Goto("/environments")
	must(t, err, "open environments")
	form := page.Locator("#environment-form")
	fill(t, form, "Name", name)
	choose(t, form, "Kind", kind)
	submit(t, form, "Add environment")
	row := page.GetByTestId("env-" + name)
	must(t, expect.Locator(row).ToBeVisible(), "environment "+name+" listed")
	must(t, expect.Locator(row).ToContainText(kind), name+" is "+kind)
}

func addProduct(t *testing.T, page playwright.Page, name string) {
	t.Helper()
	_, err := page.Goto("/products")
	must(t, err, "open products")
	form := page.GetByTestId("product-form")
	fill(t, form, "Name", name)
	fill(t, form, "Tags", "team=web")
	must(t, form.GetByTestId("product-save").Click(), "add the product")
	must(t, page.WaitForURL("**/products/"+name), "arrive on the product page")
	must(t, expect.Locator(page.GetByTestId("product-apps-empty")).ToBeVisible(), "no applications yet")
}

func addApplication(t *testing.T, page playwright.Page, env, productName, repoURL string) {
	t.Helper()
	_, err := page.Goto("/applications")
	must(t, err, "open applications")
	form := page.GetByTestId("application-form")
	fill(t, form, "Name", productName)
	choose(t, form, "Environment", env)
	choose(t, form, "Product", productName)
	fill(t, form, "Repository URL", repoURL)
	fill(t, form, "Branch", "main")
	fill(t, form, "Path", ".")
	must(t, form.GetByTestId("application-save").Click(), "add the application in "+env)
	must(t, page.WaitForURL("**/applications?product="+productName+"#application-form"), "back on the list")
	must(t, expect.Locator(page.GetByTestId("flash")).ToHaveText("Added application "+productName+" in "+env), "added, confirmed")
	must(t, expect.Locator(label(form, "Product")).ToHaveValue(productName), "the form is ready for the product's next application")
	must(t, expect.Locator(label(form, "Name")).ToHaveValue(""), "with its fields empty")
	shoot(t, page, "application-added")
	row := page.GetByTestId("application-list").GetByTestId("app-" + env + "-" + productName)
	must(t, expect.Locator(row).ToContainText(repoURL), "application in "+env+" listed with its repository")
}

// setTemplate gives the product a version source and two file entries of one JSONPath each,
// then checks the list summarises the saved template.
func setTemplate(t *testing.T, page playwright.Page, name string) {
	t.Helper()
	_, err := page.Goto("/products/" + name)
	must(t, err, "open the product")
	form := page.GetByTestId("product-form")
	template := form.GetByTestId("template")
	must(t, expect.Locator(template.GetByTestId("entries-empty")).ToBeVisible(), "no entries yet")
	must(t, template.GetByTestId("op-entry-add").Click(), "add the first entry")
	must(t, expect.Locator(page.GetByTestId("entry-0")).ToBeVisible(), "first entry shown")
	must(t, page.GetByTestId("op-entry-add").Click(), "add the second entry")
	must(t, expect.Locator(page.GetByTestId("entry-1")).ToBeVisible(), "second entry shown")

	fill(t, form, "Version file", "Chart.yaml")
	fill(t, form, "Version JSONPath", "$.appVersion")
	for i, e := range []struct{ file, path string }{{"Chart.yaml", "$.appVersion"}, {"values.yaml", "$.image.tag"}} {
		entry := form.GetByTestId(partsTestID("entry", i))
		fill(t, entry, "File "+strconv.Itoa(i+1), e.file)
		fill(t, entry, "JSONPaths", e.path)
	}
	_, err = page.ExpectNavigation(func() error { return form.GetByTestId("product-save").Click() })
	must(t, err, "save the template")
	must(t, expect.Locator(page.GetByTestId("field-versionSource.file").Locator("input")).ToHaveValue("Chart.yaml"), "version file saved")
	must(t, expect.Locator(page.GetByTestId("field-promotion.1.jsonPaths").Locator("textarea")).ToHaveValue("$.image.tag"), "second entry saved")

	_, err = page.Goto("/products")
	must(t, err, "open products")
	row := page.GetByTestId("product-list").GetByTestId("product-" + name)
	must(t, expect.Locator(row).ToContainText("2 file entries"), "template summarised")
	must(t, expect.Locator(row).ToContainText("Chart.yaml $.appVersion"), "version source summarised")
}

func partsTestID(prefix string, i int) string { return prefix + "-" + strconv.Itoa(i) }

// previewDev reads the saved template from the dev application's real repository.
func previewDev(t *testing.T, page playwright.Page, name string) {
	t.Helper()
	_, err := page.Goto("/products/" + name)
	must(t, err, "open the product")
	preview := page.GetByTestId("preview")
	choose(t, preview.GetByTestId("preview-form"), "Application", "dev/"+name)
	must(t, preview.GetByTestId("preview-run").Click(), "read from Git")
	result := preview.GetByTestId("preview-result")
	must(t, expect.Locator(result).ToContainText("dev/"+name), "preview of the dev application")
	must(t, expect.Locator(result.GetByTestId("preview-commit")).ToBeVisible(), "commit read")
	must(t, expect.Locator(result.GetByTestId("preview-version")).ToHaveText("2.4.0"), "version from Chart.yaml")
	must(t, expect.Locator(result.GetByTestId("preview-value-0-0")).ToContainText("2.4.0"), "$.appVersion from Chart.yaml")
	must(t, expect.Locator(result.GetByTestId("preview-value-1-0")).ToContainText("2.4.0"), "$.image.tag from values.yaml")
	must(t, expect.Locator(result.GetByTestId("preview-entry-1-0")).ToContainText("values.yaml"), "second value's file")
	must(t, expect.Locator(result.Locator(".error")).ToHaveCount(0), "no errors in the preview")
}

func addWorkflow(t *testing.T, page playwright.Page, name, url string) {
	t.Helper()
	_, err := page.Goto("/workflows")
	must(t, err, "open workflows")
	must(t, page.GetByTestId("workflow-new").Click(), "new workflow")
	form := page.GetByTestId("workflow-form")
	must(t, form.GetByTestId("step-remove-0").Click(), "remove the starter step")
	must(t, expect.Locator(form.GetByTestId("step-0")).ToHaveCount(0), "no steps left")
	must(t, form.GetByTestId("step-add-http").Click(), "add an HTTP step")
	step := form.GetByTestId("step-0")
	must(t, expect.Locator(label(step, "Kind")).ToHaveValue("http"), "the step is an HTTP check")
	fill(t, form.GetByTestId("field-name"), "Name", name)
	fill(t, form, "Timeout", "5m")
	fill(t, step, "Name", "health")
	fill(t, step, "URL", url)
	fill(t, step, "Expected status", "200")
	submit(t, form, "Create workflow")
	must(t, page.WaitForURL("**/workflows/"+name), "arrive on the workflow page")
	_, err = page.Goto("/workflows")
	must(t, err, "back to workflows")
	row := page.GetByTestId("workflow-" + name)
	must(t, expect.Locator(row).ToContainText("health · HTTP check"), "workflow listed with its HTTP step")
}

type policyInput struct{ name, priority, kind, action, postAction string }

func addPolicy(t *testing.T, page playwright.Page, p policyInput) {
	t.Helper()
	_, err := page.Goto("/policies")
	must(t, err, "open policies")
	must(t, page.GetByTestId("policy-new").Click(), "new policy")
	form := page.GetByTestId("policy-form")
	fill(t, form, "Name", p.name)
	fill(t, form, "Priority", p.priority)
	if p.kind != "" {
		must(t, label(form, p.kind).Check(), "apply to "+p.kind)
	}
	choose(t, form, "Action", p.action)
	if p.postAction != "" {
		choose(t, form, "Post-action", p.postAction)
	}
	submit(t, form, "Create policy")
	must(t, page.WaitForURL("**/policies/"+p.name), "arrive on the policy page")
	_, err = page.Goto("/policies")
	must(t, err, "back to policies")
	row := page.GetByTestId("policy-" + p.name)
	must(t, expect.Locator(row).ToContainText(p.action), p.name+" listed with its action")
	if p.postAction != "" {
		must(t, expect.Locator(row).ToContainText(p.postAction), p.name+" listed with its post-action")
	}
}

// addFlow creates a flow from trigger through steps, each depending on the one before.
func addFlow(t *testing.T, page playwright.Page, name, trigger string, steps ...string) {
	t.Helper()
	_, err := page.Goto("/flows")
	must(t, err, "open flows")
	must(t, page.GetByTestId("flow-new").Click(), "new flow")
	form := page.GetByTestId("flow-form")
	fill(t, form.GetByTestId("field-name"), "Name", name)
	choose(t, form, "Trigger environment", trigger)
	for i := 1; i < len(steps); i++ {
		must(t, form.GetByTestId("step-add").Click(), "add a step")
		must(t, expect.Locator(form.GetByTestId(partsTestID("step", i))).ToBeVisible(), "step shown")
	}
	for i, env := range steps {
		choose(t, form.GetByTestId(partsTestID("step", i)), "Environment", env)
	}
	submit(t, form, "Create flow")
	must(t, page.WaitForURL("**/flows/"+name), "arrive on the flow page")
}

func addFlowToProduct(t *testing.T, page playwright.Page, productName, flowName string) {
	t.Helper()
	_, err := page.Goto("/products/" + productName)
	must(t, err, "open the product")
	form := page.GetByTestId("product-form")
	must(t, form.GetByTestId("flows").GetByTestId("op-flow-add").Click(), "add a flow")
	must(t, expect.Locator(page.GetByTestId("flow-0")).ToBeVisible(), "flow entry shown")
	choose(t, page.GetByTestId("product-form"), "Flow 1", flowName)
	_, err = page.ExpectNavigation(func() error { return form.GetByTestId("product-save").Click() })
	must(t, err, "save the product")
	_, err = page.Goto("/products")
	must(t, err, "open products")
	must(t, expect.Locator(page.GetByTestId("product-"+productName)).ToContainText(flowName), "product runs the flow")
}
