package gitops

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// githubPull is the part of GitHub's (and Gitea's) pull request JSON used here.
type githubPull struct {
	Number  int    `json:"number"`
	HTMLURL string `json:"html_url"`
	State   string `json:"state"` // open | closed
	Merged  bool   `json:"merged"`
	Head    struct {
		Ref string `json:"ref"`
	} `json:"head"`
	Base struct {
		Ref string `json:"ref"`
	} `json:"base"`
}

func (p githubPull) pullRequest() PullRequest {
	state := p.State
	if p.Merged {
		state = PullRequestMerged
	}
	return PullRequest{Number: p.Number, URL: p.HTMLURL, State: state}
}

// github is the GitHub REST API client (docs.github.com/rest: pulls, issues comments, git
// refs, commit statuses).
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

// OpenPullRequestFor lists the open pull requests from owner:head into base
// (GET /repos/{owner}/{repo}/pulls?state=open&head=owner:branch&base=branch).
func (g github) OpenPullRequestFor(ctx context.Context, repo, head, base string) (PullRequest, bool, error) {
	owner, _, _ := strings.Cut(repo, "/")
	q := url.Values{"state": {"open"}, "head": {owner + ":" + head}, "base": {base}}
	var out []githubPull
	if err := g.api.do(ctx, http.MethodGet, "/repos/"+repo+"/pulls?"+q.Encode(), nil, &out); err != nil {
		return PullRequest{}, false, err
	}
	for _, p := range out {
		if p.State == PullRequestOpen && p.Head.Ref == head {
			return p.pullRequest(), true, nil
		}
	}
	return PullRequest{}, false, nil
}

// ClosePullRequest comments (POST /repos/{owner}/{repo}/issues/{n}/comments), closes
// (PATCH /repos/{owner}/{repo}/pulls/{n}) and deletes the branch
// (DELETE /repos/{owner}/{repo}/git/refs/heads/{branch}; 422 when it is already gone).
func (g github) ClosePullRequest(ctx context.Context, repo string, pr PullRequest, head, comment string) error {
	return closeLikeGitHub(ctx, g.api, repo, pr, comment, "/repos/"+repo+"/git/refs/heads/"+head)
}

// closeLikeGitHub is ClosePullRequest of GitHub and Gitea, which differ only in how a branch
// is deleted.
func closeLikeGitHub(ctx context.Context, api apiClient, repo string, pr PullRequest, comment, branchPath string) error {
	if pr.State == PullRequestOpen {
		if err := api.do(ctx, http.MethodPost, fmt.Sprintf("/repos/%s/issues/%d/comments", repo, pr.Number),
			map[string]string{"body": comment}, nil); err != nil {
			return err
		}
		if err := api.do(ctx, http.MethodPatch, fmt.Sprintf("/repos/%s/pulls/%d", repo, pr.Number),
			map[string]string{"state": "closed"}, nil); err != nil {
			return err
		}
	}
	err := api.do(ctx, http.MethodDelete, branchPath, nil, nil)
	if isCode(err, http.StatusNotFound) || isCode(err, http.StatusUnprocessableEntity) {
		return nil // the branch is already gone
	}
	return err
}

// SetCommitStatus posts a status (POST /repos/{owner}/{repo}/statuses/{sha}); GitHub knows
// pending, success, failure and error.
func (g github) SetCommitStatus(ctx context.Context, repo, sha string, st CommitStatus) error {
	state := map[string]string{StatusRunning: "pending", StatusStopped: "error"}[st.State]
	return postStatusLikeGitHub(ctx, g.api, repo, sha, st, state)
}

func postStatusLikeGitHub(ctx context.Context, api apiClient, repo, sha string, st CommitStatus, state string) error {
	if state == "" {
		state = st.State
	}
	in := map[string]string{"state": state, "target_url": st.URL, "description": truncate(st.Description, 140), "context": st.Context}
	return api.do(ctx, http.MethodPost, "/repos/"+repo+"/statuses/"+sha, in, nil)
}

// gitea is the Gitea and Forgejo API client, shaped like GitHub's (/api/v1 swagger).
type gitea struct{ api apiClient }

// OpenPullRequest opens a pull request (POST /api/v1/repos/{owner}/{repo}/pulls).
func (g gitea) OpenPullRequest(ctx context.Context, pr NewPullRequest) (PullRequest, error) {
	return github(g).OpenPullRequest(ctx, pr)
}

// PullRequest reads a pull request (GET /api/v1/repos/{owner}/{repo}/pulls/{n}).
func (g gitea) PullRequest(ctx context.Context, repo string, number int) (PullRequest, error) {
	return github(g).PullRequest(ctx, repo, number)
}

// OpenPullRequestFor pages through the open pull requests
// (GET /api/v1/repos/{owner}/{repo}/pulls?state=open&limit=50&page=n) for head into base.
func (g gitea) OpenPullRequestFor(ctx context.Context, repo, head, base string) (PullRequest, bool, error) {
	for page := 1; page <= 20; page++ {
		var out []githubPull
		path := fmt.Sprintf("/repos/%s/pulls?state=open&limit=50&page=%d", repo, page)
		if err := g.api.do(ctx, http.MethodGet, path, nil, &out); err != nil {
			return PullRequest{}, false, err
		}
		for _, p := range out {
			if p.State == PullRequestOpen && p.Head.Ref == head && p.Base.Ref == base {
				return p.pullRequest(), true, nil
			}
		}
		if len(out) < 50 {
			break
		}
	}
	return PullRequest{}, false, nil
}

// ClosePullRequest comments, closes (PATCH …/pulls/{n} state closed) and deletes the branch
// (DELETE /api/v1/repos/{owner}/{repo}/branches/{branch}).
func (g gitea) ClosePullRequest(ctx context.Context, repo string, pr PullRequest, head, comment string) error {
	return closeLikeGitHub(ctx, g.api, repo, pr, comment, "/repos/"+repo+"/branches/"+head)
}

// SetCommitStatus posts a status (POST /api/v1/repos/{owner}/{repo}/statuses/{sha}); Gitea
// knows pending, success, error, failure and warning.
func (g gitea) SetCommitStatus(ctx context.Context, repo, sha string, st CommitStatus) error {
	state := map[string]string{StatusRunning: "pending", StatusStopped: "error"}[st.State]
	return postStatusLikeGitHub(ctx, g.api, repo, sha, st, state)
}

// truncate cuts s to at most n bytes (GitHub refuses longer status descriptions).
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}
