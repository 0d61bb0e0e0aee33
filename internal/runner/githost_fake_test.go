package runner_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"ladder/internal/gitops"
)

// fakeGitHost is a Git host's REST API in one of three dialects — GitHub (docs.github.com/rest:
// pulls, issues/comments, git/refs, statuses), GitLab v4 (docs.gitlab.com/api: merge_requests,
// notes, repository/branches, statuses) and Gitea/Forgejo /api/v1 (its swagger: pulls,
// issues/comments, branches, statuses) — for any repository path. It keeps pull requests,
// comments, deleted branches and commit statuses, refuses a second open pull request of a
// branch as each host does (GitHub 422, GitLab and Gitea 409), and answers what the test
// queued in fail first.
type fakeGitHost struct {
	*httptest.Server
	kind     string
	mu       sync.Mutex
	pulls    []*fakePull
	deleted  []string
	statuses []fakeStatus
	hits     []time.Time                   // when each request other than a status came
	reset    time.Time                     // the reset time of the last rate-limited answer
	fail     []func(w http.ResponseWriter) // answers for the next requests (other than statuses)
}

type fakePull struct {
	number     int
	head, base string
	state      string // open, closed, merged
	comments   []string
	repo       string
}

type fakeStatus struct{ sha, state, context, url string }

var (
	hubPath = regexp.MustCompile(`^/(?:api/v1/)?repos/(.+?)/(pulls|pulls/\d+|issues/\d+/comments|statuses/[0-9a-f]+|git/refs/heads/.+|branches/.+)$`)
	labPath = regexp.MustCompile(`^/api/v4/projects/([^/]+)/(merge_requests|merge_requests/\d+|merge_requests/\d+/notes|statuses/[0-9a-f]+|repository/branches/.+)$`)
)

func newFakeGitHost(t *testing.T, kind string) *fakeGitHost {
	f := &fakeGitHost{kind: kind}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

// baseURL is what an admin enters for the host: GitHub's API root, GitLab's or Gitea's site.
func (f *fakeGitHost) baseURL() string { return f.URL }

func (f *fakeGitHost) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if !strings.Contains(r.URL.Path, "/statuses/") {
		f.hits = append(f.hits, time.Now())
	}
	if len(f.fail) > 0 && !strings.Contains(r.URL.Path, "/statuses/") {
		answer := f.fail[0]
		f.fail = f.fail[1:]
		answer(w)
		return
	}
	var in map[string]string
	_ = json.NewDecoder(r.Body).Decode(&in)
	repo, rest, ok := f.route(r)
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"Not Found"}`)
		return
	}
	f.handle(w, r, repo, rest, in)
}

// route splits the request path into repository and the API's own part.
func (f *fakeGitHost) route(r *http.Request) (repo, rest string, ok bool) {
	if f.kind == gitops.ProviderGitLab {
		m := labPath.FindStringSubmatch(r.URL.EscapedPath())
		if m == nil {
			return "", "", false
		}
		repo, _ = url.PathUnescape(m[1])
		rest, _ = url.PathUnescape(m[2])
		rest = strings.Replace(strings.Replace(rest, "merge_requests", "pulls", 1), "repository/branches", "branches", 1)
		return repo, strings.Replace(rest, "/notes", "/comments", 1), true
	}
	m := hubPath.FindStringSubmatch(r.URL.Path)
	if m == nil {
		return "", "", false
	}
	return m[1], strings.Replace(m[2], "git/refs/heads", "branches", 1), true
}

func (f *fakeGitHost) handle(w http.ResponseWriter, r *http.Request, repo, rest string, in map[string]string) {
	parts := strings.SplitN(rest, "/", 3)
	switch {
	case r.Method == http.MethodPost && rest == "pulls":
		f.create(w, repo, in)
	case r.Method == http.MethodGet && rest == "pulls":
		f.list(w, r, repo)
	case parts[0] == "pulls" && len(parts) == 2:
		f.pull(w, r, repo, parts[1], in)
	case len(parts) == 3 && parts[2] == "comments":
		p := f.find(repo, parts[1])
		p.comments = append(p.comments, in["body"])
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"id":1,"body":"ok"}`)
	case parts[0] == "statuses":
		ctx := in["context"]
		if f.kind == gitops.ProviderGitLab {
			ctx = in["name"]
		}
		f.statuses = append(f.statuses, fakeStatus{sha: parts[1], state: in["state"], context: ctx, url: in["target_url"]})
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"id":1,"state":%q}`, in["state"])
	case r.Method == http.MethodDelete && parts[0] == "branches":
		f.deleted = append(f.deleted, strings.TrimPrefix(rest, "branches/"))
		w.WriteHeader(http.StatusNoContent)
	default:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"Not Found"}`)
	}
}

