package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/flow"
	"ladder/internal/policy"
	"ladder/internal/product"
)

// TestFlowDryRun: a promoter opens Trigger flow on the dashboard and presses Dry run. The
// dialog shows, for prod, the action with the policy it came from, that prod is frozen, and
// the diff prod's repository would receive; nothing is committed and no release is created.
func TestFlowDryRun(t *testing.T) {
	srv := startServer(t)
	dev, prod := newGitRepo(t, "shop-dev", "4.2.0"), newGitRepo(t, "shop-prod", "4.1.0")
	envs := seedModel(t, srv, dev, prod)
	ctx, check := context.Background(), fault.NewValidator()
	conn, err := db.Open(ctx, filepath.Join(srv.DataDir, "ladder.db"))
	must(t, err, "open the database")
	t.Cleanup(func() { conn.Close() })
	_, err = flow.NewService(conn, check, time.Now, envs, policy.NewService(conn, check, time.Now)).Create(ctx,
		flow.Input{Name: "dev-to-prod", TriggerEnvironment: "dev", Steps: []flow.Step{{Environment: "prod"}}})
	must(t, err, "create the flow")
	_, err = product.NewService(conn, check, time.Now).Update(ctx, "shop", product.Input{Name: "shop", Concurrency: "queue", QueueLimit: 50,
		Template: product.Template{VersionSource: product.VersionSource{File: "Chart.yaml", JSONPath: "$.appVersion"},
			Promotion: []product.Entry{{File: "Chart.yaml", JSONPaths: []string{"$.appVersion"}}, {File: "values.yaml", JSONPaths: []string{"$.image.tag"}}}},
		Flows: []product.FlowRef{{Flow: "dev-to-prod"}}})
	must(t, err, "give shop the flow")
	_, err = envs.Freeze(ctx, "prod", environment.FreezeInput{Reason: "release week"})
	must(t, err, "freeze prod")
	head := runGit(t, prod.bare, "rev-parse", "main")

	page := newPage(t, srv)
	signInAsAdmin(t, page)
	_, err = page.Goto("/")
	must(t, err, "open the dashboard")
	must(t, dashButton(page, "shop", "Trigger flow").Click(), "open the trigger dialog")
	dialog := page.GetByTestId("trigger-dialog")
	must(t, dialog.GetByTestId("dry-run").Click(), "press Dry run")
	plan := dialog.GetByTestId("dry-run-plan")
	must(t, expect.Locator(plan).ToContainText("Dry run: shop 4.2.0 through dev-to-prod"), "the plan names product, version and flow")
	env := plan.GetByTestId("dry-run-env-prod")
	must(t, expect.Locator(env.GetByTestId("dry-run-frozen-prod")).ToBeVisible(), "prod is marked frozen")
	must(t, expect.Locator(env).ToContainText("The release would wait here: environment frozen: release week"), "with the freeze's reason")
	must(t, expect.Locator(env).ToContainText("commit from commit-everywhere"), "the action and the policy it came from")
	must(t, expect.Locator(env.GetByTestId("dry-run-steps-prod")).ToHaveText("Runs: action: commit"), "what runs in prod")
	diff, err := env.GetByTestId("diff-shop-prod").TextContent()
	must(t, err, "read the diff")
	if !strings.Contains(diff, "-appVersion: \"4.1.0\"\n+appVersion: \"4.2.0\"") || !strings.Contains(diff, "+++ b/values.yaml") {
		t.Errorf("dry-run diff:\n%s\nwant Chart.yaml's version and values.yaml changed", diff)
	}
	shoot(t, page, "dry-run")

	if got := runGit(t, prod.bare, "rev-parse", "main"); got != head {
		t.Errorf("the dry run moved prod's main from %s to %s", head, got)
	}
	var n int
	must(t, conn.QueryRow("SELECT COUNT(*) FROM releases").Scan(&n), "count releases")
	if n != 0 {
		t.Errorf("the dry run left %d releases, want none", n)
	}
}
