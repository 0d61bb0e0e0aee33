package gitops

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"testing"
)

// Push payloads trimmed from each provider's documented examples.
const (
	githubPush = `{"ref":"refs/heads/main","before":"6113728f27ae82c7b1a177c8d03f9e96e0adf246","after":"0000000000000000000000000000000000000001",
"repository":{"id":1296269,"full_name":"octocat/Hello-World","html_url":"https://github.com/octocat/Hello-World",
"clone_url":"https://github.com/octocat/Hello-World.git","ssh_url":"git@github.com:octocat/Hello-World.git"},
"pusher":{"name":"octocat"},"commits":[{"id":"0000000000000000000000000000000000000001","message":"bump"}]}`
	gitlabPush = `{"object_kind":"push","event_name":"push","ref":"refs/heads/main","before":"95790bf891e76fee5e1747ab589903a6a1f80f22",
"after":"da1560886d4f094c3e6c9ef40349f7d38b5d27d7","checkout_sha":"da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
"project":{"id":15,"name":"Diaspora","web_url":"http://example.com/mike/diaspora","git_ssh_url":"git@example.com:mike/diaspora.git",
"git_http_url":"http://example.com/mike/diaspora.git","path_with_namespace":"mike/diaspora","default_branch":"master"},
"repository":{"name":"Diaspora","url":"git@example.com:mike/diaspora.git","homepage":"http://example.com/mike/diaspora",
"git_http_url":"http://example.com/mike/diaspora.git","git_ssh_url":"git@example.com:mike/diaspora.git"}}`
	giteaPush = `{"ref":"refs/heads/develop","before":"28e1879d029cb852e4844d9c718537df08844e03","after":"bffeb74224043ba2feb48d137756c8a9331c449a",
"compare_url":"http://localhost:3000/gitea/webhooks/compare/28e1879d...bffeb742",
"commits":[{"id":"bffeb74224043ba2feb48d137756c8a9331c449a","message":"Webhooks Yay!"}],
"repository":{"id":140,"owner":{"id":1,"login":"gitea"},"name":"webhooks","full_name":"gitea/webhooks",
"html_url":"http://localhost:3000/gitea/webhooks","ssh_url":"ssh://gitea@localhost:2222/gitea/webhooks.git",
"clone_url":"http://localhost:3000/gitea/webhooks.git","default_branch":"master"}}`
)

func hmacHex(secret, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(body))
	return hex.EncodeToString(mac.Sum(nil))
}

func TestParsePush(t *testing.T) {
	const secret = "s3cret"
	tests := []struct {
		name, provider, body string
		header               http.Header
		wantErr              error
		wantBranch, wantURL  string
	}{
		{"github good", ProviderGitHub, githubPush, http.Header{
			"X-Hub-Signature-256": {"sha256=" + hmacHex(secret, githubPush)}, "X-Github-Event": {"push"}},
			nil, "main", "https://github.com/octocat/Hello-World.git"},
		{"github bad", ProviderGitHub, githubPush, http.Header{
			"X-Hub-Signature-256": {"sha256=" + hmacHex("wrong", githubPush)}, "X-Github-Event": {"push"}},
			ErrBadSignature, "", ""},
		{"github missing", ProviderGitHub, githubPush, http.Header{"X-Github-Event": {"push"}}, ErrBadSignature, "", ""},
		{"github ping", ProviderGitHub, `{"zen":"hi"}`, http.Header{
			"X-Hub-Signature-256": {"sha256=" + hmacHex(secret, `{"zen":"hi"}`)}, "X-Github-Event": {"ping"}},
			ErrNotPush, "", ""},
		{"gitlab good", ProviderGitLab, gitlabPush, http.Header{"X-Gitlab-Token": {secret}, "X-Gitlab-Event": {"Push Hook"}},
			nil, "main", "http://example.com/mike/diaspora.git"},
		{"gitlab bad", ProviderGitLab, gitlabPush, http.Header{"X-Gitlab-Token": {"guess"}, "X-Gitlab-Event": {"Push Hook"}},
			ErrBadSignature, "", ""},
		{"gitea good", ProviderGitea, giteaPush, http.Header{"X-Gitea-Signature": {hmacHex(secret, giteaPush)}, "X-Gitea-Event": {"push"}},
			nil, "develop", "http://localhost:3000/gitea/webhooks.git"},
		{"gitea bad", ProviderGitea, giteaPush, http.Header{"X-Gitea-Signature": {hmacHex(secret, giteaPush+" ")}, "X-Gitea-Event": {"push"}},
			ErrBadSignature, "", ""},
		{"tag push", ProviderGitea, `{"ref":"refs/tags/v1","repository":{"clone_url":"x"}}`, http.Header{
			"X-Gitea-Signature": {hmacHex(secret, `{"ref":"refs/tags/v1","repository":{"clone_url":"x"}}`)}, "X-Gitea-Event": {"push"}},
			ErrNotPush, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePush(tt.provider, tt.header, []byte(tt.body), secret)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if got.Branch != tt.wantBranch || !slices.Contains(got.CloneURLs, tt.wantURL) {
				t.Errorf("got %+v, want branch %s and URL %s", got, tt.wantBranch, tt.wantURL)
			}
		})
	}
	if _, err := ParsePush(ProviderGitLab, http.Header{"X-Gitlab-Token": {""}}, []byte(gitlabPush), ""); !errors.Is(err, ErrBadSignature) {
		t.Errorf("empty secret: got %v, want ErrBadSignature", err)
	}
}

func TestSameRepository(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"https://github.com/octocat/Hello-World.git", "git@github.com:octocat/Hello-World.git", true},
		{"https://user:tok@GitHub.com/octocat/Hello-World", "ssh://git@github.com/octocat/Hello-World.git", true},
		{"https://github.com/octocat/Hello-World.git", "https://github.com/octocat/other.git", false},
		{"file:///srv/git/shop.git", "file:///srv/git/shop", true},
	}
	for _, tt := range tests {
		if got := SameRepository(tt.a, tt.b); got != tt.want {
			t.Errorf("SameRepository(%q, %q): got %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
