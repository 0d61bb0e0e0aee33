package views

import (
	"strings"

	"ladder/internal/promotion"
	"ladder/internal/release"
)

type diffLine struct{ class, text string }

// diffLines splits a unified diff into lines marked as added, removed, hunk header or context,
// so the page can tell them apart by more than colour (each keeps its +, - or @@ prefix).
func diffLines(diff string) []diffLine {
	var out []diffLine
	for line := range strings.SplitSeq(strings.TrimSuffix(diff, "\n"), "\n") {
		class := "diff-context"
		switch {
		case strings.HasPrefix(line, "+++"), strings.HasPrefix(line, "---"), strings.HasPrefix(line, "diff "),
			strings.HasPrefix(line, "index "):
			class = "diff-file"
		case strings.HasPrefix(line, "+"):
			class = "diff-add"
		case strings.HasPrefix(line, "-"):
			class = "diff-del"
		case strings.HasPrefix(line, "@@"):
			class = "diff-hunk"
		}
		out = append(out, diffLine{class, line + "\n"})
	}
	return out
}

// dryRunPreview is the preview block of one application in a dry run: its patch, or why
// there is none.
func dryRunPreview(e promotion.DryRunEnvironment, a promotion.DryRunApplication) PreviewDiff {
	d := PreviewDiff{Environment: e.Name, Application: a.Name, Diff: a.Patch}
	switch {
	case a.Error != "":
		d.Note = "Would fail: " + a.Error
	case !a.NoChanges && a.Patch == "":
		d.Note = "Ladder writes nothing here (action " + dashIfEmpty(e.Settings.Action.Value) + ")."
	}
	return d
}

// releaseHooks lists a release's hook workflows, "" when it has none.
func releaseHooks(h release.Hooks) string {
	var out []string
	for _, x := range []struct{ when, wf string }{{"on start", h.OnStart}, {"on success", h.OnSuccess}, {"on fail", h.OnFail}} {
		if x.wf != "" {
			out = append(out, x.when+": "+x.wf)
		}
	}
	return strings.Join(out, ", ")
}
