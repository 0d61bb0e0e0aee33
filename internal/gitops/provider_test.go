package gitops

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeAPI records the pull request a fake provider was asked to open and
// answers with that provider's JSON shapes; merged flips its state.
type fakeAPI struct {
	mu     sync.Mutex
	got    map[string]any // the create request body
	auth   string
	merged bool
}

func (f *fakeAPI) create(w http.ResponseWriter, r *http.Request, answer string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(body, &f.got)
	f.auth = r.Header.Get("Authorization") + r.Header.Get("PRIVATE-TOKEN")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	io.WriteString(w, answer)
}

func (f *fakeAPI) isMerged() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.merged
}

// fakeGitHub serves GitHub's pulls API (recorded shapes, trimmed).
func fakeGitHub(t *testing.T, f *fakeAPI) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /repos/acme/prod/pulls", func(w http.ResponseWriter, r *http.Request) {
		f.create(w, r, `{"url":"https://api.github.com/repos/acme/prod/pulls/42","id":1,"node_id":"PR_1","number":42,
"html_url":"https://github.com/acme/prod/pull/42","state":"open","locked":false,"title":"t","merged":false,"merged_at":null,
"head":{"ref":"ladder/shop/7/prod","sha":"abc"},"base":{"ref":"main","sha":"def"},"draft":false}`)
	})
	mux.HandleFunc("GET /repos/acme/prod/pulls/42", func(w http.ResponseWriter, r *http.Request) {
		state, merged, at := "open", false, "null"
		if f.isMerged() {
			state, merged, at = "closed", true, `"2024-05-01T10:00:00Z"`
		}
		fmt.Fprintf(w, `{"number":42,"html_url":"https://github.com/acme/prod/pull/42","state":%q,"merged":%v,"merged_at":%s,
"merge_commit_sha":"0123","head":{"ref":"ladder/shop/7/prod"},"base":{"ref":"main"}}`, state, merged, at)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// fakeGitLab serves GitLab's merge requests API (recorded shapes, trimmed).
func fakeGitLab(t *testing.T, f *fakeAPI) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.EscapedPath(); {
		case r.Method == http.MethodPost && p == "/api/v4/projects/acme%2Fprod/merge_requests":
			f.create(w, r, `{"id":1,"iid":3,"project_id":15,"title":"t","state":"opened","merged_by":null,"merged_at":null,
"target_branch":"main","source_branch":"ladder/shop/7/prod","web_url":"https://gitlab.example/acme/prod/-/merge_requests/3"}`)
		case r.Method == http.MethodGet && p == "/api/v4/projects/acme%2Fprod/merge_requests/3":
			state := "opened"
			if f.isMerged() {
				state = "merged"
			}
			fmt.Fprintf(w, `{"id":1,"iid":3,"state":%q,"web_url":"https://gitlab.example/acme/prod/-/merge_requests/3",
"target_branch":"main","source_branch":"ladder/shop/7/prod","merge_commit_sha":null}`, state)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// fakeGitea serves the Gitea/Forgejo pulls API (recorded shapes, trimmed).
func fakeGitea(t *testing.T, f *fakeAPI) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/repos/acme/prod/pulls", func(w http.ResponseWriter, r *http.Request) {
		f.create(w, r, `{"id":9,"number":5,"html_url":"http://gitea.example/acme/prod/pulls/5","state":"open","merged":false,
"merged_at":null,"mergeable":true,"head":{"ref":"ladder/shop/7/prod"},"base":{"ref":"main"}}`)
	})
	mux.HandleFunc("GET /api/v1/repos/acme/prod/pulls/5", func(w http.ResponseWriter, r *http.Request) {
		state, merged := "open", false
		if f.isMerged() {
			state, merged = "closed", true
		}
		fmt.Fprintf(w, `{"id":9,"number":5,"html_url":"http://gitea.example/acme/prod/pulls/5","state":%q,"merged":%v}`, state, merged)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestPullRequestMode(t *testing.T) {
	tests := []struct {
		kind      string
		serve     func(*testing.T, *fakeAPI) *httptest.Server
		number    int
		wantAuth  string
		headField string
	}{
		{ProviderGitHub, fakeGitHub, 42, "Bearer tok", "head"},
		{ProviderGitLab, fakeGitLab, 3, "tok", "source_branch"},
		{ProviderGitea, fakeGitea, 5, "token tok", "head"},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			ctx := context.Background()
			dev, prod := newEnvs(t)
			store := NewStore(t.TempDir())
			req := promoteRequest(dev, prod)
			req.PullRequest = true
			res, err := store.Promote(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if want := "ladder/shop/7/prod"; res.Branch != want || res.Commit == "" {
				t.Fatalf("got branch %q commit %q, want %s and a commit", res.Branch, res.Commit, want)
			}
			if got := prod.count("main"); got != "1" {
				t.Errorf("got %s commits on main, want 1 (untouched)", got)
			}
			again, err := store.Promote(ctx, req)
			if err != nil || again.Commit != res.Commit {
				t.Errorf("second run: got %q (%v), want the same commit %q", again.Commit, err, res.Commit)
			}

			fake := &fakeAPI{}
			srv := tt.serve(t, fake)
			p, err := NewProvider(tt.kind, srv.URL, "tok", srv.Client())
			if err != nil {
				t.Fatal(err)
			}
			pr, err := p.OpenPullRequest(ctx, NewPullRequest{Repo: "acme/prod", Head: res.Branch, Base: "main", Title: "Promote shop", Body: "b"})
			if err != nil {
				t.Fatal(err)
			}
			if pr.Number != tt.number || pr.State != PullRequestOpen || pr.URL == "" {
				t.Errorf("got %+v, want number %d, open", pr, tt.number)
			}
			if fake.got[tt.headField] != res.Branch || fake.auth != tt.wantAuth {
				t.Errorf("got request %v with auth %q, want %s=%s and auth %q", fake.got, fake.auth, tt.headField, res.Branch, tt.wantAuth)
			}

			merged, err := store.Merged(ctx, prod.remote(), "main", res.Commit)
			if err != nil || merged {
				t.Fatalf("before merge: got %v (%v), want false", merged, err)
			}
			// Merge for real, as the provider would.
			runGit(t, prod.work, "fetch", "-q", "origin")
			runGit(t, prod.work, "merge", "-q", "--no-ff", "-m", "Merge", "origin/"+res.Branch)
			runGit(t, prod.work, "push", "-q", "origin", "HEAD:main")
			fake.mu.Lock()
			fake.merged = true
			fake.mu.Unlock()

			merged, err = store.Merged(ctx, prod.remote(), "main", res.Commit)
			if err != nil || !merged {
				t.Errorf("after merge: got %v (%v), want true", merged, err)
			}
			got, err := p.PullRequest(ctx, "acme/prod", pr.Number)
			if err != nil || got.State != PullRequestMerged {
				t.Errorf("got %+v (%v), want state merged", got, err)
			}
			if !strings.Contains(prod.show("main", "apps/shop/values.yaml"), `"1.5.0"`) {
				t.Errorf("merged main lacks the promoted value")
			}
		})
	}
}

func TestRepoPath(t *testing.T) {
	for in, want := range map[string]string{
		"https://github.com/acme/prod.git":      "acme/prod",
		"git@gitlab.com:group/sub/prod.git":     "group/sub/prod",
		"ssh://git@gitea.example:2222/acme/web": "acme/web",
	} {
		if got := RepoPath(in); got != want {
			t.Errorf("RepoPath(%q): got %q, want %q", in, got, want)
		}
	}
}