// create opens a pull request unless the branch has an open one: GitHub answers 422
// "A pull request already exists", GitLab 409 "Another open merge request already exists",
// Gitea 409 "pull request already exists for these targets".
func (f *fakeGitHost) create(w http.ResponseWriter, repo string, in map[string]string) {
	head, base := in["head"], in["base"]
	if f.kind == gitops.ProviderGitLab {
		head, base = in["source_branch"], in["target_branch"]
	}
	for _, p := range f.pulls {
		if p.repo == repo && p.head == head && p.state == "open" {
			switch f.kind {
			case gitops.ProviderGitHub:
				w.WriteHeader(http.StatusUnprocessableEntity)
				fmt.Fprintf(w, `{"message":"Validation Failed","errors":[{"resource":"PullRequest","code":"custom","message":"A pull request already exists for acme:%s."}],"documentation_url":"https://docs.github.com/rest/pulls/pulls#create-a-pull-request","status":"422"}`, head)
			case gitops.ProviderGitLab:
				w.WriteHeader(http.StatusConflict)
				fmt.Fprintf(w, `{"message":["Another open merge request already exists for this source branch: !%d"]}`, p.number)
			default:
				w.WriteHeader(http.StatusConflict)
				fmt.Fprintf(w, `{"message":"pull request already exists for these targets [id: %d, issue_id: %d, head_repo_id: 1, base_repo_id: 1, head_branch: %s, base_branch: %s]","url":"https://gitea.example/api/swagger"}`, p.number, p.number, head, base)
			}
			return
		}
	}
	p := &fakePull{number: len(f.pulls) + 1, head: head, base: base, state: "open", repo: repo}
	f.pulls = append(f.pulls, p)
	w.WriteHeader(http.StatusCreated)
	fmt.Fprint(w, f.json(p))
}

// list answers the open pull requests, filtered as each host filters.
func (f *fakeGitHost) list(w http.ResponseWriter, r *http.Request, repo string) {
	q := r.URL.Query()
	var out []string
	for _, p := range f.pulls {
		open := p.state == "open"
		match := p.repo == repo && open
		switch f.kind {
		case gitops.ProviderGitHub: // head=owner:branch
			_, branch, _ := strings.Cut(q.Get("head"), ":")
			match = match && q.Get("state") == "open" && (q.Get("head") == "" || branch == p.head) && (q.Get("base") == "" || q.Get("base") == p.base)
		case gitops.ProviderGitLab:
			match = match && q.Get("state") == "opened" && (q.Get("source_branch") == "" || q.Get("source_branch") == p.head)
		default: // Gitea filters by state only
			match = match && q.Get("state") == "open"
		}
		if match {
			out = append(out, f.json(p))
		}
	}
	fmt.Fprint(w, "["+strings.Join(out, ",")+"]")
}

