package app_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestMetricsAfterARelease scrapes /metrics after a promotion succeeded: every listed series
// is there with the values the release left.
func TestMetricsAfterARelease(t *testing.T) {
	dir := t.TempDir()
	seedShop(t, dir)
	srv := startLadder(t, dir)
	srv.waitForStatus(t, srv.promote(t), "SUCCEEDED")

	resp, body := srv.do(t, http.MethodGet, "/metrics", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: got %d, want 200", resp.StatusCode)
	}
	for _, want := range []string{
		`ladder_releases{status="SUCCEEDED"} 1`,
		`ladder_releases{status="FAILED"} 0`,
		`ladder_promotion_duration_seconds_count{environment="prod",result="succeeded"} 1`,
		`ladder_runner_jobs_due `,
		`ladder_sse_subscribers 0`,
		`ladder_http_request_duration_seconds_count{code="303",method="POST",route="POST /releases"} 1`,
		`go_goroutines `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics: want a line with %q; got\n%s", want, grepLadder(body))
		}
	}
}

// TestMetricsNeedSignIn: /metrics is for signed-in users and API tokens (Prometheus scrapes
// with a viewer token), not for anyone who can reach the port.
func TestMetricsNeedSignIn(t *testing.T) {
	srv := startLadder(t, t.TempDir())
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/login" {
		t.Errorf("anonymous GET /metrics ended at %s, want the sign-in page", resp.Request.URL.Path)
	}
}

func grepLadder(body string) string {
	var lines []string
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, "ladder_") {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}
