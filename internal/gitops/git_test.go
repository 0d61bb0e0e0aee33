package gitops

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// requireGit fails (never skips) when the git command line is missing: file
// remotes need its upload-pack and receive-pack.
func requireGit(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatalf("git is required by these tests: %v", err)
	}
}

// runGit runs git in dir and returns its trimmed output.
func runGit(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GIT_AUTHOR_NAME=Dev", "GIT_AUTHOR_EMAIL=dev@example.com",
		"GIT_COMMITTER_NAME=Dev", "GIT_COMMITTER_EMAIL=dev@example.com",
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// fixtureRepo is a real bare repository with a working clone to make
// commits in, like a developer would.
type fixtureRepo struct {
	t    testing.TB
	bare string
	work string
}

// newFixtureRepo creates a bare repository on branch main whose first commit
// holds files.
func newFixtureRepo(t testing.TB, files map[string]string) *fixtureRepo {
	t.Helper()
	requireGit(t)
	dir := t.TempDir()
	r := &fixtureRepo{t: t, bare: filepath.Join(dir, "remote.git"), work: filepath.Join(dir, "work")}
	runGit(t, dir, "init", "-q", "--bare", "-b", "main", r.bare)
	runGit(t, dir, "clone", "-q", r.bare, r.work)
	runGit(t, r.work, "checkout", "-q", "-b", "main")
	r.commit("initial", files)
	return r
}

// commit writes files, commits and pushes them to main, returning the SHA.
func (r *fixtureRepo) commit(msg string, files map[string]string) string {
	r.t.Helper()
	if runGit(r.t, r.work, "ls-remote", "origin", "main") != "" {
		runGit(r.t, r.work, "pull", "-q", "--rebase", "origin", "main")
	}
	for name, content := range files {
		p := filepath.Join(r.work, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
	runGit(r.t, r.work, "add", "-A")
	runGit(r.t, r.work, "commit", "-q", "--allow-empty", "-m", msg)
	runGit(r.t, r.work, "push", "-q", "origin", "HEAD:main")
	return runGit(r.t, r.work, "rev-parse", "HEAD")
}

// show returns a file at a revision of the bare repository.
func (r *fixtureRepo) show(rev, path string) string {
	r.t.Helper()
	return runGit(r.t, r.bare, "show", rev+":"+path)
}

// count returns the number of commits on a revision.
func (r *fixtureRepo) count(rev string) string {
	r.t.Helper()
	return runGit(r.t, r.bare, "rev-list", "--count", rev)
}

// remote returns the repository as a Ladder remote (file URL).
func (r *fixtureRepo) remote() Remote {
	return Remote{URL: "file://" + r.bare}
}
