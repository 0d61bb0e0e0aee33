package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mxschmitt/playwright-go"
)

// modelEnvironments is a model file as `ladder export` writes it: dev and prod.
const modelEnvironments = `apiVersion: ladder/v1
kind: Environment
metadata: {name: dev}
spec:
  kind: non-production
  position: 1
---
apiVersion: ladder/v1
kind: Environment
metadata: {name: prod}
spec:
  kind: production
  position: 2
`

// TestModelRepositoryJourney: an admin points Ladder at a Git repository holding the model and
// sees its commit applied; a later commit that adds an environment and a product naming a flow
// that does not exist is refused whole, with the reason and the file on the page, and the
// environment it would have added is not there.
func TestModelRepositoryJourney(t *testing.T) {
	srv := startServer(t)
	root := t.TempDir()
	bare, work := filepath.Join(root, "model.git"), filepath.Join(root, "model")
	runGit(t, root, "init", "-q", "--bare", "-b", "main", bare)
	runGit(t, root, "clone", "-q", bare, work)
	write := func(name, body string) {
		t.Helper()
		must(t, os.MkdirAll(filepath.Join(work, filepath.Dir(name)), 0o755), "make the directory")
		must(t, os.WriteFile(filepath.Join(work, name), []byte(body), 0o644), "write "+name)
	}
	commit := func(msg string) string {
		runGit(t, work, "add", "-A")
		runGit(t, work, "commit", "-q", "-m", msg)
		runGit(t, work, "push", "-q", "origin", "HEAD:main")
		return runGit(t, work, "rev-parse", "--short=12", "HEAD")
	}
	write("ladder/environments.yaml", modelEnvironments)
	good := commit("dev and prod")

	page := newPage(t, srv)
	signInAsAdmin(t, page)
	step := func(name string, fn func(t *testing.T)) {
		if !t.Run(name, fn) {
			t.FailNow()
		}
	}
	latest := page.GetByTestId("model-repo-attempt").First()
	var bad string // the refused commit

	step("set the repository", func(t *testing.T) {
		_, err := page.Goto("/settings")
		must(t, err, "open the settings")
		must(t, page.GetByRole("link", playwright.PageGetByRoleOptions{Name: "Model repository"}).Click(), "open the model repository page")
		must(t, expect.Locator(page.GetByTestId("model-repo-unset")).ToBeVisible(), "no repository set yet")
		form := page.GetByTestId("model-repo-form")
		must(t, form.GetByLabel("Repository URL").Fill("file://"+bare), "fill the URL")
		must(t, form.GetByLabel("Path").Fill("ladder"), "fill the path")
		must(t, form.GetByTestId("model-repo-save").Click(), "save")
		must(t, expect.Locator(page.GetByTestId("flash")).ToHaveText("Model repository saved: applied."), "saved and applied")
		must(t, expect.Locator(latest).ToHaveAttribute("data-result", "applied"), "the newest attempt applied")
		must(t, expect.Locator(latest.GetByTestId("attempt-commit")).ToHaveText(good[:7]), "names the commit")
		must(t, expect.Locator(latest.GetByTestId("attempt-change")).ToHaveText([]string{"create Environment dev", "create Environment prod"}), "lists the changes")
	})
	step("the model changed", func(t *testing.T) {
		_, err := page.Goto("/environments")
		must(t, err, "open the environments")
		must(t, expect.Locator(page.GetByTestId("env-dev")).ToBeVisible(), "dev exists")
		must(t, expect.Locator(page.GetByTestId("env-prod")).ToBeVisible(), "prod exists")
	})
	step("a bad commit is refused whole", func(t *testing.T) {
		write("ladder/qa.yaml", "apiVersion: ladder/v1\nkind: Environment\nmetadata: {name: qa}\nspec: {kind: non-production}\n")
		write("ladder/products.yaml", "apiVersion: ladder/v1\nkind: Product\nmetadata: {name: shop}\nspec:\n  flows: [{flow: nowhere}]\n")
		bad = commit("qa and a product with a missing flow")
		_, err := page.Goto("/settings/model-repository")
		must(t, err, "open the model repository page")
		must(t, page.GetByTestId("model-repo-check").Click(), "check now")
		must(t, expect.Locator(page.GetByTestId("flash")).ToHaveText("Model repository checked: refused."), "refused")
		must(t, expect.Locator(latest).ToHaveAttribute("data-result", "refused"), "the newest attempt refused")
		must(t, expect.Locator(latest.GetByTestId("attempt-commit")).ToHaveText(bad[:7]), "names the bad commit")
		must(t, expect.Locator(latest.GetByTestId("attempt-message")).ToContainText("nothing was changed"), "says nothing changed")
		must(t, expect.Locator(latest.GetByTestId("attempt-problem")).ToContainText("products.yaml: document 1 (Product shop)"), "names the file and document")
		must(t, expect.Locator(latest.GetByTestId("attempt-problem")).ToContainText("nowhere"), "gives the reason")
		must(t, expect.Locator(page.GetByTestId("model-repo-attempt").Nth(1)).ToHaveAttribute("data-result", "applied"), "the good commit is still listed")

		_, err = page.Goto("/environments")
		must(t, err, "open the environments")
		must(t, expect.Locator(page.GetByTestId("env-qa")).ToHaveCount(0), "qa was not added")
		must(t, expect.Locator(page.GetByTestId("env-prod")).ToBeVisible(), "prod is still there")
	})
	step("the audit log records both", func(t *testing.T) {
		_, err := page.Goto("/audit")
		must(t, err, "open the audit log")
		rows := page.GetByTestId("audit-row")
		refused := rows.Filter(playwright.LocatorFilterOptions{HasText: "apply refused"})
		must(t, expect.Locator(refused).ToHaveCount(1), "one refusal in the audit log")
		must(t, expect.Locator(refused).ToContainText("commit "+bad), "with its commit")
		must(t, expect.Locator(rows.Filter(playwright.LocatorFilterOptions{HasText: "apply applied"})).ToContainText("commit "+good), "the applied commit too")
	})
}
