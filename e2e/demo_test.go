package e2e

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mxschmitt/playwright-go"

	"ladder/db"
	"ladder/internal/app"
	"ladder/internal/broker"
	"ladder/internal/release"
)

// TestDemoJourney is a newcomer's first ten minutes: Ladder started with --demo on a fresh data
// directory, the admin presses "New version in dev", Git polling starts a release of the demo
// flow, the admin approves production, and within 60 s the release has SUCCEEDED in dev,
// staging, prod-eu and prod-us, with the new version committed in every environment's
// repository.
func TestDemoJourney(t *testing.T) {
	srv := startServer(t, func(c *app.Config) { c.Demo = true })
	page := newPage(t, srv)
	signInAsAdmin(t, page)
	_, err := page.Goto("/demo")
	must(t, err, "open the demo guide")
	must(t, expect.Locator(page.GetByTestId("demo-guide")).ToBeVisible(), "the guide")
	must(t, expect.Locator(page.GetByTestId("demo-git-commands")).ToContainText("git clone file://"), "the git commands")

	pressed := time.Now()
	must(t, page.GetByTestId("demo-new-version").Click(), "press New version in dev")
	must(t, expect.Locator(page.GetByTestId("demo-committed")).ToContainText("1.3.1"), "the commit is announced")

	id := waitForDemoRelease(t, srv, 20*time.Second)
	_, err = page.Goto("/releases/" + id)
	must(t, err, "open the release")
	for _, env := range []string{"prod-eu", "prod-us"} {
		approve := page.GetByTestId("approval-"+env).GetByRole("button", playwright.LocatorGetByRoleOptions{Name: "Approve"})
		must(t, expect.Locator(approve).ToBeVisible(playwright.LocatorAssertionsToBeVisibleOptions{Timeout: playwright.Float(40_000)}), env+" asks for approval")
		must(t, approve.Click(), "approve "+env)
	}
	left := time.Until(pressed.Add(60 * time.Second))
	must(t, expect.Locator(page.GetByTestId("release-status")).ToContainText("succeeded",
		playwright.LocatorAssertionsToContainTextOptions{Timeout: playwright.Float(float64(max(left, time.Second).Milliseconds()))}),
		"the release succeeds within 60 s of the button")
	for _, env := range []string{"dev", "staging", "prod-eu", "prod-us"} {
		must(t, expect.Locator(page.GetByTestId("release-env-"+env)).ToContainText("succeeded"), env+" succeeded")
		if env == "dev" {
			continue // the trigger environment is where the version came from
		}
		bare := filepath.Join(srv.DataDir, "demo-git", "shop-"+env+".git")
		out, err := exec.Command("git", "-C", bare, "show", "main:values.yaml").CombinedOutput()
		must(t, err, "read "+env+"'s values.yaml: "+string(out))
		if !strings.Contains(string(out), `tag: "1.3.1"`) {
			t.Errorf("%s values.yaml: got\n%s\nwant image.tag 1.3.1", env, out)
		}
	}
}

// waitForDemoRelease waits until Git polling has started a release of the demo product and
// returns its ID.
func waitForDemoRelease(t *testing.T, srv *server, timeout time.Duration) string {
	t.Helper()
	conn, err := db.Open(context.Background(), filepath.Join(srv.DataDir, "ladder.db"))
	must(t, err, "open the database")
	defer conn.Close()
	releases := release.NewService(conn, broker.New(), time.Now)
	var id string
	waitFor(t, timeout, "Git polling to start a release of shop (automatic triggers)", func() bool {
		list, err := releases.List(context.Background(), release.Filter{Product: "shop", Limit: 1})
		if err != nil || len(list) == 0 {
			return false
		}
		id = list[0].ID
		return true
	})
	return id
}
