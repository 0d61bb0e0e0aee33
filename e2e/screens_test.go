package e2e

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mxschmitt/playwright-go"

	"ladder/internal/app"
)

// TestLiveScreensJourney follows the demo as a person watching it: the dashboard and the
// release list are open while "New version in dev" is pressed; both show the release arrive,
// wait for approval and succeed, with no reload and no request but their event streams. On the
// release page, approving prod-eu leaves prod-us's approval where it was, in view. A second
// release then shows what changed: the values per environment and the commits since the
// version in production. Screenshots of each screen are saved along the way.
func TestLiveScreensJourney(t *testing.T) {
	srv := startServer(t, func(c *app.Config) { c.Demo = true })
	page := newPageWith(t, srv, desktop)
	signInAsAdmin(t, page)
	list, err := page.Context().NewPage()
	must(t, err, "open a second tab")
	listReqs := recordRequests(list)
	_, err = list.Goto("/releases")
	must(t, err, "open the release list")
	dashReqs := recordRequests(page)
	_, err = page.Goto("/")
	must(t, err, "open the dashboard")
	must(t, expect.Locator(page.GetByTestId("poll-interval")).ToContainText("Git is checked every 5 s"), "the poll interval is shown")
	_, err = page.Evaluate("window.__sameDocument = true")
	must(t, err, "mark the document")

	must(t, page.GetByTestId("demo-new-version").Click(), "press New version in dev")
	wait := playwright.LocatorAssertionsToContainTextOptions{Timeout: playwright.Float(40_000)}
	must(t, expect.Locator(dashCell(page, "dev", "shop")).ToContainText("#1", wait), "the dashboard shows the release dev started")
	must(t, expect.Locator(dashCell(page, "prod-eu", "shop")).ToContainText("waiting for approval", wait), "the dashboard shows prod-eu waiting")
	must(t, expect.Locator(list.GetByTestId("release-list")).ToContainText("shop #1", wait), "the release list shows the release")
	shoot(t, page, "dashboard")

	id := waitForDemoRelease(t, srv, 5*time.Second)
	rel := newPageWith(t, srv, desktop)
	signInAsAdmin(t, rel)
	_, err = rel.Goto("/releases/" + id)
	must(t, err, "open the release")
	now := rel.GetByTestId("release-now")
	must(t, expect.Locator(now).ToContainText("Waiting for 2 approvals: prod-eu, prod-us", wait), "the header says what the release waits for")
	must(t, expect.Locator(rel.GetByTestId("release-initiator")).ToHaveText("started by a commit to dev"), "the initiator in words")
	shoot(t, rel, "release-waiting")
	second := rel.GetByTestId("approval-prod-us")
	must(t, second.ScrollIntoViewIfNeeded(), "bring the approvals into view")
	before, err := rel.Evaluate("window.scrollY")
	must(t, err, "read the scroll position")
	secondApprove := second.GetByRole("button", playwright.LocatorGetByRoleOptions{Name: "Approve"})
	top := topOf(t, secondApprove)
	must(t, rel.GetByTestId("approval-prod-eu").GetByRole("button", playwright.LocatorGetByRoleOptions{Name: "Approve"}).Click(), "approve prod-eu")
	must(t, expect.Locator(rel.GetByTestId("approval-prod-eu")).ToHaveCount(0), "prod-eu's approval is done")
	must(t, expect.Locator(rel.GetByTestId("approval-decided-prod-eu")).ToContainText("admin approved"), "prod-eu's row says who approved it")
	shoot(t, rel, "release-one-approved")
	if now := topOf(t, secondApprove); now != top {
		t.Errorf("prod-us's Approve moved from y=%v to y=%v when prod-eu was approved; want it where the pointer aimed", top, now)
	}
	after, err := rel.Evaluate("window.scrollY")
	must(t, err, "read the scroll position again")
	if toInt(after) != toInt(before) {
		t.Errorf("scroll position after approving prod-eu: got %v, want %v (the page must stay where it was)", after, before)
	}
	must(t, expect.Locator(second).ToBeInViewport(), "prod-us's approval is still in view")
	must(t, second.GetByRole("button", playwright.LocatorGetByRoleOptions{Name: "Approve"}).Click(), "approve prod-us")
	must(t, expect.Locator(rel.GetByTestId("release-status")).ToContainText("succeeded", wait), "the release succeeds")
	must(t, expect.Locator(now).ToContainText("Done: 1.3.1 reached staging, prod-eu, prod-us"), "the header says it is done")

	must(t, expect.Locator(dashVersion(page, "prod-us", "shop")).ToHaveText("1.3.1", playwright.LocatorAssertionsToHaveTextOptions{Timeout: playwright.Float(20_000)}), "the dashboard shows the new version in prod-us")
	must(t, expect.Locator(list.GetByTestId("release-list").Locator("tbody tr").First()).ToContainText("succeeded"), "the list shows the release succeeded")
	same, err := page.Evaluate("window.__sameDocument === true")
	must(t, err, "read the mark")
	if same != true {
		t.Errorf("the dashboard reloaded; want it to change in place")
	}
	onlyStreams(t, dashReqs, "the dashboard", "/demo/new-version")
	onlyStreams(t, listReqs, "the release list")

	// A second release: what changed since the version production runs.
	must(t, page.GetByTestId("demo-new-version").Click(), "press New version in dev again")
	must(t, expect.Locator(dashCell(page, "prod-eu", "shop")).ToContainText("waiting for approval", wait), "the second release waits for prod-eu")
	_, err = rel.Goto("/releases")
	must(t, err, "open the list")
	must(t, rel.GetByTestId("release-list").Locator("tbody tr").First().Locator("a").Click(), "open the newest release")
	// On a phone, where each approval takes two lines, prod-eu's decision keeps prod-us's
	// Approve in place too.
	ph := newPageWith(t, srv, phone)
	signInAsAdmin(t, ph)
	_, err = ph.Goto(rel.URL())
	must(t, err, "open the second release on a phone")
	phApprove := ph.GetByTestId("approval-prod-us").GetByRole("button", playwright.LocatorGetByRoleOptions{Name: "Approve"})
	must(t, phApprove.ScrollIntoViewIfNeeded(), "bring prod-us's approval into view")
	// The header leaves the environments' names to the approval rows (its line would wrap,
	// and shrink as approvals are given); a screen reader still has them.
	must(t, expect.Locator(ph.GetByTestId("release-now-text")).ToHaveText("Waiting for 2 approvals: prod-eu, prod-us"), "the header's whole sentence, on a phone")
	if box, err := ph.GetByTestId("release-now").Locator(".now-names").BoundingBox(); err != nil || box == nil || box.Width > 1 {
		t.Errorf("on a phone the header shows the approvals' environments (%+v, %v); want them left to the rows under it", box, err)
	}
	top = topOf(t, phApprove)
	must(t, ph.GetByLabel("Comment on prod-eu").Fill("a long comment that a phone cannot show on one line"), "comment on prod-eu")
	must(t, ph.GetByTestId("approval-prod-eu").GetByRole("button", playwright.LocatorGetByRoleOptions{Name: "Approve"}).Click(), "approve prod-eu on a phone")
	must(t, expect.Locator(ph.GetByTestId("approval-decided-prod-eu")).ToContainText("admin approved"), "prod-eu's row says who approved it, on a phone")
	shoot(t, ph, "release-phone-one-approved")
	noSidewaysScroll(t, ph, phone, "phone release page waiting for prod-us")
	if now := topOf(t, phApprove); now != top {
		t.Errorf("on a phone, prod-us's Approve moved from y=%v to y=%v when prod-eu was approved; want it where the thumb aimed", top, now)
	}
	must(t, phApprove.Click(), "approve prod-us on a phone")
	must(t, expect.Locator(rel.GetByTestId("release-status")).ToContainText("succeeded", wait), "the second release succeeds")
	changes := rel.GetByTestId("release-changes")
	must(t, expect.Locator(changes.GetByTestId("values-prod-eu")).ToContainText("image.tag"), "the promoted value is named")
	tag := changes.GetByTestId("values-prod-eu").Locator("tbody tr", playwright.LocatorLocatorOptions{HasText: "image.tag"}).Locator("td")
	must(t, expect.Locator(tag.Nth(1)).ToHaveText("1.3.1"), "the value before")
	must(t, expect.Locator(tag.Nth(2)).ToHaveText("1.3.2"), "the value after")
	must(t, expect.Locator(changes.GetByTestId("release-commits")).ToContainText("1.3.2"), "the commit since production's version")
	shoot(t, rel, "release-succeeded")

	for _, look := range []struct {
		name string
		opts playwright.BrowserNewContextOptions
	}{{"dark", dark(desktop)}, {"phone", phone}, {"phone-dark", dark(phone)}} {
		p := newPageWith(t, srv, look.opts)
		signInAsAdmin(t, p)
		_, err = p.Goto("/")
		must(t, err, "open the dashboard")
		must(t, expect.Locator(dashVersion(p, "prod-us", "shop")).ToHaveText("1.3.2"), "the dashboard")
		noSidewaysScroll(t, p, look.opts, look.name+" dashboard")
		shoot(t, p, "dashboard-"+look.name)
		_, err = p.Goto(rel.URL())
		must(t, err, "open the release")
		must(t, expect.Locator(p.GetByTestId("release-changes")).ToBeVisible(), "the release page")
		noSidewaysScroll(t, p, look.opts, look.name+" release page")
		shoot(t, p, "release-"+look.name)
	}
}

