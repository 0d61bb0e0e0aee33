package runner_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"ladder/internal/gitops"
	"ladder/internal/provider"
	"ladder/internal/release"
	"ladder/internal/runner"
)

// fakeGitHub answers GitHub's pull request API the way github.com does, recording what was
// opened; state is what it reports for the pull request afterwards.
type fakeGitHub struct {
	*httptest.Server
	mu     sync.Mutex
	opened []map[string]string
	state  string // open, closed or merged
}

func newFakeGitHub(t *testing.T) *fakeGitHub {
	f := &fakeGitHub{state: "open"}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /repos/{path...}", func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/pulls") { // a commit status
			w.WriteHeader(http.StatusCreated)
			fmt.Fprint(w, `{"id":1,"state":"pending"}`)
			return
		}
		if r.Header.Get("Authorization") != "Bearer gh-token" {
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
			return
		}
		var in map[string]string
		_ = json.NewDecoder(r.Body).Decode(&in)
		in["path"] = r.PathValue("path")
		f.mu.Lock()
		f.opened = append(f.opened, in)
		f.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"id":1001,"number":7,"state":"open","merged":false,"html_url":"https://github.example/acme/shop-staging/pull/7","head":{"ref":%q},"base":{"ref":%q}}`, in["head"], in["base"])
	})
	mux.HandleFunc("GET /repos/{path...}", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/pulls") { // the open pull requests of the branch: none
			fmt.Fprint(w, `[]`)
			return
		}
		f.mu.Lock()
		state := f.state
		f.mu.Unlock()
		merged := state == "merged"
		if merged {
			state = "closed"
		}
		fmt.Fprintf(w, `{"id":1001,"number":7,"state":%q,"merged":%t,"html_url":"https://github.example/acme/shop-staging/pull/7"}`, state, merged)
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

func (f *fakeGitHub) setState(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.state = s
}

func (f *fakeGitHub) requests() []map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]string(nil), f.opened...)
}

// TestPullRequestPromotion runs the pull-request action through the runner: the change is
// pushed to its own branch, the pull request is opened on the provider, and the environment
// and release are SUSPENDED waiting for the merge; merging with git lets the release finish,
// and a pull request closed unmerged fails the environment.
func TestPullRequestPromotion(t *testing.T) {
	t.Run("merged with git", func(t *testing.T) {
		gh := newFakeGitHub(t)
		h := newDeployHarness(t, runner.Deploy{MergeRecheck: 30 * time.Millisecond})
		dev, staging := newRepo(t, "dev", "2.0.0"), newRepo(t, "staging", "1.0.0")
		addProvider(t, h, gh.URL, staging)
		rel := h.startTo(dev, staging, release.ActionPullRequest, nil)
		rel = h.blocker(rel.ID, release.BlockerMerge)
		e, _ := rel.Environment("staging")
		if want := release.BlockerMerge + ": https://github.example/acme/shop-staging/pull/7"; e.Blocker != want {
			t.Errorf("got blocker %q, want %q", e.Blocker, want)
		}
		rel = h.wait(rel.ID, "release suspended", status(release.Suspended))
		if e, _ := rel.Environment("staging"); e.Status != release.Suspended {
			t.Errorf("staging: got %s, want SUSPENDED", e.Status)
		}
		app := stagingApp(rel)
		if app.PullRequestURL != "https://github.example/acme/shop-staging/pull/7" || app.CommitSHA == "" {
			t.Errorf("got pull request %q and commit %q, want the PR linked and the commit recorded", app.PullRequestURL, app.CommitSHA)
		}
		reqs := gh.requests()
		if len(reqs) != 1 || reqs[0]["head"] != "ladder/shop/1/staging" || reqs[0]["base"] != "main" {
			t.Fatalf("got pull requests %v, want one from ladder/shop/1/staging into main", reqs)
		}
		if want := strings.TrimPrefix(gitops.RepoPath(staging.url()), "/"); reqs[0]["path"] != want+"/pulls" {
			t.Errorf("got API path %q, want %q", reqs[0]["path"], want+"/pulls")
		}
		if got := staging.show("values.yaml"); strings.Contains(got, "2.0.0") {
			t.Errorf("main changed before the merge: %q", got)
		}

		git(t, staging.work, "fetch", "-q", "origin")
		git(t, staging.work, "merge", "-q", "--no-ff", "-m", "Merge pull request #7", "origin/ladder/shop/1/staging")
		git(t, staging.work, "push", "-q", "origin", "HEAD:main")
		rel = h.wait(rel.ID, "success after the merge", status(release.Succeeded))
		if got := staging.show("values.yaml"); !strings.Contains(got, `tag: "2.0.0"`) {
			t.Errorf("staging values.yaml: got %q, want tag 2.0.0", got)
		}
		if got := stagingApp(rel).Result; !strings.Contains(got, "merged into main") {
			t.Errorf("got result %q, want it to say merged into main", got)
		}
	})
	t.Run("closed without merging", func(t *testing.T) {
		gh := newFakeGitHub(t)
		h := newDeployHarness(t, runner.Deploy{MergeRecheck: 30 * time.Millisecond})
		dev, staging := newRepo(t, "dev", "2.0.0"), newRepo(t, "staging", "1.0.0")
		addProvider(t, h, gh.URL, staging)
		rel := h.startTo(dev, staging, release.ActionPullRequest, nil)
		h.blocker(rel.ID, release.BlockerMerge)
		gh.setState("closed")
		rel = h.wait(rel.ID, "failure", envFailed("was closed without merging"))
		rel = h.wait(rel.ID, "release failed", status(release.Failed))
		if !strings.Contains(rel.Error, "https://github.example/acme/shop-staging/pull/7 was closed without merging") {
			t.Errorf("got release error %q, want it to name the closed pull request", rel.Error)
		}
	})
	t.Run("no provider: the branch waits for a merge", func(t *testing.T) {
		h := newDeployHarness(t, runner.Deploy{MergeRecheck: 30 * time.Millisecond})
		dev, staging := newRepo(t, "dev", "2.0.0"), newRepo(t, "staging", "1.0.0")
		rel := h.startTo(dev, staging, release.ActionPullRequest, nil)
		rel = h.blocker(rel.ID, release.BlockerMerge)
		e, _ := rel.Environment("staging")
		if want := release.BlockerMerge + ": branch ladder/shop/1/staging into main"; e.Blocker != want {
			t.Errorf("got blocker %q, want %q", e.Blocker, want)
		}
		git(t, staging.work, "fetch", "-q", "origin")
		git(t, staging.work, "merge", "-q", "--ff-only", "origin/ladder/shop/1/staging")
		git(t, staging.work, "push", "-q", "origin", "HEAD:main")
		h.wait(rel.ID, "success after the merge", status(release.Succeeded))
	})
}

// addProvider registers the fake GitHub as the provider of the staging repository.
func addProvider(t *testing.T, h *deployHarness, api string, r *repo) {
	t.Helper()
	_, err := h.providers.Create(context.Background(), provider.Input{Name: "github", Kind: gitops.ProviderGitHub,
		BaseURL: api, URLPrefix: r.url(), Token: "gh-token"})
	if err != nil {
		t.Fatalf("create provider: %v", err)
	}
}
