package views

import "strings"

type diffLine struct{ class, text string }

// diffLines splits a unified diff into lines marked as added, removed, hunk header or context,
// so the page can tell them apart by more than colour (each keeps its +, - or @@ prefix).
func diffLines(diff string) []diffLine {
	var out []diffLine
	for line := range strings.SplitSeq(strings.TrimSuffix(diff, "\n"), "\n") {
		class := "diff-context"
		switch {
		case strings.HasPrefix(line, "+++"), strings.HasPrefix(line, "---"), strings.HasPrefix(line, "diff "):
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
