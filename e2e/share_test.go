package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/mxschmitt/playwright-go"

	"ladder/internal/environment"
)

// TestShareJourney: a promoter shares a release that waits on a frozen prod. Someone with the
// link and no account sees its live status: the freeze as the blocker, then — once the freeze
// is lifted behind everyone's back — success, over the page's own event stream. The page shows
// no activity log, settings, repositories or other releases. Once revoked, the link is a 404,
// and so is a made-up one.
func TestShareJourney(t *testing.T) {
	srv := startServer(t)
	dev, prod := newGitRepo(t, "shop-dev", "5.0.0"), newGitRepo(t, "shop-prod", "4.9.0")
	envs := seedModel(t, srv, dev, prod)
	_, err := envs.Freeze(context.Background(), "prod", environment.FreezeInput{Reason: "launch day"})
	must(t, err, "freeze prod")
	page := newPage(t, srv)
	signInAsAdmin(t, page)
	_, err = page.Goto("/promote?product=shop&to=prod")
	must(t, err, "open the promote dialog as a page")
	must(t, page.GetByTestId("confirm-promote").Click(), "promote")
	must(t, page.WaitForURL("**/releases/*"), "arrive on the release page")
	must(t, page.GetByTestId("create-share").Click(), "create a share link")
	shareURL, err := page.GetByTestId("share-url").InputValue()
	must(t, err, "read the share link")
	if !strings.Contains(shareURL, "/s/") {
		t.Fatalf("got share link %q, want one under /s/", shareURL)
	}

	visitor := newPage(t, srv) // a fresh context: no session cookie
	_, err = visitor.Goto(shareURL)
	must(t, err, "open the share link")
	must(t, expect.Locator(visitor.GetByTestId("blocker-prod")).ToContainText("environment frozen: launch day"), "the blocker is shown")
	must(t, expect.Locator(visitor.GetByTestId("graph-node-prod")).ToContainText("pending"), "the graph shows prod's status in words")
	_, err = visitor.Evaluate("window.__sameDocument = true")
	must(t, err, "mark the document")
	_, err = envs.Unfreeze(context.Background(), "prod")
	must(t, err, "unfreeze prod")
	must(t, expect.Locator(visitor.GetByTestId("release-status")).ToContainText("succeeded", playwright.LocatorAssertionsToContainTextOptions{Timeout: playwright.Float(30_000)}), "the live update arrives")
	if same, _ := visitor.Evaluate("window.__sameDocument === true"); same != true {
		t.Errorf("the shared page reloaded; want the update to arrive live")
	}
	checkSharedPageHides(t, visitor, dev.url())

	_, err = page.Reload()
	must(t, err, "reload the release page")
	must(t, page.GetByTestId("share-links").GetByRole("button", playwright.LocatorGetByRoleOptions{Name: "Revoke"}).Click(), "revoke the link")
	must(t, expect.Locator(page.GetByTestId("share-links")).ToContainText("revoked"), "the link is listed as revoked")
	for name, url := range map[string]string{"revoked": shareURL, "made up": srv.URL + "/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "revoked stream": shareURL + "/events"} {
		t.Run(name, func(t *testing.T) {
			resp, err := visitor.Request().Get(url)
			must(t, err, "request "+url)
			if resp.Status() != 404 {
				t.Errorf("got %d, want 404", resp.Status())
			}
		})
	}
}

// checkSharedPageHides fails t if the shared page shows the activity log, settings, the
// repository, actions or a link to anything else in Ladder.
func checkSharedPageHides(t *testing.T, page playwright.Page, repoURL string) {
	t.Helper()
	text, err := page.Locator("main").InnerText()
	must(t, err, "read the shared page")
	for _, hidden := range []string{"created by", "Activity", "Pre-action", "commit-everywhere", repoURL, "pushed", "Terminate", "Share"} {
		if strings.Contains(text, hidden) {
			t.Errorf("the shared page shows %q; want no logs, settings, repositories or actions", hidden)
		}
	}
	links, err := page.Locator("main a, main form, main button").Count()
	must(t, err, "count links")
	if links != 0 {
		t.Errorf("got %d links, forms or buttons on the shared page, want none", links)
	}
}
