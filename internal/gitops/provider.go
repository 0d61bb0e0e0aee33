package gitops

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"ladder/internal/endpoint"
)

// Pull request states.
const (
	PullRequestOpen   = "open"
	PullRequestMerged = "merged"
	PullRequestClosed = "closed" // closed without merging
)

// PullRequest is a pull (merge) request as a provider reports it.
type PullRequest struct {
	Number int
	URL    string
	State  string
}

// NewPullRequest is what to open: repo is the repository's path on the
// provider ("owner/name", or a GitLab project path "group/sub/name"), head
// the pushed branch and base the target branch.
type NewPullRequest struct {
	Repo  string
	Head  string
	Base  string
	Title string
	Body  string
}

// Provider opens pull requests and reads their state on a Git host.
type Provider interface {
	OpenPullRequest(ctx context.Context, pr NewPullRequest) (PullRequest, error)
	PullRequest(ctx context.Context, repo string, number int) (PullRequest, error)
}

// NewProvider returns the API client for a provider kind (ProviderGitHub,
// ProviderGitLab or ProviderGitea) at baseURL (empty: https://api.github.com
// or https://gitlab.com; Gitea and Forgejo need theirs) with a token.
func NewProvider(kind, baseURL, token string, client *http.Client) (Provider, error) {
	if client == nil {
		client = http.DefaultClient
	}
	api := apiClient{client: client, token: token}
	switch kind {
	case ProviderGitHub:
		api.base, api.auth = orDefault(baseURL, "https://api.github.com"), "Bearer "
		return github{api}, nil
	case ProviderGitLab:
		api.base = strings.TrimRight(orDefault(baseURL, "https://gitlab.com"), "/") + "/api/v4"
		return gitlab{api}, nil
	case ProviderGitea:
		if baseURL == "" {
			return nil, fmt.Errorf("gitea: base URL required")
		}
		api.base, api.auth = strings.TrimRight(baseURL, "/")+"/api/v1", "token "
		return gitea{api}, nil
	}
	return nil, fmt.Errorf("unknown provider %q", kind)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return strings.TrimRight(s, "/")
}

// RepoPath returns the provider path of a clone URL: "owner/name" from
// https://host/owner/name.git or git@host:owner/name.git.
func RepoPath(cloneURL string) string {
	_, path, _ := strings.Cut(repoKey(cloneURL), "/")
	return path
}

// apiClient sends JSON requests with a token.
type apiClient struct {
	client *http.Client
	base   string
	token  string
	auth   string // Authorization prefix; empty: GitLab's PRIVATE-TOKEN header
}

// do sends a request and decodes a 2xx JSON answer into out.
func (a apiClient) do(ctx context.Context, method, path string, in, out any) error {
	req, err := endpoint.NewRequest(ctx, method, a.base+path, in)
	if err != nil {
		return err
	}
	if a.auth == "" {
		req.Header.Set("PRIVATE-TOKEN", a.token)
	} else {
		req.Header.Set("Authorization", a.auth+a.token)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(data[:min(len(data), 300)]))
	}
	return json.Unmarshal(data, out)
}

// githubPull is the part of GitHub's (and Gitea's) pull request JSON used here.
type githubPull struct {
	Number  int    `json:"number"`
	HTMLURL string `json:"html_url"`
	State   string `json:"state"` // open | closed
	Merged  bool   `json:"merged"`
}

func (p githubPull) pullRequest() PullRequest {
	state := p.State
	if p.Merged {
		state = PullRequestMerged
	}
	return PullRequest{Number: p.Number, URL: p.HTMLURL, State: state}
}

// github is the GitHub REST API client.
type github struct{ api apiClient }

// OpenPullRequest opens a pull request (POST /repos/{owner}/{repo}/pulls).
func (g github) OpenPullRequest(ctx context.Context, pr NewPullRequest) (PullRequest, error) {
	var out githubPull
	in := map[string]string{"title": pr.Title, "head": pr.Head, "base": pr.Base, "body": pr.Body}
	err := g.api.do(ctx, http.MethodPost, "/repos/"+pr.Repo+"/pulls", in, &out)
	return out.pullRequest(), err
}

// PullRequest reads a pull request (GET /repos/{owner}/{repo}/pulls/{n}).
func (g github) PullRequest(ctx context.Context, repo string, number int) (PullRequest, error) {
	var out githubPull
	err := g.api.do(ctx, http.MethodGet, fmt.Sprintf("/repos/%s/pulls/%d", repo, number), nil, &out)
	return out.pullRequest(), err
}

// gitea is the Gitea and Forgejo API client, shaped like GitHub's.
type gitea struct{ api apiClient }

// OpenPullRequest opens a pull request (POST /api/v1/repos/{owner}/{repo}/pulls).
func (g gitea) OpenPullRequest(ctx context.Context, pr NewPullRequest) (PullRequest, error) {
	return github(g).OpenPullRequest(ctx, pr)
}

// PullRequest reads a pull request (GET /api/v1/repos/{owner}/{repo}/pulls/{n}).
func (g gitea) PullRequest(ctx context.Context, repo string, number int) (PullRequest, error) {
	return github(g).PullRequest(ctx, repo, number)
}

// gitlabMR is the part of GitLab's merge request JSON used here.
type gitlabMR struct {
	IID    int    `json:"iid"`
	WebURL string `json:"web_url"`
	State  string `json:"state"` // opened | closed | locked | merged
}

func (m gitlabMR) pullRequest() PullRequest {
	state := m.State
	switch state {
	case "opened", "locked":
		state = PullRequestOpen
	}
	return PullRequest{Number: m.IID, URL: m.WebURL, State: state}
}

// gitlab is the GitLab REST API (v4) client.
type gitlab struct{ api apiClient }

// OpenPullRequest opens a merge request (POST /projects/{path}/merge_requests).
func (g gitlab) OpenPullRequest(ctx context.Context, pr NewPullRequest) (PullRequest, error) {
	var out gitlabMR
	in := map[string]string{"title": pr.Title, "source_branch": pr.Head, "target_branch": pr.Base, "description": pr.Body}
	err := g.api.do(ctx, http.MethodPost, "/projects/"+url.PathEscape(pr.Repo)+"/merge_requests", in, &out)
	return out.pullRequest(), err
}

// PullRequest reads a merge request (GET /projects/{path}/merge_requests/{iid}).
func (g gitlab) PullRequest(ctx context.Context, repo string, number int) (PullRequest, error) {
	var out gitlabMR
	err := g.api.do(ctx, http.MethodGet, fmt.Sprintf("/projects/%s/merge_requests/%d", url.PathEscape(repo), number), nil, &out)
	return out.pullRequest(), err
}
