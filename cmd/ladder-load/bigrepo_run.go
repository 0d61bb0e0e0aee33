package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"ladder/internal/gitserver"
)

// cliStats are the git command line's runs: the cold one and the warm ones.
type cliStats struct {
	Cold runStats
	Warm []runStats
}

// cliBaseline does what a promotion does with the git command line: clone --depth 1, edit,
// commit, push; then pull, edit, commit, push -warm times.
func cliBaseline(ctx context.Context, o options, srv *gitserver.HTTP) (cliStats, error) {
	url := strings.Replace(srv.URL("big-0.git"), "http://", "http://ci:"+bigToken+"@", 1)
	work := filepath.Join(o.dir, "bigrepo", "cli")
	var s cliStats
	cold, err := timed(func(peak *float64) error {
		if err := gitCLI(ctx, "", peak, "clone", "-q", "--depth", "1", "--single-branch", "-b", "main", url, work); err != nil {
			return err
		}
		return cliEdit(ctx, work, "cold", peak)
	})
	if err != nil {
		return s, err
	}
	s.Cold = cold
	for i := range o.warm {
		w, err := timed(func(peak *float64) error {
			if err := gitCLI(ctx, work, peak, "pull", "-q", "--ff-only"); err != nil {
				return err
			}
			return cliEdit(ctx, work, fmt.Sprintf("warm-%d", i), peak)
		})
		if err != nil {
			return s, err
		}
		s.Warm = append(s.Warm, w)
	}
	return s, nil
}

// cliEdit changes the promoted tag, commits and pushes.
func cliEdit(ctx context.Context, work, tag string, peak *float64) error {
	body := "image:\n  repository: shop\n  tag: \"" + tag + "\"   # promoted by Ladder\nreplicas: 5\n"
	if err := os.WriteFile(filepath.Join(work, "apps/shop/values.yaml"), []byte(body), 0o644); err != nil {
		return err
	}
	if err := gitCLI(ctx, work, peak, "commit", "-qam", "promote "+tag); err != nil {
		return err
	}
	return gitCLI(ctx, work, peak, "push", "-q", "origin", "HEAD:main")
}

// timed runs fn and returns its duration and the peak memory fn reports.
func timed(fn func(peak *float64) error) (runStats, error) {
	var peak float64
	start := time.Now()
	err := fn(&peak)
	return runStats{Seconds: time.Since(start).Seconds(), PeakMB: peak}, err
}

// gitCLI runs git in dir and raises *peak to its peak memory.
func gitCLI(ctx context.Context, dir string, peak *float64, args ...string) error {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME=Dev", "GIT_AUTHOR_EMAIL=dev@example.com", "GIT_COMMITTER_NAME=Dev", "GIT_COMMITTER_EMAIL=dev@example.com")
	out, err := cmd.CombinedOutput()
	if cmd.ProcessState != nil {
		*peak = max(*peak, rusagePeakMB(cmd.ProcessState))
	}
	if err != nil {
		return fmt.Errorf("git %s: %v: %s", args[0], err, out)
	}
	return nil
}

// engineRun runs the engine's promotions in a child process and reads its report.
func engineRun(ctx context.Context, o options, srv *gitserver.HTTP, root string) (engineReport, error) {
	cfg := engineConfig{Store: filepath.Join(o.dir, "bigrepo", "store"), DevURL: srv.URL("dev.git"),
		DevDir: filepath.Join(root, "dev.git"), Token: bigToken, Warm: o.warm, Settle: o.settle}
	for i := range o.repos {
		cfg.Targets = append(cfg.Targets, srv.URL(fmt.Sprintf("big-%d.git", i)))
	}
	arg, err := json.Marshal(cfg)
	if err != nil {
		return engineReport{}, err
	}
	self, err := os.Executable()
	if err != nil {
		return engineReport{}, err
	}
	cmd := exec.CommandContext(ctx, self, "bigrepo-engine", string(arg))
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return engineReport{}, fmt.Errorf("engine child: %w", err)
	}
	var rep engineReport
	return rep, json.Unmarshal(stdout.Bytes(), &rep)
}

// reportBigRepo prints the rows of the scenario.
func reportBigRepo(o options, t *table, cli cliStats, eng engineReport) {
	size := fmt.Sprintf("%d commits, %d files", o.commits, o.files)
	ratio := eng.Cold.Seconds / cli.Cold.Seconds
	t.row("bigrepo", "cold promotion ("+size+"): engine vs clone --depth 1+edit+commit+push",
		fmt.Sprintf("%.2f s vs %.2f s = %.2f×", eng.Cold.Seconds, cli.Cold.Seconds, ratio), "≤ 2×", yes(ratio <= 2))
	ew, gw := median(eng.Warm), median(cli.Warm)
	limit := max(3*gw, 0.5)
	t.row("bigrepo", fmt.Sprintf("warm promotion, median of %d: engine vs pull+edit+commit+push", len(eng.Warm)),
		fmt.Sprintf("%.3f s vs %.3f s = %.1f×", ew, gw, ew/gw), fmt.Sprintf("≤ max(3×, 0.5 s) = %.2f s", limit), yes(ew <= limit))
	ep, gp := peakOf(append(eng.Warm, eng.Cold)), peakOf(append(cli.Warm, cli.Cold))
	t.row("bigrepo", "peak RSS during a promotion: engine vs git (largest process)",
		fmt.Sprintf("%.0f MB vs %.0f MB", ep, gp), fmt.Sprintf("≤ 2×git + 40 = %.0f MB", 2*gp+40), yes(ep <= 2*gp+40))
	settled := "never"
	ok := false
	for _, s := range eng.Settle {
		if s.RSSMB < 100 {
			settled, ok = fmt.Sprintf("%.0f MB after %.0f s", s.RSSMB, s.After), true
			break
		}
	}
	last := eng.Settle[len(eng.Settle)-1]
	t.row("bigrepo", fmt.Sprintf("engine RSS after promoting into %d such repositories", o.repos),
		fmt.Sprintf("%.0f MB at once; %s (%.0f MB after %.0f s)", eng.Settle[0].RSSMB, settled, last.RSSMB, last.After),
		"< 100 MB within 1 min", yes(ok && settledWithin(eng.Settle, 60)))
}

// settledWithin reports whether RSS went below 100 MB within limit seconds.
func settledWithin(samples []rssSample, limit float64) bool {
	for _, s := range samples {
		if s.After <= limit && s.RSSMB < 100 {
			return true
		}
	}
	return false
}

func median(runs []runStats) float64 {
	if len(runs) == 0 {
		return 0
	}
	s := make([]float64, len(runs))
	for i, r := range runs {
		s[i] = r.Seconds
	}
	slices.Sort(s)
	return s[len(s)/2]
}

func peakOf(runs []runStats) float64 {
	var p float64
	for _, r := range runs {
		p = max(p, r.PeakMB)
	}
	return p
}
