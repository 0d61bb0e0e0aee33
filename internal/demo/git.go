package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"ladder/internal/gitops"
)

// CIAuthor is the name the "New version in dev" button commits as, like a CI pipeline would.
const CIAuthor = "demo-ci"

// git runs the git command line in dir as author name and returns its trimmed output.
func git(ctx context.Context, dir, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	email := name + "@ladder.invalid"
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME="+name, "GIT_AUTHOR_EMAIL="+email,
		"GIT_COMMITTER_NAME="+name, "GIT_COMMITTER_EMAIL="+email, "GIT_TERMINAL_PROMPT=0")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(out.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

// createRepo makes the bare repository bare holding the chart of one environment at
// startVersion, unless it exists already.
func createRepo(ctx context.Context, bare string, files map[string]string) error {
	if _, err := os.Stat(filepath.Join(bare, "HEAD")); err == nil {
		return nil
	}
	work, err := os.MkdirTemp(filepath.Dir(bare), ".seed-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	if _, err := git(ctx, work, CIAuthor, "init", "-q", "-b", "main"); err != nil {
		return err
	}
	if err := writeFiles(work, files); err != nil {
		return err
	}
	tmp := bare + ".tmp"
	_ = os.RemoveAll(tmp) // left over from an interrupted start
	steps := [][]string{
		{"add", "-A"},
		{"commit", "-q", "-m", "shop chart " + startVersion},
		{"clone", "-q", "--bare", work, tmp},
	}
	for _, args := range steps {
		if _, err := git(ctx, work, CIAuthor, args...); err != nil {
			return err
		}
	}
	// Renamed into place last, so a start interrupted halfway leaves no half-made repository.
	return os.Rename(tmp, bare)
}

func writeFiles(dir string, files map[string]string) error {
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Commit is a commit the demo made.
type Commit struct {
	SHA     string
	Version string
}

// NewVersion commits the next patch version to the dev repository, the way a CI pipeline
// would after building an image: Chart.yaml's appVersion and values.yaml's image.tag change,
// nothing else. Ladder's Git polling then notices the change and starts a release.
func (d *Demo) NewVersion(ctx context.Context) (Commit, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	work, err := os.MkdirTemp("", "ladder-demo-ci-*")
	if err != nil {
		return Commit{}, err
	}
	defer os.RemoveAll(work)
	if _, err := git(ctx, work, CIAuthor, "clone", "-q", d.RepoPath("dev"), "shop"); err != nil {
		return Commit{}, err
	}
	dir := filepath.Join(work, "shop")
	next, err := bumpFiles(dir)
	if err != nil {
		return Commit{}, err
	}
	for _, args := range [][]string{
		{"commit", "-q", "-am", "shop: build " + next},
		{"push", "-q", "origin", "HEAD:main"},
	} {
		if _, err := git(ctx, dir, CIAuthor, args...); err != nil {
			return Commit{}, err
		}
	}
	sha, err := git(ctx, dir, CIAuthor, "rev-parse", "HEAD")
	return Commit{SHA: sha, Version: next}, err
}

// bumpFiles raises the patch number of the chart's appVersion in dir and writes it to
// Chart.yaml and values.yaml's image.tag, keeping every comment and all other values.
func bumpFiles(dir string) (string, error) {
	chart, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return "", err
	}
	found, err := gitops.Select("Chart.yaml", chart, "$.appVersion")
	if err != nil {
		return "", err
	}
	current, _ := found[0].Value.(string)
	next, err := nextPatch(current)
	if err != nil {
		return "", err
	}
	edits := []struct{ file, path string }{{"Chart.yaml", "$['appVersion']"}, {"values.yaml", "$['image']['tag']"}}
	for _, e := range edits {
		p := filepath.Join(dir, e.file)
		data, err := os.ReadFile(p)
		if err != nil {
			return "", err
		}
		if data, err = gitops.SetValue(e.file, data, 0, e.path, next); err != nil {
			return "", err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return "", err
		}
	}
	return next, nil
}

// nextPatch returns version with its last number raised by one: 1.3.0 → 1.3.1.
func nextPatch(version string) (string, error) {
	i := strings.LastIndex(version, ".")
	n, err := strconv.Atoi(version[i+1:])
	if i < 0 || err != nil {
		return "", errors.New("appVersion " + strconv.Quote(version) + " does not end in a number")
	}
	return version[:i+1] + strconv.Itoa(n+1), nil
}
