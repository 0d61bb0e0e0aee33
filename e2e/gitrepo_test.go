package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// chartYAML and valuesYAML are a small chart as GitOps users write it; %s is the version.
const (
	chartYAML  = "apiVersion: v2\nname: shop\n# promoted by Ladder\nappVersion: \"%s\"\n"
	valuesYAML = "# shop values\nimage:\n  repository: registry.example/shop\n  tag: \"%s\" # set by CI\nreplicas: 2\n"
)

// gitRepo is a real bare repository in a temp dir, with a work tree for the test's commits.
type gitRepo struct {
	t    *testing.T
	bare string
	work string
}

func runGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=ci", "GIT_AUTHOR_EMAIL=ci@example.com",
		"GIT_COMMITTER_NAME=ci", "GIT_COMMITTER_EMAIL=ci@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// newGitRepo creates a bare repository holding Chart.yaml and values.yaml at version.
func newGitRepo(t *testing.T, name, version string) *gitRepo {
	t.Helper()
	root := t.TempDir()
	r := &gitRepo{t: t, bare: filepath.Join(root, name+".git"), work: filepath.Join(root, name)}
	runGit(t, root, "init", "-q", "--bare", "-b", "main", r.bare)
	runGit(t, root, "clone", "-q", r.bare, r.work)
	r.commitVersion(version)
	return r
}

func (r *gitRepo) commitVersion(version string) {
	r.t.Helper()
	files := map[string]string{"Chart.yaml": chartYAML, "values.yaml": valuesYAML}
	for name, tmpl := range files {
		body := strings.ReplaceAll(tmpl, "%s", version)
		if err := os.WriteFile(filepath.Join(r.work, name), []byte(body), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
	runGit(r.t, r.work, "add", "-A")
	runGit(r.t, r.work, "commit", "-q", "-m", "release "+version)
	runGit(r.t, r.work, "push", "-q", "origin", "HEAD:main")
}

func (r *gitRepo) url() string             { return "file://" + r.bare }
func (r *gitRepo) show(path string) string { return runGit(r.t, r.bare, "show", "main:"+path) }
