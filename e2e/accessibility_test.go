package e2e

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/mxschmitt/playwright-go"

	"ladder/internal/app"
)

// maxPages bounds the crawl of TestAccessibility.
const maxPages = 120

// TestAccessibility runs axe-core on every page a signed-in admin can reach by following
// links from the dashboard of the demo (with a release waiting for approval), light and dark,
// and on the pages signed-out visitors see (sign-in, a share link): no serious or critical
// violation. Signed-out pages show no application navigation.
func TestAccessibility(t *testing.T) {
	srv := startServer(t, func(c *app.Config) { c.Demo = true })
	bypass := desktop
	bypass.BypassCSP = playwright.Bool(true)
	page := newPageWith(t, srv, bypass)
	signInAsAdmin(t, page)
	_, err := page.Goto("/")
	must(t, err, "open the dashboard")
	must(t, page.GetByTestId("demo-new-version").Click(), "press New version in dev")
	wait := playwright.LocatorAssertionsToContainTextOptions{Timeout: playwright.Float(40_000)}
	must(t, expect.Locator(dashCell(page, "prod-eu", "shop")).ToContainText("waiting for approval", wait), "a release waits for approval")

	pages := crawl(t, page, srv.URL)
	if len(pages) < 20 {
		t.Errorf("the crawl reached %d pages, want every kind of page (at least 20)", len(pages))
	}
	if !slices.Contains(pages, "/releases/start") { // a release page is the crawl's one of that kind
		pages = append(pages, "/releases/start")
	}
	t.Logf("axe-core checks %d pages: %s", len(pages), strings.Join(pages, " "))
	for _, p := range pages {
		_, err := page.Goto(p)
		must(t, err, "open "+p)
		checkAccessibility(t, page, p)
	}

	night := newPageWith(t, srv, dark(bypass))
	signInAsAdmin(t, night)
	for _, p := range []string{"/", "/products/shop"} {
		_, err := night.Goto(p)
		must(t, err, "open "+p+" in dark mode")
		checkAccessibility(t, night, p+" (dark)")
	}

	_, err = page.Goto("/releases")
	must(t, err, "open the releases")
	must(t, page.GetByTestId("release-list").Locator("tbody tr").First().Locator("a").Click(), "open the release")
	must(t, page.GetByTestId("create-share").Click(), "create a share link")
	shareURL, err := page.GetByTestId("share-url").InputValue()
	must(t, err, "read the share link")
	visitor := newPageWith(t, srv, bypass)
	for _, p := range []string{"/login", shareURL} {
		_, err := visitor.Goto(p)
		must(t, err, "open "+p+" signed out")
		must(t, expect.Locator(visitor.GetByRole("navigation", playwright.PageGetByRoleOptions{Name: "Main"})).ToHaveCount(0), p+" shows no application navigation")
		checkAccessibility(t, visitor, p+" (signed out)")
	}
}

// perKind is how many pages of one kind the crawl checks: detail pages of one kind (every
// environment, every application) share their template.
const perKind = 1

// crawl follows same-origin links from the dashboard and returns every page path it found,
// without queries, at most perKind of a kind (the same first segment and depth), in the
// order found.
func crawl(t *testing.T, page playwright.Page, base string) []string {
	t.Helper()
	seen := map[string]bool{"/": true}
	kinds := map[string]int{}
	queue, out := []string{"/"}, []string{}
	for len(queue) > 0 && len(out) < maxPages {
		p := queue[0]
		queue = queue[1:]
		resp, err := page.Goto(p)
		must(t, err, "crawl "+p)
		if resp == nil || resp.Status() != 200 || !strings.HasPrefix(resp.Headers()["content-type"], "text/html") {
			continue
		}
		out = append(out, p)
		hrefs, err := page.Locator("a[href]").EvaluateAll("els => els.map(e => e.href)")
		must(t, err, "read the links of "+p)
		for _, h := range hrefs.([]any) {
			u, err := url.Parse(h.(string))
			if err != nil || !strings.HasPrefix(h.(string), base) {
				continue
			}
			path := u.Path
			if seen[path] || skipCrawl(path) {
				continue
			}
			seen[path] = true
			parts := strings.Split(strings.Trim(path, "/"), "/")
			kind := fmt.Sprint(parts[0], len(parts))
			if kinds[kind]++; kinds[kind] > perKind {
				continue
			}
			queue = append(queue, path)
		}
	}
	return out
}

// skipCrawl names what is not a page: downloads, streams, the API and static files.
func skipCrawl(path string) bool {
	for _, s := range []string{"/static/", "/api/", "/events", ".csv", "/metrics", "/healthz", "/readyz", "/export", "/openapi"} {
		if strings.Contains(path, s) {
			return true
		}
	}
	return path == "/logout" || path == "/metrics"
}

// TestKeyboardReachesEveryControl tabs through the dashboard and a waiting release page: every
// visible link, button, field and disclosure gets the focus.
func TestKeyboardReachesEveryControl(t *testing.T) {
	srv := startServer(t)
	dev, prod := newGitRepo(t, "shop-dev", "2.0.0"), newGitRepo(t, "shop-prod", "1.9.0")
	seedModel(t, srv, dev, prod)
	seedApproval(t, srv)
	page := newPageWith(t, srv, desktop)
	signInAsAdmin(t, page)
	_, err := page.Goto("/promote?product=shop&to=prod")
	must(t, err, "open the promote page")
	must(t, page.GetByTestId("confirm-promote").Click(), "promote")
	must(t, page.WaitForURL("**/releases/*"), "arrive on the release page")
	must(t, expect.Locator(page.GetByTestId("approval-prod")).ToBeVisible(), "the approval waits")
	release := page.URL()
	for _, p := range []string{"/", release} {
		_, err := page.Goto(p)
		must(t, err, "open "+p)
		tabThrough(t, page, p)
	}
}

// tabThrough presses Tab until the focus comes back round and fails t for each visible control
// it never reached.
func tabThrough(t *testing.T, page playwright.Page, what string) {
	t.Helper()
	_, err := page.Evaluate(`() => {
		window.__focused = new Set();
		document.addEventListener("focusin", e => window.__focused.add(e.target));
		document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary").forEach((el, i) => el.dataset.kb = i);
	}`)
	must(t, err, "prepare "+what)
	n, err := page.Evaluate(`document.querySelectorAll("[data-kb]").length`)
	must(t, err, "count the controls")
	for range 2*toInt(n) + 5 { // twice round: a live update may move the focus back to the start once
		must(t, page.Keyboard().Press("Tab"), "press Tab")
	}
	missed, err := page.Evaluate(`() => [...document.querySelectorAll("[data-kb]")]
		.filter(el => el.checkVisibility() && !el.disabled && !window.__focused.has(el))
		.map(el => el.outerHTML.slice(0, 120))`)
	must(t, err, "list the controls never focused")
	for _, m := range missed.([]any) {
		t.Errorf("%s: the keyboard never reaches %s", what, m)
	}
}
