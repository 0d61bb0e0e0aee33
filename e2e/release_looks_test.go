package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/mxschmitt/playwright-go"

	"ladder/db"
	"ladder/internal/fault"
	"ladder/internal/policy"
	"ladder/internal/workflow"
)

// TestReleaseRunningThenFailed shows a release page in two of its looks, light and dark: while
// prod's post-action check is in flight the header says the release is promoting (the running
// look), and when the check answers 500 it says where it failed (the failed look), the page
// following over its event stream. The check is an HTTP step against a server of the test's own,
// which holds its answer until the running page has been seen.
func TestReleaseRunningThenFailed(t *testing.T) {
	release := make(chan struct{})
	check := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		http.Error(w, "smoke test failed: 3 of 12 requests answered 503", http.StatusInternalServerError)
	}))
	t.Cleanup(check.Close)
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})

	srv := startServer(t)
	dev, prod := newGitRepo(t, "shop-dev", "2.4.0"), newGitRepo(t, "shop-prod", "2.3.1")
	seedModel(t, srv, dev, prod)
	seedSmokeTest(t, srv, check.URL)
	page := newPage(t, srv)
	signInAsAdmin(t, page)
	night := newPageWith(t, srv, dark(desktop))
	signInAsAdmin(t, night)

	_, err := page.Goto("/promote?product=shop&from=dev&to=prod")
	must(t, err, "open the promote page")
	must(t, page.GetByTestId("confirm-promote").Click(), "promote")
	must(t, page.WaitForURL("**/releases/*"), "arrive on the release page")
	_, err = night.Goto(page.URL())
	must(t, err, "open the release in dark mode")

	now := page.GetByTestId("release-now")
	wait := playwright.LocatorAssertionsToHaveClassOptions{Timeout: playwright.Float(30_000)}
	for _, p := range []playwright.Page{page, night} {
		must(t, expect.Locator(p.GetByTestId("release-now")).ToHaveClass(regexp.MustCompile(`\bnow-running\b`), wait), "the running look")
	}
	must(t, expect.Locator(now).ToContainText("Promoting to prod"), "the header says what runs")
	must(t, expect.Locator(page.GetByTestId("blocker-prod")).ToHaveClass(regexp.MustCompile(`\bnow-running\b`)), "prod's card speaks the header's language")
	must(t, expect.Locator(page.GetByTestId("release-status")).ToContainText("running"), "the status badge says running")
	shoot(t, page, "release-running")
	shoot(t, night, "release-running-dark")

	close(release)
	for _, p := range []playwright.Page{page, night} {
		must(t, expect.Locator(p.GetByTestId("release-now")).ToHaveClass(regexp.MustCompile(`\bnow-failed\b`), wait), "the failed look")
	}
	must(t, expect.Locator(now).ToContainText("Failed in prod"), "the header says where it failed")
	must(t, expect.Locator(page.GetByTestId("release-status")).ToContainText("failed"), "the status badge says failed")
	must(t, expect.Locator(page.GetByTestId("release-env-prod")).ToContainText("500"), "prod's card says what the check answered")
	shoot(t, page, "release-failed")
	shoot(t, night, "release-failed-dark")
}

// seedSmokeTest adds a workflow with one HTTP check of url and a policy making it prod's
// post-action.
func seedSmokeTest(t *testing.T, srv *server, url string) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Open(ctx, filepath.Join(srv.DataDir, "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	v := fault.NewValidator()
	_, err = workflow.NewService(conn, v, time.Now).Create(ctx, workflow.Input{Name: "smoke-test", Steps: []workflow.Step{
		{Name: "healthz", Kind: workflow.KindHTTP, HTTP: &workflow.HTTPStep{Method: "GET", URL: url + "/healthz", ExpectStatus: "2xx"}}}})
	must(t, err, "create workflow")
	_, err = policy.NewService(conn, v, time.Now).Create(ctx, policy.Input{Name: "prod-smoke-test", Priority: 10,
		Selector: policy.Selector{Environments: policy.EnvironmentSelector{Names: []string{"prod"}}},
		Settings: policy.Settings{PostAction: "smoke-test"}})
	must(t, err, "create policy")
}
