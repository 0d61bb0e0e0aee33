package web_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"

	"ladder/internal/app"
)

// TestPushWebhookSignature sends GitHub, GitLab and Gitea pushes to the public receivers of a
// running server: a correct signature (or GitLab token) is accepted, a wrong or missing one is
// refused with 401, and a verified event that is not a push is acknowledged.
func TestPushWebhookSignature(t *testing.T) {
	srv := startTestServer(t, func(c *app.Config) { c.WebhookSecret = "hook-secret" })
	body := []byte(`{"ref":"refs/heads/main","after":"abc","repository":{"clone_url":"https://git.example/acme/shop.git"},"project":{"git_http_url":"https://git.example/acme/shop.git"}}`)
	cases := []struct {
		name, path string
		header     http.Header
		want       int
	}{
		{"github signed", "/hooks/github", http.Header{"X-Github-Event": {"push"}, "X-Hub-Signature-256": {"sha256=" + hmacHex(body, "hook-secret")}}, http.StatusNoContent},
		{"github wrong secret", "/hooks/github", http.Header{"X-Github-Event": {"push"}, "X-Hub-Signature-256": {"sha256=" + hmacHex(body, "guess")}}, http.StatusUnauthorized},
		{"github unsigned", "/hooks/github", http.Header{"X-Github-Event": {"push"}}, http.StatusUnauthorized},
		{"github ping", "/hooks/github", http.Header{"X-Github-Event": {"ping"}, "X-Hub-Signature-256": {"sha256=" + hmacHex(body, "hook-secret")}}, http.StatusAccepted},
		{"gitea signed", "/hooks/gitea", http.Header{"X-Gitea-Event": {"push"}, "X-Gitea-Signature": {hmacHex(body, "hook-secret")}}, http.StatusNoContent},
		{"gitea wrong secret", "/hooks/gitea", http.Header{"X-Gitea-Event": {"push"}, "X-Gitea-Signature": {hmacHex(body, "guess")}}, http.StatusUnauthorized},
		{"gitlab token", "/hooks/gitlab", http.Header{"X-Gitlab-Event": {"Push Hook"}, "X-Gitlab-Token": {"hook-secret"}}, http.StatusNoContent},
		{"gitlab wrong token", "/hooks/gitlab", http.Header{"X-Gitlab-Event": {"Push Hook"}, "X-Gitlab-Token": {"guess"}}, http.StatusUnauthorized},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+c.path, bytes.NewReader(body))
			req.Header = c.header
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Errorf("got %d, want %d", resp.StatusCode, c.want)
			}
		})
	}
}

func hmacHex(body []byte, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}
