package main

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"ladder/internal/gitserver"
)

// bigToken is the token the bigrepo scenario's Git server asks for.
const bigToken = "bigrepo-token"

// runBigRepo builds a repository of -commits commits and -files files with git fast-import,
// serves it over smart HTTP with token auth, and times promotions into it by Ladder's Git
// engine (in a child process, so its memory is its own) next to the git command line doing
// the same work: cold (first promotion; `git clone --depth 1` + edit + commit + push) and warm
// (later promotions; `git pull` + edit + commit + push). Then the engine promotes into -repos
// copies and its memory is read for up to -settle.
func runBigRepo(ctx context.Context, o options, t *table) error {
	root := filepath.Join(o.dir, "bigrepo")
	if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	if err := buildBigRepo(filepath.Join(root, "big-0.git"), o.commits, o.files); err != nil {
		return err
	}
	for i := 1; i < o.repos; i++ {
		if out, err := exec.Command("cp", "-r", filepath.Join(root, "big-0.git"), filepath.Join(root, fmt.Sprintf("big-%d.git", i))).CombinedOutput(); err != nil {
			return fmt.Errorf("copy repository: %v: %s", err, out)
		}
	}
	dev, err := gitserver.Init(root, "dev.git")
	if err != nil {
		return err
	}
	if _, err := gitserver.Commit(dev, "main", "dev", devFiles("1.0.0")); err != nil {
		return err
	}
	srv, err := gitserver.NewHTTP(root, gitserver.Auth{User: "ci", Token: bigToken})
	if err != nil {
		return err
	}
	defer srv.Close()
	cli, err := cliBaseline(ctx, o, srv)
	if err != nil {
		return err
	}
	eng, err := engineRun(ctx, o, srv, root)
	if err != nil {
		return err
	}
	reportBigRepo(o, t, cli, eng)
	return nil
}

// devFiles is the small source application at a version.
func devFiles(version string) map[string]string {
	return map[string]string{"shop/Chart.yaml": "name: shop\nappVersion: " + version + "\n",
		"shop/values.yaml": "image:\n  repository: shop\n  tag: \"" + version + "\"\n"}
}

// buildBigRepo writes a bare repository with commits commits on main over files files, the
// first commit adding them all and each later one rewriting one of them; apps/shop holds the
// application promoted into.
func buildBigRepo(dir string, commits, files int) error {
	if _, err := gitserver.Init(filepath.Dir(dir), filepath.Base(dir)); err != nil {
		return err
	}
	cmd := exec.Command("git", "--git-dir="+dir, "fast-import", "--quiet")
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	out, err := os.CreateTemp("", "fast-import-")
	if err != nil {
		return err
	}
	defer os.Remove(out.Name())
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return err
	}
	w := bufio.NewWriterSize(in, 1<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	when := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for c := range commits {
		fmt.Fprintf(w, "commit refs/heads/main\ncommitter Dev <dev@example.com> %d +0000\n", when+int64(c)*60)
		msg := fmt.Sprintf("change %d", c)
		fmt.Fprintf(w, "data %d\n%s\n", len(msg), msg)
		if c == 0 {
			for f := range files {
				writeFile(w, fileName(f), fileBody(rng, f, c))
			}
			writeFile(w, "apps/shop/Chart.yaml", "name: shop\nappVersion: 0.1.0 # prod\n")
			writeFile(w, "apps/shop/values.yaml", "image:\n  repository: shop\n  tag: \"0.1.0\"   # promoted by Ladder\nreplicas: 5\n")
			continue
		}
		f := rng.IntN(files)
		writeFile(w, fileName(f), fileBody(rng, f, c))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		b, _ := os.ReadFile(out.Name())
		return fmt.Errorf("git fast-import: %v: %s", err, b)
	}
	return nil
}

func writeFile(w *bufio.Writer, name, body string) {
	fmt.Fprintf(w, "M 100644 inline %s\ndata %d\n%s\n", name, len(body), body)
}

func fileName(f int) string { return fmt.Sprintf("apps/app-%03d/config-%d.yaml", f/10, f%10) }

// fileBody is a YAML file of about 2.5 KB, different at every commit.
func fileBody(rng *rand.Rand, f, c int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# app %d, change %d\nimage:\n  repository: registry.example.com/app-%d\n  tag: \"%d.%d\"\nenv:\n", f, c, f, c/100, c%100)
	for i := range 40 {
		fmt.Fprintf(&b, "  - name: VAR_%02d\n    value: %016x\n", i, rng.Uint64())
	}
	return b.String()
}

// runStats is the time and peak memory of one measured run.
type runStats struct {
	Seconds float64 `json:"seconds"`
	PeakMB  float64 `json:"peak_mb"`
}

// rusagePeakMB is the peak resident memory of a finished command and its children.
func rusagePeakMB(ps *os.ProcessState) float64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return float64(ru.Maxrss) / 1024
	}
	return 0
}
