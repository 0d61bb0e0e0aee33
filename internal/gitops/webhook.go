package gitops

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// ErrBadSignature reports a webhook whose signature or token does not match
// the secret (HTTP handlers answer 401).
var ErrBadSignature = errors.New("bad webhook signature")

// ErrNotPush reports a verified webhook that is not a branch push (a ping,
// a tag push, another event); handlers acknowledge and ignore it.
var ErrNotPush = errors.New("not a branch push")

// Git hosting providers, for webhooks and pull requests.
const (
	ProviderGitHub = "github"
	ProviderGitLab = "gitlab"
	ProviderGitea  = "gitea" // Gitea and Forgejo
)

// Push is a verified branch push: the repository's clone URLs (https and
// ssh), the branch and the new head.
type Push struct {
	CloneURLs []string
	Branch    string
	After     string
}

// ParsePush verifies a push webhook from a provider and returns the push.
// GitHub signs the body with HMAC-SHA256 in X-Hub-Signature-256
// ("sha256=<hex>"), Gitea and Forgejo in X-Gitea-Signature (hex), and
// GitLab sends the secret itself in X-Gitlab-Token. A missing or wrong
// signature is ErrBadSignature; an empty secret accepts nothing.
func ParsePush(provider string, header http.Header, body []byte, secret string) (Push, error) {
	if secret == "" {
		return Push{}, fmt.Errorf("%w: no secret configured", ErrBadSignature)
	}
	var event string
	switch provider {
	case ProviderGitHub:
		sig, ok := strings.CutPrefix(header.Get("X-Hub-Signature-256"), "sha256=")
		if !ok || !validHMAC(body, secret, sig) {
			return Push{}, ErrBadSignature
		}
		event = header.Get("X-GitHub-Event")
	case ProviderGitea:
		sig := header.Get("X-Gitea-Signature")
		if sig == "" {
			sig = header.Get("X-Forgejo-Signature")
		}
		if !validHMAC(body, secret, sig) {
			return Push{}, ErrBadSignature
		}
		event = header.Get("X-Gitea-Event")
		if event == "" {
			event = header.Get("X-Forgejo-Event")
		}
	case ProviderGitLab:
		token := header.Get("X-Gitlab-Token")
		if subtle.ConstantTimeCompare([]byte(token), []byte(secret)) != 1 {
			return Push{}, ErrBadSignature
		}
		event = strings.ToLower(strings.TrimSuffix(header.Get("X-Gitlab-Event"), " Hook"))
	default:
		return Push{}, fmt.Errorf("unknown provider %q", provider)
	}
	if event != "push" {
		return Push{}, fmt.Errorf("%w: event %q", ErrNotPush, event)
	}
	return parsePushBody(body)
}

// validHMAC checks a hex HMAC-SHA256 of body in constant time.
func validHMAC(body []byte, secret, sigHex string) bool {
	sig, err := hex.DecodeString(sigHex)
	if err != nil || len(sig) == 0 {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hmac.Equal(sig, mac.Sum(nil))
}

// pushPayload holds the fields the three providers' push payloads share or
// name differently (GitHub and Gitea: repository.clone_url/ssh_url; GitLab:
// project.git_http_url/git_ssh_url).
type pushPayload struct {
	Ref        string `json:"ref"`
	After      string `json:"after"`
	Repository struct {
		CloneURL   string `json:"clone_url"`
		SSHURL     string `json:"ssh_url"`
		GitHTTPURL string `json:"git_http_url"`
		GitSSHURL  string `json:"git_ssh_url"`
	} `json:"repository"`
	Project struct {
		GitHTTPURL string `json:"git_http_url"`
		GitSSHURL  string `json:"git_ssh_url"`
	} `json:"project"`
}

// parsePushBody reads the branch and clone URLs of a push payload.
func parsePushBody(body []byte) (Push, error) {
	var p pushPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return Push{}, fmt.Errorf("push payload: %w", err)
	}
	branch, ok := strings.CutPrefix(p.Ref, "refs/heads/")
	if !ok {
		return Push{}, fmt.Errorf("%w: ref %q", ErrNotPush, p.Ref)
	}
	push := Push{Branch: branch, After: p.After}
	for _, u := range []string{p.Repository.CloneURL, p.Repository.SSHURL, p.Project.GitHTTPURL, p.Project.GitSSHURL, p.Repository.GitHTTPURL, p.Repository.GitSSHURL} {
		if u != "" && !slices.Contains(push.CloneURLs, u) {
			push.CloneURLs = append(push.CloneURLs, u)
		}
	}
	if len(push.CloneURLs) == 0 {
		return Push{}, errors.New("push payload names no repository")
	}
	return push, nil
}

// SameRepository reports whether two clone URLs name the same repository,
// ignoring scheme, credentials, a trailing .git and case of the host
// (https://host/a/b.git, git@host:a/b and ssh://git@host/a/b all match).
func SameRepository(a, b string) bool {
	return repoKey(a) == repoKey(b)
}

// repoKey reduces a clone URL to host/path.
func repoKey(u string) string {
	u = strings.TrimSpace(u)
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	} else if at := strings.Index(u, "@"); at >= 0 && strings.Contains(u[at:], ":") {
		u = strings.Replace(u, ":", "/", 1) // scp-like git@host:path
	}
	if at := strings.LastIndex(u, "@"); at >= 0 && at < strings.Index(u+"/", "/") {
		u = u[at+1:]
	}
	host, path, _ := strings.Cut(u, "/")
	if h, port, ok := strings.Cut(host, ":"); ok && (port == "22" || port == "443" || port == "80") {
		host = h
	}
	path = strings.TrimSuffix(strings.Trim(path, "/"), ".git")
	return strings.ToLower(host) + "/" + path
}