// pull reads or changes one pull request.
func (f *fakeGitHost) pull(w http.ResponseWriter, r *http.Request, repo, number string, in map[string]string) {
	p := f.find(repo, number)
	if p == nil {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"Not Found"}`)
		return
	}
	if in["state"] == "closed" || in["state_event"] == "close" {
		p.state = "closed"
	}
	fmt.Fprint(w, f.json(p))
}

func (f *fakeGitHost) find(repo, number string) *fakePull {
	n, _ := strconv.Atoi(number)
	for _, p := range f.pulls {
		if p.repo == repo && p.number == n {
			return p
		}
	}
	return nil
}

// json is the pull request as the host shows it.
func (f *fakeGitHost) json(p *fakePull) string {
	if f.kind == gitops.ProviderGitLab {
		state := map[string]string{"open": "opened"}[p.state]
		if state == "" {
			state = p.state
		}
		return fmt.Sprintf(`{"id":%d,"iid":%d,"project_id":15,"state":%q,"source_branch":%q,"target_branch":%q,"web_url":"https://gitlab.example/%s/-/merge_requests/%d","merged_at":null}`,
			100+p.number, p.number, state, p.head, p.base, p.repo, p.number)
	}
	state, merged := p.state, p.state == "merged"
	if merged {
		state = "closed"
	}
	web := fmt.Sprintf("https://github.example/%s/pull/%d", p.repo, p.number)
	if f.kind == gitops.ProviderGitea {
		web = fmt.Sprintf("https://gitea.example/%s/pulls/%d", p.repo, p.number)
	}
	return fmt.Sprintf(`{"id":%d,"number":%d,"state":%q,"merged":%t,"html_url":%q,"head":{"ref":%q,"sha":"abc"},"base":{"ref":%q}}`,
		1000+p.number, p.number, state, merged, web, p.head, p.base)
}

// rateLimited answers as the host does when its rate limit is spent, until reset: GitHub 403
// with x-ratelimit-remaining 0 and x-ratelimit-reset (epoch seconds); GitLab 429 with
// Retry-After and RateLimit-Reset; Gitea 429 with Retry-After.
func (f *fakeGitHost) rateLimited(delay time.Duration) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		reset := time.Now().Add(delay).Truncate(time.Second).Add(time.Second)
		f.reset = reset
		secs := strconv.Itoa(int(time.Until(reset).Round(time.Second).Seconds()))
		switch f.kind {
		case gitops.ProviderGitHub:
			w.Header().Set("X-RateLimit-Limit", "5000")
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"message":"API rate limit exceeded for user ID 1.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}`)
		case gitops.ProviderGitLab:
			w.Header().Set("Retry-After", secs)
			w.Header().Set("RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"message":"This endpoint has been requested too many times. Try again later."}`)
		default:
			w.Header().Set("Retry-After", secs)
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"message":"rate limit exceeded"}`)
		}
	}
}

// answer returns an answer with status code and the host's error body.
func answer(code int, body string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.WriteHeader(code)
		fmt.Fprint(w, body)
	}
}

// queue makes the next requests get answers.
func (f *fakeGitHost) queue(answers ...func(http.ResponseWriter)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = append(f.fail, answers...)
}

// snapshot returns copies of the pull requests, deleted branches and statuses.
func (f *fakeGitHost) snapshot() ([]fakePull, []string, []fakeStatus) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var pulls []fakePull
	for _, p := range f.pulls {
		pulls = append(pulls, *p)
	}
	return pulls, append([]string(nil), f.deleted...), append([]fakeStatus(nil), f.statuses...)
}

// openPull adds an open pull request, as one opened before a crash.
func (f *fakeGitHost) openPull(repo, head, base string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pulls = append(f.pulls, &fakePull{number: len(f.pulls) + 1, head: head, base: base, state: "open", repo: repo})
}

// setState changes the state of pull request number.
func (f *fakeGitHost) setState(number int, state string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pulls[number-1].state = state
}

// hitTimes returns when each request other than a status came, and the last reset time.
func (f *fakeGitHost) hitTimes() ([]time.Time, time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Time(nil), f.hits...), f.reset
}
