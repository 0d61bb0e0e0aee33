package gitserver

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// cli runs the git command line as a client in dir and returns its output and error.
func cli(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), gitEnv...)
	cmd.Env = append(cmd.Env, "GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=/bin/false")
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// mustCLI is cli that fails the test on error.
func mustCLI(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := cli(t, dir, args...)
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// served starts a token-protected server with one repository holding one commit on main and
// returns it with the repository's directory and an authenticated URL for the git client.
func served(t *testing.T) (*HTTP, string, string) {
	t.Helper()
	root := t.TempDir()
	dir, err := Init(root, "app.git")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Commit(dir, "main", "initial", map[string]string{"values.yaml": "tag: v1\n"}); err != nil {
		t.Fatal(err)
	}
	srv, err := NewHTTP(root, Auth{User: "ci", Token: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv, dir, strings.Replace(srv.URL("app.git"), "http://", "http://ci:s3cret@", 1)
}

// clone clones url into a new directory and returns it.
func clone(t *testing.T, url string) string {
	t.Helper()
	work := filepath.Join(t.TempDir(), "work")
	mustCLI(t, "", "clone", "-q", url, work)
	return work
}

// edit commits a change of values.yaml in the clone and returns the commit's SHA.
func edit(t *testing.T, work, tag string) string {
	t.Helper()
	if err := os.WriteFile(filepath.Join(work, "values.yaml"), []byte("tag: "+tag+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustCLI(t, work, "commit", "-qam", "tag "+tag)
	return mustCLI(t, work, "rev-parse", "HEAD")
}

func head(t *testing.T, dir string) string {
	t.Helper()
	sha, err := Head(dir, "main")
	if err != nil {
		t.Fatal(err)
	}
	return sha
}

func TestHTTPServesFetchAndPushWithToken(t *testing.T) {
	srv, dir, url := served(t)
	work := clone(t, url)
	sha := edit(t, work, "v2")
	mustCLI(t, work, "push", "-q", "origin", "HEAD:main")
	if got := head(t, dir); got != sha {
		t.Fatalf("head after push = %s, want %s", got, sha)
	}
	var pushes int
	for _, r := range srv.Requests() {
		if r.Op == ReceivePack && r.Status == 200 && r.User == "ci" && r.Repo == "app.git" {
			pushes++
		}
	}
	if pushes != 1 {
		t.Fatalf("receive-pack requests by ci = %d, want 1 (%+v)", pushes, srv.Requests())
	}
}

// TestHTTPAtLowestPriorityServes: after LowerPriority, git http-backend runs under nice and
// still serves a clone and a push.
func TestHTTPAtLowestPriorityServes(t *testing.T) {
	srv, dir, url := served(t)
	if err := srv.LowerPriority(); err != nil {
		t.Fatal(err)
	}
	if h := srv.backend(""); filepath.Base(h.Path) != "nice" || h.Args[1] != "19" {
		t.Fatalf("backend runs %s %v, want nice -n 19 git http-backend", h.Path, h.Args)
	}
	work := clone(t, url)
	sha := edit(t, work, "v2")
	mustCLI(t, work, "push", "-q", "origin", "HEAD:main")
	if got := head(t, dir); got != sha {
		t.Fatalf("head after push = %s, want %s", got, sha)
	}
}

func TestHTTPRejectsWrongTokenAndUser(t *testing.T) {
	srv, _, _ := served(t)
	for _, userinfo := range []string{"ci:wrong@", "other:s3cret@", ""} {
		url := strings.Replace(srv.URL("app.git"), "http://", "http://"+userinfo, 1)
		out, err := cli(t, "", "ls-remote", url)
		if err == nil || !strings.Contains(out, "Authentication failed") && !strings.Contains(out, "could not read Username") {
			t.Errorf("ls-remote as %q: err %v, output %q; want an authentication failure", userinfo, err, out)
		}
	}
}

func TestHTTPRefuseAndResume(t *testing.T) {
	srv, _, url := served(t)
	srv.Refuse()
	out, err := cli(t, "", "ls-remote", url)
	if err == nil || !strings.Contains(out, "Connection refused") && !strings.Contains(out, "Failed to connect") {
		t.Fatalf("ls-remote while refusing: err %v, output %q; want connection refused", err, out)
	}
	// Nothing else may take the port meanwhile (another test's server would answer in its place).
	addr := strings.Split(strings.TrimPrefix(srv.URL(""), "http://"), "/")[0]
	if l, err := net.Listen("tcp", addr); err == nil {
		l.Close()
		t.Fatalf("listening on %s while refusing succeeded; want the port kept", addr)
	}
	if err := srv.Resume(); err != nil {
		t.Fatal(err)
	}
	mustCLI(t, "", "ls-remote", url)
}

func TestHTTPHangHoldsPushUntilReleased(t *testing.T) {
	srv, dir, url := served(t)
	work := clone(t, url)
	before := head(t, dir)
	sha := edit(t, work, "v2")
	hold := srv.Hang(ReceivePack)
	done := make(chan error, 1)
	go func() { _, err := cli(t, work, "push", "-q", "origin", "HEAD:main"); done <- err }()
	select {
	case <-hold.Reached():
	case <-time.After(30 * time.Second):
		t.Fatal("the push never reached the server")
	}
	select {
	case err := <-done:
		t.Fatalf("push finished while held: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	if got := head(t, dir); got != before {
		t.Fatalf("head while held = %s, want unchanged %s", got, before)
	}
	hold.Release()
	if err := <-done; err != nil {
		t.Fatalf("push after release: %v", err)
	}
	if got := head(t, dir); got != sha {
		t.Fatalf("head after release = %s, want %s", got, sha)
	}
}

func TestHTTPDropReplyAppliesPushButAnswersNothing(t *testing.T) {
	srv, dir, url := served(t)
	work := clone(t, url)
	sha := edit(t, work, "v2")
	srv.DropReply(ReceivePack)
	if out, err := cli(t, work, "push", "-q", "origin", "HEAD:main"); err == nil {
		t.Fatalf("push with its reply dropped succeeded: %s", out)
	}
	if got := head(t, dir); got != sha {
		t.Fatalf("head = %s, want the pushed %s (the push ran)", got, sha)
	}
	mustCLI(t, work, "ls-remote", "origin") // only one reply was dropped
}

func TestHTTPCompetingPushMovesBranchFirst(t *testing.T) {
	srv, dir, url := served(t)
	work := clone(t, url)
	edit(t, work, "v2")
	srv.CompetingPush("main", "someone else", map[string]string{"other.txt": "x\n"})
	out, err := cli(t, work, "push", "origin", "HEAD:main")
	if err == nil || !strings.Contains(out, "rejected") && !strings.Contains(out, "failed") {
		t.Fatalf("push against a moved branch: err %v, output %q; want a rejection", err, out)
	}
	got := srv.Competing()
	if len(got) != 1 || head(t, dir) != got[0] {
		t.Fatalf("competing commits %v, head %s; want one, at the head", got, head(t, dir))
	}
}

func TestHTTPFailWithAnswersStatus(t *testing.T) {
	srv, _, url := served(t)
	srv.FailWith(AnyRequest, 503, 1)
	out, err := cli(t, "", "ls-remote", url)
	if err == nil || !strings.Contains(out, "503") {
		t.Fatalf("ls-remote: err %v, output %q; want a 503", err, out)
	}
	mustCLI(t, "", "ls-remote", url)
}
