package e2e

import (
	"context"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/mxschmitt/playwright-go"

	"ladder/db"
	"ladder/internal/application"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/flow"
	"ladder/internal/policy"
	"ladder/internal/product"
)

// TestSoakJourney: an admin gives the prod step of shop's flow a soak time of 30m in the flow
// editor, sees it in the dry run of Trigger flow, triggers the flow and finds, on the release
// page, staging succeeded and prod waiting with the countdown "soaking: staging has run 2.4.0
// for 0m of 30m (until HH:MM UTC)" (with a weekday before it after 23:30 UTC); nothing
// reaches prod's repository.
func TestSoakJourney(t *testing.T) {
	srv := startServer(t)
	dev, staging, prod := newGitRepo(t, "shop-dev", "2.4.0"), newGitRepo(t, "shop-staging", "2.3.1"), newGitRepo(t, "shop-prod", "2.3.1")
	envs := seedModel(t, srv, dev, prod)
	ctx, check := context.Background(), fault.NewValidator()
	conn, err := db.Open(ctx, filepath.Join(srv.DataDir, "ladder.db"))
	must(t, err, "open the database")
	t.Cleanup(func() { conn.Close() })
	_, err = envs.Create(ctx, environment.Input{Name: "staging", Kind: "non-production"})
	must(t, err, "create staging")
	_, err = application.NewService(conn, check, time.Now).Create(ctx, application.Input{Name: "shop-staging", Environment: "staging",
		Product: "shop", RepoURL: staging.url(), Branch: "main", Path: "."})
	must(t, err, "create shop-staging")
	_, err = flow.NewService(conn, check, time.Now, envs, policy.NewService(conn, check, time.Now)).Create(ctx,
		flow.Input{Name: "dev-to-prod", TriggerEnvironment: "dev", Steps: []flow.Step{{Environment: "staging"}, {Environment: "prod"}}})
	must(t, err, "create the flow")
	_, err = product.NewService(conn, check, time.Now).Update(ctx, "shop", product.Input{Name: "shop", Concurrency: "queue", QueueLimit: 50,
		Template: product.Template{VersionSource: product.VersionSource{File: "Chart.yaml", JSONPath: "$.appVersion"},
			Promotion: []product.Entry{{File: "Chart.yaml", JSONPaths: []string{"$.appVersion"}}, {File: "values.yaml", JSONPaths: []string{"$.image.tag"}}}},
		Flows: []product.FlowRef{{Flow: "dev-to-prod"}}})
	must(t, err, "give shop the flow")
	head := runGit(t, prod.bare, "rev-parse", "main")

	page := newPage(t, srv)
	signInAsAdmin(t, page)
	_, err = page.Goto("/flows/dev-to-prod")
	must(t, err, "open the flow")
	form := page.GetByTestId("flow-form")
	soak := form.GetByTestId("field-steps.1.soak")
	must(t, soak.GetByLabel("Soak time").Fill("30m"), "give prod a soak time")
	shoot(t, page, "soak-flow-editor")
	must(t, form.GetByRole("button", playwright.LocatorGetByRoleOptions{Name: "Save changes"}).Click(), "save the flow")
	must(t, expect.Locator(page.GetByTestId("flow-graph").Locator("title").First()).ToContainText("prod (production) after staging has run the version for 30m"),
		"the graph's description names the soak")
	_, err = page.Reload()
	must(t, err, "reload the flow")
	must(t, expect.Locator(page.GetByTestId("flow-form").GetByTestId("field-steps.1.soak").Locator("input")).ToHaveValue("30m"), "the soak time is stored")

	_, err = page.Goto("/")
	must(t, err, "open the dashboard")
	must(t, dashButton(page, "shop", "Trigger flow").Click(), "open the trigger dialog")
	dialog := page.GetByTestId("trigger-dialog")
	must(t, dialog.GetByTestId("dry-run").Click(), "press Dry run")
	must(t, expect.Locator(dialog.GetByTestId("dry-run-soak-prod")).ToHaveText("Starts once staging has run the version for 30 min."), "the dry run shows the soak")
	shoot(t, page, "soak-dry-run")
	must(t, dialog.GetByTestId("confirm-trigger").Click(), "trigger the flow")
	must(t, page.WaitForURL("**/releases/*"), "arrive on the release page")

	// The end of the soak is named with its weekday when it falls on another day (after 23:30 UTC).
	countdown := regexp.MustCompile(`^soaking: staging has run 2\.4\.0 for 0m of 30m \(until ((Mon|Tue|Wed|Thu|Fri|Sat|Sun) )?\d\d:\d\d UTC\)$`)
	must(t, expect.Locator(page.GetByTestId("blocker-prod")).ToHaveText(countdown, playwright.LocatorAssertionsToHaveTextOptions{Timeout: playwright.Float(30_000)}),
		"prod shows the soak's countdown")
	must(t, expect.Locator(page.GetByTestId("release-now")).ToContainText("Waiting in prod: soaking: staging has run 2.4.0 for 0m of 30m"),
		"the header says what the release waits for")
	must(t, expect.Locator(page.GetByTestId("release-env-staging")).ToContainText("succeeded"), "staging succeeded")
	must(t, expect.Locator(page.GetByTestId("soak-prod")).ToHaveText("Starts once staging has run the version for 30 min"), "prod says what it waits for")
	shoot(t, page, "soak-release-waiting")
	if got := runGit(t, prod.bare, "rev-parse", "main"); got != head {
		t.Errorf("prod's main moved from %s to %s during the soak", head, got)
	}
}
