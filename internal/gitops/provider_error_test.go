package gitops

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

// TestAPIErrorRateLimits reads rate-limited answers as each host sends them: GitHub 403 or 429
// with x-ratelimit-remaining 0 and x-ratelimit-reset, or retry-after for secondary limits
// (docs.github.com "Rate limits for the REST API"); GitLab 429 with Retry-After and
// RateLimit-Reset; and tells them from a plain 403 and a validation error.
func TestAPIErrorRateLimits(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	reset := strconv.FormatInt(now.Add(90*time.Second).Unix(), 10)
	tests := []struct {
		name     string
		code     int
		headers  map[string]string
		body     string
		wantWait time.Duration // 0: not rate limited
		blocking bool
		wantMsg  string
	}{
		{"github primary", 403, map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
			`{"message":"API rate limit exceeded for user ID 1.","documentation_url":"https://docs.github.com/rest"}`, 90 * time.Second, true, "API rate limit exceeded for user ID 1."},
		{"github secondary", 403, map[string]string{"Retry-After": "30", "X-RateLimit-Remaining": "4000"},
			`{"message":"You have exceeded a secondary rate limit."}`, 30 * time.Second, true, "You have exceeded a secondary rate limit."},
		{"github secondary without headers", 429, nil, `{"message":"You have exceeded a secondary rate limit."}`, time.Minute, true, ""},
		{"gitlab", 429, map[string]string{"Retry-After": "60", "RateLimit-Reset": reset},
			`{"message":"This endpoint has been requested too many times. Try again later."}`, time.Minute, true, ""},
		{"plain forbidden", 403, map[string]string{"X-RateLimit-Remaining": "4999"}, `{"message":"Resource not accessible by integration"}`, 0, false, "Resource not accessible by integration"},
		{"unauthorized", 401, nil, `{"message":"Bad credentials"}`, 0, true, "Bad credentials"},
		{"server error", 502, nil, `<html>bad gateway</html>`, 0, true, "<html>bad gateway</html>"},
		{"github validation", 422, nil, `{"message":"Validation Failed","errors":[{"resource":"PullRequest","code":"custom","message":"A pull request already exists for acme:x."}]}`,
			0, false, "Validation Failed; A pull request already exists for acme:x."},
		{"gitlab conflict", 409, nil, `{"message":["Another open merge request already exists for this source branch: !3"]}`, 0, false, `["Another open merge request already exists for this source branch: !3"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: tt.code, Header: http.Header{}}
			for k, v := range tt.headers {
				resp.Header.Set(k, v)
			}
			e := apiError(http.MethodPost, "/repos/acme/prod/pulls?x=1", resp, []byte(tt.body), now)
			wait := time.Duration(0)
			if !e.RetryAt.IsZero() {
				wait = e.RetryAt.Sub(now)
			}
			if wait != tt.wantWait {
				t.Errorf("got wait %s, want %s", wait, tt.wantWait)
			}
			if got := Blocking(e); got != tt.blocking {
				t.Errorf("got blocking %t, want %t", got, tt.blocking)
			}
			if tt.wantMsg != "" && e.Message != tt.wantMsg {
				t.Errorf("got message %q, want %q", e.Message, tt.wantMsg)
			}
			if e.Path != "/repos/acme/prod/pulls" {
				t.Errorf("got path %q, want it without the query", e.Path)
			}
		})
	}
}
