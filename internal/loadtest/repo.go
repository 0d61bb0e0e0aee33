// Package loadtest holds what Ladder's crash test and its load tool (cmd/ladder-load) share:
// a model seeded on real Git repositories, a stored release history, a launcher that runs
// Ladder as a child process and kills it, an HTTP client, and the end-of-run check that no
// release was lost and no promotion was committed twice.
package loadtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// chartYAML and valuesYAML are a small Helm chart; %s is the version.
const (
	chartYAML  = "apiVersion: v2\nname: app\nappVersion: \"%s\"\n"
	valuesYAML = "image:\n  repository: registry.example/app\n  tag: \"%s\"\nreplicas: 2\n"
)

// Repo is a bare Git repository with a work tree next to it for commits made with the git CLI.
type Repo struct {
	Bare string
	work string
}

// NewRepo creates a bare repository called name under dir holding a chart at version, set up
// as a Git host keeps it.
func NewRepo(dir, name, version string) (*Repo, error) {
	r := &Repo{Bare: filepath.Join(dir, name+".git"), work: filepath.Join(dir, name)}
	if _, err := git(dir, "init", "-q", "--bare", "-b", "main", r.Bare); err != nil {
		return nil, err
	}
	// A Git host does its housekeeping on a schedule of its own, not in every push: Gerrit's
	// init sets receive.autogc to false, GitLab repacks after a number of pushes. Left on,
	// each push Ladder makes here would also start a git gc --auto on the cores Ladder shares.
	if _, err := git(r.Bare, "config", "receive.autogc", "false"); err != nil {
		return nil, err
	}
	if _, err := git(dir, "clone", "-q", r.Bare, r.work); err != nil {
		return nil, err
	}
	return r, r.CommitVersion(version)
}

// URL is the repository's file URL, as an application names it.
func (r *Repo) URL() string { return "file://" + r.Bare }

// CommitVersion commits and pushes the chart at version.
func (r *Repo) CommitVersion(version string) error {
	for name, tmpl := range map[string]string{"Chart.yaml": chartYAML, "values.yaml": valuesYAML} {
		body := strings.ReplaceAll(tmpl, "%s", version)
		if err := os.WriteFile(filepath.Join(r.work, name), []byte(body), 0o644); err != nil {
			return err
		}
	}
	for _, args := range [][]string{{"add", "-A"}, {"commit", "-q", "-m", "release " + version}, {"push", "-q", "origin", "HEAD:main"}} {
		if _, err := git(r.work, args...); err != nil {
			return err
		}
	}
	return nil
}

// releaseLine is the line of a promotion commit message that names its release.
var releaseLine = regexp.MustCompile(`(?m)^Release: #(\d+) \((\S+)\)$`)

// Promotions counts the promotion commits on main by the release ID they name.
func (r *Repo) Promotions() (map[string]int, error) {
	out, err := git(r.Bare, "log", "--format=%B%x00", "main")
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, msg := range strings.Split(out, "\x00") {
		if m := releaseLine.FindStringSubmatch(msg); m != nil {
			if _, err := strconv.Atoi(m[1]); err == nil {
				counts[m[2]]++
			}
		}
	}
	return counts, nil
}

func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=ci", "GIT_AUTHOR_EMAIL=ci@example.com",
		"GIT_COMMITTER_NAME=ci", "GIT_COMMITTER_EMAIL=ci@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}