// recordRequests keeps every request page makes from now on.
func recordRequests(page playwright.Page) func() []playwright.Request {
	var mu sync.Mutex
	var seen []playwright.Request
	page.OnRequest(func(r playwright.Request) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, r)
	})
	return func() []playwright.Request {
		mu.Lock()
		defer mu.Unlock()
		return append([]playwright.Request(nil), seen...)
	}
}

// onlyStreams fails t unless, after the page's first document, the recorded requests are
// event streams (at least one) and requests to the allowed paths: no reload, no polling.
func onlyStreams(t *testing.T, recorded func() []playwright.Request, what string, allowed ...string) {
	t.Helper()
	streams, all := 0, recorded()
	for i, r := range all {
		if r.ResourceType() == "document" {
			all = all[i+1:]
			break
		}
	}
	for _, r := range all {
		if r.ResourceType() == "eventsource" {
			streams++
			continue
		}
		ok := false
		for _, a := range allowed {
			ok = ok || strings.Contains(r.URL(), a)
		}
		if !ok && (r.ResourceType() == "xhr" || r.ResourceType() == "fetch" || r.ResourceType() == "document") {
			t.Errorf("%s made a %s request %s %s; want no request but its event stream", what, r.ResourceType(), r.Method(), r.URL())
		}
	}
	if streams == 0 {
		t.Errorf("%s opened no event stream", what)
	}
}

// topOf is where el's top is in the viewport, measured again when an update of the live page
// replaced it between finding and measuring it.
func topOf(t *testing.T, el playwright.Locator) float64 {
	t.Helper()
	var top float64
	waitFor(t, 10*time.Second, "a box to measure", func() bool {
		box, err := el.BoundingBox()
		if err != nil || box == nil {
			return false
		}
		top = box.Y
		return true
	})
	return top
}
