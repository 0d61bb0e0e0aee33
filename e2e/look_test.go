package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mxschmitt/playwright-go"
)

// Looks the screenshots are taken in: a laptop, a phone (390 px, the width of common phones),
// each light and dark.
var (
	desktop = playwright.BrowserNewContextOptions{Viewport: &playwright.Size{Width: 1440, Height: 900}}
	phone   = playwright.BrowserNewContextOptions{Viewport: &playwright.Size{Width: 390, Height: 844},
		IsMobile: playwright.Bool(true), HasTouch: playwright.Bool(true), DeviceScaleFactor: playwright.Float(2)}
)

// withoutCSP returns opts for a page axe-core can be injected into.
func withoutCSP(opts playwright.BrowserNewContextOptions) playwright.BrowserNewContextOptions {
	opts.BypassCSP = playwright.Bool(true)
	return opts
}

// dark returns opts with the dark colour scheme.
func dark(opts playwright.BrowserNewContextOptions) playwright.BrowserNewContextOptions {
	opts.ColorScheme = playwright.ColorSchemeDark
	return opts
}

var shotsOnce sync.Once
var shotsDir string

// screenshotDir is where the e2e run writes its screenshots: $LADDER_SCREENSHOTS, or
// e2e/screenshots (git-ignored; CI keeps it as an artifact). docs/img is refreshed from it.
func screenshotDir(t *testing.T) string {
	t.Helper()
	shotsOnce.Do(func() {
		shotsDir = os.Getenv("LADDER_SCREENSHOTS")
		if shotsDir == "" {
			shotsDir, _ = filepath.Abs("screenshots")
		}
		if err := os.MkdirAll(shotsDir, 0o755); err != nil {
			shotsDir = ""
			return
		}
		fmt.Fprintln(os.Stderr, "e2e: screenshots in", shotsDir)
	})
	if shotsDir == "" {
		t.Fatal("the screenshot folder could not be created")
	}
	return shotsDir
}

// shoot saves a full-page screenshot of page as name.png in the screenshot folder.
func shoot(t *testing.T, page playwright.Page, name string) {
	t.Helper()
	path := filepath.Join(screenshotDir(t), name+".png")
	_, err := page.Screenshot(playwright.PageScreenshotOptions{Path: playwright.String(path), FullPage: playwright.Bool(true),
		Animations: playwright.ScreenshotAnimationsDisabled})
	must(t, err, "screenshot "+name)
	t.Logf("screenshot %s", path)
}

// noSidewaysScroll fails t when page is wider than the width it was opened at (something
// overflows sideways; a phone would then zoom out or scroll).
func noSidewaysScroll(t *testing.T, page playwright.Page, opts playwright.BrowserNewContextOptions, what string) {
	t.Helper()
	got, err := page.Evaluate("document.documentElement.scrollWidth")
	must(t, err, "measure the page width")
	if w := opts.Viewport.Width; toInt(got) > w {
		t.Errorf("%s: the page is %v px wide at a width of %d px; want nothing overflowing sideways", what, got, w)
	}
}

func toInt(v any) int {
	switch n := v.(type) {
	case int:
		return n
	case float64:
		return int(n)
	}
	return -1
}

// axeViolation is one rule axe-core found broken, with the elements that break it.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// checkAccessibility runs axe-core (e2e/driver/node_modules, pinned in its package.json) on
// page and fails t for every serious or critical violation. The page's context must bypass
// the Content-Security-Policy so the script can be injected.
func checkAccessibility(t *testing.T, page playwright.Page, what string) {
	t.Helper()
	if _, err := page.AddScriptTag(playwright.PageAddScriptTagOptions{Path: playwright.String(filepath.Join("driver", "node_modules", "axe-core", "axe.min.js"))}); err != nil {
		t.Fatalf("inject axe-core (run .ci/setup): %v", err)
	}
	out, err := page.Evaluate(`async () => JSON.stringify((await axe.run(document, {resultTypes: ["violations"]})).violations)`)
	must(t, err, "run axe-core on "+what)
	var found []axeViolation
	must(t, json.Unmarshal([]byte(out.(string)), &found), "read axe-core's answer")
	for _, v := range found {
		if v.Impact != "serious" && v.Impact != "critical" {
			continue
		}
		var where []string
		for _, n := range v.Nodes {
			where = append(where, fmt.Sprint(n.Target...))
		}
		t.Errorf("%s: %s violation %s (%s) at %s", what, v.Impact, v.ID, v.Help, strings.Join(where, "; "))
	}
}
