package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/mxschmitt/playwright-go"
)

// TestDiffPreviewMatchesCommit: a promoter opens Promote on the dashboard's prod column; the
// dialog shows the settings from the policies and a diff of every file that will change. After
// confirming, the promotion commit in prod's bare repository changes exactly the lines the
// preview showed, no more and no fewer.
func TestDiffPreviewMatchesCommit(t *testing.T) {
	srv := startServer(t)
	dev, prod := newGitRepo(t, "shop-dev", "3.1.0"), newGitRepo(t, "shop-prod", "3.0.2")
	seedModel(t, srv, dev, prod)
	page := newPage(t, srv)
	signInAsAdmin(t, page)

	_, err := page.Goto("/")
	must(t, err, "open the dashboard")
	must(t, expect.Locator(dashVersion(page, "dev", "shop")).ToHaveText("3.1.0"), "dev's version read from its repository")
	must(t, expect.Locator(dashVersion(page, "prod", "shop")).ToHaveText("3.0.2"), "prod's version read from its repository")
	must(t, dashPromote(page, "prod", "shop").Click(), "open the promote dialog")
	dialog := page.GetByTestId("promote-dialog")
	must(t, expect.Locator(dialog.GetByLabel("From")).ToHaveValue("dev"), "the predecessor is the source")
	must(t, expect.Locator(dialog.GetByLabel("Action", playwright.LocatorGetByLabelOptions{Exact: playwright.Bool(true)})).ToContainText("commit (from commit-everywhere)"), "the action comes from the policy")
	preview, err := dialog.GetByTestId("diff-shop-prod").TextContent()
	must(t, err, "read the preview")
	if !strings.Contains(preview, `+appVersion: "3.1.0"`) || !strings.Contains(preview, `-  tag: "3.0.2" # set by CI`) {
		t.Fatalf("preview:\n%s\nwant the version and tag lines changed", preview)
	}
	must(t, dialog.GetByTestId("confirm-promote").Click(), "confirm")
	must(t, page.WaitForURL("**/releases/*"), "arrive on the release page")
	must(t, expect.Locator(page.GetByTestId("release-status")).ToContainText("succeeded", playwright.LocatorAssertionsToContainTextOptions{Timeout: playwright.Float(30_000)}), "release succeeded")

	committed := runGit(t, prod.bare, "show", "--format=", "main")
	got, want := changedLines(preview), changedLines(committed)
	if !slices.Equal(got, want) {
		t.Errorf("preview changes:\n%s\ncommit changes:\n%s\nwant the same lines", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(want) != 6 {
		t.Errorf("got %d changed lines in the commit, want 6 (two files, each with one line removed and one added)", len(want))
	}
}

// changedLines returns a unified diff's file names and added and removed lines, in order.
func changedLines(diff string) []string {
	var out []string
	for line := range strings.SplitSeq(diff, "\n") {
		switch {
		case strings.HasPrefix(line, "+++ "), strings.HasPrefix(line, "--- "):
			continue
		case strings.HasPrefix(line, "diff --git "):
			out = append(out, line)
		case strings.HasPrefix(line, "+"), strings.HasPrefix(line, "-"):
			out = append(out, line)
		}
	}
	return out
}
