package gitops

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

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

// Provider opens, finds, reads and closes pull requests and posts commit statuses on a Git
// host. Errors of the host's API are *APIError.
type Provider interface {
	OpenPullRequest(ctx context.Context, pr NewPullRequest) (PullRequest, error)
	PullRequest(ctx context.Context, repo string, number int) (PullRequest, error)
	// OpenPullRequestFor finds the open pull request from branch head into base; found is
	// false when there is none.
	OpenPullRequestFor(ctx context.Context, repo, head, base string) (pr PullRequest, found bool, err error)
	// ClosePullRequest comments on an open pull request, closes it unmerged and deletes its
	// branch (a branch already gone is no error).
	ClosePullRequest(ctx context.Context, repo string, pr PullRequest, head, comment string) error
	// SetCommitStatus posts (or updates: same context) a status on commit sha.
	SetCommitStatus(ctx context.Context, repo, sha string, st CommitStatus) error
}

// Commit status states, mapped to each host's own words.
const (
	StatusPending = "pending"
	StatusRunning = "running"
	StatusSuccess = "success"
	StatusFailure = "failure"
	StatusStopped = "stopped" // terminated or superseded
)

// CommitStatus is one status on a commit: Context names it (one per environment), URL links
// to the release.
type CommitStatus struct {
	State       string
	Context     string
	Description string
	URL         string
}

// APIError is a non-2xx answer of a Git host's API.
type APIError struct {
	Method, Path string
	Code         int
	Message      string
	// RetryAt is when a rate-limited request may be sent again (Retry-After, or the reset
	// time of X-RateLimit-Reset / RateLimit-Reset); zero when the answer is no rate limit.
	RetryAt time.Time
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("%s %s: %d %s: %s", e.Method, e.Path, e.Code, http.StatusText(e.Code), e.Message)
	if !e.RetryAt.IsZero() {
		msg += " (rate limited until " + e.RetryAt.UTC().Format(time.RFC3339) + ")"
	}
	return msg
}

// Blocking reports whether err should hold a promotion back rather than fail it: the host
// was not reached, refused the token (401), limited the rate, or failed itself (5xx). Such an
// error is shown as a blocker and the request tried again with backoff.
func Blocking(err error) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return err != nil && !errors.Is(err, context.Canceled)
	}
	return ae.Code == http.StatusUnauthorized || !ae.RetryAt.IsZero() || ae.Code >= 500
}

// RetryAt is when a blocking err may be tried again: the host's rate-limit time, or zero to
// back off by the caller's own rule.
func RetryAt(err error) time.Time {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.RetryAt
	}
	return time.Time{}
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

// do sends a request and decodes a 2xx JSON answer into out (nil: ignore the body).
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
		return apiError(method, path, resp, data, time.Now())
	}
	if out == nil || len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	return json.Unmarshal(data, out)
}

// apiError reads a failed answer: the host's message and, for a rate limit, when to retry.
// GitHub answers 403 or 429 with x-ratelimit-remaining 0 and x-ratelimit-reset (epoch
// seconds), or retry-after (seconds) for secondary limits (docs.github.com, "Rate limits for
// the REST API"); GitLab and Gitea answer 429 with Retry-After (and GitLab RateLimit-Reset).
func apiError(method, path string, resp *http.Response, body []byte, now time.Time) *APIError {
	e := &APIError{Method: method, Path: strings.SplitN(path, "?", 2)[0], Code: resp.StatusCode, Message: hostMessage(body)}
	h := resp.Header
	limited := resp.StatusCode == http.StatusTooManyRequests ||
		resp.StatusCode == http.StatusForbidden && (h.Get("X-RateLimit-Remaining") == "0" || h.Get("Retry-After") != "" ||
			strings.Contains(strings.ToLower(e.Message), "rate limit"))
	if !limited {
		return e
	}
	e.RetryAt = now.Add(time.Minute) // GitHub: otherwise wait at least a minute
	if s, err := strconv.Atoi(h.Get("Retry-After")); err == nil {
		e.RetryAt = now.Add(time.Duration(s) * time.Second)
	} else if reset := orDefault(h.Get("X-RateLimit-Reset"), h.Get("RateLimit-Reset")); reset != "" {
		if n, err := strconv.ParseInt(reset, 10, 64); err == nil && time.Unix(n, 0).After(now) {
			e.RetryAt = time.Unix(n, 0)
		}
	}
	return e
}

// hostMessage is the message of an error body: {"message": "..."} (GitHub, Gitea), with
// GitHub's validation errors[].message, or GitLab's {"message": [...] or {...}} / {"error": "..."}.
func hostMessage(body []byte) string {
	var e struct {
		Message json.RawMessage `json:"message"`
		Error   string          `json:"error"`
		Errors  []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &e) != nil {
		return string(bytes.TrimSpace(body[:min(len(body), 300)]))
	}
	var msg string
	if json.Unmarshal(e.Message, &msg) != nil {
		msg = string(e.Message)
	}
	for _, x := range e.Errors {
		msg = strings.TrimSpace(msg + "; " + x.Message)
	}
	if msg == "" {
		msg = e.Error
	}
	return msg
}
