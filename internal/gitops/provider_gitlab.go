package gitops

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

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

// gitlab is the GitLab REST API (v4) client (docs.gitlab.com/api: merge requests, notes,
// branches, commits statuses).
type gitlab struct{ api apiClient }

func (g gitlab) project(repo string) string { return "/projects/" + url.PathEscape(repo) }

// OpenPullRequest opens a merge request (POST /projects/{path}/merge_requests).
func (g gitlab) OpenPullRequest(ctx context.Context, pr NewPullRequest) (PullRequest, error) {
	var out gitlabMR
	in := map[string]string{"title": pr.Title, "source_branch": pr.Head, "target_branch": pr.Base, "description": pr.Body}
	err := g.api.do(ctx, http.MethodPost, g.project(pr.Repo)+"/merge_requests", in, &out)
	return out.pullRequest(), err
}

// PullRequest reads a merge request (GET /projects/{path}/merge_requests/{iid}).
func (g gitlab) PullRequest(ctx context.Context, repo string, number int) (PullRequest, error) {
	var out gitlabMR
	err := g.api.do(ctx, http.MethodGet, fmt.Sprintf("%s/merge_requests/%d", g.project(repo), number), nil, &out)
	return out.pullRequest(), err
}

// OpenPullRequestFor lists the opened merge requests of source branch head into base
// (GET /projects/{path}/merge_requests?state=opened&source_branch=…&target_branch=…).
func (g gitlab) OpenPullRequestFor(ctx context.Context, repo, head, base string) (PullRequest, bool, error) {
	q := url.Values{"state": {"opened"}, "source_branch": {head}, "target_branch": {base}}
	var out []gitlabMR
	if err := g.api.do(ctx, http.MethodGet, g.project(repo)+"/merge_requests?"+q.Encode(), nil, &out); err != nil {
		return PullRequest{}, false, err
	}
	if len(out) == 0 {
		return PullRequest{}, false, nil
	}
	return out[0].pullRequest(), true, nil
}

// ClosePullRequest adds a note (POST …/merge_requests/{iid}/notes), closes the merge request
// (PUT …/merge_requests/{iid} state_event close) and deletes the source branch
// (DELETE /projects/{path}/repository/branches/{branch}).
func (g gitlab) ClosePullRequest(ctx context.Context, repo string, pr PullRequest, head, comment string) error {
	mr := fmt.Sprintf("%s/merge_requests/%d", g.project(repo), pr.Number)
	if pr.State == PullRequestOpen {
		if err := g.api.do(ctx, http.MethodPost, mr+"/notes", map[string]string{"body": comment}, nil); err != nil {
			return err
		}
		if err := g.api.do(ctx, http.MethodPut, mr, map[string]string{"state_event": "close"}, nil); err != nil {
			return err
		}
	}
	err := g.api.do(ctx, http.MethodDelete, g.project(repo)+"/repository/branches/"+url.PathEscape(head), nil, nil)
	if isCode(err, http.StatusNotFound) {
		return nil
	}
	return err
}

// SetCommitStatus posts a status (POST /projects/{path}/statuses/{sha}); GitLab knows
// pending, running, success, failed and canceled, and names a status by name.
func (g gitlab) SetCommitStatus(ctx context.Context, repo, sha string, st CommitStatus) error {
	state := map[string]string{StatusFailure: "failed", StatusStopped: "canceled"}[st.State]
	if state == "" {
		state = st.State
	}
	in := map[string]string{"state": state, "name": st.Context, "target_url": st.URL, "description": truncate(st.Description, 255)}
	return g.api.do(ctx, http.MethodPost, g.project(repo)+"/statuses/"+sha, in, nil)
}

// isCode reports whether err is an answer of the host with HTTP status code.
func isCode(err error, code int) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == code
}
