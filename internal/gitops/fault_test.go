package gitops

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ladder/internal/gitserver"
)

// servedEnvs serves a dev and a prod repository for shop over smart HTTP with a token, and
// returns the server with the prod repository's directory and a request between the two.
func servedEnvs(t *testing.T) (*gitserver.HTTP, string, PromoteRequest) {
	t.Helper()
	requireGit(t)
	root := t.TempDir()
	dev, err := gitserver.Init(root, "dev.git")
	if err != nil {
		t.Fatal(err)
	}
	prod, err := gitserver.Init(root, "prod.git")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gitserver.Commit(dev, "main", "dev", map[string]string{
		"chart/Chart.yaml": "name: shop\nappVersion: 1.5.0\n", "chart/values.yaml": devValues}); err != nil {
		t.Fatal(err)
	}
	if _, err := gitserver.Commit(prod, "main", "prod", map[string]string{
		"apps/shop/Chart.yaml": "name: shop\nappVersion: 1.4.0 # prod\n", "apps/shop/values.yaml": prodValues}); err != nil {
		t.Fatal(err)
	}
	srv, err := gitserver.NewHTTP(root, gitserver.Auth{User: "ci-bot", Token: "t0ken-s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	creds := Credentials{Name: "ci", Username: "ci-bot", Token: "t0ken-s3cret"}
	req := PromoteRequest{
		Source: Remote{URL: srv.URL("dev.git"), Credentials: creds}, SourceBranch: "main", SourcePath: "chart",
		Target: Remote{URL: srv.URL("prod.git"), Credentials: creds}, TargetBranch: "main", TargetPath: "apps/shop",
		Template: shopTemplate, Product: "shop", Version: "1.5.0",
		ReleaseID: "r1", ReleaseNumber: 7, SourceEnv: "dev", TargetEnv: "prod",
	}
	return srv, prod, req
}

// commits counts the commits on main in a bare repository.
func commits(t *testing.T, dir string) string {
	t.Helper()
	return runGit(t, dir, "rev-list", "--count", "main")
}

// checkMessage fails unless err's text names the repository and credential, ends cleanly
// and holds want, and never the token.
func checkMessage(t *testing.T, err error, url, want string) {
	t.Helper()
	msg := err.Error()
	for _, part := range []string{url, `credential "ci"`, want} {
		if !strings.Contains(msg, part) {
			t.Errorf("error %q does not contain %q", msg, part)
		}
	}
	if strings.Contains(msg, "t0ken-s3cret") || strings.HasSuffix(msg, "\n") || strings.HasSuffix(msg, " ") {
		t.Errorf("error %q shows the token or ends with white space", msg)
	}
}

func TestPromoteOverHTTPWithToken(t *testing.T) {
	srv, prod, req := servedEnvs(t)
	store := NewStore(t.TempDir())
	res, err := store.Promote(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if head, _ := gitserver.Head(prod, "main"); head != res.Commit || commits(t, prod) != "2" {
		t.Fatalf("head %s with %s commits, want the promotion %s as the second", head, commits(t, prod), res.Commit)
	}
	for _, r := range srv.Requests() {
		if r.User != "ci-bot" {
			t.Fatalf("request %+v not made as the credential's user ci-bot", r)
		}
	}
}

func TestFaultRefusedIsTransient(t *testing.T) {
	srv, prod, req := servedEnvs(t)
	store := NewStore(t.TempDir())
	srv.Refuse()
	_, err := store.Promote(context.Background(), req)
	if !Transient(err) {
		t.Fatalf("promote while refused: %v, want a transient error", err)
	}
	checkMessage(t, err, req.Source.URL, "Git server unreachable: connection refused")
	if err := srv.Resume(); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Promote(context.Background(), req); err != nil {
		t.Fatalf("promote after the server came back: %v", err)
	}
	if got := commits(t, prod); got != "2" {
		t.Fatalf("%s commits, want 2", got)
	}
}

func TestFaultServerErrorIsTransient(t *testing.T) {
	srv, _, req := servedEnvs(t)
	srv.FailWith(gitserver.AnyRequest, 503, 1)
	_, err := NewStore(t.TempDir()).Promote(context.Background(), req)
	if !Transient(err) {
		t.Fatalf("promote on a 503: %v, want a transient error", err)
	}
	checkMessage(t, err, req.Source.URL, "HTTP 503")
}

func TestFaultHungServerTimesOut(t *testing.T) {
	srv, prod, req := servedEnvs(t)
	store := NewStore(t.TempDir())
	// Read the source and fetch the target first, so that only the push meets the hang.
	if _, err := store.Preview(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	store.Timeout = 3 * time.Second
	hold := srv.Hang(gitserver.ReceivePack)
	_, err := store.Promote(context.Background(), req)
	if !Transient(err) {
		t.Fatalf("promote into a hung server: %v, want a transient error", err)
	}
	checkMessage(t, err, req.Target.URL, "no answer within 3s")
	if got := commits(t, prod); got != "1" {
		t.Fatalf("%s commits while hung, want 1", got)
	}
	hold.Release()
	store.Timeout = 0
	if _, err := store.Promote(context.Background(), req); err != nil {
		t.Fatalf("promote after the server recovered: %v", err)
	}
	if got := commits(t, prod); got != "2" {
		t.Fatalf("%s commits, want 2 (exactly one promotion)", got)
	}
}

func TestFaultCancelStopsAHungOperation(t *testing.T) {
	srv, _, req := servedEnvs(t)
	hold := srv.Hang(gitserver.AnyRequest)
	defer hold.Release()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-hold.Reached(); cancel() }()
	_, err := NewStore(t.TempDir()).Promote(ctx, req)
	if !errors.Is(err, context.Canceled) || Transient(err) {
		t.Fatalf("promote cancelled while hung: %v, want context.Canceled", err)
	}
}

func TestFaultDroppedReplyFindsOwnCommit(t *testing.T) {
	srv, prod, req := servedEnvs(t)
	srv.DropReply(gitserver.ReceivePack)
	res, err := NewStore(t.TempDir()).Promote(context.Background(), req)
	if err != nil {
		t.Fatalf("promote whose push reply was lost: %v", err)
	}
	if head, _ := gitserver.Head(prod, "main"); res.Commit != head || commits(t, prod) != "2" {
		t.Fatalf("result %+v, head %s, %s commits; want the pushed commit once", res, head, commits(t, prod))
	}
}

func TestFaultCompetingPushIsRetried(t *testing.T) {
	srv, prod, req := servedEnvs(t)
	srv.CompetingPush("main", "someone else", map[string]string{"README.md": "other\n"})
	res, err := NewStore(t.TempDir()).Promote(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	other := srv.Competing()
	parent := runGit(t, prod, "rev-parse", "main^")
	if res.Attempts != 2 || len(other) != 1 || parent != other[0] || commits(t, prod) != "3" {
		t.Fatalf("attempts %d, competing %v, parent %s, %s commits; want the promotion on top of the competing commit",
			res.Attempts, other, parent, commits(t, prod))
	}
}

func TestFaultBadTokenFailsClearly(t *testing.T) {
	_, prod, req := servedEnvs(t)
	store := NewStore(t.TempDir())
	bad := Credentials{Name: "ci", Token: "wrong"}
	src := req
	src.Source.Credentials = bad
	_, err := store.Promote(context.Background(), src)
	if !errors.Is(err, ErrAuthentication) || Transient(err) {
		t.Fatalf("bad source token: %v, want an authentication error", err)
	}
	checkMessage(t, err, req.Source.URL, "authentication failed")
	dst := req
	dst.Target.Credentials = bad
	_, err = store.Promote(context.Background(), dst)
	if !errors.Is(err, ErrAuthentication) {
		t.Fatalf("bad target token: %v, want an authentication error", err)
	}
	checkMessage(t, err, req.Target.URL, "authentication failed")
	if got := commits(t, prod); got != "1" {
		t.Fatalf("%s commits, want 1", got)
	}
}

func TestFaultMissingRepositoryIsNotFound(t *testing.T) {
	srv, _, req := servedEnvs(t)
	req.Target.URL = srv.URL("missing.git")
	_, err := NewStore(t.TempDir()).Promote(context.Background(), req)
	if !errors.Is(err, ErrRepositoryNotFound) || Transient(err) {
		t.Fatalf("missing repository: %v, want not found", err)
	}
	checkMessage(t, err, req.Target.URL, "repository not found")
}

// newDevVersion commits version to the dev repository served next to prod (servedEnvs) and
// returns a request promoting it.
func newDevVersion(t *testing.T, prod string, req PromoteRequest, version string) PromoteRequest {
	t.Helper()
	values := strings.Replace(devValues, `"1.5.0"`, `"`+version+`"`, 1)
	if _, err := gitserver.Commit(filepath.Join(filepath.Dir(prod), "dev.git"), "main", "dev "+version, map[string]string{
		"chart/Chart.yaml": "name: shop\nappVersion: " + version + "\n", "chart/values.yaml": values}); err != nil {
		t.Fatal(err)
	}
	req.Version, req.ReleaseID, req.ReleaseNumber = version, "r-"+version, req.ReleaseNumber+1
	return req
}

// promotedOnce is servedEnvs after a first promotion by a store, which the store's next
// promotion into prod follows.
func promotedOnce(t *testing.T) (*gitserver.HTTP, string, PromoteRequest, *Store) {
	t.Helper()
	srv, prod, req := servedEnvs(t)
	store := NewStore(t.TempDir())
	if _, err := store.Promote(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	return srv, prod, req, store
}

// prodExchanges counts the requests made to prod.git since from, by service.
func prodExchanges(srv *gitserver.HTTP, from int) map[string]int {
	n := map[string]int{}
	for _, r := range srv.Requests()[from:] {
		if r.Repo == "prod.git" {
			n[r.Service]++
		}
	}
	return n
}

// TestPromoteAfterOwnPushFetchesNothing: a promotion onto a branch whose last commit the
// store pushed itself goes straight to the push, whose own first exchange shows the branch
// unmoved; the fetch before it would have brought nothing.
func TestPromoteAfterOwnPushFetchesNothing(t *testing.T) {
	srv, prod, req, store := promotedOnce(t)
	from := len(srv.Requests())
	res, err := store.Promote(context.Background(), newDevVersion(t, prod, req, "1.6.0"))
	if err != nil {
		t.Fatal(err)
	}
	if got := prodExchanges(srv, from); got["git-upload-pack"] != 0 || got["git-receive-pack"] != 2 {
		t.Errorf("prod exchanges %v, want the push's two and no fetch", got)
	}
	if head, _ := gitserver.Head(prod, "main"); res.Commit != head || res.Attempts != 1 || commits(t, prod) != "3" {
		t.Fatalf("result %+v, head %s, %s commits; want the second promotion on top", res, head, commits(t, prod))
	}
	if got := runGit(t, prod, "show", "main:apps/shop/values.yaml"); !strings.Contains(got, `tag: "1.6.0"`) || !strings.Contains(got, "replicas: 5") {
		t.Errorf("prod values:\n%s\nwant tag 1.6.0 and prod's replicas", got)
	}
}

// TestPromoteAfterOwnPushSeesOthersCommits: when someone else committed to the branch since
// the store's last push, the push's first exchange says so before anything is sent; the
// promotion then fetches and lands on top of their commit, in one attempt.
func TestPromoteAfterOwnPushSeesOthersCommits(t *testing.T) {
	srv, prod, req, store := promotedOnce(t)
	other, err := gitserver.Commit(prod, "main", "someone else", map[string]string{"README.md": "other\n"})
	if err != nil {
		t.Fatal(err)
	}
	from := len(srv.Requests())
	res, err := store.Promote(context.Background(), newDevVersion(t, prod, req, "1.6.0"))
	if err != nil {
		t.Fatal(err)
	}
	if got := prodExchanges(srv, from); got["git-upload-pack"] == 0 {
		t.Errorf("prod exchanges %v, want a fetch once the branch was seen moved", got)
	}
	parent := runGit(t, prod, "rev-parse", "main^")
	if res.Attempts != 1 || parent != other || commits(t, prod) != "4" {
		t.Fatalf("attempts %d, parent %s, %s commits; want the promotion on top of %s", res.Attempts, parent, commits(t, prod), other)
	}
}

// TestPromoteAfterOwnPushConfirmsNoChangeWithTheRemote: when the clone as left already holds
// the values, only the remote can say whether it still does; here someone changed them back,
// and the promotion writes them again.
func TestPromoteAfterOwnPushConfirmsNoChangeWithTheRemote(t *testing.T) {
	srv, prod, req, store := promotedOnce(t)
	if _, err := gitserver.Commit(prod, "main", "back to 1.4.0", map[string]string{"apps/shop/values.yaml": prodValues}); err != nil {
		t.Fatal(err)
	}
	from := len(srv.Requests())
	req.ReleaseID, req.ReleaseNumber = "r2", req.ReleaseNumber+1
	res, err := store.Promote(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if got := prodExchanges(srv, from); got["git-upload-pack"] == 0 {
		t.Errorf("prod exchanges %v, want a fetch before concluding anything", got)
	}
	if res.NoChanges || commits(t, prod) != "4" {
		t.Fatalf("result %+v with %s commits; want the values written again", res, commits(t, prod))
	}
	if got := runGit(t, prod, "show", "main:apps/shop/values.yaml"); !strings.Contains(got, `tag: "1.5.0"`) {
		t.Errorf("prod values:\n%s\nwant tag 1.5.0 again", got)
	}
}

// TestPromoteAfterOwnPushRecordsTheHostsHealth: a promotion that made no fetch still tells
// whether the repository can be reached, from its push, for the dashboard and the
// unreadable-repositories metric.
func TestPromoteAfterOwnPushRecordsTheHostsHealth(t *testing.T) {
	srv, prod, req, store := promotedOnce(t)
	next := newDevVersion(t, prod, req, "1.6.0")
	// Read from dev before the host goes away, so that the promotion's only exchange is the push.
	vals, _, err := store.ReadSource(context.Background(), next.Source, next.SourceBranch, next.SourcePath, "", next.Template)
	if err != nil {
		t.Fatal(err)
	}
	next.Values = &vals
	srv.Refuse()
	if _, err := store.Promote(context.Background(), next); !Transient(err) {
		t.Fatalf("promote while refused: %v, want a transient error", err)
	}
	if store.LastError(req.Target.URL) == nil || store.Unreadable() != 1 {
		t.Errorf("last error %v, %d unreadable; want the refused push recorded", store.LastError(req.Target.URL), store.Unreadable())
	}
	if err := srv.Resume(); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Promote(context.Background(), next); err != nil {
		t.Fatal(err)
	}
	if err := store.LastError(req.Target.URL); err != nil || store.Unreadable() != 0 {
		t.Errorf("last error %v, %d unreadable; want the push that landed to clear it", err, store.Unreadable())
	}
}
