package e2e

import (
	"testing"
	"time"

	"github.com/mxschmitt/playwright-go"

	"ladder/internal/app"
)

// TestLiveReleaseKeepsWhatTheViewerIsDoing: the release page's body is replaced at every
// update of its stream, and the viewer keeps what they were doing. The demo release waits for
// prod-eu and prod-us. The viewer opens an activity group and types a comment for prod-us;
// someone else approves prod-eu, and the update that follows leaves the group open and the
// comment typed. Then the viewer presses prod-us's Approve and holds it while prod-eu's
// promotion sends its updates; on release the click approves prod-us, with the comment.
func TestLiveReleaseKeepsWhatTheViewerIsDoing(t *testing.T) {
	srv := startServer(t, func(c *app.Config) { c.Demo = true })
	page := newPageWith(t, srv, desktop)
	signInAsAdmin(t, page)
	_, err := page.Goto("/")
	must(t, err, "open the dashboard")
	must(t, page.GetByTestId("demo-new-version").Click(), "press New version in dev")
	id := waitForDemoRelease(t, srv, 10*time.Second)
	_, err = page.Goto("/releases/" + id)
	must(t, err, "open the release")
	wait := playwright.LocatorAssertionsToContainTextOptions{Timeout: playwright.Float(40_000)}
	must(t, expect.Locator(page.GetByTestId("release-now")).ToContainText("Waiting for 2 approvals: prod-eu, prod-us", wait), "the release waits for both regions")
	_, err = page.Evaluate(`window.__updates = 0;
		document.addEventListener("htmx:sseBeforeMessage", function () { window.__updates++ }, true)`)
	must(t, err, "count the stream's updates")
	updates := func() int {
		n, err := page.Evaluate("window.__updates")
		must(t, err, "read the count of updates")
		return toInt(n)
	}

	other := newPageWith(t, srv, desktop)
	signInAsAdmin(t, other)
	_, err = other.Goto("/releases/" + id)
	must(t, err, "open the release in a second browser")

	group := page.GetByTestId("release-events").Locator("details.activity-group").First()
	must(t, group.Locator("summary").Click(), "open an activity group")
	us := page.GetByTestId("approval-prod-us")
	must(t, us.GetByLabel("Comment on prod-us").Fill("after eu"), "type a comment for prod-us")
	must(t, other.GetByTestId("approval-prod-eu").GetByRole("button", playwright.LocatorGetByRoleOptions{Name: "Approve"}).Click(), "someone else approves prod-eu")
	must(t, expect.Locator(page.GetByTestId("approval-prod-eu")).ToHaveCount(0), "the update arrives: prod-eu's approval is done")
	must(t, expect.Locator(us.GetByLabel("Comment on prod-us")).ToHaveValue("after eu"), "the typed comment is still there")
	open, err := group.Evaluate("d => d.open", nil)
	must(t, err, "read the group's state")
	if open != true {
		t.Errorf("the activity group the viewer opened is closed after an update; want it open")
	}

	// prod-eu's promotion sends updates meanwhile: Hover waits for a button that stays put.
	must(t, us.GetByRole("button", playwright.LocatorGetByRoleOptions{Name: "Approve"}).Hover(), "point at Approve")
	before := updates()
	must(t, page.Mouse().Down(), "press Approve")
	waitFor(t, 20*time.Second, "an update while Approve is pressed (prod-eu's promotion)", func() bool { return updates() > before })
	must(t, page.Mouse().Up(), "release Approve")

	card := page.GetByTestId("release-env-prod-us")
	must(t, expect.Locator(card.GetByTestId("decision")).ToContainText("admin approved: after eu", wait), "the click approved prod-us with the comment")
	must(t, expect.Locator(page.GetByTestId("release-status")).ToContainText("succeeded", wait), "the release succeeds")
}
