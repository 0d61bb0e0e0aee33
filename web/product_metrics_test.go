package web_test

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"ladder/internal/release"
)

// TestMetricsPage proves the delivery metrics page says what it will chart before there is
// anything to chart, and then draws charts whose axes carry values and units.
func TestMetricsPage(t *testing.T) {
	s := startModelServer(t)
	seedModel(t, s, "/srv/git/shop.git")
	s.mustPost(t, "/environments", url.Values{"name": {"prod"}, "kind": {"production"}})

	status, body := s.do(t, http.MethodGet, "/products/shop/metrics", nil, false)
	if status != http.StatusOK {
		t.Fatalf("GET metrics: got %d, want 200", status)
	}
	empty, ok := blockByTestID(body, "metrics-empty")
	for _, want := range []string{"Deployment frequency", "Lead time for changes", "Change failure rate", "Time to restore", "Promote shop to production"} {
		if !ok || !strings.Contains(body, want) {
			t.Errorf("empty metrics page: %q (found %v), want it to name %q", empty, ok, want)
		}
	}
	if strings.Contains(body, `data-testid="metrics"`) {
		t.Errorf("empty metrics page draws charts; want only the explanation")
	}

	// Noon on last week's Monday (UTC): the four deployments, an hour apart, fall in one week
	// whatever day the test runs.
	today := time.Now().UTC().Truncate(24 * time.Hour)
	lastMonday := today.AddDate(0, 0, -((int(today.Weekday())+6)%7)-7).Add(12 * time.Hour)
	seedDeployments(t, s.db(t), "shop", "prod", lastMonday, "SUCCEEDED", "SUCCEEDED", "FAILED", "SUCCEEDED")
	_, body = s.do(t, http.MethodGet, "/products/shop/metrics", nil, false)
	if got, _ := byTestID(body, "figure-frequency"); !strings.Contains(got, "(3 in all)") {
		t.Errorf("figure-frequency: got %q, want 3 in all", got)
	}
	for id, want := range map[string]string{"unit-frequency": "deployments per week", "unit-failure-rate": "share failed per week",
		"unit-lead-time": "median lead time per week"} {
		if got, _ := byTestID(body, id); got != want {
			t.Errorf("%s: got %q, want %q", id, got, want)
		}
	}
	if !strings.Contains(body, `data-testid="tick-failure-rate">100%</text>`) || !strings.Contains(body, `data-testid="tick-frequency">4</text>`) {
		t.Errorf("axes without their top values (100%% failed, 4 deployments)")
	}
}

// seedDeployments stores finished releases of product into env, one per status, an hour
// apart from start, each an hour after its trigger commit.
func seedDeployments(t *testing.T, conn *sql.DB, product, env string, start time.Time, statuses ...string) {
	t.Helper()
	for i, st := range statuses {
		created := start.Add(time.Duration(i) * time.Hour)
		id := release.NewID(created)
		if _, err := conn.Exec(`INSERT INTO releases (id, product, number, trigger_env, source_app, initiator, status, plan,
			created_at, trigger_date, finished_at) VALUES (?, ?, ?, 'dev', 'dev/api', 'auto', ?, '{}', ?, ?, ?)`,
			id, product, 100+i, st, created, created.Add(-time.Hour), created.Add(10*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(`INSERT INTO release_environments (release_id, name, position, is_trigger, status, finished_at)
			VALUES (?, ?, 1, 0, ?, ?)`, id, env, st, created.Add(10*time.Minute)); err != nil {
			t.Fatal(fmt.Errorf("release %s in %s: %w", id, env, err))
		}
	}
}
